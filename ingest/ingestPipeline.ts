/**
 * The ingest pipeline: raw MQTT messages in, readings stored and rejected ones quarantined.
 * `accept` appends the message to the on-disk journal and returns; the MQTT source acknowledges it
 * then. Batches are read back from the journal and processed one at a time, so per-meter state
 * stays consistent and memory stays bounded however far the store falls behind. A batch is
 * committed in the journal only once stored and the store's rollups of its days refreshed; after
 * a crash or a failed write it is read again and its hours recomputed from the store. The refresh
 * is not waited for before the next batch: it runs in rounds that serve many batches, and the
 * commits follow it in order.
 */
import type { DataQualityEvent } from '../services/energy/dataQuality';
import type { Reading } from '../services/energy/reading';
import { errorMessage } from '../services/core/errors';
import type { EventBus } from '../services/events/eventBus';
import type { Logger } from '../services/core/log';
import type { QuarantineInput, QuarantineReason, QuarantineRecord, StateStore } from '../services/store/state/stateStore';
import type { ConsumptionTracker, TrackResult } from './consumptionTracker';
import { parseTopic, type PayloadDecoder, type RawMessage } from './decode';
import { payloadSample } from './payloadSample';
import type { Journal } from './journal';
import type { ShardFilter } from './shard';

export interface IngestOptions {
  readonly maxFutureMs: number;
  readonly maxPayloadBytes: number;
  /** Quarantine rows one message may make (ingest/decode.ts). */
  readonly maxQuarantinePerMessage?: number;
  /** Readings per store batch. */
  readonly batchMaxReadings: number;
  /** How long a message may wait for its batch. */
  readonly flushIntervalMs: number;
  /** First wait after a failed store write; doubles up to retryMaxMs. */
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
}

/** The enterprise and meter a topic names, for filing a message that is not decoded. */
function topicScope(topic: string): { enterprise?: string; meter?: string } {
  const t = parseTopic(topic);
  return t ? { enterprise: t.enterprise, ...(t.meter !== undefined && { meter: t.meter }) } : {};
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
  /** The last store write failed: the next batch is a re-read and is recomputed. */
  private retrying = false;
  private queuedRun: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The pending timer was set with no delay. */
  private timerImmediate = false;
  private chain: Promise<void> = Promise.resolve();
  /**
   * Accepted messages not yet read for processing (journal.depth also counts those read and
   * waiting for their commit): what decides whether a batch is due at once.
   */
  private unread = 0;
  /** Journal commits waiting for the rollups of their batches, in order. */
  private commits: Promise<void> = Promise.resolve();
  private commitRetry: NodeJS.Timeout | undefined;
  /** The end of the last batch stored: what a retried commit covers. */
  private lastStoredEnd: Parameters<Journal['commit']>[0] | undefined;
  private stopped = false;
  private retryDelay: number;

  constructor(
    private readonly options: IngestOptions,
    private readonly deps: {
      decoder: PayloadDecoder;
      tracker: ConsumptionTracker;
      state: StateStore;
      journal: Journal;
      bus: EventBus;
      logger: Logger;
      now?: () => number;
      /** With `--shard i/N`: keeps this shard's part of each message, before the journal (ingest/shard.ts). */
      shard?: ShardFilter;
    },
  ) {
    this.retryDelay = options.retryMinMs ?? 500;
  }

  /** Opens the journal and processes whatever an earlier run left in it. */
  async start(): Promise<void> {
    this.deps.journal.open();
    this.unread = this.deps.journal.depth;
    if (this.deps.journal.depth > 0) {
      this.deps.logger.info({ pending: this.deps.journal.depth }, 'replaying the journal');
      this.schedule(0);
    }
  }

  /**
   * Takes a message; when this returns it is on disk and will be stored or quarantined, or it
   * belongs to other shards and is dropped (acknowledged all the same: they receive it too).
   * An oversized message returns a promise instead, settled once its quarantine row is written:
   * acknowledge it only then. Every other message stays synchronous (the per-message hot path).
   */
  accept(received: RawMessage): Promise<void> | undefined {
    const msg = this.deps.shard ? this.deps.shard.route(received) : received;
    if (msg === undefined) return undefined;
    const size = typeof msg.payload === 'string' ? Buffer.byteLength(msg.payload) : msg.payload.length;
    if (size > this.options.maxPayloadBytes) return this.quarantineOversized(msg, size);
    this.deps.journal.append(msg);
    this.stats.messages++;
    this.unread++;
    // While the store fails, the retry timer alone decides when to try again (backoff).
    if (this.retrying) return undefined;
    if (this.unread >= this.options.batchMaxReadings) this.schedule(0);
    else this.schedule(this.options.flushIntervalMs);
    return undefined;
  }

  /**
   * Processes everything accepted so far; resolves when it is stored or quarantined (or the store
   * failed and a retry is scheduled). Calls while a run waits to start share that run, so however
   * often messages ask for processing, at most one run is queued.
   */
  flush(): Promise<void> {
    if (this.queuedRun) return this.queuedRun;
    const run = this.enqueue(async () => {
      this.queuedRun = undefined;
      await this.processQueue();
    });
    this.queuedRun = run;
    return run;
  }

  /** Feeds quarantined messages through decoding again (after a configuration fix). */
  replay(records: readonly QuarantineRecord[]): Promise<ReplayOutcome> {
    return this.enqueue(async () => {
      const outcome: ReplayOutcome = { replayed: [], stillRejected: [] };
      const now = this.now();
      const readings: Reading[] = [];
      /** Records of which some elements decode now: what stays, written once those are stored. */
      const remainders: { id: number; reason: QuarantineReason; detail: string; payload: string }[] = [];
      for (const rec of records) {
        if (rec.reason === 'not-authorized') {
          // Replaying would store one enterprise's gateway's data under another enterprise.
          const detail = 'not replayed: the gateway was not allowed to publish for this enterprise; it must publish under its own';
          await this.deps.state.settleReplay(rec.id, { accepted: false, reason: 'not-authorized', detail });
          outcome.stillRejected.push({ id: rec.id, reason: 'not-authorized', detail });
          continue;
        }
        // Every element on its own here (no summary row), so that a record holding many can be cut down.
        const decoded = this.decodeSafely({ topic: rec.topic, payload: rec.payload, receivedAt: now }, now, Number.POSITIVE_INFINITY);
        const again = decoded.rejected[0];
        if (again && decoded.readings.length > 0) {
          // Part of an array decodes now (e.g. a summary row after some of its meters were configured):
          // store that part, and keep only the elements still rejected in the record.
          readings.push(...decoded.readings);
          const detail = `${decoded.readings.length} elements stored by a replay; ${decoded.rejected.length} still rejected, kept here (first: ${again.detail})`;
          remainders.push({ id: rec.id, reason: again.reason, detail, payload: `[${decoded.rejected.map((r) => r.payload).join(',')}]` });
          outcome.stillRejected.push({ id: rec.id, reason: again.reason, detail });
        } else if (again) {
          await this.deps.state.settleReplay(rec.id, { accepted: false, reason: again.reason, detail: again.detail });
          outcome.stillRejected.push({ id: rec.id, reason: again.reason, detail: again.detail });
        } else {
          readings.push(...decoded.readings);
          outcome.replayed.push(rec.id);
        }
      }
      await this.store(readings);
      // Settled only once the day and month figures include them, as for any other reading.
      if (readings.length > 0) await this.deps.tracker.settled();
      for (const id of outcome.replayed) await this.deps.state.settleReplay(id, { accepted: true, at: now });
      for (const r of remainders)
        await this.deps.state.settleReplay(r.id, { accepted: false, reason: r.reason, detail: r.detail, payload: r.payload });
      return outcome;
    });
  }

  /**
   * A payload over the limit never reaches the journal (a 10 MiB publish would be written whole
   * before being refused): its quarantine row, with a sample of the payload, is on disk before the
   * message is acknowledged, which is all the journal would have given it.
   */
  private async quarantineOversized(msg: RawMessage, size: number): Promise<void> {
    const item: QuarantineInput = {
      topic: msg.topic,
      payload: payloadSample(msg.payload),
      reason: 'too-large',
      receivedAt: msg.receivedAt,
      detail: `payload of ${size} bytes exceeds the limit of ${this.options.maxPayloadBytes} (ingest.maxPayloadBytes); a sample is kept`,
      ...(msg.clientId !== undefined && { clientId: msg.clientId }),
      ...topicScope(msg.topic),
    };
    this.stats.messages++;
    const added = await this.deps.state.quarantine([item]);
    this.stats.quarantined += added.length;
    this.deps.bus.emit('quarantined', { items: added });
    this.deps.logger.warn({ topic: msg.topic, bytes: size }, 'oversized message quarantined without journaling');
  }

  /** Processes what is in the journal (unless the store is failing), then closes it. */
  async stop(): Promise<void> {
    if (!this.retrying) await this.flush();
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.chain;
    if (this.commitRetry) clearTimeout(this.commitRetry);
    this.commitRetry = undefined;
    await this.commits;
    this.deps.journal.close();
  }

  /** Messages accepted but not yet stored. */
  get pending(): number {
    return this.deps.journal.depth;
  }

  private now(): number {
    return this.deps.now ? this.deps.now() : Date.now();
  }

  /** A decoder bug must not stall ingest: the message goes to the quarantine instead. */
  private decodeSafely(
    message: RawMessage,
    now: number,
    maxQuarantinePerMessage = this.options.maxQuarantinePerMessage,
  ): ReturnType<PayloadDecoder['decode']> {
    try {
      return this.deps.decoder.decode(message, { ...this.options, now, ...(maxQuarantinePerMessage !== undefined && { maxQuarantinePerMessage }) });
    } catch (err) {
      this.deps.logger.error({ err: errorMessage(err), topic: message.topic }, 'decoder failed; message quarantined');
      const payload = typeof message.payload === 'string' ? message.payload : message.payload.toString('utf8');
      return {
        readings: [],
        rejected: [
          {
            topic: message.topic,
            payload: payload.slice(0, 4096),
            reason: 'bad-shape',
            detail: `could not be decoded: ${errorMessage(err)}`,
            receivedAt: message.receivedAt,
          },
        ],
      };
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer && delayMs > 0) return;
    // Already due at once: while a backlog is processed every accepted message asks for an
    // immediate run; re-arming the timer each time showed in the profile (bench/ingest/hotPaths.ts).
    if (this.timer && this.timerImmediate) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerImmediate = delayMs <= 0;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((err: unknown) => this.deps.logger.error({ err: errorMessage(err) }, 'ingest processing failed'));
    }, delayMs);
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const result = this.chain.then(work);
    this.chain = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  private async processQueue(): Promise<void> {
    const { journal } = this.deps;
    for (;;) {
      const records = journal.read(this.options.batchMaxReadings);
      const last = records[records.length - 1];
      if (!last) return;
      this.unread = Math.max(0, this.unread - records.length);
      // Any record from before this process opened the journal may be half-stored: recompute.
      const recompute = this.retrying || journal.isReplay(records[0]!.end);
      const now = this.now();
      const readings: Reading[] = [];
      const rejected = [];
      for (const { message, end } of records) {
        const decoded = this.decodeSafely(message, now);
        readings.push(...decoded.readings);
        const ref = `${end.segment}:${end.offset}`;
        rejected.push(...decoded.rejected.map((q, i) => ({ ...q, sourceRef: `${ref}:${i}` })));
      }
      if (rejected.length > 0) {
        // Only newly added items count: a batch read again after a crash is already quarantined.
        const added = await this.deps.state.quarantine(rejected);
        this.stats.quarantined += added.length;
        if (added.length > 0) this.deps.bus.emit('quarantined', { items: added });
        this.deps.logger.warn({ count: rejected.length, reasons: [...new Set(rejected.map((r) => r.reason))] }, 'messages quarantined');
      }
      try {
        await this.store(readings, recompute);
      } catch (err) {
        // The batch stays in the journal and is read again, with its hours recomputed.
        journal.rewind();
        this.unread = journal.depth;
        this.retrying = true;
        this.stats.storeFailures++;
        this.deps.bus.emit('storeFailed', { error: err instanceof Error ? err : new Error(String(err)), pending: journal.depth });
        this.deps.logger.error({ err: errorMessage(err), pending: journal.depth, retryInMs: this.retryDelay }, 'store write failed; will retry');
        this.schedule(this.retryDelay);
        this.retryDelay = Math.min(this.retryDelay * 2, this.options.retryMaxMs ?? 10_000);
        return;
      }
      this.commitWhenSettled(last.end);
      if (this.retrying) this.deps.logger.info({ pending: journal.depth }, 'store writes succeed again');
      this.retrying = false;
      this.retryDelay = this.options.retryMinMs ?? 500;
    }
  }

  /**
   * Commits up to `end` once the rollups of everything stored so far are refreshed. A failed
   * refresh leaves the records uncommitted (the store retries the refresh, and a later commit
   * covers them; after a crash they are replayed), so no record is committed with stale rollups.
   */
  private commitWhenSettled(end: Parameters<Journal['commit']>[0]): void {
    this.lastStoredEnd = end;
    const settled = this.deps.tracker.settled();
    settled.catch(() => undefined); // handled below, in order; never an unhandled rejection meanwhile
    this.commits = this.commits
      .then(() => settled)
      .then(
        () => {
          try {
            this.deps.journal.commit(end);
          } catch (err) {
            // Left uncommitted: read again after a restart, and stored idempotently.
            this.deps.logger.error({ err: errorMessage(err) }, 'journal commit failed');
          }
        },
        (err: unknown) => {
          this.deps.logger.warn(
            { err: errorMessage(err), pending: this.deps.journal.depth },
            'rollup refresh failed; journal records kept until it succeeds',
          );
          // Asked again even if no further batch comes (the store backs off; records wait on disk).
          if (this.commitRetry || this.stopped) return;
          this.commitRetry = setTimeout(() => {
            this.commitRetry = undefined;
            if (!this.stopped && this.lastStoredEnd) this.commitWhenSettled(this.lastStoredEnd);
          }, this.options.retryMaxMs ?? 10_000);
          this.commitRetry.unref();
        },
      );
  }

  private async store(readings: readonly Reading[], recompute = false): Promise<TrackResult | undefined> {
    if (readings.length === 0) return undefined;
    const events: DataQualityEvent[] = [];
    const tracker = this.deps.tracker;
    const result = await tracker.track(readings, (e) => events.push(e), { recompute });
    this.stats.readings += readings.length;
    this.stats.stored += result.stored;
    this.stats.duplicates += result.duplicates;
    this.stats.corrections += result.corrections;
    this.stats.late += result.late;
    if (events.length > 0) {
      await this.deps.state.recordDataQuality(events, this.now());
      this.deps.bus.emit('dataQuality', { events });
    }
    this.deps.bus.emit('readingsStored', { readings });
    return result;
  }
}
