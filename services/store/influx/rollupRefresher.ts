/**
 * Keeps the daily and monthly rollups up to date with the writes. The (meter, day)s written whose
 * rollups are not refreshed yet are pending; refreshes run in coalesced rounds, one at a time,
 * each reading the sums of everything written before it started: at full ingest one round serves
 * many batches, where a refresh per batch cost InfluxDB 7x the CPU of the raw writes and held every
 * batch back by its round trip (issue 7's profile).
 */
import { type DayCalendar, emptyTouched, meterId as touchedMeterId, mergeTouched, touchedCount, touchedDays, type TouchedDays } from '../dailyRollup';
import { DependencyError, errorMessage } from '../../core/errors';
import type { Logger } from '../../core/log';
import type { MeterKey, WriteBatch } from '../timeSeriesStore';
import { CoalescedRounds } from './coalescedRounds';
import { numberColumn, quoteString, tagOf } from './influxql';
import type { InfluxPointWriter } from './influxPointWriter';
import type { InfluxQueryClient } from './influxQueryClient';
import {
  CONSUMPTION,
  CONSUMPTION_DAILY,
  CONSUMPTION_MONTHLY,
  countPoint,
  DEPENDENCY,
  metersWhere,
  NOT_BAD,
  READING,
  READING_DAILY,
  READING_MONTHLY,
  rollupPoint,
  rowKey,
  TAG_ENTERPRISE,
  TAG_METER,
  timeRange,
} from './influxSchema';
import type { InfluxStoreSettings } from './influxStoreOptions';
import type { RollupMarks } from './rollupMarks';
import type { Point } from '@influxdata/influxdb-client';

export interface RollupRefresherDeps {
  /** Undefined without a site zone: then no rollups are kept and nothing is ever pending. */
  readonly calendar: DayCalendar | undefined;
  readonly query: InfluxQueryClient;
  readonly writer: InfluxPointWriter;
  readonly marks: RollupMarks;
  readonly logger: Logger;
  readonly now: () => number;
}

export class RollupRefresher {
  /** (meter, day)s written whose rollups are not refreshed yet. */
  private pending: TouchedDays = emptyTouched();
  private readonly rounds = new CoalescedRounds(() => this.refreshRound());
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelayMs: number;
  /** Until then, rounds fail at once (backoff after a failed round). */
  private retryAt = 0;
  /** Rounds completed: a marks read is shared only among callers that waited for the same rounds. */
  private done = 0;

  constructor(
    private readonly settings: Pick<InfluxStoreSettings, 'rollupRetryMinMs' | 'rollupRetryMaxMs'>,
    private readonly deps: RollupRefresherDeps,
  ) {
    this.retryDelayMs = settings.rollupRetryMinMs;
  }

  get roundsDone(): number {
    return this.done;
  }

  /** A batch was written: its (meter, day)s are pending, and a round is asked for them. */
  wrote(batch: WriteBatch): void {
    const calendar = this.deps.calendar;
    if (calendar === undefined) return;
    mergeTouched(this.pending, touchedDays(batch, calendar));
    this.requestRefresh();
  }

  /** The port's settleRollups(): a round for everything written before the call. */
  settle(): Promise<void> {
    return this.deps.calendar === undefined ? Promise.resolve() : this.rounds.request();
  }

  /** Before a read of rollups: the round in flight, and one for what is still pending (its failure fails the read). */
  async current(): Promise<void> {
    await this.rounds.idle();
    if (touchedCount(this.pending) > 0) await this.rounds.request();
  }

  /** Runs work between rounds (a rebuild), so neither overwrites the other's newer sums. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.rounds.exclusive(work);
  }

  /** At stop: no more retries; what is pending is refreshed once (what fails stays for a journal replay to redo). */
  async stop(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (touchedCount(this.pending) > 0)
      await this.settle().catch((err: unknown) => this.deps.logger.warn({ err: errorMessage(err) }, 'rollup refresh at stop failed'));
  }

  /** A round for what was just written; failures are retried by refreshRound's timer. */
  private requestRefresh(): void {
    this.rounds.request().catch(() => undefined);
  }

  /**
   * One round: everything pending, or, if it fails, all of it pending again. After a failure the
   * rounds that callers ask for fail at once until the backoff timer's retry (doubling from 1 s to
   * 30 s): a failing InfluxDB is not asked again for every ingest batch and every read.
   */
  private async refreshRound(): Promise<void> {
    const { calendar, now } = this.deps;
    const touched = this.pending;
    if (calendar === undefined || touchedCount(touched) === 0) return;
    if (now() < this.retryAt) {
      throw new DependencyError(DEPENDENCY, `rollup refresh failed and is retried in ${this.retryAt - now()} ms`, {
        context: { pending: touchedCount(touched) },
      });
    }
    this.pending = emptyTouched();
    try {
      await this.refreshNow(touched, calendar);
      this.done++;
      this.retryDelayMs = this.settings.rollupRetryMinMs;
      this.retryAt = 0;
    } catch (err) {
      mergeTouched(this.pending, touched);
      this.deps.logger.warn(
        { err: errorMessage(err), pending: touchedCount(this.pending), retryInMs: this.retryDelayMs },
        'rollup refresh failed; will retry',
      );
      this.retryAt = now() + this.retryDelayMs;
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        // The timer runs on real time while retryAt is on the injected clock: its firing ends the
        // backoff, so a clock that stands still (a test's) cannot hold the retry back for ever.
        this.retryAt = 0;
        this.requestRefresh();
      }, this.retryDelayMs);
      this.retryTimer.unref();
      this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.settings.rollupRetryMaxMs);
      throw err;
    }
  }

  /**
   * Recomputes the rollups of every (meter, day) in `touched` from what is stored now, then the
   * (meter, month)s of those days from their daily points: two reads and two writes per round.
   */
  private async refreshNow(touched: TouchedDays, calendar: DayCalendar): Promise<void> {
    const { query, writer } = this.deps;
    const zone = calendar.zone;
    const range = (from: number, to: number): string => timeRange(from, to);
    const byMonth = (days: Map<number, Map<string, MeterKey>>): Map<number, Map<string, MeterKey>> => {
      const months = new Map<number, Map<string, MeterKey>>();
      for (const [day, meters] of days) {
        const month = calendar.monthOf(day);
        months.set(month, new Map([...(months.get(month) ?? []), ...meters]));
      }
      return months;
    };
    const TAGS = `${TAG_ENTERPRISE}, ${TAG_METER}`;
    const dayHours = [...touched.hours].map(([day, meters]) => ({ day, meters, ...metersWhere(meters) }));
    const dayReadings = [...touched.readings].map(([day, meters]) => ({ day, meters, ...metersWhere(meters) }));
    const daily = await query.queryAll([
      ...dayHours.map(
        ({ day, where }) =>
          `SELECT sum(quantity) AS quantity FROM ${query.from(CONSUMPTION)} WHERE ${where}` +
          ` AND ${range(day, calendar.nextDay(day))} GROUP BY ${TAGS}, carrier, unit`,
      ),
      ...dayReadings.map(
        ({ day, where }) =>
          `SELECT count(value) AS n FROM ${query.from(READING)} WHERE ${where}` +
          ` AND ${NOT_BAD} AND ${range(day, calendar.nextDay(day))} GROUP BY ${TAGS}`,
      ),
    ]);
    const points: Point[] = [];
    // Hours are rewritten, never deleted, so every touched meter has a sum here.
    dayHours.forEach(({ day, keep }, i) => {
      for (const r of daily[i] ?? []) {
        if (keep(r))
          points.push(rollupPoint(CONSUMPTION_DAILY, zone, rowKey(r), tagOf(r, 'carrier'), tagOf(r, 'unit'), day, numberColumn(r, 'quantity')));
      }
    });
    dayReadings.forEach(({ day, meters }, i) => {
      const counted = new Map((daily[dayHours.length + i] ?? []).map((r) => [touchedMeterId(rowKey(r)), numberColumn(r, 'n')]));
      // A meter without usable readings left (all corrected to bad) gets an explicit 0.
      for (const [id, m] of meters) points.push(countPoint(READING_DAILY, zone, m, day, counted.get(id) ?? 0));
    });
    await writer.send(points);

    const zoned = `zone = ${quoteString(zone)}`;
    const monthHours = [...byMonth(touched.hours)].map(([month, meters]) => ({ month, ...metersWhere(meters) }));
    const monthReadings = [...byMonth(touched.readings)].map(([month, meters]) => ({ month, ...metersWhere(meters) }));
    const monthly = await query.queryAll([
      ...monthHours.map(
        ({ month, where }) =>
          `SELECT sum(quantity) AS quantity FROM ${query.from(CONSUMPTION_DAILY)} WHERE ${where}` +
          ` AND ${zoned} AND ${range(month, calendar.nextMonth(month))} GROUP BY ${TAGS}, carrier, unit`,
      ),
      ...monthReadings.map(
        ({ month, where }) =>
          `SELECT sum(usable) AS n FROM ${query.from(READING_DAILY)} WHERE ${where}` +
          ` AND ${zoned} AND ${range(month, calendar.nextMonth(month))} GROUP BY ${TAGS}`,
      ),
    ]);
    const monthPoints: Point[] = [];
    monthHours.forEach(({ month, keep }, i) => {
      for (const r of monthly[i] ?? []) {
        if (keep(r))
          monthPoints.push(
            rollupPoint(CONSUMPTION_MONTHLY, zone, rowKey(r), tagOf(r, 'carrier'), tagOf(r, 'unit'), month, numberColumn(r, 'quantity')),
          );
      }
    });
    monthReadings.forEach(({ month, keep }, i) => {
      for (const r of monthly[monthHours.length + i] ?? []) {
        if (keep(r)) monthPoints.push(countPoint(READING_MONTHLY, zone, rowKey(r), month, numberColumn(r, 'n')));
      }
    });
    await writer.send(monthPoints);
    await this.deps.marks.markChanged(zone, [...touched.hours.keys(), ...touched.readings.keys()]);
  }
}
