/**
 * One enterprise's monthly report cut from the district report: its own figures, ranking line, part
 * of the revision note and parameter rows; the district sections (carbon, benchmark) stay out.
 */
import type { ParameterRow } from '../energy/parameterRow';
import { ownCarbon } from './carbonSection';
import { reportHash } from './reportHash';
import type { EnterpriseReport, MonthlyReport, ReportParameterRow } from './reportModel';
import { totalsOf } from './reportTotals';

/**
 * The part of a district revision note about one enterprise (the note of services/reports/reportService.ts
 * names every enterprise whose figures moved and the district total): its own line, or that its own
 * figures did not change. A note in another form is left out rather than shown to an enterprise.
 */
export function enterpriseRevisionNote(note: string | undefined, enterpriseId: string): string | undefined {
  if (note === undefined) return undefined;
  const m = /^(revision \d+ replaces \d+(?: for [^(]*?)?) \(sha256 [^)]*\): ([\s\S]*)$/.exec(note);
  if (!m) return undefined;
  const own = m[2]!.split('; ').filter((line) => line.startsWith(`${enterpriseId}: `));
  return `${m[1]}: ${own.length > 0 ? own.join('; ') : `${enterpriseId}: own figures unchanged`}`;
}

/**
 * Whether a stored row without `usedBy` (a report built before rows named their enterprises) is one of
 * the enterprise's own: a coefficient of a carrier in its month or its tariff's threshold or limit.
 */
function ownRow(p: ParameterRow, e: EnterpriseReport): boolean {
  const carriers = new Set(Object.keys(e.carriers).map((k) => k.split(':')[0]));
  const [kind, name] = p.key.split('/');
  if (kind === 'kgce' || kind === 'kgCO2') return name !== undefined && carriers.has(name);
  return kind === 'tariff' && e.tariff !== null && name === e.tariff.tariff;
}

/**
 * One enterprise's report: its figures, its own ranking line only, its own part of the revision note
 * and the parameter rows its own figures used (competitors' figures, and which carriers and tariffs
 * they have, stay private).
 */
export function enterpriseScope(report: MonthlyReport, enterpriseId: string): MonthlyReport | undefined {
  const e = report.enterprises.find((x) => x.id === enterpriseId);
  if (!e) return undefined;
  // The district carbon and benchmark sections (other enterprises' figures) stay out; the enterprise's own rows stay.
  const { revisionNote, parameters, ...withDistrict } = report;
  const rest = (({ carbon: _carbon, benchmark: _benchmark, ...r }: typeof withDistrict) => r)(withDistrict);
  const note = enterpriseRevisionNote(revisionNote, enterpriseId);
  const scoped: MonthlyReport = {
    ...rest,
    scope: enterpriseId,
    sha256: '',
    enterprises: [ownCarbon(e)],
    totals: totalsOf([e]),
    ranking: report.ranking.filter((r) => r.enterprise === enterpriseId),
    concentration: [],
    ...(note !== undefined && { revisionNote: note }),
    ...(parameters !== undefined && {
      parameters: (parameters as readonly ReportParameterRow[])
        .filter((p) => (p.usedBy === undefined ? ownRow(p, e) : p.usedBy.includes(enterpriseId)))
        .map(({ usedBy: _usedBy, ...p }) => p),
    }),
  };
  return { ...scoped, sha256: reportHash(scoped) };
}
