/**
 * Delivery log and retrying delivery queue of the notifiers (contract 7 alert email, webhooks).
 * Every attempt is recorded, so that an officer can see why a mail did not arrive; targets and
 * errors are redacted first because SMTP URLs and robot webhook URLs carry credentials.
 */
import { SqliteBacked } from '../sqlite/sqliteFile';
import { errorMessage } from '../../core/errors';
import type { Logger } from '../../core/log';

export type DeliveryChannel = 'email' | 'webhook';
export type DeliveryStatus = 'sent' | 'failed' | 'retrying';

export interface DeliveryRecord {
  readonly id?: number;
  readonly channel: DeliveryChannel;
  /** Email address, or a URL with its credentials redacted (services/core/security.ts `redactUrl`). */
  readonly target: string;
  readonly subject: string;
  readonly alarmIds: number[];
  readonly status: DeliveryStatus;
  /** Attempts made so far for this message, including this one. */
  readonly attempts: number;
  readonly lastError?: string;
  /** Epoch ms of the attempt. */
  readonly at: number;
}

export interface DeliveryFilter {
  readonly status?: DeliveryStatus;
  /** Default 100; newest first. */
  readonly limit?: number;
}

export interface DeliveryLog {
  record(d: DeliveryRecord): void;
  list(filter?: DeliveryFilter): DeliveryRecord[];
}

interface DeliveryRow {
  id: number; channel: string; target: string; subject: string; alarm_ids: string; status: string; attempts: number; last_error: string | null; at: number;
}

/** Append-only; one row per attempt. Shares the state.db file with the other state tables. */
export class SqliteDeliveryLog extends SqliteBacked implements DeliveryLog {
  constructor(options: { path: string }) {
    super(options.path, `
      CREATE TABLE IF NOT EXISTS delivery (
        id INTEGER PRIMARY KEY AUTOINCREMENT, channel TEXT NOT NULL, target TEXT NOT NULL, subject TEXT NOT NULL,
        alarm_ids TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL, last_error TEXT, at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS delivery_by_status ON delivery (status, id);
    `);
  }

  record(d: DeliveryRecord): void {
    this.statement('INSERT INTO delivery (channel, target, subject, alarm_ids, status, attempts, last_error, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(d.channel, d.target, d.subject, JSON.stringify(d.alarmIds), d.status, d.attempts, d.lastError ?? null, d.at);
  }

  list(filter: DeliveryFilter = {}): DeliveryRecord[] {
    const where = filter.status ? 'WHERE status = ?' : '';
    const params: (string | number)[] = filter.status ? [filter.status] : [];
    const rows = this.statement(`SELECT * FROM delivery ${where} ORDER BY id DESC LIMIT ?`).all(...params, filter.limit ?? 100) as DeliveryRow[];
    return rows.map((r) => ({
      id: r.id, channel: r.channel === 'webhook' ? 'webhook' : 'email', target: r.target, subject: r.subject,
      alarmIds: JSON.parse(r.alarm_ids) as number[], status: r.status as DeliveryStatus, attempts: r.attempts,
      ...(r.last_error !== null && { lastError: r.last_error }), at: r.at,
    }));
  }

}

/** For tests and for a service run without a state directory. */
export class MemoryDeliveryLog implements DeliveryLog {
  private readonly rows: DeliveryRecord[] = [];

  record(d: DeliveryRecord): void {
    this.rows.push({ ...d, id: this.rows.length + 1, alarmIds: [...d.alarmIds] });
  }

  list(filter: DeliveryFilter = {}): DeliveryRecord[] {
    return this.rows.filter((r) => !filter.status || r.status === filter.status).reverse().slice(0, filter.limit ?? 100);
  }
}

/** The secrets inside a URL: the password, and every query value (WeCom `key`, DingTalk `access_token`). */
function urlSecrets(url: string): string[] {
  try {
    const u = new URL(url);
    const secrets = [u.password, decodeURIComponent(u.password)];
    for (const [, v] of u.searchParams) secrets.push(v, encodeURIComponent(v));
    return secrets.filter((s) => s.length >= 3);
  } catch {
    return [];
  }
}

/** Removes the secrets of `url` from an error message before it is logged or stored. */
export function scrubSecrets(message: string, url: string): string {
  let out = message;
  for (const s of urlSecrets(url)) out = out.split(s).join('***');
  return out;
}

/** Exponential backoff with jitter: half the capped delay fixed, half random, so retries of many targets spread out. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const capped = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(capped / 2 + random() * (capped / 2));
}

export interface DeliveryJob {
  readonly channel: DeliveryChannel;
  readonly target: string;
  readonly subject: string;
  readonly alarmIds: number[];
  /** One attempt; rejects on failure. */
  readonly send: () => Promise<void>;
  /** Called once when the job is given up (final failure, shutdown), e.g. to allow a later re-send. */
  readonly onGiveUp?: () => void;
}

export interface DeliveryQueueOptions {
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** Attempts in flight at once. */
  readonly concurrency?: number;
  /** Jobs held (waiting or in flight) before new ones are refused, so an outage cannot grow memory without bound. */
  readonly maxQueued?: number;
}

export interface DeliveryQueueDeps {
  readonly logger: Logger;
  readonly deliveries: DeliveryLog;
  readonly now: () => number;
  readonly random: () => number;
  /** Whether another attempt may succeed (a 4xx SMTP reply or a timeout may; a 550 will not). */
  readonly isRetryable: (err: unknown) => boolean;
  /** Redacts an error message (credentials of the SMTP or webhook URL). */
  readonly scrub: (message: string) => string;
}

interface QueuedJob {
  readonly job: DeliveryJob;
  attempts: number;
  timer?: NodeJS.Timeout;
}

/**
 * Runs delivery attempts in the background: enqueue() never blocks nor throws, failures are retried
 * with backoff up to maxAttempts, and every attempt is written to the delivery log.
 */
export class DeliveryQueue {
  private readonly ready: QueuedJob[] = [];
  private readonly waiting = new Set<QueuedJob>();
  private inFlight = 0;
  private stopping = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: DeliveryQueueOptions, private readonly deps: DeliveryQueueDeps) {}

  /** Accepts jobs again after a drain (a notifier stopped and started again). */
  reopen(): void {
    this.stopping = false;
  }

  get size(): number {
    return this.ready.length + this.waiting.size + this.inFlight;
  }

  enqueue(job: DeliveryJob): void {
    if (this.stopping || this.size >= (this.options.maxQueued ?? 1000)) {
      this.giveUp({ job, attempts: 0 }, this.stopping ? 'not sent: notifier stopped' : 'not sent: delivery queue full');
      return;
    }
    this.ready.push({ job, attempts: 0 });
    this.pump();
  }

  /**
   * Shutdown: jobs waiting for a retry get one last attempt now, then this waits for the attempts in
   * flight up to `boundMs`; whatever is still queued after that is recorded as failed.
   */
  async drain(boundMs: number): Promise<void> {
    this.stopping = true;
    for (const q of this.waiting) {
      clearTimeout(q.timer);
      this.ready.push(q);
    }
    this.waiting.clear();
    this.pump();
    if (this.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
        new Promise<void>((resolve) => { timer = setTimeout(resolve, boundMs); }),
      ]);
      clearTimeout(timer);
    }
    for (const q of this.ready.splice(0)) this.giveUp(q, 'not sent before shutdown');
  }

  private pump(): void {
    const concurrency = this.options.concurrency ?? 4;
    while (this.inFlight < concurrency && this.ready.length > 0) void this.attempt(this.ready.shift()!);
    if (this.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private async attempt(q: QueuedJob): Promise<void> {
    this.inFlight += 1;
    q.attempts += 1;
    const { job } = q;
    const fields = { channel: job.channel, target: job.target, alarmIds: job.alarmIds, attempts: q.attempts };
    try {
      await job.send();
      this.record(q, 'sent');
      this.deps.logger.info({ ...fields, subject: job.subject }, 'notification delivered');
    } catch (err) {
      const error = this.deps.scrub(errorMessage(err));
      const retry = !this.stopping && q.attempts < this.options.maxAttempts && this.safeRetryable(err);
      if (retry) {
        const delayMs = backoffDelay(q.attempts, this.options.retryBaseMs, this.options.retryMaxMs, this.deps.random);
        this.record(q, 'retrying', error);
        this.deps.logger.warn({ ...fields, error, delayMs }, 'notification failed, will retry');
        q.timer = setTimeout(() => {
          this.waiting.delete(q);
          this.ready.push(q);
          this.pump();
        }, delayMs);
        q.timer.unref();
        this.waiting.add(q);
      } else {
        this.giveUp(q, error);
      }
    } finally {
      this.inFlight -= 1;
      this.pump();
    }
  }

  private safeRetryable(err: unknown): boolean {
    try {
      return this.deps.isRetryable(err);
    } catch {
      return true;
    }
  }

  private giveUp(q: QueuedJob, error: string): void {
    this.record(q, 'failed', error);
    this.deps.logger.error({ channel: q.job.channel, target: q.job.target, alarmIds: q.job.alarmIds, attempts: q.attempts, error }, 'notification not delivered');
    try {
      q.job.onGiveUp?.();
    } catch (err) {
      this.deps.logger.error({ err: errorMessage(err) }, 'notification give-up hook failed');
    }
  }

  /** A broken log (disk full, closed at shutdown) must not stop the deliveries themselves. */
  private record(q: QueuedJob, status: DeliveryStatus, lastError?: string): void {
    const { job } = q;
    try {
      this.deps.deliveries.record({
        channel: job.channel, target: job.target, subject: job.subject, alarmIds: [...job.alarmIds], status, attempts: q.attempts,
        ...(lastError !== undefined && { lastError }), at: this.deps.now(),
      });
    } catch (err) {
      this.deps.logger.error({ err: errorMessage(err), status, target: job.target }, 'could not record delivery');
    }
  }
}
