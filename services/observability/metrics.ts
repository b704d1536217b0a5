/**
 * Prometheus metrics of the service (prom-client), on a registry of their own so that several
 * service instances (tests) do not share counters. `GET /metrics` serves them in the text format.
 *
 * Readings per second is a query, not a metric: `rate(energy_readings_stored_total[1m])` in PromQL
 * (new or changed readings; `rate(energy_readings_received_total[1m])` for everything decoded).
 *
 * Feeding the metrics: `bindMetrics(metrics, bus)` counts what the event bus carries (quarantine by
 * reason, store failures, data-quality events, readings written); `metrics.setSources(...)` reads
 * gauges (journal, MQTT connection, active alarms) and, until the pipeline reports its counts on the
 * bus, the pipeline's cumulative counters at scrape time; `instrumentStore(store, metrics)` times
 * every store write. Each method can also be called directly.
 */
import { Router, type RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DataQualityKind } from '../energy/dataQuality';
import type { EventBus } from '../events/eventBus';
import { QUARANTINE_REASONS } from '../store/state/stateStore';

export const METRIC_PREFIX = 'energy_';

const DATA_QUALITY_KINDS = ['rollover', 'reset', 'correction', 'late'] as const satisfies readonly DataQualityKind[];

/** Outcome of one store batch (the consumption tracker's TrackResult has these fields). */
export interface StoredCounts {
  /** Readings stored, new or changed (corrections included). */
  readonly stored: number;
  /** Exact repeats, ignored (contract 2: idempotence). */
  readonly duplicates: number;
  /** Repeats with a different value that replaced the stored one. */
  readonly corrections: number;
}

/** The pipeline's cumulative counters (IngestPipeline.stats has these fields). */
export interface PipelineCounters extends StoredCounts {
  readonly messages: number;
}

/** Read at scrape time; each is optional and may be set or replaced later. */
export interface MetricSources {
  /** Cumulative pipeline counters, mirrored into messages/stored/duplicates/corrections (see setSources). */
  readonly pipelineStats?: () => PipelineCounters;
  /** Messages accepted but not yet stored, and the bytes they take in the journal. */
  readonly journal?: () => { readonly depth: number; readonly bytes: number };
  readonly mqttConnected?: () => boolean;
  /** Connections the embedded broker closed for a packet over ingest.maxPacketBytes, since start. */
  readonly oversizedPackets?: () => number;
  /** Active alarms by severity; severities absent from the answer are dropped from the gauge. */
  readonly activeAlarms?: () => Promise<Readonly<Record<string, number>>>;
}

export interface MetricsOptions {
  /** prom-client's process metrics (CPU, RSS, heap, event-loop lag, GC), prefixed `energy_`. Default true. */
  readonly defaultMetrics?: boolean;
}

export class Metrics {
  readonly registry = new Registry();
  readonly readingsReceived: Counter;
  readonly readingsStored: Counter;
  readonly readingsDuplicate: Counter;
  readonly readingsCorrected: Counter;
  readonly messagesTotal: Counter;
  readonly quarantine: Counter<'reason'>;
  readonly dataQuality: Counter<'kind'>;
  readonly journalDepth: Gauge;
  readonly journalBytes: Gauge;
  readonly storeWriteSeconds: Histogram;
  readonly storeFailures: Counter;
  readonly activeAlarms: Gauge<'severity'>;
  readonly mqttConnected: Gauge;
  readonly oversizedPackets: Counter;

  private sources: MetricSources = {};
  /** Last pipeline counters mirrored, to add only the difference. */
  private mirrored: PipelineCounters = { messages: 0, stored: 0, duplicates: 0, corrections: 0 };
  /** Set once a family is fed directly; the pipelineStats mirror then leaves it alone (no double count). */
  private direct = { messages: false, stored: false };

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    const name = (n: string): string => `${METRIC_PREFIX}${n}`;
    this.readingsReceived = new Counter({
      name: name('readings_received_total'),
      help: 'Readings decoded from accepted messages and handed to the store (new, duplicate or correction).',
      registers,
    });
    this.readingsStored = new Counter({
      name: name('readings_stored_total'),
      help: 'Readings stored, new or changed (corrections included). Readings per second: rate(energy_readings_stored_total[1m]).',
      registers,
      collect: () => this.mirror('stored'),
    });
    this.readingsDuplicate = new Counter({
      name: name('readings_duplicate_total'),
      help: 'Exact repeats of stored readings, ignored (idempotence).',
      registers,
      collect: () => this.mirror('duplicates'),
    });
    this.readingsCorrected = new Counter({
      name: name('readings_corrected_total'),
      help: 'Repeats with a different value that replaced the stored reading.',
      registers,
      collect: () => this.mirror('corrections'),
    });
    this.messagesTotal = new Counter({
      name: name('messages_total'),
      help: 'MQTT messages accepted by the ingest pipeline.',
      registers,
      collect: () => this.mirror('messages'),
    });
    this.quarantine = new Counter({
      name: name('quarantine_total'),
      help: 'Messages or array elements sent to the quarantine, by reason code.',
      labelNames: ['reason'] as const,
      registers,
    });
    this.dataQuality = new Counter({
      name: name('data_quality_events_total'),
      help: 'Data-quality events (counter rollover, reset, correction, late reading), by kind.',
      labelNames: ['kind'] as const,
      registers,
    });
    this.journalDepth = new Gauge({
      name: name('journal_depth'),
      help: 'Messages accepted but not yet stored.',
      registers,
      collect: () => {
        const j = this.sources.journal?.();
        if (j) this.journalDepth.set(j.depth);
      },
    });
    this.journalBytes = new Gauge({
      name: name('journal_bytes'),
      help: 'Bytes of the on-disk journal of accepted messages.',
      registers,
      collect: () => {
        const j = this.sources.journal?.();
        if (j) this.journalBytes.set(j.bytes);
      },
    });
    this.storeWriteSeconds = new Histogram({
      name: name('store_write_seconds'),
      help: 'Latency of time-series store writes, seconds.',
      registers,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    });
    this.storeFailures = new Counter({
      name: name('store_failures_total'),
      help: 'Store batches that failed and are retried.',
      registers,
    });
    this.activeAlarms = new Gauge({
      name: name('active_alarms'),
      help: 'Active alarms by severity.',
      labelNames: ['severity'] as const,
      registers,
      // prom-client awaits an async collect before it renders the scrape.
      collect: async () => {
        const source = this.sources.activeAlarms;
        if (!source) return;
        const counts = await source();
        this.activeAlarms.reset();
        for (const [severity, count] of Object.entries(counts)) this.activeAlarms.set({ severity }, count);
      },
    });
    this.oversizedPackets = new Counter({
      name: name('mqtt_oversized_packets_total'),
      help: 'Connections the embedded broker closed for a packet over ingest.maxPacketBytes (the publish was not acknowledged and is not kept).',
      registers,
      collect: () => {
        const source = this.sources.oversizedPackets;
        if (!source) return;
        this.oversizedPackets.reset();
        this.oversizedPackets.inc(source());
      },
    });
    this.mqttConnected = new Gauge({
      name: name('mqtt_connected'),
      help: '1 when the ingest MQTT client is connected, else 0.',
      registers,
      collect: () => {
        const source = this.sources.mqttConnected;
        if (source) this.mqttConnected.set(source() ? 1 : 0);
      },
    });
    // Every reason and kind is present from the start, so rate() and alerts see a 0, not a gap.
    for (const reason of QUARANTINE_REASONS) this.quarantine.inc({ reason }, 0);
    for (const kind of DATA_QUALITY_KINDS) this.dataQuality.inc({ kind }, 0);
    this.mqttConnected.set(0);
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });
  }

  /** `Content-Type` of `render()`. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** All metrics in the Prometheus text format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** Adds or replaces scrape-time sources. */
  setSources(sources: MetricSources): void {
    this.sources = { ...this.sources, ...sources };
  }

  messages(n = 1): void {
    this.direct.messages = true;
    this.messagesTotal.inc(n);
  }

  received(n: number): void {
    if (n > 0) this.readingsReceived.inc(n);
  }

  stored(counts: StoredCounts): void {
    this.direct.stored = true;
    if (counts.stored > 0) this.readingsStored.inc(counts.stored);
    if (counts.duplicates > 0) this.readingsDuplicate.inc(counts.duplicates);
    if (counts.corrections > 0) this.readingsCorrected.inc(counts.corrections);
  }

  quarantined(reason: string, n = 1): void {
    this.quarantine.inc({ reason }, n);
  }

  dataQualityEvent(kind: string, n = 1): void {
    this.dataQuality.inc({ kind }, n);
  }

  storeFailed(): void {
    this.storeFailures.inc();
  }

  observeStoreWrite(seconds: number): void {
    this.storeWriteSeconds.observe(seconds);
  }

  /** Runs one store write and records its latency, failed or not. */
  async timeStoreWrite<T>(write: () => Promise<T>): Promise<T> {
    const end = this.storeWriteSeconds.startTimer();
    try {
      return await write();
    } finally {
      end();
    }
  }

  setJournal(depth: number, bytes: number): void {
    this.journalDepth.set(depth);
    this.journalBytes.set(bytes);
  }

  setMqttConnected(connected: boolean): void {
    this.mqttConnected.set(connected ? 1 : 0);
  }

  private mirror(field: keyof PipelineCounters): void {
    const source = this.sources.pipelineStats;
    if (!source) return;
    if (field === 'messages' ? this.direct.messages : this.direct.stored) return;
    const now = source()[field];
    const delta = now - this.mirrored[field];
    // A smaller value means a new pipeline: start over from it.
    this.mirrored = { ...this.mirrored, [field]: now };
    const counter = {
      messages: this.messagesTotal,
      stored: this.readingsStored,
      duplicates: this.readingsDuplicate,
      corrections: this.readingsCorrected,
    }[field];
    if (delta > 0) counter.inc(delta);
  }
}

/**
 * Counts what the event bus carries. A `readingsStored` payload that also carries
 * `result: {stored, duplicates, corrections}` (a proposed extension of the event) feeds the stored,
 * duplicate and correction counters; until then `setSources({ pipelineStats })` does.
 * Returns a function that unsubscribes.
 */
export function bindMetrics(metrics: Metrics, bus: EventBus): () => void {
  const offs = [
    bus.on('readingsStored', (payload) => {
      metrics.received(payload.readings.length);
      const result: unknown = (payload as { result?: unknown }).result;
      if (isStoredCounts(result)) metrics.stored(result);
    }),
    bus.on('quarantined', ({ items }) => {
      const byReason = new Map<string, number>();
      for (const item of items) byReason.set(item.reason, (byReason.get(item.reason) ?? 0) + 1);
      for (const [reason, n] of byReason) metrics.quarantined(reason, n);
    }),
    bus.on('dataQuality', ({ events }) => {
      for (const e of events) metrics.dataQualityEvent(e.kind);
    }),
    bus.on('storeFailed', () => metrics.storeFailed()),
  ];
  return () => offs.forEach((off) => off());
}

function isStoredCounts(x: unknown): x is StoredCounts {
  if (!x || typeof x !== 'object') return false;
  const r = x as Record<string, unknown>;
  return typeof r.stored === 'number' && typeof r.duplicates === 'number' && typeof r.corrections === 'number';
}

/**
 * The same store with every `write` timed into `energy_store_write_seconds`; everything else is
 * passed through to the store itself.
 */
export function instrumentStore<S extends { write(batch: never): Promise<unknown> }>(store: S, metrics: Metrics): S {
  return new Proxy(store, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (prop === 'write' && typeof value === 'function') {
        return (...args: unknown[]) => metrics.timeStoreWrite(() => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * `GET /metrics` in the Prometheus text format. Unauthenticated (contract 5: "and /metrics if
 * enabled"); with `enabled: false` the router answers nothing, so the path is a 404.
 */
/** `guard` runs first (rate limit and bearer-token check of METRICS=token); without one /metrics is public. */
export function metricsRouter(metrics: Metrics, options: { enabled?: boolean; guard?: readonly RequestHandler[] } = {}): Router {
  const router = Router();
  if (options.enabled === false) return router;
  router.get('/metrics', ...(options.guard ?? []), async (_req, res) => {
    const text = await metrics.render();
    res.set('Cache-Control', 'no-store').type(metrics.contentType).send(text);
  });
  return router;
}
