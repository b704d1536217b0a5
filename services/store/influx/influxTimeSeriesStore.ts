/**
 * The production TimeSeriesStore on InfluxDB (1.x, 2.x through its v1 compatibility API, 3.x).
 *
 * Writes: line protocol from the official client's `Point`, sent by its WriteApi, which batches
 * (batchSize) and retries with exponential backoff and jitter. Reads: InfluxQL over `/query`,
 * the one query language every major version answers.
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
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { HttpError, InfluxDB, Point, setLogger } from '@influxdata/influxdb-client';
import type { Quality, Reading } from '../../energy/reading';
import { bucketStart } from '../../energy/time';
import { CoalescedRounds } from './coalescedRounds';
import { LatestCache } from './latestCache';
import { RollupCache } from './rollupCache';
import { DayCalendar, daysOf, emptyTouched, meterId as touchedMeterId, mergeTouched, splitPeriods, touchedCount, touchedDays, type RangePart, type TouchedDays } from '../dailyRollup';
import { BadRequestError, DependencyError, errorMessage } from '../../core/errors';
import type { Logger } from '../../core/log';
import {
  numberColumn, optionalNumberColumn, parseInfluxVersion, parseQueryResponse, quoteIdent, quoteString, regexAlternation, stringColumn, tagOf, timeLiteral,
  type QueryRow,
} from './influxql';
import type {
  ConsumptionQuery, ConsumptionRow, HourlyConsumption, LatestOptions, LatestReading, MeterKey, ReadingCount, RollupRebuild, StoreHealth, TimeSeriesStore, WriteBatch,
} from '../timeSeriesStore';
import { meterKeyId } from '../timeSeriesStore';

export interface InfluxStoreOptions {
  readonly url: string;
  readonly token?: string;
  readonly database: string;
  readonly org?: string;
  readonly retentionPolicy?: string;
  readonly batchMaxLines?: number;
  readonly flushIntervalMs?: number;
  readonly maxRetries?: number;
  /** First retry delay and cap of the exponential backoff (client defaults are 5 s and 125 s). */
  readonly minRetryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  /** Timeout of a query (default 120 s); writes use at most 10 s and a ping at most 5 s. */
  readonly requestTimeoutMs?: number;
  /**
   * Site time zone of the daily rollups. Without it no rollups are kept and day and month figures
   * are summed from the hourly values at every query (what a report over a large district cannot
   * afford).
   */
  readonly zone?: string;
  /** Roll up data written before the rollups existed in start() (default true); see rebuildRollups. */
  readonly rollupOnStart?: boolean;
  /**
   * This process is the only one writing readings to the database (one all-in-one instance, not
   * scaled out): latest() then needs no polls between its hourly full scans, since every write
   * passes through here. Default false (poll).
   */
  readonly soleWriter?: boolean;
}

export interface InfluxStoreDeps { readonly logger: Logger; readonly fetch?: typeof fetch }

const DEPENDENCY = 'influxdb';
const READING = 'reading';
const CONSUMPTION = 'consumption';
const TAG_ENTERPRISE = quoteIdent('enterprise');
const TAG_METER = quoteIdent('meter');
const NOT_BAD = `${quoteIdent('quality')} != 'bad'`;
/** readingsAt: timestamps further apart than this are fetched by separate statements. */
const CLUSTER_GAP_MS = 86_400_000;
const CONSUMPTION_DAILY = 'consumption_daily';
const READING_DAILY = 'reading_daily';
const CONSUMPTION_MONTHLY = 'consumption_monthly';
const READING_MONTHLY = 'reading_monthly';
const CONSUMPTION_AT: Record<RangePart['level'], string> = { raw: CONSUMPTION, day: CONSUMPTION_DAILY, month: CONSUMPTION_MONTHLY };
const COUNT_AT: Record<RangePart['level'], { measurement: string; aggregate: string }> = {
  raw: { measurement: READING, aggregate: 'count(value)' },
  day: { measurement: READING_DAILY, aggregate: 'sum(usable)' },
  month: { measurement: READING_MONTHLY, aggregate: 'sum(usable)' },
};
const ROLLUP_STATE = 'rollup_state';
/** Per local day, the id of the last refresh round that changed its rollups (see rollupCache.ts). */
const ROLLUP_CHANGE = 'rollup_change';
/** Bump when the rollups' meaning changes: start() then rebuilds them. */
const ROLLUP_VERSION = 1;
/** latest(): a full scan of every meter's history at most this often per enterprise ... */
const LATEST_FULL_SCAN_MS = 3_600_000;
/** ... and in between a poll of the readings since the previous poll, less this (clock skew, slow writers). */
const LATEST_POLL_SLACK_MS = 2 * 60_000;
/**
 * ... up to this far ahead of the clock: ingest refuses readings more than 5 minutes in the future
 * (contract 2), so a poll need not read what was written ahead of that (only the full scan does).
 */
const LATEST_POLL_AHEAD_MS = 6 * 60_000;
/** consumption(): day parts at most this long are read as points, not grouped (see there). */
const RECENT_POINTS_MS = 2 * 86_400_000 + 3_600_000;
/** Meter filters longer than this are applied in Node on per-meter rows (see consumption()). */
export const MAX_METER_TERMS = 64;
/** A failed rollup refresh is tried again after this, doubling up to the max, until one succeeds. */
const ROLLUP_RETRY_MIN_MS = 1000;
const ROLLUP_RETRY_MAX_MS = 30_000;
/** Statements per /query request when refreshing rollups (keeps a replay's request bounded). */
const STATEMENTS_PER_REQUEST = 100;

/** One part's statement, its rows, and the marks it was read under (rollup parts). */
interface PartResult { readonly statement: string; readonly rows: QueryRow[]; readonly signature?: string }

/** consumption(): a sum per enterprise, carrier, unit and bucket. */
interface PartSum { readonly enterprise: string; readonly carrier: string; readonly unit: string; readonly time: number; quantity: number }

const SUMS_CACHE_ENTRIES = 128;

/** A part split at the local year starts inside it. */
function splitAtYears(part: RangePart, zone: string): RangePart[] {
  const out: RangePart[] = [];
  let from = part.from;
  for (;;) {
    const nextYear = DateTime.fromMillis(from, { zone }).startOf('year').plus({ years: 1 }).toMillis();
    if (nextYear >= part.to) break;
    out.push({ ...part, from, to: nextYear });
    from = nextYear;
  }
  out.push({ ...part, from });
  return out;
}

function toQuality(text: string): Quality {
  if (text === 'good' || text === 'uncertain' || text === 'bad') return text;
  throw new DependencyError(DEPENDENCY, `stored reading has unknown quality ${JSON.stringify(text)}`, { retryable: false });
}

function checkTag(name: string, value: string): string {
  // Line protocol cannot carry an empty tag value, and a trailing backslash would escape the separator.
  if (value === '' || value.endsWith('\\')) throw new BadRequestError(`tag ${name} cannot be stored in InfluxDB`, { [name]: value });
  return value;
}

export class InfluxTimeSeriesStore implements TimeSeriesStore {
  readonly kind = 'influxdb' as const;
  private readonly url: string;
  private readonly fetchFn: typeof fetch;
  private readonly logger: Logger;
  private readonly client: InfluxDB;
  private readonly timeoutMs: number;
  /** Set by start(): where the WriteApi posts its lines. */
  private writePath: string | undefined;
  private readonly inflight = new Set<Promise<void>>();
  private readonly calendar: DayCalendar | undefined;
  /** Set once the rollups of `zone` are complete; until then queries read hours and readings. */
  private rollupsReady = false;
  /**
   * (meter, day)s written whose rollups are not refreshed yet. Refreshes run in coalesced rounds,
   * one at a time, each reading the sums of everything written before it started: at full ingest
   * one round serves many batches, where a refresh per batch cost InfluxDB 7x the CPU of the raw
   * writes and held every batch back by its round trip (issue 7's profile).
   */
  private pendingRollups: TouchedDays = emptyTouched();
  private readonly rounds = new CoalescedRounds(() => this.refreshRound());
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelayMs = ROLLUP_RETRY_MIN_MS;
  /** Until then, rounds fail at once (backoff after a failed round). */
  private retryAt = 0;
  /** Rounds completed: a marks read is shared only among callers that waited for the same rounds. */
  private roundsDone = 0;
  /** Results of rollup statements while their days are unchanged; ids of this process's rounds. */
  private readonly cache = new RollupCache();
  /** Rollup statements being read, by marks and text: concurrent callers asking the same share it. */
  private readonly statementsInFlight = new Map<string, Promise<QueryRow[]>>();
  private readonly marksInFlight = new Map<string, Promise<Map<number, string>>>();
  /** consumption(): per-part sums by filter, marks and statement (see there). */
  private readonly sumsCache = new Map<string, Map<string, PartSum>>();
  private readonly instanceId = randomUUID().slice(0, 8);
  private roundSeq = 0;
  /** latest(): the newest reading per meter between calls (see latestCache.ts). */
  private readonly latestCache = new LatestCache({ fullScanMs: LATEST_FULL_SCAN_MS, pollSlackMs: LATEST_POLL_SLACK_MS });
  /** latest(): the refresh in flight per enterprise list; concurrent callers (the rule cycle asks twice) share it. */
  private readonly latestRefreshes = new Map<string, Promise<void>>();

  constructor(private readonly options: InfluxStoreOptions, deps: InfluxStoreDeps) {
    this.url = options.url.replace(/\/+$/, '');
    this.fetchFn = deps.fetch ?? fetch;
    this.logger = deps.logger.child({ component: 'influxdb' });
    this.calendar = options.zone === undefined ? undefined : new DayCalendar(options.zone);
    // Report queries over a district-year scan tens of millions of points: give them time.
    this.timeoutMs = options.requestTimeoutMs ?? 120_000;
    // Writes are small batches: a stuck one should fail fast and be retried, unlike a long report query.
    this.client = new InfluxDB({ url: this.url, token: options.token, timeout: Math.min(this.timeoutMs, 10_000) });
    // The client logs through one global logger (console by default). Each failed attempt is
    // logged below with context, so its own messages only go to debug here.
    const clientLog = this.logger;
    setLogger({ error: (message, err: unknown) => clientLog.debug({ err }, message), warn: (message, err: unknown) => clientLog.debug({ err }, message) });
  }

  private get headers(): Record<string, string> {
    return this.options.token === undefined ? {} : { Authorization: `Token ${this.options.token}` };
  }

  /** FROM target: "rp"."measurement" when a retention policy is configured (db comes with `db=`). */
  private from(measurement: string): string {
    const rp = this.options.retentionPolicy;
    return rp === undefined ? quoteIdent(measurement) : `${quoteIdent(rp)}.${quoteIdent(measurement)}`;
  }

  async start(): Promise<void> {
    const ping = await this.ping();
    if (!ping.ok) throw new DependencyError(DEPENDENCY, `InfluxDB at ${this.url} is unreachable: ${ping.detail ?? ''}`);
    const v = parseInfluxVersion(ping.version);
    const { database, retentionPolicy } = this.options;
    // InfluxDB < 1.8 has no /api/v2/write. Rather than a custom transport, the WriteApi's `path`
    // (public and documented as changeable) is pointed at the 1.x /write endpoint: the client
    // still does the batching, retry and backoff, and 1.x answers /write with 204 like 2.x.
    // An unknown version (e.g. VictoriaMetrics sends no version on /ping) gets the 2.x path.
    if (v !== undefined && v.major === 1 && v.minor < 8) {
      const params = new URLSearchParams({ db: database, precision: 'ms' });
      if (retentionPolicy !== undefined) params.set('rp', retentionPolicy);
      this.writePath = `/write?${params.toString()}`;
    } else {
      const bucket = retentionPolicy === undefined ? database : `${database}/${retentionPolicy}`;
      this.writePath = this.client.getWriteApi(this.options.org ?? '', bucket, 'ms').path;
    }
    if (v?.major === 1) {
      try {
        await this.query(`CREATE DATABASE ${quoteIdent(database)}`, false);
      } catch (err) {
        // A token without admin rights cannot create databases; writes then fail loudly if it is missing.
        if (!(err instanceof DependencyError) || err.retryable) throw err;
        this.logger.warn({ err: errorMessage(err), database }, 'could not create the InfluxDB database');
      }
    }
    await this.prepareRollups();
    this.logger.info({ url: this.url, version: ping.version, writePath: this.writePath.split('?')[0], rollups: this.rollupsReady }, 'InfluxDB store started');
  }

  /**
   * Data written before the rollups existed (or under another zone) is rolled up once, before
   * ingest starts writing; the marker is written last, so an interrupted rebuild runs again.
   */
  private async prepareRollups(): Promise<void> {
    const zone = this.options.zone;
    if (zone === undefined) return;
    const [rows = []] = await this.query(`SELECT last(version) AS version FROM ${this.from(ROLLUP_STATE)} WHERE zone = ${quoteString(zone)}`);
    const version = rows[0] === undefined ? undefined : optionalNumberColumn(rows[0], 'version');
    if (version !== undefined && version >= ROLLUP_VERSION) {
      this.rollupsReady = true;
      return;
    }
    if (this.options.rollupOnStart === false) {
      this.logger.warn({ zone }, 'daily rollups missing; day and month queries read hourly values until rebuildRollups() runs');
      return;
    }
    this.logger.info({ zone }, 'building daily rollups from stored hours and readings (once)');
    const done = await this.rebuildRollups();
    this.logger.info({ zone, ...done }, 'daily rollups built');
  }

  async stop(): Promise<void> {
    // Writes already accepted finish (or fail) through their own bounded retries, then the
    // rollups of what they wrote are refreshed (what fails stays for a journal replay to redo).
    await Promise.allSettled([...this.inflight]);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (touchedCount(this.pendingRollups) > 0) await this.settleRollups().catch((err: unknown) => this.logger.warn({ err: errorMessage(err) }, 'rollup refresh at stop failed'));
  }

  private async ping(): Promise<{ ok: boolean; version?: string; detail?: string }> {
    try {
      const res = await this.fetchFn(`${this.url}/ping`, { headers: this.headers, signal: AbortSignal.timeout(Math.min(this.timeoutMs, 5000)) });
      await res.arrayBuffer();
      if (res.status !== 204 && res.status !== 200) return { ok: false, detail: `/ping answered HTTP ${res.status}` };
      return { ok: true, version: res.headers.get('X-Influxdb-Version') ?? undefined };
    } catch (err) {
      const cause = err instanceof Error && err.cause !== undefined ? `: ${errorMessage(err.cause)}` : '';
      return { ok: false, detail: `${errorMessage(err)}${cause}` };
    }
  }

  async health(): Promise<StoreHealth> {
    const ping = await this.ping();
    return ping.ok ? { ok: true, kind: this.kind, version: ping.version } : { ok: false, kind: this.kind, detail: ping.detail };
  }

  write(batch: WriteBatch): Promise<void> {
    const lines = batch.readings.length + batch.hourly.length;
    if (lines === 0) return Promise.resolve();
    const calendar = this.calendar;
    const done = this.send(this.points(batch)).then(() => {
      // Known to latest() at once, however old (a gateway catching up after days offline).
      this.latestCache.wrote(batch.readings);
      if (calendar === undefined) return;
      mergeTouched(this.pendingRollups, touchedDays(batch, calendar));
      this.requestRefresh();
    });
    this.inflight.add(done);
    void done.finally(() => this.inflight.delete(done)).catch(() => undefined);
    return done;
  }

  /** The batch's readings and hours as line-protocol points. */
  private points(batch: WriteBatch): Point[] {
    return [
      ...batch.readings.map((r) => new Point(READING).tag('enterprise', checkTag('enterprise', r.enterprise)).tag('meter', checkTag('meter', r.meter))
        .floatField('value', r.value).stringField('quality', r.quality).timestamp(r.ts)),
      ...batch.hourly.map((h) => new Point(CONSUMPTION).tag('enterprise', checkTag('enterprise', h.enterprise)).tag('meter', checkTag('meter', h.meter))
        .tag('carrier', checkTag('carrier', h.carrier)).tag('unit', checkTag('unit', h.unit)).floatField('quantity', h.quantity).timestamp(h.hour)),
    ];
  }

  /**
   * One WriteApi per send() (a write(), a rollup refresh), so that its success and failure
   * callbacks account for exactly these points: the promise resolves when every line was acknowledged (204 = durable and
   * queryable) and rejects as soon as any line is given up (retries spent, retry time over, or
   * a non-retryable 4xx such as a field type conflict). The explicit flush means the flush
   * interval only matters as the client's safety net.
   */
  private async send(points: readonly Point[]): Promise<void> {
    if (this.writePath === undefined) throw new Error('InfluxTimeSeriesStore.write() before start()');
    const lineCount = points.length;
    if (lineCount === 0) return;
    const maxRetries = this.options.maxRetries ?? 3;
    const log = this.logger;
    await new Promise<void>((resolve, reject) => {
      let pending = lineCount;
      let settled = false;
      const finish = (err?: Error): void => {
        if (settled) return;
        settled = true;
        api.dispose(); // cancels the retries of other chunks of a failed batch
        if (err) reject(err); else resolve();
      };
      const api = this.client.getWriteApi('', '', 'ms', {
        batchSize: this.options.batchMaxLines ?? 5000,
        flushInterval: this.options.flushIntervalMs ?? 1000,
        maxRetries,
        minRetryDelay: this.options.minRetryDelayMs ?? 1000,
        maxRetryDelay: this.options.maxRetryDelayMs ?? 30_000,
        exponentialBase: 2,
        retryJitter: 200,
        maxBufferLines: Math.max(lineCount, 32_000), // never drop lines of this batch to make room
        writeSuccess: (sent) => {
          pending -= sent.length;
          if (pending <= 0) finish();
        },
        writeFailed: (error, sent, attempt, expires) => {
          // Mirrors the client's own decision: it retries errors without status and >= 429.
          const retryable = !(error instanceof HttpError) || error.statusCode >= 429;
          const final = !retryable || attempt > maxRetries || expires <= Date.now();
          log.warn({ err: errorMessage(error), lines: sent.length, attempt, final }, 'InfluxDB write failed');
          if (final) {
            finish(new DependencyError(DEPENDENCY, `write of ${sent.length} lines failed after ${attempt} attempt(s): ${errorMessage(error)}`, {
              retryable, cause: error, context: { attempts: attempt, lines: sent.length },
            }));
          }
          return undefined; // let the client schedule the retry with its backoff
        },
        writeRetrySkipped: (entry) => finish(new DependencyError(DEPENDENCY, `retry buffer dropped ${entry.lines.length} lines`)),
      });
      api.path = this.writePath ?? api.path;
      api.writePoints([...points]);
      // Outcomes arrive through writeSuccess/writeFailed; the flush promise itself only rejects
      // after the first failed attempt, when a retry may still be pending.
      api.flush().catch(() => undefined);
    });
  }

  private async query(q: string, withDb = true): Promise<QueryRow[][]> {
    const params = new URLSearchParams({ epoch: 'ms' });
    if (withDb) params.set('db', this.options.database);
    let status: number;
    let text: string;
    try {
      // POST with a form body: no URL length limit for long enterprise lists, and 1.x requires
      // POST for CREATE DATABASE anyway.
      const res = await this.fetchFn(`${this.url}/query?${params.toString()}`, {
        method: 'POST',
        headers: { ...this.headers, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ q }).toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = res.status;
      text = await res.text();
    } catch (err) {
      throw new DependencyError(DEPENDENCY, `query failed: ${errorMessage(err)}`, { cause: err });
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (status < 200 || status >= 300) {
      const detail = typeof body === 'object' && body !== null && 'error' in body ? String(body.error) : text.slice(0, 200);
      throw new DependencyError(DEPENDENCY, `query answered HTTP ${status}: ${detail}`, { retryable: status >= 500 || status === 429, context: { status } });
    }
    return parseQueryResponse(body);
  }

  private keyFilter(key: MeterKey): string {
    return `${TAG_ENTERPRISE} = ${quoteString(key.enterprise)} AND ${TAG_METER} = ${quoteString(key.meter)}`;
  }

  private static timeRange(from: number, to: number): string {
    return `time >= ${timeLiteral(from)} AND time < ${timeLiteral(to)}`;
  }

  private static toReading(key: MeterKey, row: QueryRow): Reading {
    return { enterprise: key.enterprise, meter: key.meter, ts: numberColumn(row, 'time'), value: numberColumn(row, 'value'), quality: toQuality(stringColumn(row, 'quality')) };
  }

  private static rowKey(row: QueryRow): MeterKey {
    return { enterprise: tagOf(row, 'enterprise'), meter: tagOf(row, 'meter') };
  }

  async readings(key: MeterKey, from: number, to: number): Promise<Reading[]> {
    if (from >= to) return [];
    const [rows = []] = await this.query(
      `SELECT value, quality FROM ${this.from(READING)} WHERE ${this.keyFilter(key)} AND ${InfluxTimeSeriesStore.timeRange(from, to)} ORDER BY time ASC`);
    return rows.map((r) => InfluxTimeSeriesStore.toReading(key, r));
  }

  async readingsAt(key: MeterKey, timestamps: readonly number[]): Promise<Reading[]> {
    // InfluxQL ignores `time = a OR time = b` (answers nothing), so fetch the span of each cluster
    // of nearby timestamps, all statements in one request, and keep the exact matches.
    const wanted = [...new Set(timestamps)].sort((a, b) => a - b);
    if (wanted.length === 0) return [];
    const spans: Array<[number, number]> = [];
    for (const ts of wanted) {
      const last = spans[spans.length - 1];
      if (last !== undefined && ts - last[1] <= CLUSTER_GAP_MS) last[1] = ts; else spans.push([ts, ts]);
    }
    const statements = spans.map(([a, b]) =>
      `SELECT value, quality FROM ${this.from(READING)} WHERE ${this.keyFilter(key)} AND ${InfluxTimeSeriesStore.timeRange(a, b + 1)} ORDER BY time ASC`);
    const results = await this.query(statements.join('; '));
    const set = new Set(wanted);
    return results.flat().map((r) => InfluxTimeSeriesStore.toReading(key, r)).filter((r) => set.has(r.ts));
  }

  async usableNeighbour(key: MeterKey, ts: number, direction: 'before' | 'atOrAfter'): Promise<Reading | undefined> {
    const [cond, order] = direction === 'before' ? [`time < ${timeLiteral(ts)}`, 'DESC'] : [`time >= ${timeLiteral(ts)}`, 'ASC'];
    const [rows = []] = await this.query(
      `SELECT value, quality FROM ${this.from(READING)} WHERE ${this.keyFilter(key)} AND ${NOT_BAD} AND ${cond} ORDER BY time ${order} LIMIT 1`);
    const row = rows[0];
    return row === undefined ? undefined : InfluxTimeSeriesStore.toReading(key, row);
  }

  /**
   * Newest reading per meter. Unbounded, InfluxDB opens every shard of every meter's history (14 s
   * for 6,000 meters with a month of raw data, under load), and the rules engine asks every minute.
   * So the answer comes from LatestCache: a full scan at most every LATEST_FULL_SCAN_MS per
   * enterprise, this process's writes as they land, and in between a poll of the readings since
   * the previous poll (less LATEST_POLL_SLACK_MS) for what other processes wrote. A reading another
   * process writes with a timestamp older than that window shows at the next full scan.
   */
  async latest(enterprises: readonly string[], options: LatestOptions = {}): Promise<LatestReading[]> {
    if (enterprises.length === 0) return [];
    const key = enterprises.join('\u0000');
    let refresh = this.latestRefreshes.get(key);
    if (refresh === undefined) {
      refresh = this.refreshLatest(enterprises).finally(() => this.latestRefreshes.delete(key));
      this.latestRefreshes.set(key, refresh);
    }
    await refresh;
    return this.latestCache.answer(enterprises, options.since);
  }

  private async refreshLatest(enterprises: readonly string[]): Promise<void> {
    const inList = (ids: readonly string[]): string => `${TAG_ENTERPRISE} =~ ${regexAlternation(ids)}`;
    const cache = this.latestCache;
    const now = Date.now();
    const since = cache.mark();
    const stale = cache.stale(enterprises, now);
    const staleSet = new Set(stale);
    const fresh = enterprises.filter((e) => !staleSet.has(e));
    await Promise.all([
      stale.length > 0 ? this.latestWhere(inList(stale)).then((rows) => cache.scanned(stale, rows, now, since)) : undefined,
      fresh.length > 0 && this.options.soleWriter !== true
        ? this.latestPoll(`${inList(fresh)} AND ${InfluxTimeSeriesStore.timeRange(cache.pollFrom(fresh), now + LATEST_POLL_AHEAD_MS)}`).then((rows) => cache.polled(fresh, rows, now))
        : undefined,
    ]);
    const dirty = cache.dirty(enterprises);
    if (dirty.length > 0) {
      // resolved() takes only the dirty meters' rows, so a long list may read whole enterprises.
      const { where } = InfluxTimeSeriesStore.metersWhere(new Map(dirty.map((m) => [touchedMeterId(m), m])));
      const lookedUpFrom = cache.mark();
      cache.resolved(dirty, await this.latestWhere(where), lookedUpFrom);
    }
  }

  /**
   * The newest reading and newest usable reading per meter from the points of a short window, in
   * one statement with the tags as columns: no series per meter in the answer (a third of the
   * bytes, a third of the time for 6,000 meters), and no last() / ORDER BY DESC per series.
   */
  private async latestPoll(where: string): Promise<LatestReading[]> {
    const [rows = []] = await this.query(`SELECT value, quality, ${TAG_ENTERPRISE}, ${TAG_METER} FROM ${this.from(READING)} WHERE ${where}`);
    const out = new Map<string, { key: MeterKey; lastTs: number; lastGood?: Reading }>();
    for (const row of rows) {
      const key = { enterprise: stringColumn(row, 'enterprise'), meter: stringColumn(row, 'meter') };
      const id = touchedMeterId(key);
      const reading = InfluxTimeSeriesStore.toReading(key, row);
      const cur = out.get(id) ?? { key, lastTs: -Infinity };
      cur.lastTs = Math.max(cur.lastTs, reading.ts);
      if (reading.quality !== 'bad' && (cur.lastGood === undefined || reading.ts > cur.lastGood.ts)) cur.lastGood = reading;
      out.set(id, cur);
    }
    return [...out.values()].map((v) => ({ ...v.key, lastTs: v.lastTs, ...(v.lastGood !== undefined && { lastGood: v.lastGood }) }));
  }

  private async latestWhere(where: string): Promise<LatestReading[]> {
    // last() is a selector: without GROUP BY time it returns the newest point's own time.
    const [anyRows = [], goodRows = []] = await this.query([
      `SELECT last(quality) FROM ${this.from(READING)} WHERE ${where} GROUP BY ${TAG_ENTERPRISE}, ${TAG_METER}`,
      `SELECT value, quality FROM ${this.from(READING)} WHERE ${where} AND ${NOT_BAD} GROUP BY ${TAG_ENTERPRISE}, ${TAG_METER} ORDER BY time DESC LIMIT 1`,
    ].join('; '));
    const good = new Map<string, Reading>();
    for (const row of goodRows) {
      const key = InfluxTimeSeriesStore.rowKey(row);
      good.set(JSON.stringify([key.enterprise, key.meter]), InfluxTimeSeriesStore.toReading(key, row));
    }
    return anyRows.map((row) => {
      const key = InfluxTimeSeriesStore.rowKey(row);
      const lastGood = good.get(JSON.stringify([key.enterprise, key.meter]));
      return { ...key, lastTs: numberColumn(row, 'time'), ...(lastGood === undefined ? {} : { lastGood }) };
    });
  }

  async hourly(key: MeterKey, from: number, to: number): Promise<HourlyConsumption[]> {
    if (from >= to) return [];
    const [rows = []] = await this.query(
      `SELECT quantity FROM ${this.from(CONSUMPTION)} WHERE ${this.keyFilter(key)} AND ${InfluxTimeSeriesStore.timeRange(from, to)} GROUP BY carrier, unit`);
    return rows.map((r) => ({
      enterprise: key.enterprise, meter: key.meter, carrier: tagOf(r, 'carrier'), unit: tagOf(r, 'unit'), hour: numberColumn(r, 'time'), quantity: numberColumn(r, 'quantity'),
    })).sort((a, b) => a.hour - b.hour);
  }

  async consumption(query: ConsumptionQuery): Promise<ConsumptionRow[]> {
    const { enterprises, from, to, every, zone, meters, excludeMeters = [] } = query;
    if (enterprises.length === 0 || from >= to || (meters !== undefined && meters.length === 0)) return [];
    // InfluxDB evaluates a tag condition against every series it opens: a list of thousands of
    // meters (a district's tariff scope) took 15 s where the same statement without it took 1.5 s.
    // Long lists are therefore applied here, on rows grouped by meter, instead of in the WHERE.
    const inNode = (meters?.length ?? 0) + excludeMeters.length > MAX_METER_TERMS;
    let meterFilter = '';
    if (!inNode) {
      if (meters !== undefined) meterFilter += ` AND ${InfluxTimeSeriesStore.metersFilter(meters)}`;
      // InfluxQL has no NOT: "not (e = a AND m = b)" is written "(e != a OR m != b)".
      for (const m of excludeMeters) meterFilter += ` AND (${TAG_ENTERPRISE} != ${quoteString(m.enterprise)} OR ${TAG_METER} != ${quoteString(m.meter)})`;
    }
    // Plain string keys: this loop sees ~80,000 point rows for a district-year (JSON.stringify keys
    // and an object spread per row were most of a warm report's time in the profile).
    const only = meters === undefined ? undefined : new Set(meters.map((m) => meterKeyId(m.enterprise, m.meter)));
    const without = new Set(excludeMeters.map((m) => meterKeyId(m.enterprise, m.meter)));
    // Hours are UTC hours (bucketStart '1h'), so no tz() there: in a half-hour zone tz() would shift them.
    const group = every === '1h' ? 'time(1h)' : 'time(1d)';
    const tz = every === '1h' ? '' : ` tz(${quoteString(zone)})`;
    const where = `${TAG_ENTERPRISE} =~ ${regexAlternation(enterprises)}${meterFilter}`;
    const statement = (part: RangePart): string => {
      const range = InfluxTimeSeriesStore.timeRange(part.from, part.to);
      // Month points, and a day or two of day points (today and yesterday, split off by parts()):
      // at most a dozen points per meter, read as points with the tags as columns and filtered
      // and summed here. InfluxDB 1.6 groups 6,000 series slowly (a year of months: 0.9 s as
      // points, 1.2 s grouped by enterprise, 2.4 s grouped by meter; a day: 0.07 s against
      // 0.12-0.27 s), and the statement is the same for every meter filter, so the two status
      // queries of a rule cycle or a report share one (see partsQuery).
      if (part.level === 'month' || (part.level === 'day' && part.to - part.from <= RECENT_POINTS_MS)) {
        return `SELECT quantity, ${TAG_ENTERPRISE}, ${TAG_METER}, carrier, unit FROM ${this.from(CONSUMPTION_AT[part.level])} WHERE ${TAG_ENTERPRISE} =~ ${regexAlternation(enterprises)}`
          + ` AND zone = ${quoteString(zone)} AND ${range}`;
      }
      return `SELECT sum(quantity) AS quantity FROM ${this.from(CONSUMPTION_AT[part.level])} WHERE ${where}${part.level === 'raw' ? '' : ` AND zone = ${quoteString(zone)}`}`
        + ` AND ${range} GROUP BY ${group}, ${TAG_ENTERPRISE}${inNode ? `, ${TAG_METER}` : ''}, carrier, unit fill(none)${tz}`;
    };
    // Whole local months and days come from the rollups, the partial days at the edges from the
    // hours; a rollup point sits at its period's local start, so the day buckets label every row
    // exactly as one query over the hours would. One statement per part: InfluxDB's cost grows
    // with the series each statement opens, so a year is never split into a statement per month.
    const results = await this.partsQuery(this.parts(every, zone, from, to), statement);
    // Months differ in length, which GROUP BY time() cannot express: fold local days into months.
    const monthOf = new Map<number, number>(); // luxon costs microseconds a call; a year has 365 days
    const sumRows = (rows: readonly QueryRow[]): Map<string, PartSum> => {
      const sums = new Map<string, PartSum>();
      // Grouped rows carry their series' tags; point rows carry them as columns.
      const tag = (row: QueryRow, name: string): string => row.tags[name] ?? stringColumn(row, name);
      for (const row of rows) {
        const quantity = optionalNumberColumn(row, 'quantity');
        if (quantity === undefined) continue; // an empty bucket
        // Rows per meter (long meter lists, and day points) are filtered here; the rest in the WHERE.
        const meter = row.tags.meter ?? (typeof row.columns.meter === 'string' ? row.columns.meter : undefined);
        if (meter !== undefined) {
          const id = meterKeyId(tag(row, 'enterprise'), meter);
          if ((only !== undefined && !only.has(id)) || without.has(id)) continue;
        }
        const day = numberColumn(row, 'time');
        let time = day;
        if (every === '1mo') {
          time = monthOf.get(day) ?? bucketStart(day, '1mo', zone);
          monthOf.set(day, time);
        }
        const enterprise = tag(row, 'enterprise');
        const carrier = tag(row, 'carrier');
        const unit = tag(row, 'unit');
        const id = `${enterprise}\u0000${carrier}\u0000${unit}\u0000${time}`;
        const sum = sums.get(id);
        if (sum) sum.quantity += quantity;
        else sums.set(id, { enterprise, carrier, unit, time, quantity });
      }
      return sums;
    };
    // A part read under unchanged marks sums to the same figures for the same filter and
    // buckets: kept, so a rule cycle does not re-add a year of 6,000 meters' month points each minute.
    const filterKey = `${every}\u0001${zone}\u0001${meters === undefined ? '*' : meters.map((m) => meterKeyId(m.enterprise, m.meter)).join('\u0001')}\u0002${excludeMeters.map((m) => meterKeyId(m.enterprise, m.meter)).join('\u0001')}`;
    const total = new Map<string, PartSum>();
    for (const r of results) {
      const key = r.signature === undefined ? undefined : `${filterKey}\u0003${r.signature}\u0003${r.statement}`;
      let sums = key === undefined ? undefined : this.sumsCache.get(key);
      if (sums === undefined) {
        sums = sumRows(r.rows);
        if (key !== undefined) {
          if (this.sumsCache.size >= SUMS_CACHE_ENTRIES) this.sumsCache.delete(this.sumsCache.keys().next().value as string);
          this.sumsCache.set(key, sums);
        }
      }
      for (const [id, sum] of sums) {
        const t = total.get(id);
        if (t) t.quantity += sum.quantity;
        else total.set(id, { ...sum });
      }
    }
    return [...total.values()].sort((a, b) =>
      a.enterprise.localeCompare(b.enterprise) || a.carrier.localeCompare(b.carrier) || a.unit.localeCompare(b.unit) || a.time - b.time);
  }

  /**
   * Runs one statement per part in one request, except rollup statements whose days are unchanged
   * since they were last read (RollupCache): a rule cycle or a report then reads closed months
   * and days once, and only the days being written again. Results in part order.
   */
  private async partsQuery(parts: readonly RangePart[], statementOf: (part: RangePart) => string): Promise<PartResult[]> {
    const statements = parts.map(statementOf);
    const rollup = parts.filter((p) => p.level !== 'raw');
    const zone = this.calendar?.zone;
    if (rollup.length === 0 || zone === undefined) {
      const results = await this.query(statements.join('; '));
      return statements.map((statement, i) => ({ statement, rows: results[i] ?? [] }));
    }
    await this.currentRollups();
    // Marks first, statements after: a round writes its rollups before its marks, so what the
    // statements read is never older than the marks it is cached under.
    const marks = await this.dayMarks(zone, Math.min(...rollup.map((p) => p.from)), Math.max(...rollup.map((p) => p.to)));
    const signatures = parts.map((p) => (p.level === 'raw' ? undefined : RollupCache.signature(marks, p.from, p.to)));
    const out = parts.map((_, i) => {
      const signature = signatures[i];
      return signature === undefined ? undefined : this.cache.get(statements[i]!, signature);
    });
    // A statement another caller is already running under the same marks is waited for, not sent again.
    const key = (i: number): string => `${signatures[i] ?? ''}\n${statements[i]!}`;
    const shared = new Map<number, Promise<QueryRow[]>>();
    const missing: number[] = [];
    out.forEach((rows, i) => {
      if (rows !== undefined) return;
      const running = signatures[i] === undefined ? undefined : this.statementsInFlight.get(key(i));
      if (running) shared.set(i, running); else missing.push(i);
    });
    if (missing.length > 0) {
      const request = this.query(missing.map((i) => statements[i]).join('; '));
      missing.forEach((i, k) => {
        if (signatures[i] === undefined) return;
        const rows = request.then((results) => results[k] ?? []);
        this.statementsInFlight.set(key(i), rows);
        void rows.finally(() => this.statementsInFlight.delete(key(i))).catch(() => undefined);
      });
      const results = await request;
      missing.forEach((i, k) => {
        const rows = results[k] ?? [];
        out[i] = rows;
        const signature = signatures[i];
        if (signature !== undefined) this.cache.set(statements[i]!, signature, rows);
      });
    }
    for (const [i, rows] of shared) out[i] = await rows;
    return out.map((rows, i) => ({ statement: statements[i]!, rows: rows ?? [], ...(signatures[i] !== undefined && { signature: signatures[i] }) }));
  }

  /** The change marks of the local days in [from, to); concurrent callers of the same range share one read. */
  private dayMarks(zone: string, from: number, to: number): Promise<Map<number, string>> {
    // Keyed by the rounds done too: a caller that waited for a newer round must not take marks
    // read before it (they would hit results cached before its write).
    const key = `${this.roundsDone}\u0000${zone}\u0000${from}\u0000${to}`;
    let marks = this.marksInFlight.get(key);
    if (marks === undefined) {
      marks = this.query(`SELECT "round" FROM ${this.from(ROLLUP_CHANGE)} WHERE zone = ${quoteString(zone)} AND ${InfluxTimeSeriesStore.timeRange(from, to)}`)
        .then(([rows = []]) => new Map(rows.map((r) => [numberColumn(r, 'time'), stringColumn(r, 'round')])))
        .finally(() => this.marksInFlight.delete(key));
      this.marksInFlight.set(key, marks);
    }
    return marks;
  }

  /** Marks these local days as changed by a new round of this process (after their rollups are written). */
  private async markChanged(zone: string, days: Iterable<number>): Promise<void> {
    const round = `${this.instanceId}:${++this.roundSeq}`;
    await this.send([...new Set(days)].map((day) => new Point(ROLLUP_CHANGE).tag('zone', zone).stringField('round', round).timestamp(day)));
  }

  /** Where each part of [from, to) is read: rollups once they are complete for this zone, otherwise the hours. */
  private parts(every: ConsumptionQuery['every'], zone: string, from: number, to: number): RangePart[] {
    if (every === '1h' || !this.rollupsReady || this.calendar === undefined || zone !== this.calendar.zone) return [{ level: 'raw', from, to }];
    // Day buckets need day points; month buckets can take month points.
    const parts = splitPeriods(from, to, this.calendar, every === '1mo');
    // Today and yesterday change with every refresh round: a day part ending with them is split,
    // so that the cached days before them are not read again (see partsQuery).
    const recent = this.calendar.dayOf(Date.now() - 86_400_000);
    return parts.flatMap((p) => {
      // Month parts split at local year starts: a year-to-date query (status, rules) and a
      // 13-month report series then send one identical statement for the year, read once (partsQuery).
      if (p.level === 'month') return splitAtYears(p, zone);
      if (p.level !== 'day' || p.to <= recent) return [p];
      const last = Math.max(p.from, recent);
      return last > p.from ? [{ ...p, to: last }, { ...p, from: last }] : [p];
    });
  }

  async countUsable(enterprises: readonly string[], from: number, to: number): Promise<ReadingCount[]> {
    if (enterprises.length === 0 || from >= to) return [];
    const where = `${TAG_ENTERPRISE} =~ ${regexAlternation(enterprises)}`;
    const zone = this.calendar?.zone ?? '';
    const statement = (part: RangePart): string => {
      const { measurement, aggregate } = COUNT_AT[part.level];
      const filter = part.level === 'raw' ? NOT_BAD : `zone = ${quoteString(zone)}`;
      return `SELECT ${aggregate} AS n FROM ${this.from(measurement)} WHERE ${where} AND ${filter} AND ${InfluxTimeSeriesStore.timeRange(part.from, part.to)}`
        + ` GROUP BY ${TAG_ENTERPRISE}, ${TAG_METER}`;
    };
    const counts = new Map<string, ReadingCount>();
    for (const r of (await this.partsQuery(this.parts('1mo', zone, from, to), statement)).flatMap((p) => p.rows)) {
      const key = InfluxTimeSeriesStore.rowKey(r);
      const id = JSON.stringify([key.enterprise, key.meter]);
      counts.set(id, { ...key, count: (counts.get(id)?.count ?? 0) + numberColumn(r, 'n') });
    }
    // A meter whose days hold only zero counts (readings corrected to bad) has none, as before.
    return [...counts.values()].filter((c) => c.count > 0)
      .sort((a, b) => a.enterprise.localeCompare(b.enterprise) || a.meter.localeCompare(b.meter));
  }

  /** `(enterprise = a AND meter =~ /^(m1|m2)$/) OR ...` for a set of meters. */
  private static metersFilter(meters: Iterable<MeterKey>): string {
    const byEnterprise = new Map<string, string[]>();
    for (const m of meters) byEnterprise.set(m.enterprise, [...(byEnterprise.get(m.enterprise) ?? []), m.meter]);
    return `(${[...byEnterprise].map(([e, ms]) => `(${TAG_ENTERPRISE} = ${quoteString(e)} AND ${TAG_METER} =~ ${regexAlternation(ms)})`).join(' OR ')})`;
  }

  private rollupPoint(measurement: string, zone: string, key: MeterKey, carrier: string, unit: string, time: number, quantity: number): Point {
    return new Point(measurement).tag('enterprise', key.enterprise).tag('meter', key.meter).tag('carrier', carrier).tag('unit', unit)
      .tag('zone', zone).floatField('quantity', quantity).timestamp(time);
  }

  private countPoint(measurement: string, zone: string, key: MeterKey, time: number, usableReadings: number): Point {
    // A float field: sum() of it is exact far beyond any count, and no int/float type conflict can arise.
    return new Point(measurement).tag('enterprise', key.enterprise).tag('meter', key.meter).tag('zone', zone).floatField('usable', usableReadings).timestamp(time);
  }

  settleRollups(): Promise<void> {
    return this.calendar === undefined ? Promise.resolve() : this.rounds.request();
  }

  /** Before a read of rollups: the round in flight, and one for what is still pending (its failure fails the read). */
  private async currentRollups(): Promise<void> {
    await this.rounds.idle();
    if (touchedCount(this.pendingRollups) > 0) await this.rounds.request();
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
    const calendar = this.calendar;
    const touched = this.pendingRollups;
    if (calendar === undefined || touchedCount(touched) === 0) return;
    if (Date.now() < this.retryAt) {
      throw new DependencyError(DEPENDENCY, `rollup refresh failed and is retried in ${this.retryAt - Date.now()} ms`, { context: { pending: touchedCount(touched) } });
    }
    this.pendingRollups = emptyTouched();
    try {
      await this.refreshNow(touched, calendar);
      this.roundsDone++;
      this.retryDelayMs = ROLLUP_RETRY_MIN_MS;
      this.retryAt = 0;
    } catch (err) {
      mergeTouched(this.pendingRollups, touched);
      this.logger.warn({ err: errorMessage(err), pending: touchedCount(this.pendingRollups), retryInMs: this.retryDelayMs }, 'rollup refresh failed; will retry');
      this.retryAt = Date.now() + this.retryDelayMs;
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.requestRefresh();
      }, this.retryDelayMs);
      this.retryTimer.unref();
      this.retryDelayMs = Math.min(this.retryDelayMs * 2, ROLLUP_RETRY_MAX_MS);
      throw err;
    }
  }

  /**
   * WHERE for a set of meters, and the test rows must pass: a long list is applied in Node on rows
   * grouped by meter, as in consumption(), since InfluxDB tests a tag condition on every series.
   */
  private static metersWhere(meters: Map<string, MeterKey>): { where: string; keep: (row: QueryRow) => boolean } {
    if (meters.size <= MAX_METER_TERMS) return { where: InfluxTimeSeriesStore.metersFilter(meters.values()), keep: () => true };
    const enterprises = [...new Set([...meters.values()].map((m) => m.enterprise))];
    return {
      where: `${TAG_ENTERPRISE} =~ ${regexAlternation(enterprises)}`,
      keep: (row) => meters.has(touchedMeterId(InfluxTimeSeriesStore.rowKey(row))),
    };
  }

  /** Runs statements in requests of bounded size; results in statement order. */
  private async queryAll(statements: readonly string[]): Promise<QueryRow[][]> {
    const out: QueryRow[][] = [];
    for (let i = 0; i < statements.length; i += STATEMENTS_PER_REQUEST) {
      const results = await this.query(statements.slice(i, i + STATEMENTS_PER_REQUEST).join('; '));
      statements.slice(i, i + STATEMENTS_PER_REQUEST).forEach((_, k) => out.push(results[k] ?? []));
    }
    return out;
  }

  /**
   * Recomputes the rollups of every (meter, day) in `touched` from what is stored now, then the
   * (meter, month)s of those days from their daily points: two reads and two writes per round.
   */
  private async refreshNow(touched: TouchedDays, calendar: DayCalendar): Promise<void> {
    const zone = calendar.zone;
    const range = (from: number, to: number): string => InfluxTimeSeriesStore.timeRange(from, to);
    const byMonth = (days: Map<number, Map<string, MeterKey>>): Map<number, Map<string, MeterKey>> => {
      const months = new Map<number, Map<string, MeterKey>>();
      for (const [day, meters] of days) {
        const month = calendar.monthOf(day);
        months.set(month, new Map([...(months.get(month) ?? []), ...meters]));
      }
      return months;
    };
    const TAGS = `${TAG_ENTERPRISE}, ${TAG_METER}`;
    const dayHours = [...touched.hours].map(([day, meters]) => ({ day, meters, ...InfluxTimeSeriesStore.metersWhere(meters) }));
    const dayReadings = [...touched.readings].map(([day, meters]) => ({ day, meters, ...InfluxTimeSeriesStore.metersWhere(meters) }));
    const daily = await this.queryAll([
      ...dayHours.map(({ day, where }) => `SELECT sum(quantity) AS quantity FROM ${this.from(CONSUMPTION)} WHERE ${where}`
        + ` AND ${range(day, calendar.nextDay(day))} GROUP BY ${TAGS}, carrier, unit`),
      ...dayReadings.map(({ day, where }) => `SELECT count(value) AS n FROM ${this.from(READING)} WHERE ${where}`
        + ` AND ${NOT_BAD} AND ${range(day, calendar.nextDay(day))} GROUP BY ${TAGS}`),
    ]);
    const points: Point[] = [];
    // Hours are rewritten, never deleted, so every touched meter has a sum here.
    dayHours.forEach(({ day, keep }, i) => {
      for (const r of daily[i] ?? []) {
        if (keep(r)) points.push(this.rollupPoint(CONSUMPTION_DAILY, zone, InfluxTimeSeriesStore.rowKey(r), tagOf(r, 'carrier'), tagOf(r, 'unit'), day, numberColumn(r, 'quantity')));
      }
    });
    dayReadings.forEach(({ day, meters }, i) => {
      const counted = new Map((daily[dayHours.length + i] ?? []).map((r) => [touchedMeterId(InfluxTimeSeriesStore.rowKey(r)), numberColumn(r, 'n')]));
      // A meter without usable readings left (all corrected to bad) gets an explicit 0.
      for (const [id, m] of meters) points.push(this.countPoint(READING_DAILY, zone, m, day, counted.get(id) ?? 0));
    });
    await this.send(points);

    const zoned = `zone = ${quoteString(zone)}`;
    const monthHours = [...byMonth(touched.hours)].map(([month, meters]) => ({ month, ...InfluxTimeSeriesStore.metersWhere(meters) }));
    const monthReadings = [...byMonth(touched.readings)].map(([month, meters]) => ({ month, ...InfluxTimeSeriesStore.metersWhere(meters) }));
    const monthly = await this.queryAll([
      ...monthHours.map(({ month, where }) => `SELECT sum(quantity) AS quantity FROM ${this.from(CONSUMPTION_DAILY)} WHERE ${where}`
        + ` AND ${zoned} AND ${range(month, calendar.nextMonth(month))} GROUP BY ${TAGS}, carrier, unit`),
      ...monthReadings.map(({ month, where }) => `SELECT sum(usable) AS n FROM ${this.from(READING_DAILY)} WHERE ${where}`
        + ` AND ${zoned} AND ${range(month, calendar.nextMonth(month))} GROUP BY ${TAGS}`),
    ]);
    const monthPoints: Point[] = [];
    monthHours.forEach(({ month, keep }, i) => {
      for (const r of monthly[i] ?? []) {
        if (keep(r)) monthPoints.push(this.rollupPoint(CONSUMPTION_MONTHLY, zone, InfluxTimeSeriesStore.rowKey(r), tagOf(r, 'carrier'), tagOf(r, 'unit'), month, numberColumn(r, 'quantity')));
      }
    });
    monthReadings.forEach(({ month, keep }, i) => {
      for (const r of monthly[monthHours.length + i] ?? []) {
        if (keep(r)) monthPoints.push(this.countPoint(READING_MONTHLY, zone, InfluxTimeSeriesStore.rowKey(r), month, numberColumn(r, 'n')));
      }
    });
    await this.send(monthPoints);
    await this.markChanged(zone, [...touched.hours.keys(), ...touched.readings.keys()]);
  }

  async rebuildRollups(range?: { from: number; to: number }): Promise<RollupRebuild> {
    const started = Date.now();
    const calendar = this.calendar;
    // Without a site zone no rollups are kept, so there is nothing to rebuild.
    if (calendar === undefined) return { days: 0, consumptionRows: 0, countRows: 0, ms: 0 };
    const zone = calendar.zone;
    const bounds = range ?? await this.storedSpan();
    const marker = (): Promise<void> => this.send([new Point(ROLLUP_STATE).tag('zone', zone).intField('version', ROLLUP_VERSION).timestamp(Date.now())]);
    if (bounds === undefined) {
      await marker();
      this.rollupsReady = true;
      return { days: 0, consumptionRows: 0, countRows: 0, ms: Date.now() - started };
    }
    // Whole local days; month by month, each month's points computed from its daily points.
    const from = calendar.dayOf(bounds.from);
    const to = calendar.nextDay(calendar.dayOf(bounds.to - 1));
    let days = 0;
    let consumptionRows = 0;
    let countRows = 0;
    // One rebuild at a time with the write path's refreshes, so neither overwrites the other's newer sums.
    await this.rounds.exclusive(async () => {
      for (let month = calendar.monthOf(from); month < to; month = calendar.nextMonth(month)) {
        const a = Math.max(from, month);
        const b = Math.min(to, calendar.nextMonth(month));
        for (let d = a; d < b; d = calendar.nextDay(d)) days++;
        const rows = await this.rebuildLevel(zone, a, b, [
          { measurement: CONSUMPTION_DAILY, select: `SELECT sum(quantity) AS quantity FROM ${this.from(CONSUMPTION)} WHERE`, by: 'time(1d)', counts: false },
          { measurement: READING_DAILY, select: `SELECT count(value) AS usable FROM ${this.from(READING)} WHERE ${NOT_BAD} AND`, by: 'time(1d)', counts: true },
        ]);
        consumptionRows += rows[0] ?? 0;
        countRows += rows[1] ?? 0;
        const zoned = `zone = ${quoteString(zone)} AND`;
        await this.rebuildLevel(zone, month, calendar.nextMonth(month), [
          { measurement: CONSUMPTION_MONTHLY, select: `SELECT sum(quantity) AS quantity FROM ${this.from(CONSUMPTION_DAILY)} WHERE ${zoned}`, by: 'month', counts: false },
          { measurement: READING_MONTHLY, select: `SELECT sum(usable) AS usable FROM ${this.from(READING_DAILY)} WHERE ${zoned}`, by: 'month', counts: true },
        ]);
        // Every day of the month, so that results cached by any process are read again.
        await this.markChanged(zone, daysOf(month, calendar.nextMonth(month), calendar));
      }
      if (range === undefined) {
        await marker();
        this.rollupsReady = true;
      }
    });
    return { from, to, days, consumptionRows, countRows, ms: Date.now() - started };
  }

  /**
   * Recomputes rollup measurements over [a, b) from their source (`by` time(1d) for days; `month`
   * for the single month [a, b)), first setting the points a previous build left there to 0, so a
   * period whose source is gone reads 0. Returns the rows computed per measurement.
   */
  private async rebuildLevel(
    zone: string, a: number, b: number,
    levels: readonly { measurement: string; select: string; by: 'time(1d)' | 'month'; counts: boolean }[],
  ): Promise<number[]> {
    const time = InfluxTimeSeriesStore.timeRange(a, b);
    const tags = (counts: boolean): string => `${TAG_ENTERPRISE}, ${TAG_METER}${counts ? '' : ', carrier, unit'}`;
    const results = await this.query(levels.flatMap((l) => [
      l.by === 'month'
        ? `${l.select} ${time} GROUP BY ${tags(l.counts)}`
        : `${l.select} ${time} GROUP BY time(1d), ${tags(l.counts)} fill(none) tz(${quoteString(zone)})`,
      `SELECT ${l.counts ? 'usable' : 'quantity'} FROM ${this.from(l.measurement)} WHERE zone = ${quoteString(zone)} AND ${time} GROUP BY ${tags(l.counts)}`,
    ]).join('; '));
    const points = new Map<string, Point>();
    const put = (l: (typeof levels)[number], r: QueryRow, t: number, value: number): void => {
      const key = InfluxTimeSeriesStore.rowKey(r);
      const id = l.counts ? [l.measurement, key.enterprise, key.meter, t] : [l.measurement, key.enterprise, key.meter, tagOf(r, 'carrier'), tagOf(r, 'unit'), t];
      points.set(JSON.stringify(id), l.counts
        ? this.countPoint(l.measurement, zone, key, t, value)
        : this.rollupPoint(l.measurement, zone, key, tagOf(r, 'carrier'), tagOf(r, 'unit'), t, value));
    };
    const computed = levels.map((l, i) => {
      for (const r of results[2 * i + 1] ?? []) put(l, r, numberColumn(r, 'time'), 0); // stale points first ...
      let n = 0;
      for (const r of results[2 * i] ?? []) { // ... then the fresh sums replace them
        const value = optionalNumberColumn(r, l.counts ? 'usable' : 'quantity');
        if (value === undefined) continue;
        put(l, r, l.by === 'month' ? a : numberColumn(r, 'time'), value);
        n++;
      }
      return n;
    });
    await this.send([...points.values()]);
    return computed;
  }

  /** First and last instant of stored hours and readings, or undefined for an empty database. */
  private async storedSpan(): Promise<{ from: number; to: number } | undefined> {
    const results = await this.query([
      `SELECT first(quantity) FROM ${this.from(CONSUMPTION)}`, `SELECT last(quantity) FROM ${this.from(CONSUMPTION)}`,
      `SELECT first(value) FROM ${this.from(READING)}`, `SELECT last(value) FROM ${this.from(READING)}`,
    ].join('; '));
    const times = results.flat().map((r) => numberColumn(r, 'time'));
    if (times.length === 0) return undefined;
    return { from: Math.min(...times), to: Math.max(...times) + 1 };
  }
}
