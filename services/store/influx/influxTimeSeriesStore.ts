/**
 * The production TimeSeriesStore on InfluxDB (1.x, 2.x through its v1 compatibility API, 3.x).
 *
 * Writes: line protocol from the official client's `Point`, sent by its WriteApi, which batches
 * (batchSize) and retries with exponential backoff and jitter (influxPointWriter.ts). Reads:
 * InfluxQL over `/query`, the one query language every major version answers (influxQueryClient.ts).
 * The schema, with its daily and monthly rollups, is described in influxSchema.ts.
 *
 * This class only wires the parts, one job each, and holds what spans them: start and stop, and
 * a write's fan-out to latest() and the rollup refresh once InfluxDB acknowledged it.
 */
import { DayCalendar } from '../dailyRollup';
import { DependencyError, errorMessage } from '../../core/errors';
import type { Logger } from '../../core/log';
import type {
  ConsumptionQuery, ConsumptionRow, HourlyConsumption, LatestOptions, LatestReading, MeterKey, ReadingCount, RollupRebuild, StoreHealth, TimeSeriesStore, WriteBatch,
} from '../timeSeriesStore';
import type { Reading } from '../../energy/reading';
import { ConsumptionReads } from './consumptionReads';
import { parseInfluxVersion, quoteIdent } from './influxql';
import { InfluxPointWriter } from './influxPointWriter';
import { InfluxQueryClient } from './influxQueryClient';
import { batchPoints, DEPENDENCY } from './influxSchema';
import { resolveInfluxStoreOptions, type InfluxStoreDeps, type InfluxStoreOptions } from './influxStoreOptions';
import { LatestReadings } from './latestReadings';
import { RawReads } from './rawReads';
import { RollupMarks } from './rollupMarks';
import { RollupReads } from './rollupReads';
import { RollupRebuilder } from './rollupRebuilder';
import { RollupRefresher } from './rollupRefresher';

export { MAX_METER_TERMS } from './influxSchema';
export { DEFAULT_INFLUX_STORE_OPTIONS, type InfluxStoreDeps, type InfluxStoreOptions } from './influxStoreOptions';

export class InfluxTimeSeriesStore implements TimeSeriesStore {
  readonly kind = 'influxdb' as const;
  private readonly url: string;
  private readonly database: string;
  private readonly logger: Logger;
  private readonly query: InfluxQueryClient;
  private readonly writer: InfluxPointWriter;
  /** Writes not settled yet: stop() lets them finish through their own bounded retries. */
  private readonly inflight = new Set<Promise<void>>();
  private readonly refresher: RollupRefresher;
  private readonly rebuilder: RollupRebuilder;
  private readonly latestReadings: LatestReadings;
  private readonly rawReads: RawReads;
  private readonly consumptionReads: ConsumptionReads;

  constructor(options: InfluxStoreOptions, deps: InfluxStoreDeps) {
    const settings = resolveInfluxStoreOptions(options);
    const now = deps.now ?? Date.now;
    const logger = deps.logger.child({ component: 'influxdb' });
    const calendar = settings.zone === undefined ? undefined : new DayCalendar(settings.zone);
    const query = new InfluxQueryClient(settings, deps.fetch ?? fetch);
    const writer = new InfluxPointWriter(settings, logger);
    const marks = new RollupMarks({ query, writer });
    const refresher = new RollupRefresher(settings, { calendar, query, writer, marks, logger, now });
    const rebuilder = new RollupRebuilder(settings, { calendar, query, writer, marks, refresher, logger, now });
    const rollups = new RollupReads({ calendar, query, marks, refresher, rollupsReady: () => rebuilder.ready, now });
    this.url = settings.url;
    this.database = settings.database;
    this.logger = logger;
    this.query = query;
    this.writer = writer;
    this.refresher = refresher;
    this.rebuilder = rebuilder;
    this.latestReadings = new LatestReadings(settings, { query, now });
    this.rawReads = new RawReads({ calendar, query, rollups });
    this.consumptionReads = new ConsumptionReads(settings, { query, rollups });
  }

  async start(): Promise<void> {
    const ping = await this.query.ping();
    if (!ping.ok) throw new DependencyError(DEPENDENCY, `InfluxDB at ${this.url} is unreachable: ${ping.detail ?? ''}`);
    const v = parseInfluxVersion(ping.version);
    this.writer.open(v);
    if (v?.major === 1) {
      try {
        await this.query.query(`CREATE DATABASE ${quoteIdent(this.database)}`, false);
      } catch (err) {
        // A token without admin rights cannot create databases; writes then fail loudly if it is missing.
        if (!(err instanceof DependencyError) || err.retryable) throw err;
        this.logger.warn({ err: errorMessage(err), database: this.database }, 'could not create the InfluxDB database');
      }
    }
    await this.rebuilder.prepare();
    this.logger.info({ url: this.url, version: ping.version, writePath: this.writer.path, rollups: this.rebuilder.ready }, 'InfluxDB store started');
  }

  async stop(): Promise<void> {
    // Writes already accepted finish (or fail) through their own bounded retries, then the
    // rollups of what they wrote are refreshed (what fails stays for a journal replay to redo).
    await Promise.allSettled([...this.inflight]);
    await this.refresher.stop();
  }

  async health(): Promise<StoreHealth> {
    const ping = await this.query.ping();
    return ping.ok ? { ok: true, kind: this.kind, version: ping.version } : { ok: false, kind: this.kind, detail: ping.detail };
  }

  write(batch: WriteBatch): Promise<void> {
    const lines = batch.readings.length + batch.hourly.length;
    if (lines === 0) return Promise.resolve();
    const done = this.writer.send(batchPoints(batch)).then(() => {
      // Known to latest() at once, however old (a gateway catching up after days offline).
      this.latestReadings.wrote(batch.readings);
      this.refresher.wrote(batch);
    });
    this.inflight.add(done);
    void done.finally(() => this.inflight.delete(done)).catch(() => undefined);
    return done;
  }

  settleRollups(): Promise<void> {
    return this.refresher.settle();
  }

  rebuildRollups(range?: { from: number; to: number }): Promise<RollupRebuild> {
    return this.rebuilder.rebuild(range);
  }

  readings(key: MeterKey, from: number, to: number): Promise<Reading[]> {
    return this.rawReads.readings(key, from, to);
  }

  readingsAt(key: MeterKey, timestamps: readonly number[]): Promise<Reading[]> {
    return this.rawReads.readingsAt(key, timestamps);
  }

  usableNeighbour(key: MeterKey, ts: number, direction: 'before' | 'atOrAfter'): Promise<Reading | undefined> {
    return this.rawReads.usableNeighbour(key, ts, direction);
  }

  latest(enterprises: readonly string[], options: LatestOptions = {}): Promise<LatestReading[]> {
    return this.latestReadings.latest(enterprises, options);
  }

  hourly(key: MeterKey, from: number, to: number): Promise<HourlyConsumption[]> {
    return this.rawReads.hourly(key, from, to);
  }

  consumption(query: ConsumptionQuery): Promise<ConsumptionRow[]> {
    return this.consumptionReads.consumption(query);
  }

  countUsable(enterprises: readonly string[], from: number, to: number): Promise<ReadingCount[]> {
    return this.rawReads.countUsable(enterprises, from, to);
  }
}
