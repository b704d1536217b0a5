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
 */
import { HttpError, InfluxDB, Point, setLogger } from '@influxdata/influxdb-client';
import type { Quality, Reading } from '../energy/reading';
import { bucketStart } from '../energy/time';
import { BadRequestError, DependencyError, errorMessage } from '../errors';
import type { Logger } from '../log';
import {
  numberColumn, optionalNumberColumn, parseInfluxVersion, parseQueryResponse, quoteIdent, quoteString, regexAlternation, stringColumn, tagOf, timeLiteral,
  type QueryRow,
} from './influxql';
import type {
  ConsumptionQuery, ConsumptionRow, HourlyConsumption, LatestReading, MeterKey, ReadingCount, StoreHealth, TimeSeriesStore, WriteBatch,
} from './timeSeriesStore';

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

  constructor(private readonly options: InfluxStoreOptions, deps: InfluxStoreDeps) {
    this.url = options.url.replace(/\/+$/, '');
    this.fetchFn = deps.fetch ?? fetch;
    this.logger = deps.logger.child({ component: 'influxdb' });
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
    this.logger.info({ url: this.url, version: ping.version, writePath: this.writePath.split('?')[0] }, 'InfluxDB store started');
  }

  async stop(): Promise<void> {
    // Writes already accepted finish (or fail) through their own bounded retries.
    await Promise.allSettled([...this.inflight]);
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
    const done = this.send(batch, lines);
    this.inflight.add(done);
    void done.finally(() => this.inflight.delete(done)).catch(() => undefined);
    return done;
  }

  /**
   * One WriteApi per write() call, so that its success and failure callbacks account for exactly
   * this batch: the promise resolves when every line was acknowledged (204 = durable and
   * queryable) and rejects as soon as any line is given up (retries spent, retry time over, or
   * a non-retryable 4xx such as a field type conflict). The explicit flush means the flush
   * interval only matters as the client's safety net.
   */
  private async send(batch: WriteBatch, lineCount: number): Promise<void> {
    if (this.writePath === undefined) throw new Error('InfluxTimeSeriesStore.write() before start()');
    const points = [
      ...batch.readings.map((r) => new Point(READING).tag('enterprise', checkTag('enterprise', r.enterprise)).tag('meter', checkTag('meter', r.meter))
        .floatField('value', r.value).stringField('quality', r.quality).timestamp(r.ts)),
      ...batch.hourly.map((h) => new Point(CONSUMPTION).tag('enterprise', checkTag('enterprise', h.enterprise)).tag('meter', checkTag('meter', h.meter))
        .tag('carrier', checkTag('carrier', h.carrier)).tag('unit', checkTag('unit', h.unit)).floatField('quantity', h.quantity).timestamp(h.hour)),
    ];
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
      api.writePoints(points);
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

  async latest(enterprises: readonly string[]): Promise<LatestReading[]> {
    if (enterprises.length === 0) return [];
    const where = `${TAG_ENTERPRISE} =~ ${regexAlternation(enterprises)}`;
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
    }).sort((a, b) => a.enterprise.localeCompare(b.enterprise) || a.meter.localeCompare(b.meter));
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
    let meterFilter = meters === undefined ? '' : ` AND (${meters.map((m) => `(${this.keyFilter(m)})`).join(' OR ')})`;
    // InfluxQL has no NOT: "not (e = a AND m = b)" is written "(e != a OR m != b)".
    for (const m of excludeMeters) meterFilter += ` AND (${TAG_ENTERPRISE} != ${quoteString(m.enterprise)} OR ${TAG_METER} != ${quoteString(m.meter)})`;
    // Hours are UTC hours (bucketStart '1h'), so no tz() there: in a half-hour zone tz() would shift them.
    const group = every === '1h' ? 'time(1h)' : 'time(1d)';
    const tz = every === '1h' ? '' : ` tz(${quoteString(zone)})`;
    const [rows = []] = await this.query(
      `SELECT sum(quantity) AS quantity FROM ${this.from(CONSUMPTION)} WHERE ${TAG_ENTERPRISE} =~ ${regexAlternation(enterprises)}${meterFilter}`
      + ` AND ${InfluxTimeSeriesStore.timeRange(from, to)} GROUP BY ${group}, ${TAG_ENTERPRISE}, carrier, unit fill(none)${tz}`);
    // Months differ in length, which GROUP BY time() cannot express: fold local days into months.
    const sums = new Map<string, ConsumptionRow>();
    for (const row of rows) {
      const quantity = optionalNumberColumn(row, 'quantity');
      if (quantity === undefined) continue; // an empty bucket
      const day = numberColumn(row, 'time');
      const time = every === '1mo' ? bucketStart(day, '1mo', zone) : day;
      const out = { enterprise: tagOf(row, 'enterprise'), carrier: tagOf(row, 'carrier'), unit: tagOf(row, 'unit'), time };
      const id = JSON.stringify([out.enterprise, out.carrier, out.unit, time]);
      sums.set(id, { ...out, quantity: (sums.get(id)?.quantity ?? 0) + quantity });
    }
    return [...sums.values()].sort((a, b) =>
      a.enterprise.localeCompare(b.enterprise) || a.carrier.localeCompare(b.carrier) || a.unit.localeCompare(b.unit) || a.time - b.time);
  }

  async countUsable(enterprises: readonly string[], from: number, to: number): Promise<ReadingCount[]> {
    if (enterprises.length === 0 || from >= to) return [];
    const [rows = []] = await this.query(
      `SELECT count(value) FROM ${this.from(READING)} WHERE ${TAG_ENTERPRISE} =~ ${regexAlternation(enterprises)} AND ${NOT_BAD}`
      + ` AND ${InfluxTimeSeriesStore.timeRange(from, to)} GROUP BY ${TAG_ENTERPRISE}, ${TAG_METER}`);
    return rows.map((r) => ({ ...InfluxTimeSeriesStore.rowKey(r), count: numberColumn(r, 'count') }))
      .sort((a, b) => a.enterprise.localeCompare(b.enterprise) || a.meter.localeCompare(b.meter));
  }
}
