/**
 * `npm run bench:reports`: monthly report generation for a district of 300 enterprises x 20 meters
 * with 15-minute data for a year, in a real influxd started here. Prints the data volume, the load
 * time and the report times (JSON model and PDF), and writes them to bench/results/reports.json.
 * Not a test: it asserts nothing and nothing depends on its times.
 *
 *   BENCH_ENTERPRISES (300)  BENCH_METERS (20)  BENCH_RUNS (3)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { COEFFICIENTS } from '../config/coefficients';
import { parseConfig } from '../config/load';
import type { ConfigInput } from '../config/schema';
import { ConsumptionService } from '../services/consumption/consumptionService';
import { FactorTable } from '../services/energy/factors';
import { silentLogger } from '../services/log';
import { MonthlyReportBuilder } from '../services/reports/monthlyReportBuilder';
import { renderReport } from '../services/reports/render';
import { StatusService } from '../services/status/statusService';
import { AlarmStore } from '../services/store/alarmStore';
import { InfluxTimeSeriesStore } from '../services/store/influxTimeSeriesStore';
import { startInfluxd } from '../test/helpers/influxd';
import { stringify } from 'yaml';

const ENTERPRISES = Number(process.env.BENCH_ENTERPRISES ?? 300);
const METERS = Number(process.env.BENCH_METERS ?? 20);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const INTERVAL_MS = 900_000;
const FROM = Date.parse('2025-12-01T00:00:00+08:00');
const TO = Date.parse('2026-12-01T00:00:00+08:00');
const MONTH = '2026-11';
const DB = 'bench_reports';
const INDUSTRIES = ['3216', '3011', '2614', '2710', '3110'];

const id = (i: number) => `e${String(i + 1).padStart(3, '0')}`;
const meterId = (j: number) => `m${String(j + 1).padStart(2, '0')}`;

function config() {
  const input: ConfigInput = {
    timezone: 'Asia/Shanghai',
    enterprises: Array.from({ length: ENTERPRISES }, (_, i) => {
      const industry = INDUSTRIES[i % INDUSTRIES.length]!;
      return {
        id: id(i), name: `压测企业${i + 1}`, industry,
        ...(industry === '3216' && { tariff: 'al' }), ...(industry === '3011' && { tariff: 'cem' }),
        quotas: [{ year: 2026, totalTce: 20_000 + 100 * i, intensityLimit: 1.5 }],
        meters: Array.from({ length: METERS }, (_, j) => j === 1
          ? { id: meterId(j), carrier: 'product', unit: 't', kind: 'counter' as const }
          : j === 2 ? { id: meterId(j), carrier: 'natural_gas', unit: 'm3', kind: 'counter' as const }
            : { id: meterId(j), carrier: 'electricity', unit: 'kWh', kind: 'counter' as const }),
      };
    }),
    tariffs: [
      { id: 'al', scheme: 'step', basis: 'ytd', threshold: 13300, step: 20, markupPerStep: 0.01 },
      { id: 'cem', scheme: 'bands', basis: 'ytd', limit: 61, metric: 'kwh_per_t', bands: [{ over: 0, markup: 0.05 }, { over: 0.1, markup: 0.1 }] },
    ],
  };
  return parseConfig(stringify(input), 'bench');
}

/** Quantity per 15 minutes of meter j of enterprise i: a steady load with a daily swing. */
function step(i: number, j: number, ts: number): number {
  const base = j === 1 ? 0.02 : j === 2 ? 30 : 250 + 10 * (i % 7);
  const hour = new Date(ts + 8 * 3_600_000).getUTCHours();
  return base * (1 + 0.2 * Math.sin((hour / 24) * 2 * Math.PI));
}

async function post(url: string, body: string): Promise<void> {
  const res = await fetch(`${url}/write?db=${DB}&precision=ms`, { method: 'POST', body });
  if (res.status !== 204) throw new Error(`write failed: ${res.status} ${await res.text()}`);
}

/** Writes raw 15-minute registers and the hourly consumption the service would store, meter by meter. */
async function load(url: string): Promise<{ readings: number; hourly: number }> {
  await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q: `CREATE DATABASE ${DB}` }) });
  let readings = 0;
  let hourly = 0;
  const inflight = new Set<Promise<void>>();
  const send = async (lines: string[]): Promise<void> => {
    const p = post(url, lines.join('\n')).finally(() => inflight.delete(p));
    inflight.add(p);
    if (inflight.size >= 3) await Promise.race(inflight);
  };
  for (let i = 0; i < ENTERPRISES; i++) {
    for (let j = 0; j < METERS; j++) {
      const carrier = j === 1 ? 'product' : j === 2 ? 'natural_gas' : 'electricity';
      const unit = j === 1 ? 't' : j === 2 ? 'm3' : 'kWh';
      const tags = `enterprise=${id(i)},meter=${meterId(j)}`;
      let register = 1000;
      let hourSum = 0;
      let lines: string[] = [`reading,${tags} value=${register},quality="good" ${FROM}`];
      for (let ts = FROM + INTERVAL_MS; ts <= TO; ts += INTERVAL_MS) {
        const q = step(i, j, ts);
        register += q;
        hourSum += q;
        lines.push(`reading,${tags} value=${register},quality="good" ${ts}`);
        if ((ts - FROM) % 3_600_000 === 0) {
          lines.push(`consumption,carrier=${carrier},${tags},unit=${unit} quantity=${hourSum} ${ts - 3_600_000}`);
          hourly++;
          hourSum = 0;
        }
        if (lines.length >= 10_000) {
          readings += lines.length;
          await send(lines);
          lines = [];
        }
      }
      readings += lines.length;
      if (lines.length) await send(lines);
    }
  }
  await Promise.all(inflight);
  return { readings: readings - hourly, hourly };
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await work();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const influx = await startInfluxd();
  if (!influx) throw new Error('influxd is not installed (apt-get install influxdb)');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-reports-'));
  try {
    console.log(`loading ${ENTERPRISES} enterprises x ${METERS} meters, 15-minute data ${new Date(FROM).toISOString()} .. ${new Date(TO).toISOString()}`);
    const loaded = await timed(() => load(influx.url));
    const points = loaded.value.readings + loaded.value.hourly;
    console.log(`loaded ${loaded.value.readings.toLocaleString()} readings + ${loaded.value.hourly.toLocaleString()} hourly values in ${(loaded.ms / 1000).toFixed(1)} s (${Math.round(points / (loaded.ms / 1000)).toLocaleString()} points/s)`);

    const cfg = config();
    const store = new InfluxTimeSeriesStore({ url: influx.url, database: DB, requestTimeoutMs: 900_000 }, { logger: silentLogger() });
    const alarms = new AlarmStore({ path: path.join(dir, 'state.db') });
    await Promise.all([store.start(), alarms.start()]);
    const factors = new FactorTable(cfg, COEFFICIENTS);
    const builder = new MonthlyReportBuilder({
      config: cfg, store, alarms, consumption: new ConsumptionService({ store, factors, config: cfg }), status: new StatusService({ store, alarms, config: cfg, factors }),
    });
    const json: number[] = [];
    const pdf: number[] = [];
    let size = { json: 0, pdf: 0 };
    for (let run = 0; run < RUNS; run++) {
      const built = await timed(() => builder.build(MONTH, Date.now(), 1));
      console.log(`run ${run + 1}: report model ${Math.round(built.ms)} ms`);
      json.push(built.ms);
      const rendered = await timed(() => renderReport(built.value, 'pdf', 'zh-CN'));
      pdf.push(built.ms + rendered.ms);
      size = { json: Buffer.byteLength(JSON.stringify(built.value)), pdf: rendered.value.body.length };
    }
    await Promise.all([store.stop(), alarms.stop()]);
    const result = {
      enterprises: ENTERPRISES, meters: ENTERPRISES * METERS, readings: loaded.value.readings, hourlyValues: loaded.value.hourly,
      loadSeconds: loaded.ms / 1000, reportJsonMs: { median: median(json), runs: json }, reportPdfMs: { median: median(pdf), runs: pdf },
      bytes: size, machine: { cpus: os.cpus().length, node: process.version },
    };
    console.table({
      'report JSON (model, queries in InfluxDB)': { 'median ms': Math.round(median(json)), runs: json.map(Math.round).join(' / '), bytes: size.json },
      'report PDF (model + render)': { 'median ms': Math.round(median(pdf)), runs: pdf.map(Math.round).join(' / '), bytes: size.pdf },
    });
    const out = path.join(__dirname, 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'reports.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(`written ${path.join(out, 'reports.json')}`);
  } finally {
    await influx.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
