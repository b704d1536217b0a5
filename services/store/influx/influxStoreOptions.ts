/**
 * The InfluxDB store's options and, in one object, their defaults (as influxdb-client-js keeps
 * its DEFAULT_WriteOptions): every tunable of the adapter is here with its unit in its name,
 * instead of constants scattered over the files that use them. Only the ones the store has
 * always accepted are settable through InfluxStoreOptions; the rest are fixed at their defaults.
 */
import type { Logger } from '../../core/log';

export interface InfluxStoreDefaults {
  /** Lines per write request (the WriteApi's batchSize). */
  readonly batchMaxLines: number;
  /** The WriteApi's flush interval: only its safety net, since every send flushes explicitly. */
  readonly flushIntervalMs: number;
  readonly maxRetries: number;
  /** First retry delay and cap of the exponential backoff (client defaults are 5 s and 125 s). */
  readonly minRetryDelayMs: number;
  readonly maxRetryDelayMs: number;
  readonly retryJitterMs: number;
  /** Timeout of a query (default 120 s); writes use at most writeTimeoutMaxMs and a ping at most pingTimeoutMaxMs. */
  readonly requestTimeoutMs: number;
  /** Writes are small batches: a stuck one should fail fast and be retried, unlike a long report query. */
  readonly writeTimeoutMaxMs: number;
  readonly pingTimeoutMaxMs: number;
  /** The WriteApi's buffer holds at least this many lines (and always a whole batch: none is dropped to make room). */
  readonly writeBufferMinLines: number;
  /** Statements per /query request when refreshing rollups (keeps a replay's request bounded). */
  readonly statementsPerRequest: number;
  /** latest(): a full scan of every meter's history at most this often per enterprise ... */
  readonly latestFullScanMs: number;
  /** ... and in between a poll of the readings since the previous poll, less this (clock skew, slow writers). */
  readonly latestPollSlackMs: number;
  /**
   * ... up to this far ahead of the clock: ingest refuses readings more than 5 minutes in the future
   * (contract 2), so a poll need not read what was written ahead of that (only the full scan does).
   */
  readonly latestPollAheadMs: number;
  /** A failed rollup refresh is tried again after this, doubling up to the max, until one succeeds. */
  readonly rollupRetryMinMs: number;
  readonly rollupRetryMaxMs: number;
  /** consumption(): per-part sums kept by filter, marks and statement (see influxConsumption.ts). */
  readonly sumsCacheEntries: number;
  /** Roll up data written before the rollups existed in start() (default true); see rebuildRollups. */
  readonly rollupOnStart: boolean;
  /**
   * This process is the only one writing readings to the database (one all-in-one instance, not
   * scaled out): latest() then needs no polls between its hourly full scans, since every write
   * passes through here. Default false (poll).
   */
  readonly soleWriter: boolean;
}

export const DEFAULT_INFLUX_STORE_OPTIONS: InfluxStoreDefaults = {
  batchMaxLines: 5000,
  flushIntervalMs: 1000,
  maxRetries: 3,
  minRetryDelayMs: 1000,
  maxRetryDelayMs: 30_000,
  retryJitterMs: 200,
  // Report queries over a district-year scan tens of millions of points: give them time.
  requestTimeoutMs: 120_000,
  writeTimeoutMaxMs: 10_000,
  pingTimeoutMaxMs: 5000,
  writeBufferMinLines: 32_000,
  statementsPerRequest: 100,
  latestFullScanMs: 3_600_000,
  latestPollSlackMs: 2 * 60_000,
  latestPollAheadMs: 6 * 60_000,
  rollupRetryMinMs: 1000,
  rollupRetryMaxMs: 30_000,
  sumsCacheEntries: 128,
  rollupOnStart: true,
  soleWriter: false,
};

type Settable =
  'batchMaxLines' | 'flushIntervalMs' | 'maxRetries' | 'minRetryDelayMs' | 'maxRetryDelayMs' | 'requestTimeoutMs' | 'rollupOnStart' | 'soleWriter';

export interface InfluxStoreOptions extends Partial<Pick<InfluxStoreDefaults, Settable>> {
  readonly url: string;
  readonly token?: string;
  readonly database: string;
  readonly org?: string;
  readonly retentionPolicy?: string;
  /**
   * Site time zone of the daily rollups. Without it no rollups are kept and day and month figures
   * are summed from the hourly values at every query (what a report over a large district cannot
   * afford).
   */
  readonly zone?: string;
}

export interface InfluxStoreDeps {
  readonly logger: Logger;
  readonly fetch?: typeof fetch;
  /** The app's clock (default Date.now): refresh backoff, latest() windows, recent days, rebuild marks. */
  readonly now?: () => number;
}

/** The options with every default filled in: what the adapter's parts are configured with. */
export interface InfluxStoreSettings extends InfluxStoreDefaults, Omit<InfluxStoreOptions, Settable> {}

export function resolveInfluxStoreOptions(options: InfluxStoreOptions): InfluxStoreSettings {
  const d = DEFAULT_INFLUX_STORE_OPTIONS;
  return {
    ...d,
    ...options,
    url: options.url.replace(/\/+$/, ''),
    // An option passed as undefined takes its default (a plain spread would keep the undefined).
    batchMaxLines: options.batchMaxLines ?? d.batchMaxLines,
    flushIntervalMs: options.flushIntervalMs ?? d.flushIntervalMs,
    maxRetries: options.maxRetries ?? d.maxRetries,
    minRetryDelayMs: options.minRetryDelayMs ?? d.minRetryDelayMs,
    maxRetryDelayMs: options.maxRetryDelayMs ?? d.maxRetryDelayMs,
    requestTimeoutMs: options.requestTimeoutMs ?? d.requestTimeoutMs,
    rollupOnStart: options.rollupOnStart ?? d.rollupOnStart,
    soleWriter: options.soleWriter ?? d.soleWriter,
  };
}
