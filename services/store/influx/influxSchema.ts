/**
 * How the store lays its data out in InfluxDB: measurement and tag names, the points it writes,
 * and the InfluxQL fragments and row readers every part of the adapter shares. Pure: no I/O.
 *
 * Schema: `reading` (tags enterprise, meter; fields value float, quality string; time = ts) and
 * `consumption` (tags enterprise, meter, carrier, unit; field quantity float; time = hour start).
 * A point with the same series and time overwrites the stored one, which is how the port's
 * "same key replaces" (idempotence) holds here.
 *
 * Daily rollups (with the `zone` option): `consumption_daily` (tags enterprise, meter, carrier,
 * unit, zone; field quantity = the sum of the meter's hours of that local day; time = local day
 * start) and `reading_daily` (tags enterprise, meter, zone; field usable = usable readings of the
 * day), and the same per local month (`consumption_monthly`, `reading_monthly`; time = local month
 * start; each the sum of the month's daily points). InfluxDB's cost grows with the points and the
 * series a query reads: a year of one meter is 12 monthly points instead of 8,760 hours. The
 * zone is a tag so that a change of the site zone only needs a rebuild, never a DELETE (which
 * InfluxDB 2.x does not accept over InfluxQL). `rollup_state` (tag zone, field version)
 * marks that the rollups of a zone are complete.
 */
import { Point } from '@influxdata/influxdb-client';
import type { Quality, Reading } from '../../energy/reading';
import { meterId as touchedMeterId, type RangePart } from '../dailyRollup';
import { BadRequestError, DependencyError } from '../../core/errors';
import { numberColumn, quoteIdent, quoteString, regexAlternation, stringColumn, tagOf, timeLiteral, type QueryRow } from './influxql';
import type { MeterKey, WriteBatch } from '../timeSeriesStore';

/** The dependency named in this adapter's errors and health. */
export const DEPENDENCY = 'influxdb';
export const READING = 'reading';
export const CONSUMPTION = 'consumption';
export const TAG_ENTERPRISE = quoteIdent('enterprise');
export const TAG_METER = quoteIdent('meter');
export const NOT_BAD = `${quoteIdent('quality')} != 'bad'`;
export const CONSUMPTION_DAILY = 'consumption_daily';
export const READING_DAILY = 'reading_daily';
export const CONSUMPTION_MONTHLY = 'consumption_monthly';
export const READING_MONTHLY = 'reading_monthly';
export const CONSUMPTION_AT: Record<RangePart['level'], string> = { raw: CONSUMPTION, day: CONSUMPTION_DAILY, month: CONSUMPTION_MONTHLY };
export const COUNT_AT: Record<RangePart['level'], { measurement: string; aggregate: string }> = {
  raw: { measurement: READING, aggregate: 'count(value)' },
  day: { measurement: READING_DAILY, aggregate: 'sum(usable)' },
  month: { measurement: READING_MONTHLY, aggregate: 'sum(usable)' },
};
export const ROLLUP_STATE = 'rollup_state';
/** Per local day, the id of the last refresh round that changed its rollups (see rollupCache.ts). */
export const ROLLUP_CHANGE = 'rollup_change';
/** Bump when the rollups' meaning changes: start() then rebuilds them. */
export const ROLLUP_VERSION = 1;
/** Meter filters longer than this are applied in Node on per-meter rows (see influxConsumption.ts). */
export const MAX_METER_TERMS = 64;

function toQuality(text: string): Quality {
  if (text === 'good' || text === 'uncertain' || text === 'bad') return text;
  throw new DependencyError(DEPENDENCY, `stored reading has unknown quality ${JSON.stringify(text)}`, { retryable: false });
}

function checkTag(name: string, value: string): string {
  // Line protocol cannot carry an empty tag value, and a trailing backslash would escape the separator.
  if (value === '' || value.endsWith('\\')) throw new BadRequestError(`tag ${name} cannot be stored in InfluxDB`, { [name]: value });
  return value;
}

/** The batch's readings and hours as line-protocol points (throws BadRequestError for a tag line protocol cannot carry). */
export function batchPoints(batch: WriteBatch): Point[] {
  return [
    ...batch.readings.map((r) =>
      new Point(READING)
        .tag('enterprise', checkTag('enterprise', r.enterprise))
        .tag('meter', checkTag('meter', r.meter))
        .floatField('value', r.value)
        .stringField('quality', r.quality)
        .timestamp(r.ts),
    ),
    ...batch.hourly.map((h) =>
      new Point(CONSUMPTION)
        .tag('enterprise', checkTag('enterprise', h.enterprise))
        .tag('meter', checkTag('meter', h.meter))
        .tag('carrier', checkTag('carrier', h.carrier))
        .tag('unit', checkTag('unit', h.unit))
        .floatField('quantity', h.quantity)
        .timestamp(h.hour),
    ),
  ];
}

export function rollupPoint(measurement: string, zone: string, key: MeterKey, carrier: string, unit: string, time: number, quantity: number): Point {
  return new Point(measurement)
    .tag('enterprise', key.enterprise)
    .tag('meter', key.meter)
    .tag('carrier', carrier)
    .tag('unit', unit)
    .tag('zone', zone)
    .floatField('quantity', quantity)
    .timestamp(time);
}

export function countPoint(measurement: string, zone: string, key: MeterKey, time: number, usableReadings: number): Point {
  // A float field: sum() of it is exact far beyond any count, and no int/float type conflict can arise.
  return new Point(measurement)
    .tag('enterprise', key.enterprise)
    .tag('meter', key.meter)
    .tag('zone', zone)
    .floatField('usable', usableReadings)
    .timestamp(time);
}

export function keyFilter(key: MeterKey): string {
  return `${TAG_ENTERPRISE} = ${quoteString(key.enterprise)} AND ${TAG_METER} = ${quoteString(key.meter)}`;
}

export function timeRange(from: number, to: number): string {
  return `time >= ${timeLiteral(from)} AND time < ${timeLiteral(to)}`;
}

export function toReading(key: MeterKey, row: QueryRow): Reading {
  return {
    enterprise: key.enterprise,
    meter: key.meter,
    ts: numberColumn(row, 'time'),
    value: numberColumn(row, 'value'),
    quality: toQuality(stringColumn(row, 'quality')),
  };
}

export function rowKey(row: QueryRow): MeterKey {
  return { enterprise: tagOf(row, 'enterprise'), meter: tagOf(row, 'meter') };
}

/** `(enterprise = a AND meter =~ /^(m1|m2)$/) OR ...` for a set of meters. */
export function metersFilter(meters: Iterable<MeterKey>): string {
  const byEnterprise = new Map<string, string[]>();
  for (const m of meters) byEnterprise.set(m.enterprise, [...(byEnterprise.get(m.enterprise) ?? []), m.meter]);
  return `(${[...byEnterprise].map(([e, ms]) => `(${TAG_ENTERPRISE} = ${quoteString(e)} AND ${TAG_METER} =~ ${regexAlternation(ms)})`).join(' OR ')})`;
}

/**
 * WHERE for a set of meters, and the test rows must pass: a long list is applied in Node on rows
 * grouped by meter, as in consumption(), since InfluxDB tests a tag condition on every series.
 */
export function metersWhere(meters: Map<string, MeterKey>): { where: string; keep: (row: QueryRow) => boolean } {
  if (meters.size <= MAX_METER_TERMS) return { where: metersFilter(meters.values()), keep: () => true };
  const enterprises = [...new Set([...meters.values()].map((m) => m.enterprise))];
  return {
    where: `${TAG_ENTERPRISE} =~ ${regexAlternation(enterprises)}`,
    keep: (row) => meters.has(touchedMeterId(rowKey(row))),
  };
}
