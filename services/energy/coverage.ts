/**
 * Which hours a meter's usable readings cover (contract 4), pure: the diagnosis counts an hour as an
 * hour with data only when it is covered, because ingest stores an explicit 0 for every hour of a
 * power meter's gap (the gap rule) and a 0 there is not a measured 0.
 *
 * - counter: every hour between two usable readings (a register difference is exact however long the pair);
 * - power: every hour inside pairs no longer than 2 x the interval (longer pairs are the gap rule's zeros);
 * - interval: every hour inside the intervals (ts − interval, ts] of its readings.
 * An hour counts only when it is covered whole.
 */
import type { MeterModel } from './consumption';
import { HOUR_MS, hourFloor } from './time';

/** Hour starts in [from, to) that the sorted usable reading times `ts` cover whole. */
export function coveredHours(model: Pick<MeterModel, 'kind' | 'intervalMs'>, ts: readonly number[], from: number, to: number): Set<number> {
  const spans: [number, number][] = [];
  if (model.kind === 'interval') {
    for (const t of ts) spans.push([t - model.intervalMs, t]);
  } else {
    for (let i = 1; i < ts.length; i++) {
      const a = ts[i - 1]!;
      const b = ts[i]!;
      if (b > a && (model.kind === 'counter' || b - a <= 2 * model.intervalMs)) spans.push([a, b]);
    }
  }
  spans.sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
    else merged.push([s[0], s[1]]);
  }
  const out = new Set<number>();
  for (const [a, b] of merged) {
    for (let h = Math.max(hourFloor(from), Math.ceil(a / HOUR_MS) * HOUR_MS); h + HOUR_MS <= Math.min(b, to); h += HOUR_MS) out.add(h);
  }
  return out;
}
