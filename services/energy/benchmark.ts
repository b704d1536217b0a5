/**
 * Unit consumption per product against the benchmark (标杆) and baseline (基准) levels, savings
 * potential and the retrofit-deadline severity (contract 10). Pure: the boundary's energy, the
 * product quantity and the level row come in as data. Decisions: docs/benchmark.md.
 */
import { DateTime } from 'luxon';
import { BENCHMARK_METRICS, type BenchmarkRow } from '../../config/benchmarkSchema';
import type { Severity } from '../../config/schema';

/** `benchmark` at or better than the benchmark level; `compliant` at or better than baseline; else `below-baseline`. */
export type BenchmarkTier = 'benchmark' | 'compliant' | 'below-baseline';

/** The boundary's energy over one period. */
export interface BoundaryEnergy {
  /** All boundary energy in kgce on the equivalent basis (当量值), whatever the configured basis. */
  readonly kgceEquivalent: number;
  /** Boundary grid electricity plus on-site renewable electricity, kWh (all AC consumption). */
  readonly acKwh: number;
}

export interface BenchmarkInput {
  readonly row: Pick<BenchmarkRow, 'metric' | 'benchmark' | 'baseline'>;
  readonly energy: BoundaryEnergy;
  /** Product of the period in the row's unit (t or weight boxes); null when none is known. */
  readonly quantity: number | null;
  /** Electricity on the equivalent basis, kgce/kWh (0.1229, GB/T 2589-2020): prices kWh savings in tce. */
  readonly equivalentKgcePerKwh: number;
  /** The enterprise's t CO2 per tce of the period; null when unknown (savings then in tce only). */
  readonly co2TPerTce: number | null;
}

export interface BenchmarkFigures {
  /** kgce or kWh per unit of product; null without product (never a division by zero). */
  readonly sec: number | null;
  readonly tier: BenchmarkTier | null;
  readonly quantity: number | null;
  /** max(0, sec − benchmark) x quantity, in tce; null without sec. */
  readonly savingsTce: number | null;
  /** savingsTce x CO2 per tce; null without sec or without a CO2 figure. */
  readonly savingsCo2T: number | null;
  /** Why a figure is null, in English; the answer carries it as given. */
  readonly note?: string;
}

export function tierOf(sec: number, levels: Pick<BenchmarkRow, 'benchmark' | 'baseline'>): BenchmarkTier {
  if (sec <= levels.benchmark) return 'benchmark';
  if (sec <= levels.baseline) return 'compliant';
  return 'below-baseline';
}

/**
 * sec = boundary kgce (当量值) / quantity for kgce metrics, AC kWh / quantity for kwh_ac_per_t.
 * Savings: the energy above benchmark at this output, in tce; kWh at the equivalent value.
 */
export function benchmarkFigures(input: BenchmarkInput): BenchmarkFigures {
  const { row, energy, quantity } = input;
  if (quantity === null || quantity <= 0)
    return {
      sec: null,
      tier: null,
      quantity,
      savingsTce: null,
      savingsCo2T: null,
      note: quantity === null ? 'no product quantity for the period: no unit consumption' : 'no product output in the period: no unit consumption',
    };
  const kwh = BENCHMARK_METRICS[row.metric].numerator === 'kwh_ac';
  const sec = (kwh ? energy.acKwh : energy.kgceEquivalent) / quantity;
  const excess = Math.max(0, sec - row.benchmark) * quantity;
  const savingsTce = (kwh ? excess * input.equivalentKgcePerKwh : excess) / 1000;
  return {
    sec,
    tier: tierOf(sec, row),
    quantity,
    savingsTce,
    savingsCo2T: input.co2TPerTce === null ? null : savingsTce * input.co2TPerTce,
    ...(input.co2TPerTce === null && { note: 'no CO2 figure for the period: savings potential in tce only' }),
  };
}

/** The instant a deadline date passes: the end of that day in the site zone (00:00 of the next day). */
export function deadlineInstant(deadline: string, zone: string): number {
  const day = DateTime.fromISO(deadline, { zone });
  if (!day.isValid) throw new RangeError(`invalid deadline date "${deadline}"`);
  return day.plus({ days: 1 }).toMillis();
}

/** Months of warning before a retrofit deadline (contract 10). */
export const DEADLINE_WARNING_MONTHS = 12;

/**
 * Contract 10: a product below baseline is a warning from 12 months before its deadline and
 * critical from the deadline on (overdue); null for any other tier or earlier.
 */
export function benchmarkSeverity(tier: BenchmarkTier | null, deadline: string, atMs: number, zone: string): Severity | null {
  if (tier !== 'below-baseline') return null;
  const due = deadlineInstant(deadline, zone);
  if (atMs >= due) return 'critical';
  const warnFrom = DateTime.fromMillis(due, { zone }).minus({ months: DEADLINE_WARNING_MONTHS }).toMillis();
  return atMs >= warnFrom ? 'warning' : null;
}
