/**
 * Dual-control arithmetic (contract 4 "Quota status" and "Intensity"; domain 2.1, 2.7).
 * Pure: no store, no clock. Every instant and every total comes in as a parameter.
 */
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
  return { year, totalTce, ytdTce, share, pace, level, forecastTce, forecastShare: pace };
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
