/**
 * Builds the rollups from the stored hours and readings as a whole: once at start() for data
 * written before the rollups existed (or under another zone), and when an operator asks
 * (rebuildRollups). Until the `rollup_state` marker of the zone is written, queries read hours
 * and readings (`ready` is false).
 */
import { Point } from '@influxdata/influxdb-client';
import { daysOf, type DayCalendar } from '../dailyRollup';
import type { Logger } from '../../core/log';
import type { RollupRebuild } from '../timeSeriesStore';
import { numberColumn, optionalNumberColumn, quoteString, tagOf, type QueryRow } from './influxql';
import type { InfluxPointWriter } from './influxPointWriter';
import type { InfluxQueryClient } from './influxQueryClient';
import {
  CONSUMPTION,
  CONSUMPTION_DAILY,
  CONSUMPTION_MONTHLY,
  countPoint,
  NOT_BAD,
  READING,
  READING_DAILY,
  READING_MONTHLY,
  rollupPoint,
  ROLLUP_STATE,
  ROLLUP_VERSION,
  rowKey,
  TAG_ENTERPRISE,
  TAG_METER,
  timeRange,
} from './influxSchema';
import type { RollupMarks } from './rollupMarks';
import type { RollupRefresher } from './rollupRefresher';

export interface RollupRebuilderDeps {
  /** Undefined without a site zone: then no rollups are kept and there is nothing to build. */
  readonly calendar: DayCalendar | undefined;
  readonly query: InfluxQueryClient;
  readonly writer: InfluxPointWriter;
  readonly marks: RollupMarks;
  readonly refresher: RollupRefresher;
  readonly logger: Logger;
  readonly now: () => number;
}

export class RollupRebuilder {
  /** Set once the rollups of the zone are complete; until then queries read hours and readings. */
  private complete = false;

  constructor(
    private readonly settings: { readonly rollupOnStart: boolean },
    private readonly deps: RollupRebuilderDeps,
  ) {}

  get ready(): boolean {
    return this.complete;
  }

  /**
   * Data written before the rollups existed (or under another zone) is rolled up once, before
   * ingest starts writing; the marker is written last, so an interrupted rebuild runs again.
   */
  async prepare(): Promise<void> {
    const { query, logger } = this.deps;
    const zone = this.deps.calendar?.zone;
    if (zone === undefined) return;
    const [rows = []] = await query.query(`SELECT last(version) AS version FROM ${query.from(ROLLUP_STATE)} WHERE zone = ${quoteString(zone)}`);
    const version = rows[0] === undefined ? undefined : optionalNumberColumn(rows[0], 'version');
    if (version !== undefined && version >= ROLLUP_VERSION) {
      this.complete = true;
      return;
    }
    if (!this.settings.rollupOnStart) {
      logger.warn({ zone }, 'daily rollups missing; day and month queries read hourly values until rebuildRollups() runs');
      return;
    }
    logger.info({ zone }, 'building daily rollups from stored hours and readings (once)');
    const done = await this.rebuild();
    logger.info({ zone, ...done }, 'daily rollups built');
  }

  async rebuild(range?: { from: number; to: number }): Promise<RollupRebuild> {
    const { query, writer, marks, now } = this.deps;
    const started = now();
    const calendar = this.deps.calendar;
    // Without a site zone no rollups are kept, so there is nothing to rebuild.
    if (calendar === undefined) return { days: 0, consumptionRows: 0, countRows: 0, ms: 0 };
    const zone = calendar.zone;
    const bounds = range ?? (await this.storedSpan());
    const marker = (): Promise<void> => writer.send([new Point(ROLLUP_STATE).tag('zone', zone).intField('version', ROLLUP_VERSION).timestamp(now())]);
    if (bounds === undefined) {
      await marker();
      this.complete = true;
      return { days: 0, consumptionRows: 0, countRows: 0, ms: now() - started };
    }
    // Whole local days; month by month, each month's points computed from its daily points.
    const from = calendar.dayOf(bounds.from);
    const to = calendar.nextDay(calendar.dayOf(bounds.to - 1));
    let days = 0;
    let consumptionRows = 0;
    let countRows = 0;
    // One rebuild at a time with the write path's refreshes, so neither overwrites the other's newer sums.
    await this.deps.refresher.exclusive(async () => {
      for (let month = calendar.monthOf(from); month < to; month = calendar.nextMonth(month)) {
        const a = Math.max(from, month);
        const b = Math.min(to, calendar.nextMonth(month));
        for (let d = a; d < b; d = calendar.nextDay(d)) days++;
        const rows = await this.rebuildLevel(zone, a, b, [
          {
            measurement: CONSUMPTION_DAILY,
            select: `SELECT sum(quantity) AS quantity FROM ${query.from(CONSUMPTION)} WHERE`,
            by: 'time(1d)',
            counts: false,
          },
          {
            measurement: READING_DAILY,
            select: `SELECT count(value) AS usable FROM ${query.from(READING)} WHERE ${NOT_BAD} AND`,
            by: 'time(1d)',
            counts: true,
          },
        ]);
        consumptionRows += rows[0] ?? 0;
        countRows += rows[1] ?? 0;
        const zoned = `zone = ${quoteString(zone)} AND`;
        await this.rebuildLevel(zone, month, calendar.nextMonth(month), [
          {
            measurement: CONSUMPTION_MONTHLY,
            select: `SELECT sum(quantity) AS quantity FROM ${query.from(CONSUMPTION_DAILY)} WHERE ${zoned}`,
            by: 'month',
            counts: false,
          },
          {
            measurement: READING_MONTHLY,
            select: `SELECT sum(usable) AS usable FROM ${query.from(READING_DAILY)} WHERE ${zoned}`,
            by: 'month',
            counts: true,
          },
        ]);
        // Every day of the month, so that results cached by any process are read again.
        await marks.markChanged(zone, daysOf(month, calendar.nextMonth(month), calendar));
      }
      if (range === undefined) {
        await marker();
        this.complete = true;
      }
    });
    return { from, to, days, consumptionRows, countRows, ms: now() - started };
  }

  /**
   * Recomputes rollup measurements over [a, b) from their source (`by` time(1d) for days; `month`
   * for the single month [a, b)), first setting the points a previous build left there to 0, so a
   * period whose source is gone reads 0. Returns the rows computed per measurement.
   */
  private async rebuildLevel(
    zone: string,
    a: number,
    b: number,
    levels: readonly { measurement: string; select: string; by: 'time(1d)' | 'month'; counts: boolean }[],
  ): Promise<number[]> {
    const { query } = this.deps;
    const time = timeRange(a, b);
    const tags = (counts: boolean): string => `${TAG_ENTERPRISE}, ${TAG_METER}${counts ? '' : ', carrier, unit'}`;
    const results = await query.query(
      levels
        .flatMap((l) => [
          l.by === 'month'
            ? `${l.select} ${time} GROUP BY ${tags(l.counts)}`
            : `${l.select} ${time} GROUP BY time(1d), ${tags(l.counts)} fill(none) tz(${quoteString(zone)})`,
          `SELECT ${l.counts ? 'usable' : 'quantity'} FROM ${query.from(l.measurement)} WHERE zone = ${quoteString(zone)} AND ${time} GROUP BY ${tags(l.counts)}`,
        ])
        .join('; '),
    );
    const points = new Map<string, Point>();
    const put = (l: (typeof levels)[number], r: QueryRow, t: number, value: number): void => {
      const key = rowKey(r);
      const id = l.counts
        ? [l.measurement, key.enterprise, key.meter, t]
        : [l.measurement, key.enterprise, key.meter, tagOf(r, 'carrier'), tagOf(r, 'unit'), t];
      points.set(
        JSON.stringify(id),
        l.counts
          ? countPoint(l.measurement, zone, key, t, value)
          : rollupPoint(l.measurement, zone, key, tagOf(r, 'carrier'), tagOf(r, 'unit'), t, value),
      );
    };
    const computed = levels.map((l, i) => {
      for (const r of results[2 * i + 1] ?? []) put(l, r, numberColumn(r, 'time'), 0); // stale points first ...
      let n = 0;
      for (const r of results[2 * i] ?? []) {
        // ... then the fresh sums replace them
        const value = optionalNumberColumn(r, l.counts ? 'usable' : 'quantity');
        if (value === undefined) continue;
        put(l, r, l.by === 'month' ? a : numberColumn(r, 'time'), value);
        n++;
      }
      return n;
    });
    await this.deps.writer.send([...points.values()]);
    return computed;
  }

  /** First and last instant of stored hours and readings, or undefined for an empty database. */
  private async storedSpan(): Promise<{ from: number; to: number } | undefined> {
    const { query } = this.deps;
    const results = await query.query(
      [
        `SELECT first(quantity) FROM ${query.from(CONSUMPTION)}`,
        `SELECT last(quantity) FROM ${query.from(CONSUMPTION)}`,
        `SELECT first(value) FROM ${query.from(READING)}`,
        `SELECT last(value) FROM ${query.from(READING)}`,
      ].join('; '),
    );
    const times = results.flat().map((r) => numberColumn(r, 'time'));
    if (times.length === 0) return undefined;
    return { from: Math.min(...times), to: Math.max(...times) + 1 };
  }
}
