/**
 * The enterprise page's period panel (issue 21): the enterprise's total and carriers for the period
 * in the URL hash against the previous period and the same period a year earlier, from three
 * calls of GET /api/enterprises/{id}/consumption (contract 5), summed per carrier here.
 */
import { api } from '../api';
import { carrierName } from '../format';
import { t } from '../i18n';
import { hashParams, rangePieces, rangesOf, selectedFrom, type Range } from '../periodHash';
import { periodPanel, type ComparedRow } from '../periodPanel';
import type { ConsumptionAnswer } from '../types';

interface Sums {
  total: number;
  byCarrier: Map<string, number>;
}

async function sums(base: string, r: Range): Promise<Sums> {
  const answers = await Promise.all(
    rangePieces(r).map((p) => api<ConsumptionAnswer>(`${base}/consumption?every=${p.every}&from=${p.from}&to=${p.to}`)),
  );
  const byCarrier = new Map<string, number>();
  let total = 0;
  for (const a of answers) {
    total += a.totals.dualControlTce;
    for (const s of a.series) byCarrier.set(s.carrier, (byCarrier.get(s.carrier) ?? 0) + s.tce);
  }
  return { total: Number(total.toPrecision(9)), byCarrier };
}

/** `at`: the status answer's time (site zone), which names today. */
export async function enterprisePeriodPanel(id: string, at: string): Promise<HTMLElement> {
  const base = `/api/enterprises/${encodeURIComponent(id)}`;
  const today = at.slice(0, 10);
  const selected = selectedFrom(hashParams(location.hash), today);
  const ranges = rangesOf(selected, today);
  const [current, previous, yearEarlier] = await Promise.all([
    sums(base, ranges.current),
    sums(base, ranges.previous),
    sums(base, ranges.yearEarlier),
  ]);
  const carriers = [...new Set([current, previous, yearEarlier].flatMap((s) => [...s.byCarrier.keys()]))].sort();
  // Sums of rounded figures, rounded again to 9 significant digits (contract 8: no float noise).
  const round = (v: number) => Number(v.toPrecision(9));
  const rows: ComparedRow[] = [
    { key: 'total', label: t('perTotal'), current: current.total, previous: previous.total, yearEarlier: yearEarlier.total },
    ...carriers
      .map((c) => ({
        key: `carrier:${c}`,
        label: carrierName(c),
        current: round(current.byCarrier.get(c) ?? 0),
        previous: round(previous.byCarrier.get(c) ?? 0),
        yearEarlier: round(yearEarlier.byCarrier.get(c) ?? 0),
      }))
      .filter((r) => r.current !== 0 || r.previous !== 0 || r.yearEarlier !== 0),
  ];
  return periodPanel(`#/enterprise/${encodeURIComponent(id)}`, selected, today, ranges, rows);
}
