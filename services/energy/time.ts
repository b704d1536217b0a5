/**
 * Calendar periods in the site time zone (contract 3: every day, month and year is a calendar
 * period there). Consumption is kept in UTC hour buckets; in a whole-hour zone such as
 * Asia/Shanghai every local day and month is a whole number of those hours.
 */
import { DateTime } from 'luxon';

export const HOUR_MS = 3_600_000;

export function hourFloor(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

export function hourCeil(ms: number): number {
  return Math.ceil(ms / HOUR_MS) * HOUR_MS;
}

export type Every = '1h' | '1d' | '1mo';

/** Start of the bucket containing `ms`, in the site zone. */
export function bucketStart(ms: number, every: Every, zone: string): number {
  if (every === '1h') return hourFloor(ms);
  const dt = DateTime.fromMillis(ms, { zone });
  return dt.startOf(every === '1d' ? 'day' : 'month').toMillis();
}

/** Start of the bucket after the one starting at `start`. */
export function nextBucket(start: number, every: Every, zone: string): number {
  if (every === '1h') return start + HOUR_MS;
  const dt = DateTime.fromMillis(start, { zone });
  return dt.plus(every === '1d' ? { days: 1 } : { months: 1 }).toMillis();
}

/** ISO-8601 with the site offset, e.g. 2026-11-28T00:00:00.000+08:00. */
export function isoInZone(ms: number, zone: string): string {
  const iso = DateTime.fromMillis(ms, { zone }).toISO();
  if (iso === null) throw new RangeError(`cannot format ${ms} in zone ${zone}`);
  return iso;
}

/** Parses ISO-8601; a string without an offset is read in the site zone. */
export function parseInstant(text: string, zone: string): number | undefined {
  const dt = DateTime.fromISO(text, { zone, setZone: false });
  return dt.isValid ? dt.toMillis() : undefined;
}

export function yearBounds(ms: number, zone: string): { start: number; end: number; year: number } {
  const dt = DateTime.fromMillis(ms, { zone });
  const start = dt.startOf('year');
  return { start: start.toMillis(), end: start.plus({ years: 1 }).toMillis(), year: dt.year };
}

export function monthBounds(month: string, zone: string): { start: number; end: number } | undefined {
  const dt = DateTime.fromFormat(month, 'yyyy-MM', { zone });
  if (!dt.isValid) return undefined;
  return { start: dt.toMillis(), end: dt.plus({ months: 1 }).toMillis() };
}
