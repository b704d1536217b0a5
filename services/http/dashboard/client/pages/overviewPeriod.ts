/**
 * The overview's period panel (issue 21): the district's total, carriers and industries for the
 * period in the URL hash, against the previous period and the same period a year earlier, from
 * GET /api/district/overview?from=&to= (its `period` block).
 */
import { api } from '../api';
import { carrierName, industryLabel } from '../format';
import { t } from '../i18n';
import { hashParams, rangesOf, selectedFrom } from '../periodHash';
import { periodPanel, type ComparedRow } from '../periodPanel';
import type { Overview } from '../types';

interface Sum {
  tce: number;
  dualControlTce: number;
}
interface PeriodPart extends Sum {
  byCarrier: Record<string, Sum>;
  byIndustry: Record<string, Sum>;
}
export interface OverviewPeriod extends PeriodPart {
  kind: string;
  partial: boolean;
  previous: PeriodPart;
  yearEarlier: PeriodPart;
}

/** Rows of one breakdown: every key with a figure in any of the three periods. */
function rowsOf(
  p: OverviewPeriod,
  pick: (x: PeriodPart) => Record<string, Sum>,
  value: (s: Sum) => number,
  label: (key: string) => string,
  prefix: string,
): ComparedRow[] {
  const parts = [p, p.previous, p.yearEarlier];
  const keys = [...new Set(parts.flatMap((x) => Object.keys(pick(x))))].sort();
  const of = (x: PeriodPart, k: string) => value(pick(x)[k] ?? { tce: 0, dualControlTce: 0 });
  return keys
    .map((k) => ({ key: `${prefix}${k}`, label: label(k), current: of(p, k), previous: of(p.previous, k), yearEarlier: of(p.yearEarlier, k) }))
    .filter((r) => r.current !== 0 || r.previous !== 0 || r.yearEarlier !== 0);
}

export async function overviewPeriodPanel(o: Overview): Promise<HTMLElement> {
  const today = o.at.slice(0, 10);
  const selected = selectedFrom(hashParams(location.hash), today);
  const ranges = rangesOf(selected, today);
  const answer = await api<{ period: OverviewPeriod }>(`/api/district/overview?from=${ranges.asked.from}&to=${ranges.asked.to}`);
  const p = answer.period;
  const rows: ComparedRow[] = [
    // The total on the dual-control basis, as the overview's cards; carriers with their own tce; industries on the dual-control basis, as the chart.
    { key: 'total', label: t('perTotal'), current: p.dualControlTce, previous: p.previous.dualControlTce, yearEarlier: p.yearEarlier.dualControlTce },
    ...rowsOf(
      p,
      (x) => x.byCarrier,
      (s) => s.tce,
      carrierName,
      'carrier:',
    ),
    ...rowsOf(
      p,
      (x) => x.byIndustry,
      (s) => s.dualControlTce,
      (code) => t('perIndustryRow', { industry: `${code} ${industryLabel(code, o.industries[code])}` }),
      'industry:',
    ),
  ];
  return periodPanel('#/', selected, today, ranges, rows);
}
