/**
 * The Node-RED comparison: `node-red` and `node-red-contrib-influxdb` installed with npm into a
 * temporary folder (never a project dependency), a flow `mqtt in` (energy/#, QoS 1, parsed JSON)
 * -> `function` (contract-2 payloads to points) -> `influxdb batch` (1.x, ms precision) against
 * the same Mosquitto settings and influxd, under the same load. Counted in the database.
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../test/helpers/mosquitto';
import { startLoad } from './load';
import type { BenchContext } from './phases';
import { countReadings, createDatabase, influxQuery, shippedTuning, startShippedMosquitto } from './servers';
import { SERVICE_PASSWORD, SERVICE_USER } from './workload';

export interface NodeRedResult {
  readonly version?: string;
  readonly published: number;
  readonly stored: number;
  readonly sustainedRate: number;
  readonly peakRssMb: number;
  readonly drainNote: string;
  /** `[error]` lines Node-RED logged (e.g. failed InfluxDB writes) and the most frequent one. */
  readonly errorLines?: number;
  readonly commonError?: string;
  /** Why it did not run, when it did not. */
  readonly error?: string;
}

const PACKAGES = ['node-red@4', 'node-red-contrib-influxdb@0.7'];
const DIR = process.env.BENCH_NODE_RED_DIR ?? path.join(os.tmpdir(), 'energy-bench-node-red');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Installs Node-RED into the temporary folder once (kept for later runs). */
async function install(log: (line: string) => void): Promise<string> {
  const redJs = path.join(DIR, 'node_modules', 'node-red', 'red.js');
  const influxNode = path.join(DIR, 'node_modules', 'node-red-contrib-influxdb', 'package.json');
  if (existsSync(redJs) && existsSync(influxNode)) return redJs;
  mkdirSync(DIR, { recursive: true });
  log(`    npm install --prefix ${DIR} ${PACKAGES.join(' ')}`);
  try {
    await promisify(execFile)('npm', ['install', '--prefix', DIR, '--no-audit', '--no-fund', '--no-save', ...PACKAGES], {
      timeout: 600_000,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`npm install of ${PACKAGES.join(', ')} failed: ${(e.stderr ?? e.message).split('\n').filter(Boolean).slice(-3).join(' / ')}`, {
      cause: err,
    });
  }
  if (!existsSync(redJs)) throw new Error(`npm install finished but ${redJs} is missing`);
  return redJs;
}

/** The function node: gateway arrays, per-meter arrays and single readings to influx points. */
const SHAPE = `
const parts = msg.topic.split('/');
const enterprise = parts[1];
const items = Array.isArray(msg.payload) ? msg.payload : [msg.payload];
const points = [];
for (const r of items) {
  const meter = parts[2] || r.meter;
  const ts = typeof r.ts === 'number' ? r.ts : Date.parse(r.ts);
  if (!enterprise || !meter || !Number.isFinite(ts) || typeof r.value !== 'number') continue;
  points.push({ measurement: 'reading', tags: { enterprise, meter }, fields: { value: r.value, quality: r.quality || 'good' }, timestamp: ts });
}
msg.payload = points;
return points.length > 0 ? msg : null;
`;

function flows(brokerPort: number, influxUrl: URL, db: string): unknown[] {
  return [
    { id: 'tab1', type: 'tab', label: 'bench' },
    {
      id: 'broker1',
      type: 'mqtt-broker',
      name: 'mosquitto',
      broker: '127.0.0.1',
      port: String(brokerPort),
      clientid: 'bench-node-red',
      autoConnect: true,
      usetls: false,
      protocolVersion: '4',
      keepalive: '60',
      cleansession: false,
      autoUnsubscribe: true,
    },
    {
      id: 'influx1',
      type: 'influxdb',
      hostname: influxUrl.hostname,
      port: influxUrl.port,
      protocol: 'http',
      database: db,
      name: 'influxd',
      usetls: false,
      influxdbVersion: '1.x',
    },
    {
      id: 'in1',
      type: 'mqtt in',
      z: 'tab1',
      name: 'meters',
      topic: 'energy/#',
      qos: '1',
      datatype: 'json',
      broker: 'broker1',
      nl: false,
      rap: true,
      rh: 0,
      inputs: 0,
      wires: [['fn1']],
    },
    { id: 'fn1', type: 'function', z: 'tab1', name: 'to points', func: SHAPE, outputs: 1, wires: [['out1']] },
    { id: 'out1', type: 'influxdb batch', z: 'tab1', influxdb: 'influx1', precision: 'ms', retentionPolicy: '', name: 'write', wires: [] },
  ];
}

export async function runNodeRed(ctx: BenchContext, options: { durationMs: number }): Promise<NodeRedResult> {
  let redJs: string;
  try {
    redJs = await install(ctx.log);
  } catch (err) {
    return { published: 0, stored: 0, sustainedRate: 0, peakRssMb: 0, drainNote: '', error: err instanceof Error ? err.message : String(err) };
  }
  const version = `node-red ${(JSON.parse(readFileSync(path.join(DIR, 'node_modules', 'node-red', 'package.json'), 'utf8')) as { version: string }).version}`;
  const db = 'bench_node_red';
  const userDir = path.join(ctx.work, 'node-red');
  mkdirSync(userDir, { recursive: true });
  const { broker } = await startShippedMosquitto(ctx.district);
  const uiPort = await freePort();
  writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flows(broker.port, new URL(ctx.influx.url), db)));
  writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify({ broker1: { user: SERVICE_USER, password: SERVICE_PASSWORD } }));
  writeFileSync(
    path.join(userDir, 'settings.js'),
    `module.exports = ${JSON.stringify({
      uiPort,
      uiHost: '127.0.0.1',
      flowFile: 'flows.json',
      credentialSecret: false,
      httpAdminRoot: '/admin',
      httpNodeRoot: false,
      logging: { console: { level: 'warn', metrics: false, audit: false } },
      editorTheme: { tours: false },
      telemetry: { enabled: false },
    })};\n`,
  );
  await influxQuery(ctx.influx.url, `DROP DATABASE "${db}"`).catch(() => undefined);
  await createDatabase(ctx.influx.url, db);
  const logFile = path.join(ctx.work, 'node-red.log');
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, [redJs, '--settings', path.join(userDir, 'settings.js'), '--userDir', userDir], {
    cwd: userDir,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const logTail = (): string => readFileSync(logFile, 'utf8').slice(-1500);
  const rss = (): number => {
    try {
      return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    } catch {
      return 0;
    }
  };
  try {
    // Started when its admin API answers and its MQTT client has connected (the broker logs it).
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`Node-RED exited with ${child.exitCode}: ${logTail()}`);
      const up = await fetch(`http://127.0.0.1:${uiPort}/admin/settings`).then(
        (r) => r.ok,
        () => false,
      );
      if (up && broker.logText().includes('as bench-node-red')) break;
      if (Date.now() > deadline) throw new Error(`Node-RED did not connect to the broker within 60 s: ${logTail()}`);
      await sleep(250);
    }
    await sleep(2000); // its subscription
    let peakRssMb = 0;
    const sampler = setInterval(() => (peakRssMb = Math.max(peakRssMb, rss())), 250);
    // Capped like the service's run: Mosquitto 2.0.11 stops delivering beyond ~max_queued_messages.
    const cap = Math.floor(Number(shippedTuning().max_queued_messages ?? 1000) * 0.75);
    const run = await startLoad({
      port: broker.port,
      district: ctx.district,
      rate: 0,
      durationMs: options.durationMs,
      label: 'node-red',
      maxMessages: cap,
    });
    const load = await run.done;
    const published = load.totals.ackedReadings;
    // Done when the count reaches what was published, or stops moving for 15 s.
    let stored = 0;
    let lastChange = Date.now();
    let doneAt = 0;
    const until = Date.now() + ctx.d.drainTimeoutMs;
    while (Date.now() < until) {
      const n = await countReadings(ctx.influx.url, db).catch(() => stored);
      if (n !== stored) {
        stored = n;
        lastChange = Date.now();
      }
      if (stored >= published) {
        doneAt = Date.now();
        break;
      }
      if (Date.now() - lastChange > 15_000) break;
      await sleep(500);
    }
    clearInterval(sampler);
    const end = doneAt || lastChange;
    const errors = readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((l) => l.includes('[error]'))
      .map((l) => l.replace(/^.*?\[error\]\s*/, ''));
    const counts = new Map<string, number>();
    for (const e of errors) counts.set(e, (counts.get(e) ?? 0) + 1);
    const common = [...counts].sort((a, b) => b[1] - a[1])[0];
    return {
      version: `${version}, node-red-contrib-influxdb ${(JSON.parse(readFileSync(path.join(DIR, 'node_modules', 'node-red-contrib-influxdb', 'package.json'), 'utf8')) as { version: string }).version}`,
      published,
      stored,
      sustainedRate: (stored * 1000) / Math.max(1, end - load.totals.firstSendAt),
      peakRssMb,
      errorLines: errors.length,
      ...(common && { commonError: `${common[0].slice(0, 120)} (x ${common[1]})` }),
      drainNote: doneAt
        ? `drained ${((doneAt - load.totals.lastAckAt) / 1000).toFixed(1)} s after last publish`
        : `count stopped moving at ${stored} (${((lastChange - load.totals.lastAckAt) / 1000).toFixed(1)} s after last publish)`,
    };
  } catch (err) {
    return {
      version,
      published: 0,
      stored: 0,
      sustainedRate: 0,
      peakRssMb: 0,
      drainNote: '',
      error: `${err instanceof Error ? err.message : String(err)}`,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await broker.stop();
    await influxQuery(ctx.influx.url, `DROP DATABASE "${db}"`).catch(() => undefined);
  }
}
