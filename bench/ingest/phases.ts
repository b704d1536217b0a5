/**
 * The phases of the ingest benchmark, each against fresh servers or a fresh database:
 * offered load, broker alone, database alone, the service end to end (max, half load with
 * latency probes, half load through an InfluxDB outage), the embedded default, and the profile.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { InfluxdHandle } from '../../test/helpers/influxd';
import { freePort } from '../../test/helpers/mosquitto';
import { startLoad, type LoadResult } from './load';
import type { Probe } from './publisher';
import { childrenNamed, startCpuMeter } from './cpuUsage';
import { RawMqttClient } from './rawMqtt';
import { countReadings, createDatabase, firstValues, influxQuery, shippedTuning, startShippedMosquitto, writeLines } from './servers';
import { startService, type BenchService, type IngestHealth } from './service';
import { districtConfigYaml, districtLines, prng, SERVICE_PASSWORD, SERVICE_USER, type BenchDistrict } from './workload';

export interface Durations {
  readonly offeredMs: number;
  readonly brokerMs: number;
  readonly dbMs: number;
  readonly e2eMs: number;
  readonly latencyMs: number;
  /** Half load before the outage, the outage, and half load after it. */
  readonly outage: { readonly beforeMs: number; readonly downMs: number; readonly afterMs: number };
  readonly embeddedMs: number;
  readonly drainTimeoutMs: number;
}

export function durations(quick: boolean): Durations {
  const scale = Number(process.env.BENCH_SCALE ?? 1);
  const s = (full: number, short: number): number => Math.round((quick ? short : full) * scale * 1000);
  return {
    offeredMs: s(15, 5),
    brokerMs: s(20, 6),
    dbMs: s(20, 6),
    e2eMs: s(45, 15),
    latencyMs: s(30, 10),
    // The outage itself stays 30 s (the fault test's figure) unless BENCH_OUTAGE_S says otherwise.
    outage: { beforeMs: s(10, 5), downMs: Number(process.env.BENCH_OUTAGE_S ?? 30) * 1000, afterMs: s(20, 5) },
    embeddedMs: s(30, 10),
    drainTimeoutMs: 15 * 60_000,
  };
}

export interface BenchContext {
  readonly district: BenchDistrict;
  readonly influx: InfluxdHandle;
  readonly work: string;
  readonly configFile: string;
  readonly d: Durations;
  log(line: string): void;
}

export function makeContext(district: BenchDistrict, influx: InfluxdHandle, d: Durations, log: (line: string) => void): BenchContext {
  const work = mkdtempSync(path.join(os.tmpdir(), 'energy-ingest-bench-'));
  const configFile = path.join(work, 'bench.yaml');
  writeFileSync(configFile, districtConfigYaml(district));
  return { district, influx, work, configFile, d, log };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function loadAverage(): string {
  return os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
}

// ---------------------------------------------------------------------------------------------
// Load generator alone and broker alone

export interface OfferedResult {
  readonly offeredRate: number;
  readonly messages: number;
  readonly readings: number;
  readonly load: LoadResult;
}

/** Publishing as fast as the broker acknowledges, with nobody subscribed: what the generator offers. */
export async function offeredPhase(ctx: BenchContext): Promise<OfferedResult> {
  const { broker } = await startShippedMosquitto(ctx.district);
  try {
    const run = await startLoad({ port: broker.port, district: ctx.district, rate: 0, durationMs: ctx.d.offeredMs, label: 'offered' });
    const load = await run.done;
    return { offeredRate: load.ackedRate, messages: load.totals.ackedMessages, readings: load.totals.ackedReadings, load };
  } finally {
    await broker.stop();
  }
}

export interface BrokerResult {
  readonly settings: Record<string, string>;
  readonly deliveredRate: number;
  readonly publishedRate: number;
  readonly published: number;
  readonly delivered: number;
  readonly messagesPerSecond: number;
  readonly cpuUsPerReading?: Record<string, number>;
}

const TS_MARK = Buffer.from('"ts"');

function readingsIn(payload: Buffer): number {
  let n = 0;
  for (let i = payload.indexOf(TS_MARK); i !== -1; i = payload.indexOf(TS_MARK, i + 4)) n++;
  return n;
}

/**
 * QoS 1 publishers -> Mosquitto -> one subscriber that acknowledges at once (a raw client,
 * persistent session like the service's). The broker sends it at most max_inflight_messages
 * unacknowledged messages at a time.
 */
export async function brokerPhase(ctx: BenchContext, overrides: Record<string, string> = {}): Promise<BrokerResult> {
  const { broker, settings } = await startShippedMosquitto(ctx.district, overrides);
  try {
    const sub = await RawMqttClient.connect({
      host: '127.0.0.1',
      port: broker.port,
      clientId: 'bench-subscriber',
      clean: false,
      username: SERVICE_USER,
      password: SERVICE_PASSWORD,
    });
    let delivered = 0;
    let messages = 0;
    let first = 0;
    let last = 0;
    sub.onMessage = (_topic, payload) => {
      const now = Date.now();
      if (first === 0) first = now;
      last = now;
      messages++;
      delivered += readingsIn(payload);
    };
    await sub.subscribe('energy/#', 1);
    const benchCpu0 = process.cpuUsage();
    const cpuMeter = startCpuMeter({ mosquitto: childrenNamed(process.pid, 'mosquitto') });
    // At most 3/4 of max_queued_messages: beyond about that many, Mosquitto 2.0.11 stops delivering
    // at full speed (README, Benchmarks), which would measure the fault, not the broker.
    const cap = Math.floor(Number(settings.max_queued_messages ?? 1000) * 0.75);
    const run = await startLoad({
      port: broker.port,
      district: ctx.district,
      rate: 0,
      durationMs: ctx.d.brokerMs,
      label: 'broker',
      maxMessages: cap,
    });
    const load = await run.done;
    // Let the subscriber take what is still queued for it, until all arrived or nothing more
    // comes for 3 s (Mosquitto drops QoS 1 messages beyond max_queued_messages), then measure.
    while (delivered < load.totals.ackedReadings && Date.now() - (last || Date.now()) < 3000) await sleep(50);
    const cpu = cpuMeter.stop();
    const benchCpu = process.cpuUsage(benchCpu0);
    await sub.end();
    const span = Math.max(1, last - first);
    const per = (seconds: number): number => Math.round(((seconds * 1e6) / Math.max(1, delivered)) * 10) / 10;
    return {
      settings,
      deliveredRate: (delivered * 1000) / span,
      publishedRate: load.ackedRate,
      published: load.totals.ackedReadings,
      delivered,
      messagesPerSecond: (messages * 1000) / span,
      cpuUsPerReading: {
        mosquitto: per(cpu.perProcess.mosquitto ?? 0),
        publishers: per(load.totals.cpuSeconds),
        subscriber: per((benchCpu.user + benchCpu.system) / 1e6),
      },
    };
  } finally {
    await broker.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Database alone

export interface DbResult {
  readonly readingsPerSecond: number;
  readonly pointsPerSecond: number;
  readonly concurrency: number;
  readonly linesPerRequest: number;
  readonly points: number;
  /** influxd CPU microseconds per reading (with its share of hourly points). */
  readonly influxdCpuUsPerReading: number;
}

/**
 * Batched line-protocol writes of the points the service writes (`reading` per reading, one
 * `consumption` per meter and hour per batch), 5,000 lines per request (the store's batch size),
 * from `concurrency` writers.
 */
export async function dbPhase(ctx: BenchContext, concurrency = Number(process.env.BENCH_DB_CONCURRENCY ?? 2)): Promise<DbResult> {
  const db = 'bench_db_alone';
  const url = ctx.influx.url;
  await createDatabase(url, db);
  const linesPerRequest = 5000;
  const ticksPerBatch = 5; // one ingest batch: 5 ticks of the district
  let nextTick = 0;
  let readings = 0;
  let points = 0;
  const rand = prng(7);
  const cpuMeter = startCpuMeter({ influxd: childrenNamed(process.pid, 'influxd') });
  const t0 = Date.now();
  const end = t0 + ctx.d.dbMs;
  const writer = async (): Promise<void> => {
    while (Date.now() < end) {
      const from = nextTick;
      nextTick += ticksPerBatch;
      const batch = districtLines(ctx.district, from, ticksPerBatch, rand);
      for (let i = 0; i < batch.lines.length; i += linesPerRequest) {
        const chunk = batch.lines.slice(i, i + linesPerRequest);
        await writeLines(url, db, chunk.join('\n'));
        points += chunk.length;
      }
      readings += batch.readings;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, () => writer()));
  const elapsed = (Date.now() - t0) / 1000;
  const cpu = cpuMeter.stop();
  const stored = await countReadings(url, db);
  if (stored !== readings) throw new Error(`database alone: wrote ${readings} readings, ${stored} counted`);
  await influxQuery(url, `DROP DATABASE "${db}"`);
  return {
    readingsPerSecond: readings / elapsed,
    pointsPerSecond: points / elapsed,
    concurrency,
    linesPerRequest,
    points,
    influxdCpuUsPerReading: Math.round((((cpu.perProcess.influxd ?? 0) * 1e6) / Math.max(1, readings)) * 10) / 10,
  };
}

// ---------------------------------------------------------------------------------------------
// The service end to end

export interface Sample {
  readonly at: number;
  readonly rssMb: number;
  readonly heapUsedMb: number;
  readonly pending: number;
  readonly readings: number;
}

export interface E2eResult {
  readonly mode: string;
  readonly published: number;
  readonly stored: number;
  readonly missing: number;
  /** Published readings / (last stored - first published). */
  readonly sustainedRate: number;
  readonly publishedRate: number;
  readonly drainMs: number;
  readonly peakRssMb: number;
  readonly peakHeapUsedMb: number;
  readonly peakPending: number;
  readonly quarantined: number;
  /** Time the load generator was held because the service was too far behind the broker. */
  readonly pausedMs: number;
  /** Mosquitto's log lines about dropped messages (it drops QoS 1 beyond max_queued_messages). */
  readonly brokerDrops: readonly string[];
  readonly samples: readonly Sample[];
  readonly latency?: {
    readonly p50Ms: number;
    readonly p99Ms: number;
    readonly maxMs: number;
    readonly probes: number;
    readonly unresolved: number;
    readonly pollMs: number;
  };
  readonly outage?: {
    readonly rssBeforeMb: number;
    readonly rssDuringPeakMb: number;
    readonly rssDuringFirstMb: number;
    readonly rssDuringLastMb: number;
    readonly rssAfterPeakMb: number;
    readonly pendingPeak: number;
    readonly downMs: number;
  };
  readonly profileFile?: string;
  /** CPU microseconds per stored reading by process, and how busy the whole machine was. */
  readonly cpu?: { readonly usPerReading: Record<string, number>; readonly machineBusyShare: number };
}

export interface E2eOptions {
  /** `ingestNode`: max load on an ingest-only instance (ROLE=ingest) with its heap capped (INGEST_NODE_ARGS). */
  readonly mode: 'max' | 'latency' | 'outage' | 'embedded' | 'profile' | 'ingestNode';
  /** Readings/s offered (0 = as fast as the broker takes them). */
  readonly rate: number;
  readonly durationMs: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * Polls InfluxDB for probe readings (one statement per probe, all in one request) and records
 * when each became queryable. Resolution: the poll period.
 */
class LatencyProbe {
  private readonly waiting: Probe[] = [];
  readonly latencies: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(
    private readonly url: string,
    private readonly db: string,
    readonly pollMs: number,
  ) {}

  add(probes: readonly Probe[]): void {
    this.waiting.push(...probes);
  }

  get unresolved(): number {
    return this.waiting.length;
  }

  start(): void {
    this.timer = setInterval(() => void this.poll(), this.pollMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async poll(): Promise<void> {
    if (this.busy || this.waiting.length === 0) return;
    this.busy = true;
    const batch = this.waiting.slice(0, 100);
    const at = Date.now();
    try {
      const q = batch
        .map((p) => `SELECT value FROM reading WHERE enterprise='${p.enterprise}' AND meter='${p.meter}' AND time >= ${p.ts}ms AND time <= ${p.ts}ms`)
        .join('; ');
      const found = firstValues(await influxQuery(this.url, q, this.db));
      const done = new Set<Probe>();
      batch.forEach((p, i) => {
        if ((found[i] ?? []).length > 0) {
          this.latencies.push(at - p.sentAt);
          done.add(p);
        }
      });
      for (let i = this.waiting.length - 1; i >= 0; i--) if (done.has(this.waiting[i]!)) this.waiting.splice(i, 1);
    } catch {
      // InfluxDB busy or down: the next poll tries again
    } finally {
      this.busy = false;
    }
  }
}

/**
 * What the README recommends for ingest-only instances: without a cap V8 lets the heap grow to
 * ~220 MB under full load although ~100 MB are live (measured); an ingest node generates no
 * reports, so a cap costs it nothing. An all-in-one instance keeps the default (a 300-enterprise
 * report needs ~280 MB of heap at its peak).
 */
export const INGEST_NODE_ARGS = ['--max-old-space-size=160'];

/** Runs the service against a fresh broker and database (or embedded), under one load shape. */
export async function e2ePhase(ctx: BenchContext, options: E2eOptions): Promise<E2eResult> {
  const embedded = options.mode === 'embedded';
  const db = `bench_${options.mode}`;
  const dataDir = mkdtempSync(path.join(ctx.work, `${options.mode}-`));
  const logFile = path.join(ctx.work, `${options.mode}.log`);
  const broker = embedded ? undefined : (await startShippedMosquitto(ctx.district)).broker;
  const profileDir = path.join(ctx.work, 'profile');
  let service: BenchService | undefined;
  try {
    let env: Record<string, string>;
    let port: number;
    if (broker) {
      await influxQuery(ctx.influx.url, `DROP DATABASE "${db}"`).catch(() => undefined);
      env = {
        MQTT_URL: broker.url,
        MQTT_USERNAME: SERVICE_USER,
        MQTT_PASSWORD: SERVICE_PASSWORD,
        MQTT_CLIENT_ID: `bench-${options.mode}`,
        INFLUX_URL: ctx.influx.url,
        INFLUX_DATABASE: db,
        ...(options.mode === 'ingestNode' && { ROLE: 'ingest' }),
      };
      port = broker.port;
    } else {
      port = await freePort();
      env = { MQTT_PORT: String(port) };
    }
    service = await startService({
      configFile: ctx.configFile,
      dataDir,
      env,
      logFile,
      nodeArgs: [
        ...(process.env.BENCH_SERVICE_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
        ...(options.mode === 'profile' ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
        ...(options.mode === 'ingestNode' ? INGEST_NODE_ARGS : []),
      ],
    });
    const svc = service;
    const probe = options.mode === 'latency' ? new LatencyProbe(ctx.influx.url, db, 50) : undefined;
    const samples: Sample[] = [];
    let last: IngestHealth | undefined;
    let heapUsedMb = 0;
    let sampling = true;
    // RSS from /proc every 250 ms (free); /healthz, which costs the service a little, every 500 ms.
    let tick = 0;
    const sampler = (async () => {
      while (sampling) {
        if (tick++ % 2 === 0) {
          try {
            ({ ingest: last, heapUsedMb } = await svc.sample());
          } catch {
            // keep the previous figures
          }
        }
        samples.push({ at: Date.now(), rssMb: svc.rssMb(), heapUsedMb, pending: last?.pending ?? 0, readings: last?.readings ?? 0 });
        await sleep(250);
      }
    })();
    probe?.start();
    const benchCpu0 = process.cpuUsage();
    const cpuMeter = startCpuMeter({
      service: [svc.pid],
      mosquitto: childrenNamed(process.pid, 'mosquitto'),
      influxd: embedded ? [] : childrenNamed(process.pid, 'influxd'),
    });
    // Flow control for the unpaced runs: Mosquitto silently drops QoS 1 messages for a client
    // beyond max_queued_messages, so publishing is held while the service is more than
    // a fifth of max_queued_messages behind the broker (the wait counts in the measured time).
    let brokerAcked = 0;
    let paused = false;
    let pausedMs = 0;
    let pausedAt = 0;
    const queueLimit = embedded ? Infinity : Number(shippedTuning().max_queued_messages ?? 1000);
    // A fifth of the limit: at half of it, Mosquitto 2.0.11 was seen dropping for the service.
    const guardHigh = Math.floor(queueLimit * 0.2);
    // Mosquitto 2.0.11 (Debian bookworm) stops delivering to a subscriber after about
    // max_queued_messages messages at full speed, however fast it acknowledges (reproduced with
    // the bench's own raw subscriber; see README): full-speed runs stay under 3/4 of it.
    const cap = options.rate === 0 && !embedded ? Math.floor(queueLimit * 0.75) : 0;
    const run = await startLoad({
      port,
      district: ctx.district,
      rate: options.rate,
      durationMs: options.durationMs,
      label: options.mode,
      maxMessages: cap,
      onProgress: (t) => (brokerAcked = t.ackedMessages),
      ...(probe && { probeEveryMs: 25, onProbes: (p: readonly Probe[]) => probe.add(p) }),
    });
    const guard = setInterval(() => {
      if (options.rate !== 0 || last === undefined) return;
      const behind = brokerAcked - last.messages;
      if (!paused && behind > guardHigh) {
        paused = true;
        pausedAt = Date.now();
        run.pause();
      } else if (paused && behind < guardHigh / 4) {
        paused = false;
        pausedMs += Date.now() - pausedAt;
        run.resume();
      }
    }, 100);
    let outageMarks: { downAt: number; upAt: number } | undefined;
    if (options.mode === 'outage') {
      await sleep(ctx.d.outage.beforeMs);
      const downAt = Date.now();
      ctx.log(`    influxd down for ${ctx.d.outage.downMs / 1000} s`);
      await ctx.influx.down();
      await sleep(ctx.d.outage.downMs);
      await ctx.influx.up();
      outageMarks = { downAt, upAt: Date.now() };
      ctx.log('    influxd up again');
    }
    const load = await run.done;
    clearInterval(guard);
    if (paused) pausedMs += Date.now() - pausedAt;
    const published = load.totals.ackedReadings;
    if (load.totals.unacked > 0) ctx.log(`    WARNING: ${load.totals.unacked} messages never acknowledged by the broker`);
    // Drained: every published reading went through the tracker and the journal is empty.
    const drainDeadline = Date.now() + ctx.d.drainTimeoutMs;
    let drainedAt = 0;
    let progress = { readings: -1, at: Date.now() };
    for (;;) {
      const h = await svc.ingest().catch(() => undefined);
      if (h && h.pending === 0 && h.readings + h.quarantined >= published) {
        drainedAt = Date.now();
        last = h;
        break;
      }
      if (h && h.readings !== progress.readings) progress = { readings: h.readings, at: Date.now() };
      // Nothing pending and nothing new for 20 s: what is missing is not coming (the count says what).
      if (Date.now() > drainDeadline || (h?.pending === 0 && Date.now() - progress.at > 20_000)) {
        ctx.log(`    WARNING: the service took ${h?.readings ?? '?'} readings of ${published} published; not waiting longer`);
        break;
      }
      await sleep(250);
    }
    const cpuUsed = cpuMeter.stop();
    const benchCpu = process.cpuUsage(benchCpu0);
    if (probe) {
      const until = Date.now() + 10_000;
      while (probe.unresolved > 0 && Date.now() < until) await probe.poll();
      probe.stop();
    }
    sampling = false;
    await sampler;
    let stored: number;
    if (embedded) {
      await svc.stop();
      const sqlite = new Database(path.join(dataDir, 'timeseries.db'), { readonly: true });
      stored = (sqlite.prepare('SELECT count(*) AS n FROM reading').get() as { n: number }).n;
      sqlite.close();
    } else {
      stored = await countReadings(ctx.influx.url, db);
    }
    // Not drained (readings lost on the way): the rate of what the service did take.
    const sustainedRate =
      drainedAt > 0
        ? (published * 1000) / (drainedAt - load.totals.firstSendAt)
        : ((last?.readings ?? 0) * 1000) / Math.max(1, progress.at - load.totals.firstSendAt);
    const brokerLog = broker?.logText() ?? '';
    if (published !== (last?.readings ?? 0) + (last?.quarantined ?? 0)) {
      writeFileSync(path.join(ctx.work, `${options.mode}-mosquitto.log`), brokerLog);
      ctx.log(`    service log tail:\n${svc.logTail().slice(-1500)}\n    mosquitto log tail:\n${brokerLog.slice(-1000)}`);
    }
    const dropLines = brokerLog.split('\n').filter((l) => /dropped/i.test(l));
    const result: E2eResult = {
      mode: options.mode,
      published,
      stored,
      missing: published - stored,
      sustainedRate,
      publishedRate: load.ackedRate,
      drainMs: drainedAt > 0 ? drainedAt - load.totals.lastAckAt : -1,
      peakRssMb: Math.max(0, ...samples.map((s) => s.rssMb)),
      peakHeapUsedMb: Math.max(0, ...samples.map((s) => s.heapUsedMb)),
      peakPending: Math.max(0, ...samples.map((s) => s.pending)),
      quarantined: last?.quarantined ?? 0,
      samples,
      pausedMs,
      brokerDrops: dropLines.slice(0, 3),
    };
    if (published > 0) {
      const per = (seconds: number): number => Math.round(((seconds * 1e6) / published) * 10) / 10;
      const usPerReading: Record<string, number> = {};
      for (const [name, seconds] of Object.entries(cpuUsed.perProcess)) if (seconds > 0) usPerReading[name] = per(seconds);
      usPerReading.publishers = per(load.totals.cpuSeconds);
      usPerReading['bench (sampling)'] = per((benchCpu.user + benchCpu.system) / 1e6);
      Object.assign(result, { cpu: { usPerReading, machineBusyShare: cpuUsed.machineBusyShare } });
    }
    if (probe) {
      const sorted = [...probe.latencies].sort((a, b) => a - b);
      Object.assign(result, {
        latency: {
          p50Ms: percentile(sorted, 50),
          p99Ms: percentile(sorted, 99),
          maxMs: sorted[sorted.length - 1] ?? NaN,
          probes: sorted.length,
          unresolved: probe.unresolved,
          pollMs: probe.pollMs,
        },
      });
    }
    if (outageMarks) {
      const { downAt, upAt } = outageMarks;
      const during = samples.filter((s) => s.at >= downAt && s.at <= upAt);
      const third = Math.max(1, Math.floor(during.length / 3));
      const peak = (list: readonly Sample[]): number => Math.max(0, ...list.map((s) => s.rssMb));
      Object.assign(result, {
        outage: {
          rssBeforeMb: peak(samples.filter((s) => s.at < downAt)),
          rssDuringPeakMb: peak(during),
          rssDuringFirstMb: peak(during.slice(0, third)),
          rssDuringLastMb: peak(during.slice(-third)),
          rssAfterPeakMb: peak(samples.filter((s) => s.at > upAt)),
          pendingPeak: Math.max(0, ...during.map((s) => s.pending)),
          downMs: upAt - downAt,
        },
      });
    }
    if (options.mode === 'profile') {
      await svc.stop();
      const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
      if (file) Object.assign(result, { profileFile: path.join(profileDir, file) });
    }
    return result;
  } catch (err) {
    if (service) ctx.log(`    service log tail:\n${service.logTail()}`);
    throw err;
  } finally {
    await service?.stop();
    await broker?.stop();
    if (!embedded) await influxQuery(ctx.influx.url, `DROP DATABASE "${db}"`).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
