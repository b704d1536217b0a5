/**
 * The ingest pipeline: raw MQTT messages in, readings stored and rejected ones quarantined.
 * Messages queue in memory and are processed in batches, one batch at a time, so per-meter state
 * stays consistent. `accept` is the seam where the on-disk journal of the reliability issue goes:
 * a message is acknowledged to the broker once `accept` returns.
 */
import type { DataQualityEvent } from '../services/energy/dataQuality';
import type { Reading } from '../services/energy/reading';
import { errorMessage } from '../services/errors';
import type { EventBus } from '../services/events';
import type { Logger } from '../services/log';
import type { QuarantineRecord, StateStore } from '../services/store/stateStore';
import type { ConsumptionTracker, TrackResult } from './consumptionTracker';
import type { PayloadDecoder, RawMessage } from './decode';

export interface IngestOptions {
  readonly maxFutureMs: number;
  readonly maxPayloadBytes: number;
  /** Readings per store batch. */
  readonly batchMaxReadings: number;
  /** How long a message may wait for its batch. */
  readonly flushIntervalMs: number;
  /** First wait after a failed store write; doubles up to retryMaxMs. */
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
}

export interface IngestStats {
  messages: number;
  readings: number;
  stored: number;
  duplicates: number;
  corrections: number;
  late: number;
  quarantined: number;
  storeFailures: number;
}

export interface ReplayOutcome {
  readonly replayed: number[];
  readonly stillRejected: { id: number; reason: string; detail: string }[];
}

export class IngestPipeline {
  readonly stats: IngestStats = { messages: 0, readings: 0, stored: 0, duplicates: 0, corrections: 0, late: 0, quarantined: 0, storeFailures: 0 };
  private queue: RawMessage[] = [];
  /** Decoded readings whose store write failed, tried again first. */
  private retry: Reading[] = [];
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  private retryDelay: number;

  constructor(
    private readonly options: IngestOptions,
    private readonly deps: {
      decoder: PayloadDecoder; tracker: ConsumptionTracker; state: StateStore; bus: EventBus; logger: Logger; now?: () => number;
    },
  ) {
    this.retryDelay = options.retryMinMs ?? 500;
  }

  /** Takes a message; it will be stored or quarantined. */
  accept(msg: RawMessage): void {
    this.stats.messages++;
    this.queue.push(msg);
    if (this.queue.length >= this.options.batchMaxReadings) this.schedule(0);
    else this.schedule(this.options.flushIntervalMs);
  }

  /** Processes everything accepted so far; resolves when it is stored or quarantined. */
  flush(): Promise<void> {
    return this.enqueue(() => this.processQueue());
  }

  /** Feeds quarantined messages through decoding again (after a configuration fix). */
  replay(records: readonly QuarantineRecord[]): Promise<ReplayOutcome> {
    return this.enqueue(async () => {
      const outcome: ReplayOutcome = { replayed: [], stillRejected: [] };
      const now = this.now();
      const readings: Reading[] = [];
      for (const rec of records) {
        const decoded = this.deps.decoder.decode({ topic: rec.topic, payload: rec.payload, receivedAt: now }, { ...this.options, now });
        const again = decoded.rejected[0];
        if (again) {
          this.deps.state.settleReplay(rec.id, { accepted: false, reason: again.reason, detail: again.detail });
          outcome.stillRejected.push({ id: rec.id, reason: again.reason, detail: again.detail });
        } else {
          readings.push(...decoded.readings);
          outcome.replayed.push(rec.id);
        }
      }
      await this.store(readings);
      for (const id of outcome.replayed) this.deps.state.settleReplay(id, { accepted: true, at: now });
      return outcome;
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.chain;
  }

  get pending(): number {
    return this.queue.length + this.retry.length;
  }

  private now(): number {
    return this.deps.now ? this.deps.now() : Date.now();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer && delayMs > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delayMs);
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const result = this.chain.then(work);
    this.chain = result.then(() => undefined, () => undefined);
    return result;
  }

  private async processQueue(): Promise<void> {
    while (this.queue.length > 0 || this.retry.length > 0) {
      const batch = this.queue.splice(0, this.options.batchMaxReadings);
      const now = this.now();
      const readings: Reading[] = this.retry.splice(0);
      const rejected = [];
      for (const msg of batch) {
        const decoded = this.deps.decoder.decode(msg, { ...this.options, now });
        readings.push(...decoded.readings);
        rejected.push(...decoded.rejected);
      }
      if (rejected.length > 0) {
        this.deps.state.quarantine(rejected);
        this.stats.quarantined += rejected.length;
        this.deps.bus.emit('quarantined', { items: rejected });
        this.deps.logger.warn({ count: rejected.length, reasons: [...new Set(rejected.map((r) => r.reason))] }, 'messages quarantined');
      }
      try {
        await this.store(readings);
        this.retryDelay = this.options.retryMinMs ?? 500;
      } catch (err) {
        // Keep the readings and try again later; rejected messages are already quarantined. The
        // tracker's memory may be ahead of the store now, so it reloads from the store.
        this.retry = readings;
        this.deps.tracker.reset();
        this.stats.storeFailures++;
        this.deps.bus.emit('storeFailed', { error: err instanceof Error ? err : new Error(String(err)), pending: this.queue.length + readings.length });
        this.deps.logger.error({ err: errorMessage(err), pending: this.queue.length, retrying: readings.length, retryInMs: this.retryDelay }, 'store write failed; will retry');
        this.schedule(this.retryDelay);
        this.retryDelay = Math.min(this.retryDelay * 2, this.options.retryMaxMs ?? 30_000);
        return;
      }
    }
  }

  private async store(readings: readonly Reading[]): Promise<TrackResult | undefined> {
    if (readings.length === 0) return undefined;
    const events: DataQualityEvent[] = [];
    const tracker = this.deps.tracker;
    const result = await tracker.track(readings, (e) => events.push(e));
    this.stats.readings += readings.length;
    this.stats.stored += result.stored;
    this.stats.duplicates += result.duplicates;
    this.stats.corrections += result.corrections;
    this.stats.late += result.late;
    if (events.length > 0) {
      this.deps.state.recordDataQuality(events, this.now());
      this.deps.bus.emit('dataQuality', { events });
    }
    this.deps.bus.emit('readingsStored', { readings });
    return result;
  }
}
