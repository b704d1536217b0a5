/**
 * Incidents in the simulated load, for the energy-saving diagnosis to find (issue 16 item 6;
 * contract 11: a day more than 3 scaled MADs from the median of the same weekday over 8 weeks).
 * An incident adds a constant rate during some local hours of one day a month. Like the profiles,
 * it is a pure function of time with a closed-form integral, so registers stay the same on every
 * run and after a restart.
 *
 * Times are "local" milliseconds (UTC ms + the site's UTC offset), as in profiles.ts.
 */
import { DateTime } from 'luxon';

export interface Incident {
  /** Extra rate during the incident hours, in the meter's unit per hour. */
  readonly extraPerHour: number;
  /** Local hour ranges [from, to) of the incident day, 0..24, not overlapping. */
  readonly hours: readonly (readonly [number, number])[];
}

const HOUR_MS = 3_600_000;
/** Luxon weekday of the incident day (Wednesday): mid-week, so the same weekday of the weeks before is an ordinary working day. */
const WEDNESDAY = 3;

/** Day of the month (1..31) of the incident: the second Wednesday. `month` is 1..12. */
export function incidentDay(year: number, month: number): number {
  const first = DateTime.utc(year, month, 1).weekday;
  return 1 + ((WEDNESDAY - first + 7) % 7) + 7;
}

/** The incident day's local midnight (local ms) in the month of `localMs`. */
function incidentStart(localMs: number): number {
  const d = DateTime.fromMillis(localMs, { zone: 'utc' });
  return Date.UTC(d.year, d.month - 1, incidentDay(d.year, d.month));
}

/** Hours of the incident day at the extra rate. */
function incidentHours(inc: Incident): number {
  return inc.hours.reduce((a, [from, to]) => a + (to - from), 0);
}

/** Extra rate at `localMs`. */
export function incidentRate(inc: Incident, localMs: number): number {
  const h = (localMs - incidentStart(localMs)) / HOUR_MS;
  return inc.hours.some(([from, to]) => h >= from && h < to) ? inc.extraPerHour : 0;
}

/**
 * Extra quantity from a fixed origin (the start of 2024) to `localMs`: one whole incident per month
 * before `localMs`'s month, plus the part of this month's incident before `localMs`. Callers take
 * differences, so the origin cancels out.
 */
export function incidentIntegral(inc: Incident, localMs: number): number {
  const d = DateTime.fromMillis(localMs, { zone: 'utc' });
  const monthsBefore = (d.year - 2024) * 12 + (d.month - 1);
  const h = (localMs - incidentStart(localMs)) / HOUR_MS;
  let partial = 0;
  for (const [from, to] of inc.hours) partial += Math.max(0, Math.min(h, to) - from);
  return (monthsBefore * incidentHours(inc) + partial) * inc.extraPerHour;
}
