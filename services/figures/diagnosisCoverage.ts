/**
 * Reading coverage of a diagnosis view (docs/diagnosis.md "Hours and days with data"): an hour is an
 * hour with data only when every meter of the view covers it with usable readings
 * (services/energy/coverage.ts). A meter counts from its first usable reading on (before it, it was
 * not yet in service) until its decommission (contract 8.1: a decommissioned meter stays configured and
 * is asked for nothing after it); a meter with no reading at all is not asked for.
 */
import type { MeterConfig } from '../../config/schema';
import { coveredHours } from '../energy/coverage';
import { usableReadingWindow } from '../energy/readingWindow';
import { HOUR_MS } from '../energy/time';
import type { TimeSeriesStore } from '../store/timeSeriesStore';

/** Whether the hour starting at `hour` is covered by every meter of the view. */
export type HourCovered = (hour: number) => boolean;

export async function viewCoverage(
  store: Pick<TimeSeriesStore, 'readings' | 'usableNeighbour'>,
  enterprise: string,
  meters: readonly MeterConfig[],
  from: number,
  to: number,
  /** The decommission instant in force of a meter (MeterTimelines), if any. */
  decommissionedAt: (meter: string) => number | undefined = () => undefined,
): Promise<HourCovered> {
  const perMeter = await Promise.all(
    meters.map(async (m) => {
      const key = { enterprise, meter: m.id };
      const first = await store.usableNeighbour(key, 0, 'atOrAfter');
      if (!first || to <= from) return undefined;
      const model = { kind: m.kind, multiplier: m.multiplier, rollover: m.rollover, intervalMs: m.intervalSeconds * 1000 };
      const window = await usableReadingWindow(store, key, model, from, to);
      return {
        first: first.ts,
        end: decommissionedAt(m.id) ?? Infinity,
        covered: coveredHours(
          model,
          window.map((r) => r.ts),
          from,
          to,
        ),
      };
    }),
  );
  const required = perMeter.filter((x): x is { first: number; end: number; covered: Set<number> } => x !== undefined);
  return (hour) => required.every((m) => hour + HOUR_MS <= m.first || hour >= m.end || m.covered.has(hour));
}

/** Whether every hour of [start, end) is covered. */
export function spanCovered(covered: HourCovered, start: number, end: number): boolean {
  for (let h = start; h < end; h += HOUR_MS) if (!covered(h)) return false;
  return true;
}
