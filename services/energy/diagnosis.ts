/**
 * The arithmetic of the energy-saving diagnosis (contract 11), pure: percentile and base load,
 * working-hour and time-of-use shares of an hourly profile, the robust anomaly rule, and the
 * least-squares trend. docs/diagnosis.md states every definition for users.
 */
import { DateTime } from 'luxon';
import { hoursOfRanges, WEEKDAYS, type TouPeriod, type TouSchedule, type Weekday, type WorkingHours } from '../../config/diagnosisSchema';

/** 1 / Φ⁻¹(3/4): makes the MAD of normal data estimate its standard deviation. */
export const MAD_SCALE = 1.4826;

/**
 * The p-th percentile (0..100) by linear interpolation between closest ranks (Hyndman-Fan type 7,
 * Excel PERCENTILE.INC, numpy's default): sorted x₀..xₙ₋₁, h = (n − 1)·p/100,
 * value = x⌊h⌋ + (h − ⌊h⌋)·(x⌊h⌋₊₁ − x⌊h⌋). null for no values.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const xs = [...values].sort((a, b) => a - b);
  const h = ((xs.length - 1) * p) / 100;
  const lo = Math.floor(h);
  const a = xs[lo]!;
  const b = xs[Math.min(lo + 1, xs.length - 1)]!;
  return a + (h - lo) * (b - a);
}

export function median(values: readonly number[]): number | null {
  return percentile(values, 50);
}

export interface LoadProfile {
  /** The percentile of the hourly mean power (kW for electricity; unit per hour otherwise). */
  readonly base: number;
  readonly mean: number;
  /** base / mean; null when the mean is 0. */
  readonly ratio: number | null;
}

/** Base load against mean load of hourly quantities (an hour's quantity / 1 h is its mean power). */
export function loadProfile(hourly: readonly number[], basePercentile: number): LoadProfile | null {
  const base = percentile(hourly, basePercentile);
  if (base === null) return null;
  const mean = hourly.reduce((s, x) => s + x, 0) / hourly.length;
  return { base, mean, ratio: mean === 0 ? null : base / mean };
}

export interface HourPoint {
  /** Hour start, epoch ms. */
  readonly hour: number;
  readonly quantity: number;
}

interface LocalHour {
  readonly weekday: Weekday;
  /** 0..23 in the site zone. */
  readonly hour: number;
  /** 1..12 in the site zone. */
  readonly month: number;
}

export function localHour(ms: number, zone: string): LocalHour {
  const dt = DateTime.fromMillis(ms, { zone });
  return { weekday: WEEKDAYS[dt.weekday - 1]!, hour: dt.hour, month: dt.month };
}

/** Whether a local hour is a working hour of the schedule (`continuous`: every hour is). */
export function isWorkingHour(schedule: WorkingHours, at: Pick<LocalHour, 'weekday' | 'hour'>): boolean {
  if (schedule === 'continuous') return true;
  return hoursOfRanges(schedule[at.weekday] ?? []).includes(at.hour);
}

export interface OffHours {
  readonly offHoursQuantity: number;
  readonly totalQuantity: number;
  /** off / total; null when nothing was consumed. */
  readonly share: number | null;
  readonly continuous: boolean;
}

/** Consumption outside working hours and its share of the total. */
export function offHoursShare(points: readonly HourPoint[], schedule: WorkingHours, zone: string): OffHours {
  let off = 0;
  let total = 0;
  for (const p of points) {
    total += p.quantity;
    if (!isWorkingHour(schedule, localHour(p.hour, zone))) off += p.quantity;
  }
  return { offHoursQuantity: off, totalQuantity: total, share: total === 0 ? null : off / total, continuous: schedule === 'continuous' };
}

/** The period of a local hour: sharp (in its months, inside the peak), else peak, flat or valley. */
export function touPeriodOf(schedule: TouSchedule, at: Pick<LocalHour, 'hour' | 'month'>): TouPeriod {
  if (schedule.sharpMonths.includes(at.month) && hoursOfRanges(schedule.sharp).includes(at.hour)) return 'sharp';
  if (hoursOfRanges(schedule.peak).includes(at.hour)) return 'peak';
  if (hoursOfRanges(schedule.flat).includes(at.hour)) return 'flat';
  return 'valley';
}

export interface TouShares {
  readonly quantities: Readonly<Record<TouPeriod, number>>;
  /** Each period's share of the total; null when nothing was consumed. */
  readonly shares: Readonly<Record<TouPeriod, number>> | null;
  readonly totalQuantity: number;
}

export function touShares(points: readonly HourPoint[], schedule: TouSchedule, zone: string): TouShares {
  const q: Record<TouPeriod, number> = { sharp: 0, peak: 0, flat: 0, valley: 0 };
  let total = 0;
  for (const p of points) {
    q[touPeriodOf(schedule, localHour(p.hour, zone))] += p.quantity;
    total += p.quantity;
  }
  const shares = total === 0 ? null : { sharp: q.sharp / total, peak: q.peak / total, flat: q.flat / total, valley: q.valley / total };
  return { quantities: q, shares, totalQuantity: total };
}

export interface AnomalyRule {
  readonly thresholdMads: number;
  readonly minHistoryDays: number;
}

/**
 * How the spread of the history was measured: the scaled MAD, or `zero-spread` when the MAD is 0
 * (more than half the history equal), where no score exists and any difference from the median counts.
 */
export type SpreadMethod = 'scaled-mad' | 'zero-spread';

export type Judgement =
  | { readonly judged: false; readonly historyDays: number }
  | {
      readonly judged: true;
      readonly historyDays: number;
      readonly median: number;
      /** Median absolute deviation of the history (unscaled). */
      readonly mad: number;
      /** The scaled MAD (1.4826 × MAD) a deviation is measured in; 0 for a zero spread. */
      readonly spread: number;
      readonly spreadMethod: SpreadMethod;
      /** value − median. */
      readonly deviation: number;
      /** |deviation| / spread in scaled MADs; null when the spread is 0 (no finite score). */
      readonly score: number | null;
      readonly anomalous: boolean;
      readonly direction: 'above' | 'below' | null;
    };

/**
 * Contract 11's robust rule, taken literally: a value is anomalous when |value − median| > `thresholdMads`
 * × 1.4826 × MAD of its history. With MAD = 0 the limit is 0, so any value different from the median is
 * anomalous and one equal to it is not; the score is then null (`zero-spread`), never Infinity.
 */
export function judgeDay(value: number, history: readonly number[], rule: AnomalyRule): Judgement {
  if (history.length < rule.minHistoryDays) return { judged: false, historyDays: history.length };
  const m = median(history)!;
  const mad = median(history.map((x) => Math.abs(x - m)))!;
  const deviation = value - m;
  const spread = MAD_SCALE * mad;
  const anomalous = Math.abs(deviation) > rule.thresholdMads * spread;
  const direction = !anomalous ? null : deviation > 0 ? 'above' : 'below';
  return {
    judged: true,
    historyDays: history.length,
    median: m,
    mad,
    deviation,
    spread,
    spreadMethod: mad > 0 ? 'scaled-mad' : 'zero-spread',
    score: mad > 0 ? Math.abs(deviation) / spread : null,
    anomalous,
    direction,
  };
}

export interface Trend {
  /** Least-squares slope, in the figure's unit per day. */
  readonly slopePerDay: number;
  /** The fitted line's change from the first to the last day used, divided by the mean of the values. */
  readonly relativeChange: number | null;
  readonly days: number;
}

/** Ordinary least squares of y on x (x in days); null with fewer than two distinct days. */
export function leastSquaresTrend(points: readonly { readonly x: number; readonly y: number }[]): Trend | null {
  const n = points.length;
  if (n < 2) return null;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.x - mx) * (p.y - my);
    sxx += (p.x - mx) ** 2;
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  const xs = points.map((p) => p.x);
  const span = Math.max(...xs) - Math.min(...xs);
  return { slopePerDay: slope, relativeChange: my === 0 ? null : (slope * span) / my, days: n };
}
