/**
 * `npm run bench`: the ingest benchmark (issue 7) and then the report benchmark, in one run on
 * this machine, against a real Mosquitto and a real influxd started here. Prints one table and
 * writes it as JSON under bench/results/ (ignored by git). Not a test: it asserts no figures,
 * but it fails loudly (exit code 1) when readings published were not all stored.
 *
 *   npm run bench           ingest, Node-RED comparison, report bench (~15-20 min + reports)
 *   npm run bench:ingest    the ingest part only
 *   BENCH_QUICK=1           short phases (~4 min)    BENCH_SCALE=0.5   scale every phase
 *   BENCH_PROFILE=1         also profile the service under end-to-end load (--cpu-prof)
 *   BENCH_NODE_RED=0        skip the Node-RED comparison
 *   BENCH_PUBLISHERS (2)    load-generator processes   BENCH_WINDOW (100) QoS 1 window per gateway
 *   BENCH_DB_CONCURRENCY (2) writers in the database-alone phase
 *   BENCH_ENTERPRISES_INGEST (50)  BENCH_METERS_INGEST (20)  BENCH_OUTAGE_S (30)
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startInfluxd } from '../test/helpers/influxd';
import { summariseProfile } from './ingest/cpuProfile';
import { childrenNamed, cpuSeconds } from './ingest/cpuUsage';
import { runNodeRed, type NodeRedResult } from './ingest/nodeRed';
import {
  brokerPhase,
  dbPhase,
  durations,
  e2ePhase,
  loadAverage,
  makeContext,
  offeredPhase,
  type BrokerResult,
  type DbResult,
  type E2eResult,
  type OfferedResult,
  INGEST_NODE_ARGS,
} from './ingest/phases';
import { defaultDistrict } from './ingest/workload';

export interface BenchRow {
  readonly part: string;
  readonly measure: string;
  readonly value: string;
  readonly target?: string;
  readonly verdict?: 'pass' | 'MISS' | 'FAIL' | '';
  readonly note?: string;
}

const RESULTS_DIR = path.join(__dirname, 'results');
const QUICK = process.env.BENCH_QUICK === '1' || process.env.BENCH_QUICK === 'true';
const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : String(n);

function printTable(rows: readonly BenchRow[]): void {
  const cols: (keyof BenchRow)[] = ['part', 'measure', 'value', 'target', 'verdict', 'note'];
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(cols.map(String)));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(cols.map((c) => String(r[c] ?? ''))));
}

interface IngestFigures {
  offered?: OfferedResult;
  broker?: BrokerResult;
  brokerVariants: BrokerResult[];
  db?: DbResult;
  e2e?: E2eResult;
  latency?: E2eResult;
  outage?: E2eResult;
  embedded?: E2eResult;
  ingestNode?: E2eResult;
  nodeRed?: NodeRedResult;
  profile?: { result: E2eResult; summary: string };
  errors: string[];
}

function withoutSamples(r: E2eResult | undefined): (Omit<E2eResult, 'samples'> & { samples?: unknown }) | undefined {
  if (!r) return undefined;
  // Keep the RSS/pending time line, thinned to one sample a second.
  return { ...r, samples: r.samples.filter((_, i) => i % 4 === 0).map((s) => ({ t: s.at, rssMb: Math.round(s.rssMb), pending: s.pending })) };
}

/**
 * Waits (at most 60 s) until our influxd uses less than a quarter of a core: after a phase that
 * wrote millions of points it compacts in the background, which would be charged to the next one.
 */
async function settleInfluxd(): Promise<number> {
  const t0 = Date.now();
  const pids = childrenNamed(process.pid, 'influxd');
  while (Date.now() - t0 < 60_000) {
    const before = pids.reduce((a, p) => a + (cpuSeconds(p) ?? 0), 0);
    await new Promise((r) => setTimeout(r, 1000));
    const used = pids.reduce((a, p) => a + (cpuSeconds(p) ?? 0), 0) - before;
    if (used < 0.25) break;
  }
  return (Date.now() - t0) / 1000;
}

async function runIngest(log: (line: string) => void): Promise<{ rows: BenchRow[]; figures: IngestFigures }> {
  const d = durations(QUICK);
  const district = defaultDistrict();
  const figures: IngestFigures = { brokerVariants: [], errors: [] };
  const influx = await startInfluxd();
  if (!influx) throw new Error('influxd is not installed (apt-get install influxdb): the ingest benchmark needs it');
  const ctx = makeContext(district, influx, d, log);
  const phase = async <T>(name: string, fn: () => Promise<T>): Promise<T | undefined> => {
    const waited = await settleInfluxd();
    log(`  ${name} ... (load average ${loadAverage()}${waited > 2.5 ? `; waited ${fmt(waited)} s for influxd's background work` : ''})`);
    const t = Date.now();
    try {
      const out = await fn();
      log(`  ${name}: done in ${((Date.now() - t) / 1000).toFixed(0)} s`);
      return out;
    } catch (err) {
      const msg = `${name}: ${err instanceof Error ? err.message : String(err)}`;
      figures.errors.push(msg);
      log(`  FAILED ${msg}`);
      return undefined;
    }
  };
  // BENCH_PHASES=offered,broker,variants,db,e2e,latency,outage,ingestnode,embedded,nodered,profile picks phases.
  const only = process.env.BENCH_PHASES?.split(',');
  const want = (name: string): boolean => only === undefined || only.includes(name);
  try {
    if (want('offered')) figures.offered = await phase('offered load (no subscriber)', () => offeredPhase(ctx));
    if (want('broker')) figures.broker = await phase('broker alone (shipped settings)', () => brokerPhase(ctx));
    if (want('variants') && (!QUICK || process.env.BENCH_BROKER_VARIANTS !== undefined)) {
      for (const v of (process.env.BENCH_BROKER_VARIANTS ?? '20,1000').split(',').filter(Boolean)) {
        const r = await phase(`broker alone (max_inflight_messages ${v})`, () => brokerPhase(ctx, { max_inflight_messages: v }));
        if (r) figures.brokerVariants.push(r);
      }
    }
    if (want('db')) figures.db = await phase('database alone', () => dbPhase(ctx));
    if (want('e2e')) figures.e2e = await phase('service end to end (max)', () => e2ePhase(ctx, { mode: 'max', rate: 0, durationMs: d.e2eMs }));
    const half = Math.max(100, Math.round((figures.e2e?.sustainedRate ?? Number(process.env.BENCH_HALF_RATE ?? 4000)) / 2));
    if (want('latency'))
      figures.latency = await phase(`service at half load (${fmt(half)} readings/s), latency`, () =>
        e2ePhase(ctx, { mode: 'latency', rate: half, durationMs: d.latencyMs }),
      );
    const outageMs = d.outage.beforeMs + d.outage.downMs + d.outage.afterMs;
    if (want('outage'))
      figures.outage = await phase(`service at half load through a ${d.outage.downMs / 1000} s InfluxDB outage`, () =>
        e2ePhase(ctx, { mode: 'outage', rate: half, durationMs: outageMs }),
      );
    if (want('ingestnode'))
      figures.ingestNode = await phase(`ingest node (ROLE=ingest, ${INGEST_NODE_ARGS.join(' ')}), max`, () =>
        e2ePhase(ctx, { mode: 'ingestNode', rate: 0, durationMs: d.e2eMs }),
      );
    if (want('embedded'))
      figures.embedded = await phase('embedded default (aedes + SQLite, max)', () =>
        e2ePhase(ctx, { mode: 'embedded', rate: 0, durationMs: d.embeddedMs }),
      );
    if (want('nodered') && process.env.BENCH_NODE_RED !== '0') {
      figures.nodeRed = await phase('Node-RED (mqtt in -> function -> influxdb out)', () => runNodeRed(ctx, { durationMs: d.e2eMs }));
    }
    if (process.env.BENCH_PROFILE === '1' || only?.includes('profile') === true) {
      const p = await phase('profile (--cpu-prof, max load)', () =>
        e2ePhase(ctx, { mode: 'profile', rate: 0, durationMs: Math.min(d.e2eMs, 30_000) }),
      );
      if (p?.profileFile) figures.profile = { result: p, summary: summariseProfile(JSON.parse(readFileSync(p.profileFile, 'utf8')), { top: 30 }) };
    }
  } finally {
    await influx.stop();
    if (figures.profile?.result.profileFile) {
      const kept = path.join(RESULTS_DIR, path.basename(figures.profile.result.profileFile));
      mkdirSync(RESULTS_DIR, { recursive: true });
      copyFileSync(figures.profile.result.profileFile, kept);
      figures.profile = { ...figures.profile, result: { ...figures.profile.result, profileFile: kept } };
    }
    if (process.env.BENCH_KEEP === '1') log(`  kept ${ctx.work} (BENCH_KEEP=1)`);
    else rmSync(ctx.work, { recursive: true, force: true });
  }
  return { rows: ingestRows(figures), figures };
}

/** Where the CPU went: microseconds per stored reading by process (2 cores = 2 s of CPU per second). */
function cpuRow(e: E2eResult): BenchRow {
  const cpu = e.cpu!;
  const parts = Object.entries(cpu.usPerReading)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${fmt(v, 1)}`);
  return {
    part: '',
    measure: `  CPU us per reading (${e.mode})`,
    value: `service ${fmt(cpu.usPerReading.service ?? NaN, 1)} us`,
    note: `${parts.join(', ')}; machine busy ${fmt(100 * cpu.machineBusyShare)}% (other work included)`,
  };
}

function ingestRows(f: IngestFigures): BenchRow[] {
  const rows: BenchRow[] = [];
  const r = 'readings/s';
  if (f.offered)
    rows.push({
      part: 'load generator',
      measure: 'offered (QoS 1, no subscriber)',
      value: `${fmt(f.offered.offeredRate)} ${r}`,
      note: `${fmt(f.offered.messages)} msgs, ${fmt(f.offered.readings)} readings`,
    });
  const cpuText = (c: Record<string, number> | undefined): string =>
    c
      ? `; CPU us/reading ${Object.entries(c)
          .map(([k, v]) => `${k} ${fmt(v, 1)}`)
          .join(', ')}`
      : '';
  const brokerNote = (b: BrokerResult): string =>
    `max_inflight_messages ${b.settings.max_inflight_messages ?? '20 (default)'}, ${fmt(b.messagesPerSecond)} msgs/s; published ${fmt(b.publishedRate)} ${r}, ${b.published > b.delivered ? `${fmt(b.published - b.delivered)} never delivered (dropped beyond max_queued_messages ${b.settings.max_queued_messages ?? 1000})` : 'all delivered'}${cpuText(b.cpuUsPerReading)}`;
  if (f.broker)
    rows.push({
      part: 'broker alone',
      measure: 'Mosquitto -> 1 subscriber (shipped conf)',
      value: `${fmt(f.broker.deliveredRate)} ${r}`,
      note: brokerNote(f.broker),
    });
  for (const b of f.brokerVariants)
    rows.push({
      part: 'broker alone',
      measure: `  variant max_inflight_messages ${b.settings.max_inflight_messages}`,
      value: `${fmt(b.deliveredRate)} ${r}`,
      note: brokerNote(b),
    });
  if (f.db)
    rows.push({
      part: 'database alone',
      measure: 'influxd line protocol, service points',
      value: `${fmt(f.db.readingsPerSecond)} ${r}`,
      note: `${fmt(f.db.pointsPerSecond)} points/s (readings + hourly), ${f.db.concurrency} writers x ${f.db.linesPerRequest} lines; influxd CPU ${fmt(f.db.influxdCpuUsPerReading, 1)} us/reading`,
    });
  const bound = f.broker && f.db ? Math.min(f.broker.deliveredRate, f.db.readingsPerSecond) : NaN;
  const missing = (e: E2eResult): BenchRow => ({
    part: '',
    measure: '  stored = published?',
    value: `${fmt(e.stored)} / ${fmt(e.published)}`,
    verdict: e.missing === 0 ? 'pass' : 'FAIL',
    note:
      e.missing === 0
        ? 'counted in the database afterwards'
        : `${fmt(e.missing)} READINGS MISSING${e.brokerDrops.length > 0 ? `; Mosquitto: ${e.brokerDrops[0]}` : ''}`,
  });
  if (f.e2e) {
    const ratio = f.e2e.sustainedRate / bound;
    rows.push({
      part: 'service e2e',
      measure: 'MQTT -> service -> influxd (max)',
      value: `${fmt(f.e2e.sustainedRate)} ${r}`,
      target: '>= 0.7 x min(broker, db)',
      verdict: Number.isFinite(ratio) ? (ratio >= 0.7 ? 'pass' : 'MISS') : '',
      note: `ratio ${fmt(ratio, 2)} of ${fmt(bound)}${Number.isFinite(ratio) && ratio < 0.7 ? ` (gap ${fmt(0.7 * bound - f.e2e.sustainedRate)} ${r})` : ''}; publishers got ${fmt(f.e2e.publishedRate)} ${r} acked; drain ${fmt(f.e2e.drainMs / 1000, 1)} s after last publish; journal peak ${fmt(f.e2e.peakPending)} msgs${f.e2e.pausedMs > 0 ? `; publishers held ${fmt(f.e2e.pausedMs / 1000, 1)} s (service > 1/5 of max_queued_messages behind)` : ''}`,
    });
    rows.push(missing(f.e2e));
    if (f.e2e.cpu) rows.push(cpuRow(f.e2e));
    rows.push({
      part: '',
      measure: '  peak RSS under max load',
      value: `${fmt(f.e2e.peakRssMb)} MB`,
      target: '<= 250 MB',
      verdict: f.e2e.peakRssMb <= 250 ? 'pass' : 'MISS',
      note: `V8 heap used peak ${fmt(f.e2e.peakHeapUsedMb)} MB${f.e2e.peakRssMb > 250 ? `; gap ${fmt(f.e2e.peakRssMb - 250)} MB` : ''}`,
    });
  }
  if (f.ingestNode) {
    const n = f.ingestNode;
    rows.push({
      part: 'service e2e',
      measure: `ingest node: ROLE=ingest, ${INGEST_NODE_ARGS.join(' ')} (max)`,
      value: `${fmt(n.sustainedRate)} ${r}, peak RSS ${fmt(n.peakRssMb)} MB`,
      target: '<= 250 MB',
      verdict: n.peakRssMb <= 250 ? 'pass' : 'MISS',
      note: `V8 heap used peak ${fmt(n.peakHeapUsedMb)} MB; the README's setting for ingest-only instances`,
    });
    rows.push(missing(n));
  }
  if (f.latency) {
    const l = f.latency.latency;
    if (l) {
      rows.push({
        part: 'service e2e',
        measure: `latency publish -> queryable @ ${fmt(f.latency.publishedRate)} ${r}`,
        value: `p50 ${fmt(l.p50Ms)} ms, p99 ${fmt(l.p99Ms)} ms`,
        target: 'p99 <= 1,000 ms',
        verdict: l.p99Ms <= 1000 ? 'pass' : 'MISS',
        note: `${l.probes} probes polled every ${l.pollMs} ms in InfluxDB, max ${fmt(l.maxMs)} ms${l.unresolved > 0 ? `, ${l.unresolved} never seen` : ''}${l.p99Ms > 1000 ? `; gap ${fmt(l.p99Ms - 1000)} ms` : ''}`,
      });
    }
    rows.push(missing(f.latency));
  }
  if (f.outage?.outage) {
    const o = f.outage.outage;
    const growth = o.rssDuringLastMb - o.rssDuringFirstMb;
    const ok = o.rssDuringPeakMb <= 250 && growth <= 25;
    rows.push({
      part: 'service e2e',
      measure: `RSS through ${fmt(o.downMs / 1000)} s InfluxDB outage @ ${fmt(f.outage.publishedRate)} ${r}`,
      value: `peak ${fmt(o.rssDuringPeakMb)} MB`,
      target: '<= 250 MB, bounded',
      verdict: ok ? 'pass' : 'MISS',
      note: `before ${fmt(o.rssBeforeMb)} MB; first/last third of outage ${fmt(o.rssDuringFirstMb)}/${fmt(o.rssDuringLastMb)} MB (growth ${fmt(growth)} MB); after ${fmt(o.rssAfterPeakMb)} MB; journal peak ${fmt(o.pendingPeak)} msgs; drained ${fmt(f.outage.drainMs / 1000, 1)} s after last publish`,
    });
    rows.push(missing(f.outage));
  }
  if (f.embedded) {
    rows.push({
      part: 'embedded default',
      measure: 'aedes -> service -> SQLite (max)',
      value: `${fmt(f.embedded.sustainedRate)} ${r}`,
      note: `ratio ${fmt(f.embedded.sustainedRate / (f.e2e?.sustainedRate ?? NaN), 2)} of the Mosquitto + InfluxDB figure; peak RSS ${fmt(f.embedded.peakRssMb)} MB`,
    });
    if (f.embedded.cpu) rows.push(cpuRow(f.embedded));
    rows.push(missing(f.embedded));
  }
  if (f.nodeRed) {
    const n = f.nodeRed;
    if (n.error !== undefined)
      rows.push({ part: 'Node-RED', measure: 'mqtt in -> function -> influxdb out', value: 'not run', verdict: '', note: n.error });
    else {
      rows.push({
        part: 'Node-RED',
        measure: `mqtt in -> function -> influxdb out (${n.version})`,
        value: `${fmt(n.sustainedRate)} ${r}`,
        note: `service / Node-RED = ${fmt((f.e2e?.sustainedRate ?? NaN) / n.sustainedRate, 2)}; peak RSS ${fmt(n.peakRssMb)} MB; ${n.drainNote}`,
      });
      rows.push({
        part: '',
        measure: '  stored = published?',
        value: `${fmt(n.stored)} / ${fmt(n.published)}`,
        verdict: n.stored === n.published ? 'pass' : 'MISS',
        note:
          n.stored === n.published
            ? ''
            : `Node-RED LOST ${fmt(n.published - n.stored)} readings it had acknowledged to the broker (PUBACK on receipt); ${fmt(n.errorLines ?? 0)} errors logged, mostly: ${n.commonError ?? '-'}`,
      });
    }
  }
  for (const e of f.errors) rows.push({ part: 'error', measure: e.slice(0, 60), value: '', verdict: 'FAIL', note: e.slice(60, 400) });
  return rows;
}

type ReportBenchModule = { runReportBench?: (options?: { enterprises?: number; runs?: number; log?: (line: string) => void }) => Promise<unknown> };

/** The other benchmark, if it already exports runReportBench (importing the old file would run it). */
async function runReports(log: (line: string) => void): Promise<{ rows: BenchRow[]; result?: unknown }> {
  const file = path.join(__dirname, 'reportBench.ts');
  const source = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (!/export\s+(async\s+)?function\s+runReportBench|export\s*\{[^}]*\brunReportBench\b/.test(source)) {
    log('report bench: see npm run bench:reports');
    return { rows: [{ part: 'reports', measure: 'report bench', value: 'see npm run bench:reports', verdict: '' }] };
  }
  // A run-time require (tsx/cjs compiles it), not import(): Node's ESM loader cannot load a .ts file.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('./reportBench') as ReportBenchModule;
  if (typeof mod.runReportBench !== 'function') {
    log('report bench: see npm run bench:reports');
    return { rows: [{ part: 'reports', measure: 'report bench', value: 'see npm run bench:reports', verdict: '' }] };
  }
  log('  report bench (runReportBench) ...');
  // BENCH_QUICK: a small district and one run; otherwise its own defaults (BENCH_ENTERPRISES ...).
  const result = await mod.runReportBench(QUICK ? { enterprises: 20, runs: 1, log } : { log });
  return { rows: reportRows(result), result };
}

/** Rows from what runReportBench returns: `{name, medianMs, runsMs, note}` rows, or any numbers. */
function reportRows(result: unknown): BenchRow[] {
  if (Array.isArray(result)) {
    return result.map((row: unknown) => {
      const o = (row && typeof row === 'object' ? row : {}) as Record<string, unknown>;
      const ms = typeof o.medianMs === 'number' ? o.medianMs : NaN;
      const runs = Array.isArray(o.runsMs) ? o.runsMs.length : 0;
      const target = typeof o.targetMs === 'number' ? o.targetMs : undefined;
      return {
        part: 'reports',
        measure: String(o.name ?? ''),
        value: ms >= 10_000 ? `${fmt(ms / 1000, 1)} s` : `${fmt(ms)} ms`,
        ...(target !== undefined && { target: `<= ${fmt(target)} ms`, verdict: ms <= target ? 'pass' : 'MISS' }),
        note: [
          runs > 1 ? `median of ${runs}` : '',
          typeof o.bytes === 'number' ? `${fmt(o.bytes)} bytes` : '',
          typeof o.note === 'string' ? o.note : '',
        ]
          .filter(Boolean)
          .join('; '),
      };
    });
  }
  if (result && typeof result === 'object' && 'rows' in result && Array.isArray(result.rows)) {
    return result.rows.map((row: unknown) => {
      const o = (row && typeof row === 'object' ? row : {}) as Record<string, unknown>;
      const text = (k: string): string => (o[k] === undefined ? '' : String(o[k]));
      return {
        part: 'reports',
        measure: text('measure') || text('name') || text('label'),
        value: text('value') || `${text('seconds')}${o.seconds !== undefined ? ' s' : ''}`,
        note: text('note'),
      };
    });
  }
  const rows: BenchRow[] = [];
  const walk = (v: unknown, key: string): void => {
    if (typeof v === 'number' || typeof v === 'string') rows.push({ part: 'reports', measure: key, value: typeof v === 'number' ? fmt(v, 2) : v });
    else if (v && typeof v === 'object' && rows.length < 40) for (const [k, x] of Object.entries(v)) walk(x, key ? `${key}.${k}` : k);
  };
  walk(result, '');
  return rows;
}

async function main(): Promise<void> {
  const only = process.argv[2];
  const started = new Date();
  const log = (line: string): void => console.log(line);
  log(`bench ${QUICK ? '(quick) ' : ''}on ${os.cpus().length} cores, node ${process.version}, load average ${loadAverage()}`);
  const ingest = only === 'reports' ? undefined : await runIngest(log);
  const reports = only === 'ingest' ? undefined : await runReports(log);
  const rows = [...(ingest?.rows ?? []), ...(reports?.rows ?? [])];
  log('');
  log(`${QUICK ? 'QUICK run' : 'full run'} ${started.toISOString()}, ${os.cpus().length} cores, load average at end ${loadAverage()}`);
  printTable(rows);
  if (ingest?.figures.profile) {
    log('');
    log(ingest.figures.profile.summary);
  }
  mkdirSync(RESULTS_DIR, { recursive: true });
  const f = ingest?.figures;
  const json = {
    started: started.toISOString(),
    finished: new Date().toISOString(),
    quick: QUICK,
    cores: os.cpus().length,
    node: process.version,
    loadAverageAtEnd: os.loadavg(),
    rows,
    ingest: f && {
      ...f,
      e2e: withoutSamples(f.e2e),
      ingestNode: withoutSamples(f.ingestNode),
      latency: withoutSamples(f.latency),
      outage: withoutSamples(f.outage),
      embedded: withoutSamples(f.embedded),
      profile: f.profile && { file: f.profile.result.profileFile, summary: f.profile.summary },
    },
    reports: reports?.result,
  };
  const name = `bench-${started.toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(path.join(RESULTS_DIR, name), JSON.stringify(json, null, 2));
  writeFileSync(path.join(RESULTS_DIR, 'bench-latest.json'), JSON.stringify(json, null, 2));
  log(`results: bench/results/${name}`);
  const failed = rows.filter((r) => r.verdict === 'FAIL');
  if (failed.length > 0) {
    console.error(`\nBENCH FAILED: ${failed.map((r) => `${r.part} ${r.measure.trim()}: ${r.note ?? ''}`).join('; ')}`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
