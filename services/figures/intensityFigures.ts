/**
 * Intensity over complete months (contract 4 "Intensity"): intensity tce and output value over the
 * SAME months, the complete months of t's year (month end <= t) that have an output value entered,
 * so a partial month of energy is never divided by whole months of output.
 */
import type { MonthlyRecord } from '../energy/monthlyStatistics';
import { intensityStatus, type IntensityStatus } from '../energy/quota';
import { monthSpan } from './enteredFigures';
import { figure } from './precision';

export type IntensityAt = IntensityStatus & {
  /** Output value over `months`, 10^4 yuan; null when no month qualifies. */
  readonly output10kYuan: number | null;
  /** Intensity tce over `months`. */
  readonly intensityTce?: number;
  /** The months used, YYYY-MM, oldest first. */
  readonly months: string[];
};

export interface IntensityInput {
  /** Intensity tce by month (YYYY-MM) of t's year. */
  readonly tceByMonth: ReadonlyMap<string, number>;
  /** The enterprise's records of t's year (current versions). */
  readonly records: readonly MonthlyRecord[];
  readonly at: number;
  readonly zone: string;
  readonly limit: number;
  readonly thresholds: { readonly yellow: number; readonly red: number };
  /** The figure over a set of months as one period, when it is not the sum of its months (carbon: certificates pooled). */
  readonly totalOver?: (months: readonly string[]) => number;
}

/** The records of the complete months (month end <= at) with an output value entered, oldest first. */
export function monthsWithOutput(records: readonly MonthlyRecord[], at: number, zone: string): MonthlyRecord[] {
  return records
    .filter((r) => r.outputValue10kYuan !== undefined && monthSpan(r.month, zone).end <= at)
    .sort((a, b) => a.month.localeCompare(b.month));
}

export function intensityOverCompleteMonths(input: IntensityInput): IntensityAt {
  const used = monthsWithOutput(input.records, input.at, input.zone);
  const months = used.map((r) => r.month);
  const output = used.length > 0 ? figure(used.reduce((s, r) => s + (r.outputValue10kYuan ?? 0), 0)) : null;
  const intensityTce = figure(input.totalOver ? input.totalOver(months) : months.reduce((s, m) => s + (input.tceByMonth.get(m) ?? 0), 0));
  const status = intensityStatus({ ytdTce: intensityTce, ytdOutput10kYuan: output, limit: input.limit, thresholds: input.thresholds });
  const rounded: IntensityStatus = status.intensity === null ? status : { ...status, intensity: figure(status.intensity) };
  return { ...rounded, output10kYuan: output, intensityTce, months };
}
