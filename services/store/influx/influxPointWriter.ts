/**
 * The write path: line protocol from the official client's `Point`, sent by its WriteApi, which
 * batches (batchMaxLines) and retries with exponential backoff and jitter. Used for the raw
 * writes and for the rollups, change marks and markers the store writes itself.
 */
import { HttpError, InfluxDB, type Point } from '@influxdata/influxdb-client';
import { DependencyError, errorMessage } from '../../core/errors';
import type { Logger } from '../../core/log';
import { DEPENDENCY } from './influxSchema';
import type { InfluxStoreSettings } from './influxStoreOptions';

export type InfluxWriteSettings = Pick<
  InfluxStoreSettings,
  | 'url'
  | 'token'
  | 'database'
  | 'org'
  | 'retentionPolicy'
  | 'requestTimeoutMs'
  | 'writeTimeoutMaxMs'
  | 'batchMaxLines'
  | 'flushIntervalMs'
  | 'maxRetries'
  | 'minRetryDelayMs'
  | 'maxRetryDelayMs'
  | 'retryJitterMs'
  | 'writeBufferMinLines'
>;

export class InfluxPointWriter {
  /** Set by open(): where the WriteApi posts its lines. */
  private writePath: string | undefined;

  private readonly client: InfluxDB;

  constructor(
    private readonly settings: InfluxWriteSettings,
    private readonly logger: Logger,
  ) {
    // Writes are small batches: a stuck one should fail fast and be retried, unlike a long report query.
    this.client = new InfluxDB({
      url: settings.url,
      token: settings.token,
      timeout: Math.min(settings.requestTimeoutMs, settings.writeTimeoutMaxMs),
    });
  }

  /** The write endpoint in use (without its query), once open() chose it. */
  get path(): string | undefined {
    return this.writePath?.split('?')[0];
  }

  /** Chooses the write endpoint for the server's version (undefined when /ping named none). */
  open(version: { major: number; minor: number } | undefined): void {
    const { database, retentionPolicy } = this.settings;
    // InfluxDB < 1.8 has no /api/v2/write. Rather than a custom transport, the WriteApi's `path`
    // (public and documented as changeable) is pointed at the 1.x /write endpoint: the client
    // still does the batching, retry and backoff, and 1.x answers /write with 204 like 2.x.
    // An unknown version (e.g. VictoriaMetrics sends no version on /ping) gets the 2.x path.
    if (version !== undefined && version.major === 1 && version.minor < 8) {
      const params = new URLSearchParams({ db: database, precision: 'ms' });
      if (retentionPolicy !== undefined) params.set('rp', retentionPolicy);
      this.writePath = `/write?${params.toString()}`;
    } else {
      const bucket = retentionPolicy === undefined ? database : `${database}/${retentionPolicy}`;
      this.writePath = this.client.getWriteApi(this.settings.org ?? '', bucket, 'ms').path;
    }
  }

  /**
   * One WriteApi per send() (a write(), a rollup refresh), so that its success and failure
   * callbacks account for exactly these points: the promise resolves when every line was acknowledged (204 = durable and
   * queryable) and rejects as soon as any line is given up (retries spent, retry time over, or
   * a non-retryable 4xx such as a field type conflict). The explicit flush means the flush
   * interval only matters as the client's safety net.
   */
  async send(points: readonly Point[]): Promise<void> {
    if (this.writePath === undefined) throw new Error('InfluxTimeSeriesStore.write() before start()');
    const lineCount = points.length;
    if (lineCount === 0) return;
    const s = this.settings;
    const maxRetries = s.maxRetries;
    const log = this.logger;
    await new Promise<void>((resolve, reject) => {
      let pending = lineCount;
      let settled = false;
      const finish = (err?: Error): void => {
        if (settled) return;
        settled = true;
        api.dispose(); // cancels the retries of other chunks of a failed batch
        if (err) reject(err);
        else resolve();
      };
      const api = this.client.getWriteApi('', '', 'ms', {
        batchSize: s.batchMaxLines,
        flushInterval: s.flushIntervalMs,
        maxRetries,
        minRetryDelay: s.minRetryDelayMs,
        maxRetryDelay: s.maxRetryDelayMs,
        exponentialBase: 2,
        retryJitter: s.retryJitterMs,
        maxBufferLines: Math.max(lineCount, s.writeBufferMinLines), // never drop lines of this batch to make room
        writeSuccess: (sent) => {
          pending -= sent.length;
          if (pending <= 0) finish();
        },
        writeFailed: (error, sent, attempt, expires) => {
          // Mirrors the client's own decision: it retries errors without status and >= 429.
          // `expires` is the client's deadline, taken from its own Date.now(): it is compared with
          // that clock, not the app's injected one (a test's frozen clock would never reach it and
          // leave this send waiting for an outcome that never comes).
          const retryable = !(error instanceof HttpError) || error.statusCode >= 429;
          const final = !retryable || attempt > maxRetries || expires <= Date.now();
          log.warn({ err: errorMessage(error), lines: sent.length, attempt, final }, 'InfluxDB write failed');
          if (final) {
            finish(
              new DependencyError(DEPENDENCY, `write of ${sent.length} lines failed after ${attempt} attempt(s): ${errorMessage(error)}`, {
                retryable,
                cause: error,
                context: { attempts: attempt, lines: sent.length },
              }),
            );
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
}
