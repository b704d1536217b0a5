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
  ConsumptionQuery,
  ConsumptionRow,
  HourlyConsumption,
  LatestOptions,
  LatestReading,
  MeterKey,
  ReadingCount,
  RollupRebuild,
  StoreHealth,
  TimeSeriesStore,
  WriteBatch,
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

/** The adapter's parts, one job each, and what start() and the log need of the settings. */
interface InfluxStoreParts {
  readonly url: string;
  readonly database: string;
  readonly logger: Logger;
  readonly query: InfluxQueryClient;
  readonly writer: InfluxPointWriter;
  readonly refresher: RollupRefresher;
  readonly rebuilder: RollupRebuilder;
  readonly latest: LatestReadings;
  readonly raw: RawReads;
  readonly consumption: ConsumptionReads;
}

/** Builds the parts with their explicit dependencies (every cache and state lives in one of them). */
function wireParts(options: InfluxStoreOptions, deps: InfluxStoreDeps): InfluxStoreParts {
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
  return {
    url: settings.url,
    database: settings.database,
    logger,
    query,
    writer,
    refresher,
    rebuilder,
    latest: new LatestReadings(settings, { query, now }),
    raw: new RawReads({ calendar, query, rollups }),
    consumption: new ConsumptionReads(settings, { query, rollups }),
  };
}

export class InfluxTimeSeriesStore implements TimeSeriesStore {
  readonly kind = 'influxdb' as const;
  private readonly parts: InfluxStoreParts;
  /** Writes not settled yet: stop() lets them finish through their own bounded retries. */
  private readonly inflight = new Set<Promise<void>>();

  constructor(options: InfluxStoreOptions, deps: InfluxStoreDeps) {
    this.parts = wireParts(options, deps);
  }

  async start(): Promise<void> {
    const { url, database, logger, query, writer, rebuilder } = this.parts;
    const ping = await query.ping();
    if (!ping.ok) throw new DependencyError(DEPENDENCY, `InfluxDB at ${url} is unreachable: ${ping.detail ?? ''}`);
    const v = parseInfluxVersion(ping.version);
    writer.open(v);
    if (v?.major === 1) {
      try {
        await query.query(`CREATE DATABASE ${quoteIdent(database)}`, false);
      } catch (err) {
        // A token without admin rights cannot create databases; writes then fail loudly if it is missing.
        if (!(err instanceof DependencyError) || err.retryable) throw err;
        logger.warn({ err: errorMessage(err), database }, 'could not create the InfluxDB database');
      }
    }
    await rebuilder.prepare();
    logger.info({ url, version: ping.version, writePath: writer.path, rollups: rebuilder.ready }, 'InfluxDB store started');
  }

  async stop(): Promise<void> {
    // Writes already accepted finish (or fail) through their own bounded retries, then the
    // rollups of what they wrote are refreshed (what fails stays for a journal replay to redo).
    await Promise.allSettled([...this.inflight]);
    await this.parts.refresher.stop();
  }

  async health(): Promise<StoreHealth> {
    const ping = await this.parts.query.ping();
    return ping.ok ? { ok: true, kind: this.kind, version: ping.version } : { ok: false, kind: this.kind, detail: ping.detail };
  }

  write(batch: WriteBatch): Promise<void> {
    const lines = batch.readings.length + batch.hourly.length;
    if (lines === 0) return Promise.resolve();
    const done = this.parts.writer.send(batchPoints(batch)).then(() => {
      // Known to latest() at once, however old (a gateway catching up after days offline).
      this.parts.latest.wrote(batch.readings);
      this.parts.refresher.wrote(batch);
    });
    this.inflight.add(done);
    void done.finally(() => this.inflight.delete(done)).catch(() => undefined);
    return done;
  }

  settleRollups(): Promise<void> {
    return this.parts.refresher.settle();
  }

  rebuildRollups(range?: { from: number; to: number }): Promise<RollupRebuild> {
    return this.parts.rebuilder.rebuild(range);
  }

  readings(key: MeterKey, from: number, to: number): Promise<Reading[]> {
    return this.parts.raw.readings(key, from, to);
  }

  readingsAt(key: MeterKey, timestamps: readonly number[]): Promise<Reading[]> {
    return this.parts.raw.readingsAt(key, timestamps);
  }

  usableNeighbour(key: MeterKey, ts: number, direction: 'before' | 'atOrAfter'): Promise<Reading | undefined> {
    return this.parts.raw.usableNeighbour(key, ts, direction);
  }

  latest(enterprises: readonly string[], options: LatestOptions = {}): Promise<LatestReading[]> {
    return this.parts.latest.latest(enterprises, options);
  }

  hourly(key: MeterKey, from: number, to: number): Promise<HourlyConsumption[]> {
    return this.parts.raw.hourly(key, from, to);
  }

  consumption(query: ConsumptionQuery): Promise<ConsumptionRow[]> {
    return this.parts.consumption.consumption(query);
  }

  countUsable(enterprises: readonly string[], from: number, to: number): Promise<ReadingCount[]> {
    return this.parts.raw.countUsable(enterprises, from, to);
  }
}
