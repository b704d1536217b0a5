/**
 * Dual-control arithmetic (contract 4 "Quota status" and "Intensity"; domain 2.1, 2.7).
 * Pure: no store, no clock. Every instant and every total comes in as a parameter.
 */
import { DateTime } from 'luxon';
import { yearBounds } from './time';

export type Level = 'green' | 'yellow' | 'red';

/**
 * Ratios (share, pace, intensity ratio) are rounded to 1e-12 before they are compared and
 * reported, so that float noise (1.0000000000000002) cannot move a figure that is exactly at a
 * threshold over it; 1e-12 is far below any meaningful difference in tce ratios. Exported so that
 * every ratio compared with a threshold (carbon, projects) rounds the same way.
 */
export function roundRatio(x: number): number {
  return Math.round(x * 1e12) / 1e12;
}

/**
 * Elapsed fraction of the calendar year at `at` in `zone` (contract 4, `f`): elapsed real time
 * since local 1 January 00:00 over the real length of that local year, so leap years count 366
 * days, 1 January 00:00 gives 0 and the last millisecond of 31 December gives just under 1.
 */
export function yearFraction(at: number, zone = 'Asia/Shanghai'): number {
  const { start, end } = yearBounds(at, zone);
  if (!Number.isFinite(start) || !Number.isFinite(end)) throw new RangeError(`cannot place ${at} in zone ${zone}`);
  return (at - start) / (end - start);
}

export interface QuotaThresholds {
  readonly paceYellow: number;
  readonly paceRed: number;
  readonly shareYellow: number;
  readonly shareRed: number;
}

export interface QuotaInput {
  readonly year: number;
  readonly totalTce: number;
  readonly ytdTce: number;
  /** yearFraction(t) of the status instant t. */
  readonly fraction: number;
  readonly thresholds: QuotaThresholds;
  /** Site zone, to date the exhaustion in (contract 3); the default is the demo's, as for yearFraction. */
  readonly zone?: string;
}

/** Stated trouble beside the light (issue 21): the level does not change, the figures say how bad it is. */
export interface Exhaustion {
  /** max(0, forecast - total); null when there is no forecast (f = 0). */
  readonly overrun: number | null;
  /** share >= 1: the total is already used up. */
  readonly exhausted: boolean;
  /**
   * YYYY-MM-DD in the site zone when the year to date reaches the total at the pace so far; null
   * when already exhausted (two figures cannot tell when it was crossed), when nothing has been used
   * or no time has elapsed, or when the date falls after the end of the year.
   */
  readonly exhaustionDate: string | null;
}

/**
 * Exhaustion at the current pace: the rate so far is ytd / (t - yearStart), so the total is reached
 * at yearStart + (t - yearStart) x total / ytd = yearStart + f x L x total / ytd, L the year's real
 * length (leap years 366 days). That is t + (total - ytd) / rate. Within the year exactly when the
 * forecast ytd / f is above the total.
 */
export function exhaustion(input: { year: number; total: number; ytd: number; fraction: number; zone?: string }): Exhaustion {
  const { year, total, ytd, fraction, zone = 'Asia/Shanghai' } = input;
  const forecast = fraction > 0 ? ytd / fraction : null;
  const overrun = forecast === null ? null : Math.max(0, forecast - total);
  const exhausted = roundRatio(ytd / total) >= 1;
  if (exhausted || !(ytd > 0) || !(fraction > 0)) return { overrun, exhausted, exhaustionDate: null };
  const start = DateTime.fromObject({ year, month: 1, day: 1 }, { zone });
  if (!start.isValid) throw new RangeError(`cannot place year ${year} in zone ${zone}`);
  const yearStart = start.toMillis();
  const length = start.plus({ years: 1 }).toMillis() - yearStart;
  const elapsedAtExhaustion = (fraction * length * total) / ytd;
  if (!(elapsedAtExhaustion < length)) return { overrun, exhausted, exhaustionDate: null };
  return { overrun, exhausted, exhaustionDate: DateTime.fromMillis(yearStart + elapsedAtExhaustion, { zone }).toISODate() };
}

export interface QuotaStatus {
  readonly year: number;
  readonly totalTce: number;
  readonly ytdTce: number;
  readonly share: number;
  /** null at f = 0 (1 January 00:00): no time has elapsed, so there is no pace yet. */
  readonly pace: number | null;
  readonly level: Level;
  /** Simple run-rate forecast: ytdTce / f, i.e. the year continues at the year-to-date rate. null at f = 0. */
  readonly forecastTce: number | null;
  /** forecastTce / totalTce; algebraically the same number as pace. */
  readonly forecastShare: number | null;
  /** max(0, forecastTce - totalTce); null at f = 0. Beside the light, never changing it. */
  readonly overrunTce: number | null;
  /** share >= 1. */
  readonly exhausted: boolean;
  /** See Exhaustion.exhaustionDate. */
  readonly exhaustionDate: string | null;
}

/**
 * Contract 4: share = ytd / total; pace = ytd / (total x f); red if share >= shareRed or
 * pace > paceRed, else yellow if share >= shareYellow or pace > paceYellow, else green.
 * At f = 0 pace is undefined (0 / 0 or x / 0): it is null and the level comes from share alone.
 */
export function quotaStatus(input: QuotaInput): QuotaStatus {
  const { year, totalTce, ytdTce, fraction, thresholds: t } = input;
  if (!(totalTce > 0) || !Number.isFinite(totalTce)) throw new RangeError(`totalTce must be positive, got ${totalTce}`);
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`fraction must be in [0, 1], got ${fraction}`);
  const share = roundRatio(ytdTce / totalTce);
  const pace = fraction > 0 ? roundRatio(ytdTce / (totalTce * fraction)) : null;
  const over = (limit: number) => pace !== null && pace > limit;
  const level: Level = share >= t.shareRed || over(t.paceRed) ? 'red' : share >= t.shareYellow || over(t.paceYellow) ? 'yellow' : 'green';
  const forecastTce = fraction > 0 ? ytdTce / fraction : null;
  const ex = exhaustion({ year, total: totalTce, ytd: ytdTce, fraction, ...(input.zone !== undefined && { zone: input.zone }) });
  return {
    year,
    totalTce,
    ytdTce,
    share,
    pace,
    level,
    forecastTce,
    forecastShare: pace,
    overrunTce: ex.overrun,
    exhausted: ex.exhausted,
    exhaustionDate: ex.exhaustionDate,
  };
}

export interface IntensityInput {
  readonly ytdTce: number;
  /** Year-to-date output value in 10^4 yuan (entered monthly through the API); null when none entered. */
  readonly ytdOutput10kYuan: number | null;
  /** intensityLimit of the quota, tce per 10^4 yuan. */
  readonly limit: number;
  readonly thresholds: { readonly yellow: number; readonly red: number };
}

export type IntensityStatus =
  | { readonly intensity: number; readonly limit: number; readonly ratio: number; readonly level: Level }
  | { readonly intensity: null; readonly level: null; readonly note: 'no-output' };

/**
 * Contract 4: intensity = ytdTce / ytd output value; ratio = intensity / limit; red if
 * ratio > red, yellow if ratio > yellow, else green (a ratio exactly at a threshold is not above it).
 * No (or non-positive) output value gives no intensity rather than a division by zero.
 */
export function intensityStatus(input: IntensityInput): IntensityStatus {
  const { ytdTce, ytdOutput10kYuan: output, limit, thresholds: t } = input;
  if (!(limit > 0)) throw new RangeError(`intensity limit must be positive, got ${limit}`);
  if (output === null || !(output > 0)) return { intensity: null, level: null, note: 'no-output' };
  const intensity = ytdTce / output;
  const r = roundRatio(intensity / limit);
  const level: Level = r > t.red ? 'red' : r > t.yellow ? 'yellow' : 'green';
  return { intensity, limit, ratio: r, level };
}
