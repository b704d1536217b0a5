/**
 * Reads of stored readings and hours: one meter's readings, hours and nearest usable reading, and
 * the usable readings counted per meter (through RollupReads, so whole days and months come from
 * the `reading_daily`/`reading_monthly` counts once the rollups are complete).
 */
import type { Reading } from '../../energy/reading';
import type { DayCalendar, RangePart } from '../dailyRollup';
import { meterKeyId, type HourlyConsumption, type MeterKey, type ReadingCount } from '../timeSeriesStore';
import { numberColumn, quoteString, regexAlternation, tagOf, timeLiteral } from './influxql';
import type { InfluxQueryClient } from './influxQueryClient';
import { CONSUMPTION, COUNT_AT, keyFilter, NOT_BAD, READING, rowKey, TAG_ENTERPRISE, TAG_METER, timeRange, toReading } from './influxSchema';
import type { RollupReads } from './rollupReads';

/** readingsAt: timestamps further apart than this are fetched by separate statements. */
const CLUSTER_GAP_MS = 86_400_000;

export class RawReads {
  constructor(
    private readonly deps: { readonly calendar: DayCalendar | undefined; readonly query: InfluxQueryClient; readonly rollups: RollupReads },
  ) {}

  async readings(key: MeterKey, from: number, to: number): Promise<Reading[]> {
    if (from >= to) return [];
    const { query } = this.deps;
    const [rows = []] = await query.query(
      `SELECT value, quality FROM ${query.from(READING)} WHERE ${keyFilter(key)} AND ${timeRange(from, to)} ORDER BY time ASC`,
    );
    return rows.map((r) => toReading(key, r));
  }

  async readingsAt(key: MeterKey, timestamps: readonly number[]): Promise<Reading[]> {
    const { query } = this.deps;
    // InfluxQL ignores `time = a OR time = b` (answers nothing), so fetch the span of each cluster
    // of nearby timestamps, all statements in one request, and keep the exact matches.
    const wanted = [...new Set(timestamps)].sort((a, b) => a - b);
    if (wanted.length === 0) return [];
    const spans: Array<[number, number]> = [];
    for (const ts of wanted) {
      const last = spans[spans.length - 1];
      if (last !== undefined && ts - last[1] <= CLUSTER_GAP_MS) last[1] = ts;
      else spans.push([ts, ts]);
    }
    const statements = spans.map(
      ([a, b]) => `SELECT value, quality FROM ${query.from(READING)} WHERE ${keyFilter(key)} AND ${timeRange(a, b + 1)} ORDER BY time ASC`,
    );
    const results = await query.query(statements.join('; '));
    const set = new Set(wanted);
    return results
      .flat()
      .map((r) => toReading(key, r))
      .filter((r) => set.has(r.ts));
  }

  async usableNeighbour(key: MeterKey, ts: number, direction: 'before' | 'atOrAfter'): Promise<Reading | undefined> {
    const { query } = this.deps;
    const [cond, order] = direction === 'before' ? [`time < ${timeLiteral(ts)}`, 'DESC'] : [`time >= ${timeLiteral(ts)}`, 'ASC'];
    const [rows = []] = await query.query(
      `SELECT value, quality FROM ${query.from(READING)} WHERE ${keyFilter(key)} AND ${NOT_BAD} AND ${cond} ORDER BY time ${order} LIMIT 1`,
    );
    const row = rows[0];
    return row === undefined ? undefined : toReading(key, row);
  }

  async hourly(key: MeterKey, from: number, to: number): Promise<HourlyConsumption[]> {
    if (from >= to) return [];
    const { query } = this.deps;
    const [rows = []] = await query.query(
      `SELECT quantity FROM ${query.from(CONSUMPTION)} WHERE ${keyFilter(key)} AND ${timeRange(from, to)} GROUP BY carrier, unit`,
    );
    return rows
      .map((r) => ({
        enterprise: key.enterprise,
        meter: key.meter,
        carrier: tagOf(r, 'carrier'),
        unit: tagOf(r, 'unit'),
        hour: numberColumn(r, 'time'),
        quantity: numberColumn(r, 'quantity'),
      }))
      .sort((a, b) => a.hour - b.hour);
  }

  async countUsable(enterprises: readonly string[], from: number, to: number): Promise<ReadingCount[]> {
    if (enterprises.length === 0 || from >= to) return [];
    const { query, rollups } = this.deps;
    const where = `${TAG_ENTERPRISE} =~ ${regexAlternation(enterprises)}`;
    const zone = this.deps.calendar?.zone ?? '';
    const statement = (part: RangePart): string => {
      const { measurement, aggregate } = COUNT_AT[part.level];
      const filter = part.level === 'raw' ? NOT_BAD : `zone = ${quoteString(zone)}`;
      return (
        `SELECT ${aggregate} AS n FROM ${query.from(measurement)} WHERE ${where} AND ${filter} AND ${timeRange(part.from, part.to)}` +
        ` GROUP BY ${TAG_ENTERPRISE}, ${TAG_METER}`
      );
    };
    const counts = new Map<string, ReadingCount>();
    for (const r of (await rollups.query(rollups.parts('1mo', zone, from, to), statement)).flatMap((p) => p.rows)) {
      const key = rowKey(r);
      const id = meterKeyId(key.enterprise, key.meter);
      counts.set(id, { ...key, count: (counts.get(id)?.count ?? 0) + numberColumn(r, 'n') });
    }
    // A meter whose days hold only zero counts (readings corrected to bad) has none, as before.
    return [...counts.values()].filter((c) => c.count > 0).sort((a, b) => a.enterprise.localeCompare(b.enterprise) || a.meter.localeCompare(b.meter));
  }
}
