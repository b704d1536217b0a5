/**
 * `npm run bench:reports`: monthly report generation and one rule-evaluation cycle for a district
 * of 300 enterprises x 20 meters with a year of data, in a real influxd started here (or one given
 * by `influxUrl`). Prints and returns the times (median of the runs) and writes them to
 * bench/results/reports.json. Not a test: it asserts nothing and nothing depends on its times.
 * Another bench entry calls `runReportBench(options)`.
 *
 *   BENCH_ENTERPRISES (300)  BENCH_METERS (20)  BENCH_RUNS (3)  BENCH_RAW (month | year)
 *   BENCH_TRACE=1: every InfluxQL request with its time (how the per-query figures were found)
 *   BENCH_INFLUX_URL: an influxd 1.x to use instead of starting one; with BENCH_REUSE=1 its
 *   `bench_reports` database is kept when it already holds the loaded district (for iterating on
 *   queries without the 10-minute load; the load and rollup-build rows are then left out)
 *
 * What is loaded, and how (so the figures can be read honestly):
 * - Hourly consumption for the whole year (2025-12 .. 2026-11), written as line protocol: the same
 *   `consumption` points the ConsumptionTracker writes (one per meter and UTC hour).
 * - Raw 15-minute registers only for the report month 2026-11 (BENCH_RAW=year: the whole year, as
 *   the old bench did). With the rollups the report and the rule cycle read no raw readings
 *   outside the report month's completeness, which the daily counts answer; loading 12 months of
 *   raw readings only made the load 4x longer.
 * - The daily rollups are NOT written by the bench: the store's own start-up migration
 *   (InfluxTimeSeriesStore.start() -> rebuildRollups, the code that runs on a database from before
 *   the rollups) builds them from the loaded hours and readings, and its time is reported. The live
 *   write path (write() refreshing the touched days) is timed by "ingest round": one 15-minute round
 *   of readings and hours for every meter through store.write().
 * - The rule cycle is RuleEngine.evaluate() with the real StatusService, AlarmManager (no-op sink)
 *   and SQLite state, at 1 minute after the newest reading, as the minute schedule would run it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { AlarmManager } from '../alerts/alarmManager';
import { RuleEngine } from '../alerts/ruleEngine';
import { COEFFICIENTS } from '../config/coefficients';
import { parseConfig } from '../config/load';
import type { Config, ConfigInput } from '../config/schema';
import { ConsumptionService } from '../services/figures/consumptionService';
import { FactorTable } from '../services/energy/factors';
import type { Reading } from '../services/energy/reading';
import { monthBounds } from '../services/energy/time';
import { silentLogger } from '../services/core/log';
import { MonthlyReportBuilder } from '../services/reports/monthlyReportBuilder';
import { renderReport } from '../services/reports/render';
import { StatusService } from '../services/figures/statusService';
import { AlarmStore } from '../services/store/state/alarmStore';
import { MonthlyStatisticsStore } from '../services/store/state/monthlyStatisticsStore';
import { InfluxTimeSeriesStore } from '../services/store/influx/influxTimeSeriesStore';
import { SqliteStateDb } from '../services/store/state/db/sqliteStateDb';
import { StateStore } from '../services/store/state/stateStore';
import type { HourlyConsumption } from '../services/store/timeSeriesStore';
import { startInfluxd } from '../test/helpers/influxd';

export interface ReportBenchOptions {
  readonly enterprises?: number;
  readonly meters?: number;
  readonly runs?: number;
  /** Raw 15-minute readings for the report month only (default) or the whole year. */
  readonly raw?: 'month' | 'year';
  /** An influxd 1.x to use (its database `bench_reports` is dropped first); default: start one. */
  readonly influxUrl?: string;
  /** Progress lines (default console.log). */
  readonly log?: (line: string) => void;
  /** Log every /query the store sends with its time (profiling; default BENCH_TRACE=1). */
  readonly traceQueries?: boolean;
  /** Keep a database loaded by an earlier run of the same size (with influxUrl; default BENCH_REUSE=1). */
  readonly reuse?: boolean;
}

/** A fetch that logs each InfluxQL request's duration and statement (first 160 characters of each). */
function tracingFetch(log: (line: string) => void): typeof fetch {
  return async (input, init) => {
    const start = process.hrtime.bigint();
    const q = typeof init?.body === 'string' ? new URLSearchParams(init.body).get('q') : null;
    const res = await fetch(input, init);
    if (q === null) return res;
    const text = await res.text();
    {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      log(
        `  ${ms.toFixed(1).padStart(8)} ms ${String(text.length).padStart(9)} B  ${q
          .split('; ')
          .map((x) => x.slice(0, 160))
          .join('\n' + ' '.repeat(32))}`,
      );
    }
    return new Response(text, { status: res.status, headers: res.headers });
  };
}

/** One timed step: the median and every run, in milliseconds. */
export interface ResultRow {
  readonly name: string;
  readonly medianMs: number;
  readonly runsMs: readonly number[];
  readonly bytes?: number;
  readonly note?: string;
  /** Issue 7's target for this figure, when it has one. */
  readonly targetMs?: number;
}
export type ResultRows = ResultRow[];

const INTERVAL_MS = 900_000;
const HOUR_MS = 3_600_000;
const FROM = Date.parse('2025-12-01T00:00:00+08:00');
const TO = Date.parse('2026-12-01T00:00:00+08:00');
const MONTH = '2026-11';
const ZONE = 'Asia/Shanghai';
const DB = 'bench_reports';
const INDUSTRIES = ['3216', '3011', '2614', '2710', '3110'];

const id = (i: number): string => `e${String(i + 1).padStart(3, '0')}`;
const meterId = (j: number): string => `m${String(j + 1).padStart(2, '0')}`;
const carrierOf = (j: number): { carrier: string; unit: string } =>
  j === 1 ? { carrier: 'product', unit: 't' } : j === 2 ? { carrier: 'natural_gas', unit: 'm3' } : { carrier: 'electricity', unit: 'kWh' };

function config(enterprises: number, meters: number): Config {
  const input: ConfigInput = {
    timezone: ZONE,
    enterprises: Array.from({ length: enterprises }, (_, i) => {
      const industry = INDUSTRIES[i % INDUSTRIES.length]!;
      return {
        id: id(i),
        name: `压测企业${i + 1}`,
        industry,
        ...(industry === '3216' && { tariff: 'al' }),
        ...(industry === '3011' && { tariff: 'cem' }),
        quotas: [{ year: 2026, totalTce: 20_000 + 100 * i, intensityLimit: 1.5 }],
        meters: Array.from({ length: meters }, (_, j) => ({ id: meterId(j), ...carrierOf(j), kind: 'counter' as const })),
      };
    }),
    tariffs: [
      { id: 'al', scheme: 'step', basis: 'ytd', threshold: 13300, step: 20, markupPerStep: 0.01 },
      {
        id: 'cem',
        scheme: 'bands',
        basis: 'ytd',
        limit: 61,
        metric: 'kwh_per_t',
        bands: [
          { over: 0, markup: 0.05 },
          { over: 0.1, markup: 0.1 },
        ],
      },
    ],
  };
  return parseConfig(stringify(input), 'bench');
}

/** Quantity per 15 minutes of meter j of enterprise i: a steady load with a daily swing. */
function step(i: number, j: number, ts: number): number {
  const base = j === 1 ? 0.02 : j === 2 ? 30 : 250 + 10 * (i % 7);
  const hour = new Date(ts + 8 * HOUR_MS).getUTCHours();
  return base * (1 + 0.2 * Math.sin((hour / 24) * 2 * Math.PI));
}

async function post(url: string, body: string): Promise<void> {
  const res = await fetch(`${url}/write?db=${DB}&precision=ms`, { method: 'POST', body });
  if (res.status !== 204) throw new Error(`bench write failed: HTTP ${res.status} ${await res.text()}`);
}

interface Loaded {
  readings: number;
  hourly: number;
  registers: Map<string, number>;
}

/**
 * Hourly values for [FROM, TO) and raw registers from `rawFrom` to TO inclusive, meter by meter,
 * three requests in flight. Returns each meter's last register, for the ingest rounds after it.
 */
async function load(url: string, enterprises: number, meters: number, rawFrom: number): Promise<Loaded> {
  await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q: `DROP DATABASE ${DB}` }) });
  await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q: `CREATE DATABASE ${DB}` }) });
  let readings = 0;
  let hourly = 0;
  const registers = new Map<string, number>();
  const inflight = new Set<Promise<void>>();
  const send = async (lines: string[]): Promise<void> => {
    const p = post(url, lines.join('\n')).finally(() => inflight.delete(p));
    inflight.add(p);
    if (inflight.size >= 3) await Promise.race(inflight);
  };
  for (let i = 0; i < enterprises; i++) {
    for (let j = 0; j < meters; j++) {
      const { carrier, unit } = carrierOf(j);
      const tags = `enterprise=${id(i)},meter=${meterId(j)}`;
      let register = 1000;
      let hourSum = 0;
      let lines: string[] = [];
      if (FROM >= rawFrom) {
        lines.push(`reading,${tags} value=${register},quality="good" ${FROM}`);
        readings++;
      }
      for (let ts = FROM + INTERVAL_MS; ts <= TO; ts += INTERVAL_MS) {
        const q = step(i, j, ts);
        register += q;
        hourSum += q;
        if (ts >= rawFrom) {
          lines.push(`reading,${tags} value=${register},quality="good" ${ts}`);
          readings++;
        }
        if ((ts - FROM) % HOUR_MS === 0) {
          lines.push(`consumption,carrier=${carrier},${tags},unit=${unit} quantity=${hourSum} ${ts - HOUR_MS}`);
          hourly++;
          hourSum = 0;
        }
        if (lines.length >= 10_000) {
          await send(lines);
          lines = [];
        }
      }
      if (lines.length) await send(lines);
      registers.set(`${id(i)}/${meterId(j)}`, register);
    }
  }
  await Promise.all(inflight);
  return { readings, hourly, registers };
}

/** The registers at `until` (load() ends at TO; the ingest rounds of earlier runs go on), computed without writing. */
function registersAt(enterprises: number, meters: number, until: number): Map<string, number> {
  const registers = new Map<string, number>();
  for (let i = 0; i < enterprises; i++) {
    for (let j = 0; j < meters; j++) {
      let register = 1000;
      for (let ts = FROM + INTERVAL_MS; ts <= until; ts += INTERVAL_MS) register += step(i, j, ts);
      registers.set(`${id(i)}/${meterId(j)}`, register);
    }
  }
  return registers;
}

/** The newest reading's time in a reused database: earlier runs' ingest rounds went past TO. */
async function newestReading(url: string): Promise<number> {
  const res = await fetch(`${url}/query?db=${DB}&epoch=ms`, { method: 'POST', body: new URLSearchParams({ q: 'SELECT last(value) FROM reading' }) });
  const body = (await res.json()) as { results?: { series?: { values?: unknown[][] }[] }[] };
  const t = body.results?.[0]?.series?.[0]?.values?.[0]?.[0];
  return typeof t === 'number' ? Math.max(t, TO) : TO;
}

/** Whether `bench_reports` already holds the last reading of the last meter of this size. */
async function alreadyLoaded(url: string, enterprises: number, meters: number): Promise<boolean> {
  const q = `SELECT count(value) FROM reading WHERE enterprise = '${id(enterprises - 1)}' AND meter = '${meterId(meters - 1)}' AND time = ${TO}ms`;
  const res = await fetch(`${url}/query?db=${DB}`, { method: 'POST', body: new URLSearchParams({ q }) });
  return res.ok && (await res.text()).includes('"count"');
}

/** Peak V8 heap and RSS of this process between start and stop(), sampled every 20 ms. */
function heapSampler(): { stop: () => { heapMb: number; rssMb: number } } {
  let heap = 0;
  let rss = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    heap = Math.max(heap, m.heapUsed);
    rss = Math.max(rss, m.rss);
  };
  const timer = setInterval(sample, 20);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return { heapMb: Math.round(heap / 1048576), rssMb: Math.round(rss / 1048576) };
    },
  };
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await work();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const row = (name: string, runsMs: readonly number[], extra: { bytes?: number; note?: string; targetMs?: number } = {}): ResultRow => ({
  name,
  medianMs: median(runsMs),
  runsMs,
  ...extra,
});

export async function runReportBench(options: ReportBenchOptions = {}): Promise<ResultRows> {
  // Options not given come from the environment, as for `npm run bench:reports`.
  const env = process.env;
  const enterprises = options.enterprises ?? Number(env.BENCH_ENTERPRISES ?? 300);
  const meters = options.meters ?? Number(env.BENCH_METERS ?? 20);
  const runs = Math.max(1, options.runs ?? Number(env.BENCH_RUNS ?? 3));
  const raw = options.raw ?? (env.BENCH_RAW === 'year' ? 'year' : 'month');
  const log = options.log ?? ((line: string) => console.log(line));
  const traceQueries = options.traceQueries ?? env.BENCH_TRACE === '1';
  const influxUrl = options.influxUrl ?? env.BENCH_INFLUX_URL;
  const own = influxUrl === undefined ? await startInfluxd() : undefined;
  const url = influxUrl ?? own?.url;
  if (url === undefined) throw new Error('influxd is not installed (apt-get install influxdb)');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-reports-'));
  const rows: ResultRows = [];
  try {
    const month = monthBounds(MONTH, ZONE)!;
    const rawFrom = raw === 'year' ? FROM : month.start;
    const reuse = influxUrl !== undefined && (options.reuse ?? env.BENCH_REUSE === '1') && (await alreadyLoaded(url, enterprises, meters));
    let loaded: { ms: number; value: Loaded };
    let newest = TO;
    if (reuse) {
      newest = await newestReading(url);
      log(`reusing the district loaded in ${url} (${DB}), newest reading ${new Date(newest).toISOString()}`);
      loaded = { ms: 0, value: { readings: 0, hourly: 0, registers: registersAt(enterprises, meters, newest) } };
    } else {
      log(
        `loading ${enterprises} enterprises x ${meters} meters: hourly values ${new Date(FROM).toISOString()} .. ${new Date(TO).toISOString()}, raw readings from ${new Date(rawFrom).toISOString()}`,
      );
      loaded = await timed(() => load(url, enterprises, meters, rawFrom));
      const points = loaded.value.readings + loaded.value.hourly;
      log(
        `loaded ${loaded.value.readings.toLocaleString()} readings + ${loaded.value.hourly.toLocaleString()} hourly values in ${(loaded.ms / 1000).toFixed(1)} s`,
      );
      rows.push(
        row('load (line protocol)', [loaded.ms], {
          note: `${loaded.value.readings} readings + ${loaded.value.hourly} hourly values, ${Math.round(points / (loaded.ms / 1000))} points/s`,
        }),
      );
    }

    const cfg = config(enterprises, meters);
    // As one all-in-one instance runs it: the only writer of readings (see soleWriter).
    const store = new InfluxTimeSeriesStore(
      { url, database: DB, zone: ZONE, requestTimeoutMs: 900_000, soleWriter: true },
      { logger: silentLogger(), ...(traceQueries && { fetch: tracingFetch(log) }) },
    );
    const stateDb = new SqliteStateDb(path.join(dir, 'state.db'));
    const state = new StateStore(stateDb);
    const alarms = new AlarmStore(stateDb);
    const outputs = new MonthlyStatisticsStore(stateDb);
    // start() finds no rollups and builds them from what was loaded (the one-time migration).
    const started = await timed(() => store.start());
    log(`store start with the rollup build: ${(started.ms / 1000).toFixed(1)} s`);
    if (!reuse) rows.push(row('rollup build on first start', [started.ms]));
    await stateDb.start();

    const factors = new FactorTable(cfg, COEFFICIENTS);
    const consumption = new ConsumptionService({ store, factors, config: cfg });
    const status = new StatusService({ store, outputs, config: cfg, factors });
    const builder = new MonthlyReportBuilder({ config: cfg, store, alarms, consumption, status });
    const ids = cfg.enterprises.map((e) => e.id);

    // First, a report from a store that has read nothing yet (no cached rollup results): what the
    // first report after a restart costs.
    {
      const coldStore = new InfluxTimeSeriesStore({ url, database: DB, zone: ZONE, requestTimeoutMs: 900_000 }, { logger: silentLogger() });
      await coldStore.start();
      const coldConsumption = new ConsumptionService({ store: coldStore, factors, config: cfg });
      const coldStatus = new StatusService({ store: coldStore, outputs, config: cfg, factors });
      const coldBuilder = new MonthlyReportBuilder({ config: cfg, store: coldStore, alarms, consumption: coldConsumption, status: coldStatus });
      const heap = heapSampler();
      const built = await timed(() => coldBuilder.build(MONTH, Date.now(), 1));
      const rendered = await timed(() => renderReport(built.value, 'pdf', 'zh-CN'));
      const peak = heap.stop();
      log(`cold report model ${Math.round(built.ms)} ms, PDF ${Math.round(rendered.ms)} ms`);
      rows.push(
        row('report JSON, cold (fresh store, nothing cached)', [built.ms], {
          targetMs: 2000,
          note: `peak heap ${peak.heapMb} MB, RSS ${peak.rssMb} MB (bench process)`,
        }),
      );
      rows.push(row('report PDF, cold (model + render)', [built.ms + rendered.ms], { targetMs: 10_000 }));
      await coldStore.stop();
    }

    // The report's three store reads, one by one (they run concurrently inside build()).
    const lastYear = Date.parse('2025-11-01T00:00:00+08:00');
    const q = { series: [] as number[], status: [] as number[], counts: [] as number[] };
    for (let run = 0; run < runs; run++) {
      q.series.push((await timed(() => consumption.series(ids, lastYear, month.end, '1mo'))).ms);
      q.status.push((await timed(() => status.statusAt(cfg.enterprises, month.end, { endOf: true }))).ms);
      q.counts.push((await timed(() => store.countUsable(ids, month.start, month.end))).ms);
    }
    rows.push(
      row('query: consumption 13 months by month', q.series),
      row('query: statusAt month end', q.status),
      row('query: countUsable report month', q.counts),
    );

    const json: number[] = [];
    const pdf: number[] = [];
    let size = { json: 0, pdf: 0 };
    for (let run = 0; run < runs; run++) {
      const built = await timed(() => builder.build(MONTH, Date.now(), 1));
      log(`run ${run + 1}: report model ${Math.round(built.ms)} ms`);
      json.push(built.ms);
      const rendered = await timed(() => renderReport(built.value, 'pdf', 'zh-CN'));
      pdf.push(built.ms + rendered.ms);
      size = { json: Buffer.byteLength(JSON.stringify(built.value)), pdf: rendered.value.body.length };
    }
    rows.push(
      row('report JSON (model), warm', json, { bytes: size.json, targetMs: 2000 }),
      row('report PDF (model + render), warm', pdf, { bytes: size.pdf, targetMs: 10_000 }),
    );

    // Ingest rounds through the store's write path: every meter's next 15-minute reading and the
    // hour it opens, as the tracker's fast path writes them; write() refreshes the touched days.
    const openHours = new Map<string, number>();
    let last = newest;
    /** Every meter's next 15-minute reading and the hour it belongs to, through store.write() and its rollup round. */
    const ingestRound = async (): Promise<number> => {
      const ts = last + INTERVAL_MS;
      const readings: Reading[] = [];
      const hourly: HourlyConsumption[] = [];
      cfg.enterprises.forEach((e, i) =>
        e.meters.forEach((m, j) => {
          const key = `${e.id}/${m.id}`;
          const q15 = step(i, j, ts);
          const register = (loaded.value.registers.get(key) ?? 1000) + q15;
          loaded.value.registers.set(key, register);
          readings.push({ enterprise: e.id, meter: m.id, ts, value: register, quality: 'good' });
          // The step covers (ts - 15 min, ts]: it belongs to the hour holding ts - 1 ms, summed as the tracker does.
          const hour = Math.floor((ts - 1) / HOUR_MS) * HOUR_MS;
          const sum = (openHours.get(`${key}@${hour}`) ?? 0) + q15;
          openHours.set(`${key}@${hour}`, sum);
          hourly.push({ enterprise: e.id, meter: m.id, ...carrierOf(j), hour, quantity: sum });
        }),
      );
      // The round's rollups are part of its cost: write() returns before their refresh round.
      const { ms } = await timed(async () => {
        await store.write({ readings, hourly });
        await store.settleRollups();
      });
      last = ts;
      return ms;
    };
    const round: number[] = [];
    for (let run = 0; run < runs; run++) round.push(await ingestRound());
    rows.push(
      row('ingest round (write + rollup refresh)', round, { note: `${enterprises * meters} readings + ${enterprises * meters} hours per round` }),
    );

    const manager = new AlarmManager({ alarms, sinks: [{ notify: () => undefined }], logger: silentLogger() });
    let at = last + 60_000;
    const engine = new RuleEngine({}, { config: cfg, status, store, state, alarms, manager, logger: silentLogger(), now: () => at });
    const cycles: number[] = [];
    for (let run = 0; run < runs + 1; run++) cycles.push((await timed(() => engine.evaluate(at))).ms);
    // The first cycle raises every alarm (state writes); the steady state is the rest.
    rows.push(
      row('rule cycle (first, raises alarms)', cycles.slice(0, 1)),
      row('rule cycle (steady, nothing written since)', cycles.slice(1), { targetMs: 200 }),
    );
    // As in operation: a round of every meter's readings lands between two cycles, so today's
    // rollups and every meter's newest reading changed, and the closed days did not.
    const afterIngestRounds = async (rules: RuleEngine): Promise<number[]> => {
      const ms: number[] = [];
      for (let run = 0; run < runs; run++) {
        await ingestRound();
        at = last + 60_000;
        ms.push((await timed(() => rules.evaluate(at))).ms);
      }
      return ms;
    };
    rows.push(
      row('rule cycle (after an ingest round of every meter)', await afterIngestRounds(engine), {
        targetMs: 200,
        note: 'all-in-one instance (soleWriter)',
      }),
    );
    // The rules instance of a scaled-out deployment: other instances write, so latest() polls.
    const scaledStore = new InfluxTimeSeriesStore(
      { url, database: DB, zone: ZONE, requestTimeoutMs: 900_000 },
      { logger: silentLogger(), ...(traceQueries && { fetch: tracingFetch(log) }) },
    );
    await scaledStore.start();
    const scaledStatus = new StatusService({ store: scaledStore, outputs, config: cfg, factors });
    const scaledEngine = new RuleEngine(
      {},
      { config: cfg, status: scaledStatus, store: scaledStore, state, alarms, manager, logger: silentLogger(), now: () => at },
    );
    await scaledEngine.evaluate(at); // its first cycle scans every meter's history once
    rows.push(
      row('rule cycle (after an ingest round), scaled out', await afterIngestRounds(scaledEngine), {
        targetMs: 200,
        note: "rules instance polling for other writers' readings",
      }),
    );
    await scaledEngine.stop();
    await scaledStore.stop();
    await engine.stop();
    await Promise.all([store.stop(), stateDb.stop()]);
    return rows;
  } finally {
    await own?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const rows = await runReportBench();
  const enterprises = Number(process.env.BENCH_ENTERPRISES ?? 300);
  const meters = Number(process.env.BENCH_METERS ?? 20);
  const raw = process.env.BENCH_RAW === 'year' ? 'year' : 'month';
  console.table(
    Object.fromEntries(
      rows.map((r) => [
        r.name,
        {
          'median ms': Math.round(r.medianMs),
          runs: r.runsMs.map(Math.round).join(' / '),
          ...(r.bytes !== undefined && { bytes: r.bytes }),
          ...(r.note !== undefined && { note: r.note }),
        },
      ]),
    ),
  );
  const out = path.join(__dirname, 'results');
  mkdirSync(out, { recursive: true });
  const result = { enterprises, meters: enterprises * meters, raw, rows, machine: { cpus: os.cpus().length, node: process.version } };
  writeFileSync(path.join(out, 'reports.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`written ${path.join(out, 'reports.json')}`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
