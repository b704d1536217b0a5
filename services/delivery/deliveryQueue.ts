/**
 * The retrying delivery queue of the notifiers (alert mail, webhooks, report mail): attempts run in
 * the background with backoff, and each is written to the delivery log
 * (services/store/state/deliveryLog.ts) with credentials scrubbed from targets and errors.
 */
import { errorMessage } from '../core/errors';
import type { Logger } from '../core/log';
import type { DeliveryChannel, DeliveryLog, DeliveryStatus } from '../store/state/deliveryLog';

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

  constructor(
    private readonly options: DeliveryQueueOptions,
    private readonly deps: DeliveryQueueDeps,
  ) {}

  /** Accepts jobs again after a drain (a notifier stopped and started again). */
  reopen(): void {
    this.stopping = false;
  }

  get size(): number {
    return this.ready.length + this.waiting.size + this.inFlight;
  }

  enqueue(job: DeliveryJob): void {
    if (this.stopping || this.size >= (this.options.maxQueued ?? 1000)) {
      // Not awaited: enqueue never blocks; giveUp logs its own failures and does not reject.
      void this.giveUp({ job, attempts: 0 }, this.stopping ? 'not sent: notifier stopped' : 'not sent: delivery queue full');
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
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, boundMs);
        }),
      ]);
      clearTimeout(timer);
    }
    for (const q of this.ready.splice(0)) await this.giveUp(q, 'not sent before shutdown');
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
      await this.record(q, 'sent');
      this.deps.logger.info({ ...fields, subject: job.subject }, 'notification delivered');
    } catch (err) {
      const error = this.deps.scrub(errorMessage(err));
      const retry = !this.stopping && q.attempts < this.options.maxAttempts && this.safeRetryable(err);
      if (retry) {
        const delayMs = backoffDelay(q.attempts, this.options.retryBaseMs, this.options.retryMaxMs, this.deps.random);
        // Awaited last: the job must be in `waiting` before anything else runs, or a drain() starting
        // meanwhile would miss it.
        const recorded = this.record(q, 'retrying', error);
        this.deps.logger.warn({ ...fields, error, delayMs }, 'notification failed, will retry');
        q.timer = setTimeout(() => {
          this.waiting.delete(q);
          this.ready.push(q);
          this.pump();
        }, delayMs);
        q.timer.unref();
        this.waiting.add(q);
        await recorded;
      } else {
        await this.giveUp(q, error);
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

  /** Logs and calls onGiveUp at once (enqueue's callers see it before enqueue returns); resolves once recorded. */
  private async giveUp(q: QueuedJob, error: string): Promise<void> {
    const recorded = this.record(q, 'failed', error);
    this.deps.logger.error(
      { channel: q.job.channel, target: q.job.target, alarmIds: q.job.alarmIds, attempts: q.attempts, error },
      'notification not delivered',
    );
    try {
      q.job.onGiveUp?.();
    } catch (err) {
      this.deps.logger.error({ err: errorMessage(err) }, 'notification give-up hook failed');
    }
    await recorded;
  }

  /** A broken log (disk full, closed at shutdown) must not stop the deliveries themselves: never rejects. */
  private async record(q: QueuedJob, status: DeliveryStatus, lastError?: string): Promise<void> {
    const { job } = q;
    try {
      await this.deps.deliveries.record({
        channel: job.channel,
        target: job.target,
        subject: job.subject,
        alarmIds: [...job.alarmIds],
        status,
        attempts: q.attempts,
        ...(lastError !== undefined && { lastError }),
        at: this.deps.now(),
      });
    } catch (err) {
      this.deps.logger.error({ err: errorMessage(err), status, target: job.target }, 'could not record delivery');
    }
  }
}
