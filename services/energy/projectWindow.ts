/**
 * Energy-review projects (contract 9.1; NDRC Order 2025 No. 31, domain carbon-benchmark 1.1): the
 * rolling window of a project's actual figures, their annualisation and the alarm levels against
 * the approved energy and CO2. Pure: the window's totals come in as data.
 */
import { DateTime } from 'luxon';
import type { Severity } from '../../config/schema';
import { roundRatio } from './quota';

/** A window shorter than this gives no annual figure: a few days x 365 would say nothing (contract 9.1). */
export const MIN_PROJECT_WINDOW_DAYS = 28;

/** Contract 9.1: annualised x 365 / days, also over a leap year's 366-day window. */
export const DAYS_PER_YEAR = 365;

/**
 * Contract 9.1 levels, fractions of the approved figures: energy warning from 0.9 x approvedTce,
 * critical above approvedTce; CO2 critical from 1.10 x approvedCo2T (the re-review trigger of the
 * carbon evaluation, Sichuan 2024 notice, domain carbon-benchmark 1.1).
 */
export const PROJECT_LEVELS = { energyWarningShare: 0.9, energyCriticalShare: 1.0, co2CriticalShare: 1.1 } as const;

export interface ProjectWindow {
  /** Inclusive start, epoch ms: max(operatingFrom 00:00, start of the 12th month before t's month). */
  readonly start: number;
  /** Exclusive end, epoch ms: the start of t's month. */
  readonly end: number;
  /** Calendar days in the site zone; 0 when operation starts at or after the end. */
  readonly days: number;
}

/**
 * Contract 9.1: [max(operatingFrom, start of the 12th month before t's month), start of t's
 * month), in the site zone. A project that starts at or after the end has an empty window
 * (start = end, 0 days) rather than a negative one.
 */
export function projectWindow(at: number, operatingFrom: string, zone: string): ProjectWindow {
  const monthStart = DateTime.fromMillis(at, { zone }).startOf('month');
  const rolling = monthStart.minus({ months: 12 });
  const operating = DateTime.fromISO(operatingFrom, { zone }).startOf('day');
  if (!monthStart.isValid || !operating.isValid) throw new RangeError(`cannot place ${at} / ${operatingFrom} in zone ${zone}`);
  const end = monthStart;
  const start = operating > rolling ? operating : rolling;
  if (start >= end) return { start: end.toMillis(), end: end.toMillis(), days: 0 };
  // Calendar days (a DST zone's 23- and 25-hour days count as one each).
  return { start: start.toMillis(), end: end.toMillis(), days: Math.round(end.diff(start, 'days').days) };
}

/** total x 365 / days; null for a window under 28 days (contract 9.1). */
export function annualise(total: number, days: number): number | null {
  return days < MIN_PROJECT_WINDOW_DAYS ? null : (total * DAYS_PER_YEAR) / days;
}

export interface ProjectFiguresInput {
  readonly approvedTce: number;
  readonly approvedCo2T?: number;
  /** Consumption of the project's meters over the window, tce (当量值, like the review opinion). */
  readonly windowTce: number;
  /** CO2 of the same consumption over the window, t. */
  readonly windowCo2T: number;
  readonly window: ProjectWindow;
}

export type ProjectLevel = Extract<Severity, 'warning' | 'critical'> | null;

export interface ProjectFigures {
  readonly days: number;
  /** null: window under 28 days. */
  readonly annualTce: number | null;
  readonly annualCo2T: number | null;
  /** annualTce / approvedTce. */
  readonly tceShare: number | null;
  /** annualCo2T / approvedCo2T; null without an approved CO2 figure. */
  readonly co2Share: number | null;
  readonly energyLevel: ProjectLevel;
  /** CO2 has only the critical level (contract 9.1). */
  readonly co2Level: Extract<ProjectLevel, 'critical' | null>;
  /** The higher of the two: the severity of a `project` alarm; null: no alarm. */
  readonly level: ProjectLevel;
  /** Why there is no figure. */
  readonly note?: 'short-window';
}

/** Annual figures of a project's window and their levels (contract 9.1); ratios rounded as quota.ts rounds them. */
export function projectFigures(input: ProjectFiguresInput): ProjectFigures {
  const { approvedTce, approvedCo2T, window } = input;
  if (!(approvedTce > 0)) throw new RangeError(`approvedTce must be positive, got ${approvedTce}`);
  const annualTce = annualise(input.windowTce, window.days);
  const annualCo2T = annualise(input.windowCo2T, window.days);
  const tceShare = annualTce === null ? null : roundRatio(annualTce / approvedTce);
  const co2Share = annualCo2T === null || approvedCo2T === undefined ? null : roundRatio(annualCo2T / approvedCo2T);
  const energyLevel: ProjectLevel =
    tceShare === null
      ? null
      : tceShare > PROJECT_LEVELS.energyCriticalShare
        ? 'critical'
        : tceShare >= PROJECT_LEVELS.energyWarningShare
          ? 'warning'
          : null;
  const co2Level = co2Share !== null && co2Share >= PROJECT_LEVELS.co2CriticalShare ? 'critical' : null;
  const level: ProjectLevel = co2Level ?? energyLevel;
  return {
    days: window.days,
    annualTce,
    annualCo2T,
    tceShare,
    co2Share,
    energyLevel,
    co2Level,
    level,
    ...(annualTce === null && { note: 'short-window' as const }),
  };
}
