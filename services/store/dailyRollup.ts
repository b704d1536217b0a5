/**
 * Pure helpers shared by both store adapters for the daily rollups (see timeSeriesStore.ts):
 * which local days a write touches, and how a query range splits into whole local days (answered
 * from the rollups) and the partial days at its edges (answered from hours or raw readings).
 */
import { bucketStart, nextBucket } from '../energy/time';
import { meterKeyId, type MeterKey, type WriteBatch } from './timeSeriesStore';

/** Every UTC offset in use is a multiple of 15 minutes, so all instants of a quarter hour share a local day. */
const QUARTER_HOUR_MS = 900_000;
const CACHE_LIMIT = 100_000;

/** Local day start of an instant, cached by quarter hour (luxon costs microseconds per call). */
export class DayCalendar {
  private readonly cache = new Map<number, number>();
  private readonly months = new Map<number, number>();

  constructor(readonly zone: string) {}

  dayOf(ms: number): number {
    const key = Math.floor(ms / QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
    let day = this.cache.get(key);
    if (day === undefined) {
      day = bucketStart(key, '1d', this.zone);
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(key, day);
    }
    return day;
  }

  nextDay(dayStart: number): number {
    return nextBucket(dayStart, '1d', this.zone);
  }

  monthOf(ms: number): number {
    const day = this.dayOf(ms);
    let month = this.months.get(day);
    if (month === undefined) {
      month = bucketStart(day, '1mo', this.zone);
      if (this.months.size >= CACHE_LIMIT) this.months.clear();
      this.months.set(day, month);
    }
    return month;
  }

  nextMonth(monthStart: number): number {
    return nextBucket(monthStart, '1mo', this.zone);
  }
}

/** A part of a query range and where it is answered from: raw hours or readings, day or month rollups. */
export interface RangePart {
  readonly level: 'raw' | 'day' | 'month';
  readonly from: number;
  readonly to: number;
}

/**
 * [from, to) as raw edges, whole local days and whole local months (the fewest points to read):
 * e.g. 15 Jan 10:00 .. 3 Apr 00:00 is raw to 16 Jan, days to 1 Feb, months Feb and Mar, days to 3 Apr.
 */
export function splitPeriods(from: number, to: number, calendar: DayCalendar, months = true): RangePart[] {
  const { head, days, tail } = splitDays(from, to, calendar);
  const parts: RangePart[] = [];
  if (head) parts.push({ level: 'raw', from: head[0], to: head[1] });
  if (days) {
    const [first, last] = days;
    const mFirst = calendar.monthOf(first) === first ? first : calendar.nextMonth(calendar.monthOf(first));
    const mLast = calendar.monthOf(last);
    if (months && mFirst < mLast) {
      if (first < mFirst) parts.push({ level: 'day', from: first, to: mFirst });
      parts.push({ level: 'month', from: mFirst, to: mLast });
      if (mLast < last) parts.push({ level: 'day', from: mLast, to: last });
    } else {
      parts.push({ level: 'day', from: first, to: last });
    }
  }
  if (tail) parts.push({ level: 'raw', from: tail[0], to: tail[1] });
  return parts;
}

/** [from, to) split at local day boundaries: `days` holds the whole days, head and tail the rest. */
export interface DaySplit {
  readonly head?: readonly [number, number];
  readonly days?: readonly [number, number];
  readonly tail?: readonly [number, number];
}

export function splitDays(from: number, to: number, calendar: DayCalendar): DaySplit {
  if (from >= to) return {};
  const first = calendar.dayOf(from) === from ? from : calendar.nextDay(calendar.dayOf(from));
  const last = calendar.dayOf(to);
  if (first >= last) return { head: [from, to] }; // no whole day inside
  return {
    ...(from < first && { head: [from, first] as const }),
    days: [first, last],
    ...(last < to && { tail: [last, to] as const }),
  };
}

/** Meters touched per local day: hours written (consumption rollup) and readings written (count rollup). */
export interface TouchedDays {
  readonly hours: Map<number, Map<string, MeterKey>>;
  readonly readings: Map<number, Map<string, MeterKey>>;
}

/** The key of a meter in TouchedDays' maps. */
export const meterId = (k: MeterKey): string => meterKeyId(k.enterprise, k.meter);

function touch(into: Map<number, Map<string, MeterKey>>, day: number, key: MeterKey): void {
  let meters = into.get(day);
  if (!meters) into.set(day, (meters = new Map()));
  meters.set(meterId(key), { enterprise: key.enterprise, meter: key.meter });
}

export function touchedDays(batch: WriteBatch, calendar: DayCalendar): TouchedDays {
  const hours = new Map<number, Map<string, MeterKey>>();
  const readings = new Map<number, Map<string, MeterKey>>();
  for (const h of batch.hourly) touch(hours, calendar.dayOf(h.hour), h);
  for (const r of batch.readings) touch(readings, calendar.dayOf(r.ts), r);
  return { hours, readings };
}

/** Local day starts of [from, to), which must be day-aligned. */
export function daysOf(from: number, to: number, calendar: DayCalendar): number[] {
  const out: number[] = [];
  for (let d = from; d < to; d = calendar.nextDay(d)) out.push(d);
  return out;
}

/** Adds `from`'s (day, meter) pairs to `into` (the pending set of a coalesced refresh). */
export function mergeTouched(into: TouchedDays, from: TouchedDays): void {
  for (const [level, source] of [
    ['hours', from.hours],
    ['readings', from.readings],
  ] as const) {
    for (const [day, meters] of source) {
      const target = into[level].get(day);
      if (target) for (const [id, key] of meters) target.set(id, key);
      else into[level].set(day, new Map(meters));
    }
  }
}

export function emptyTouched(): TouchedDays {
  return { hours: new Map(), readings: new Map() };
}

export function touchedCount(t: TouchedDays): number {
  let n = 0;
  for (const level of [t.hours, t.readings]) for (const meters of level.values()) n += meters.size;
  return n;
}
