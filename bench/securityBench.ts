/**
 * `npm run bench:security`: the attack run's floods (issue 14) against the built service on its
 * embedded defaults (aedes + SQLite), with the service's RSS sampled from /proc all along. Not a
 * test: it asserts no figures; it prints what each flood left behind (rows, bytes, memory) so that
 * "bounded" is a measured statement. Everything goes to 127.0.0.1, in bounded loops.
 *
 *   10 MiB publishes to another enterprise's topic and to the gateway's own topic
 *   900 KiB publishes (over ingest.maxPayloadBytes, under maxPacketBytes) on the own topic
 *   refused 1 KiB publishes to another enterprise, reconnecting after each (aedes closes the connection)
 *   80 KB arrays of zeros (40,000 bad elements each)
 *   300 connections on one account
 *   then GET /api/quarantine and ?limit=500 as an admin: status and answer size
 *
 * Knobs: BENCH_SECURITY_SCALE (1) multiplies the counts.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { freePort } from '../test/helpers/mosquitto';
import { sha256Hex } from '../services/core/security';
import { startService, type BenchService } from './ingest/service';

const SCALE = Number(process.env.BENCH_SECURITY_SCALE ?? '1');
const n = (count: number): number => Math.max(1, Math.round(count * SCALE));
const ADMIN = 'bench-admin-token';
const PASSWORDS = { alu01: 'alu01-bench', cem01: 'cem01-bench' } as const;
type Account = keyof typeof PASSWORDS;

const CONFIG = `timezone: Asia/Shanghai
enterprises:
  - id: alu01
    name: 铝业
    industry: "3216"
    meters: [{id: e-main, carrier: electricity, unit: kWh, kind: counter}]
  - id: cem01
    name: 水泥
    industry: "3011"
    meters: [{id: e-main, carrier: electricity, unit: kWh, kind: counter}]
auth:
  tokens: [{name: admin, role: admin, sha256: ${sha256Hex(ADMIN)}}]
  mqtt:
    - {username: alu01, passwordSha256: ${sha256Hex(PASSWORDS.alu01)}, enterprise: alu01}
    - {username: cem01, passwordSha256: ${sha256Hex(PASSWORDS.cem01)}, enterprise: cem01}
`;

interface Row {
  phase: string;
  sent: string;
  rssPeakMb: number;
  rssAfterMb: number;
  quarantineRows: number;
  stateDbMb: number;
  note: string;
}

async function connect(port: number, account: Account): Promise<mqtt.MqttClient> {
  return mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    username: account,
    password: PASSWORDS[account],
    clientId: `bench-${account}-${Math.random()}`,
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
}

/** Publishes once and waits for the PUBACK or for the broker to close the connection (bounded). */
async function publishOnce(port: number, account: Account, topic: string, payload: Buffer): Promise<'acked' | 'closed'> {
  const client = await connect(port, account);
  const outcome = await Promise.race([
    client.publishAsync(topic, payload, { qos: 1 }).then(
      () => 'acked' as const,
      () => 'closed' as const,
    ),
    new Promise<'closed'>((resolve) => client.once('close', () => resolve('closed'))),
    new Promise<'closed'>((resolve) => setTimeout(() => resolve('closed'), 10_000)),
  ]);
  client.end(true);
  return outcome;
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'energy-security-bench-'));
  const configFile = path.join(work, 'bench.yaml');
  writeFileSync(configFile, CONFIG);
  const dataDir = path.join(work, 'data');
  const mqttPort = await freePort();
  const svc: BenchService = await startService({
    configFile,
    dataDir,
    logFile: path.join(work, 'service.log'),
    env: { MQTT_URL: '', INFLUX_URL: '', MQTT_PORT: String(mqttPort) },
  });
  let peak = svc.rssMb();
  const sampler = setInterval(() => {
    peak = Math.max(peak, svc.rssMb());
  }, 100);
  const rows: Row[] = [];
  const quarantineRows = async (): Promise<number> => {
    const res = await fetch(`${svc.baseUrl}/api/quarantine?status=all&limit=1`, { headers: { authorization: `Bearer ${ADMIN}` } });
    return ((await res.json()) as { total: number }).total;
  };
  const stateDbMb = (): number => {
    let bytes = 0;
    for (const f of ['state.db', 'state.db-wal']) {
      try {
        bytes += statSync(path.join(dataDir, f)).size;
      } catch {
        // no WAL file yet
      }
    }
    return bytes / 2 ** 20;
  };
  const phase = async (name: string, sent: string, run: () => Promise<string>): Promise<void> => {
    peak = svc.rssMb();
    const note = await run();
    await new Promise((r) => setTimeout(r, 1000)); // let the pipeline settle
    rows.push({ phase: name, sent, rssPeakMb: peak, rssAfterMb: svc.rssMb(), quarantineRows: await quarantineRows(), stateDbMb: stateDbMb(), note });
  };

  try {
    rows.push({ phase: 'idle', sent: '', rssPeakMb: svc.rssMb(), rssAfterMb: svc.rssMb(), quarantineRows: 0, stateDbMb: stateDbMb(), note: '' });
    const huge = Buffer.alloc(10 * 2 ** 20, 0x41);
    await phase('10 MiB to another enterprise', `${n(6)} x 10 MiB`, async () => {
      const outcomes = [];
      for (let i = 0; i < n(6); i++) outcomes.push(await publishOnce(mqttPort, 'alu01', 'energy/cem01/e-main', huge));
      return `acknowledged ${outcomes.filter((o) => o === 'acked').length}`;
    });
    await phase('10 MiB to its own topic', `${n(6)} x 10 MiB`, async () => {
      const outcomes = [];
      for (let i = 0; i < n(6); i++) outcomes.push(await publishOnce(mqttPort, 'alu01', 'energy/alu01/e-main', huge));
      return `acknowledged ${outcomes.filter((o) => o === 'acked').length}`;
    });
    await phase('900 KiB to its own topic', `${n(50)} x 900 KiB`, async () => {
      const big = Buffer.alloc(900 * 1024, 0x42);
      const client = await connect(mqttPort, 'alu01');
      for (let i = 0; i < n(50); i++) await client.publishAsync('energy/alu01/e-main', big, { qos: 1 });
      await client.endAsync();
      return 'each acknowledged after its quarantine row';
    });
    await phase('refused 1 KiB to another enterprise', `${n(500)} publishes`, async () => {
      const small = Buffer.alloc(1024, 0x43);
      for (let i = 0; i < n(500); i++) await publishOnce(mqttPort, 'alu01', 'energy/cem01/e-main', small);
      return '20 rows a minute per account, then a summary row';
    });
    await phase('80 KB arrays of zeros', `${n(50)} x 40,000 elements`, async () => {
      const zeros = Buffer.from(`[${new Array(40_000).fill('0').join(',')}]`);
      const client = await connect(mqttPort, 'alu01');
      for (let i = 0; i < n(50); i++) await client.publishAsync('energy/alu01/e-main', zeros, { qos: 1 });
      await client.endAsync();
      return 'at most 100 rows per message';
    });
    await phase('300 connections on one account', '300 connects', async () => {
      const results = await Promise.allSettled(Array.from({ length: 300 }, () => connect(mqttPort, 'cem01')));
      const accepted = results.filter((r) => r.status === 'fulfilled').length;
      for (const r of results) if (r.status === 'fulfilled') r.value.end(true);
      return `accepted ${accepted}`;
    });
    const answer = async (query: string): Promise<string> => {
      const res = await fetch(`${svc.baseUrl}/api/quarantine${query}`, { headers: { authorization: `Bearer ${ADMIN}` } });
      return `${res.status}, ${(await res.arrayBuffer()).byteLength.toLocaleString('en-US')} bytes`;
    };
    await phase('GET /api/quarantine', 'default / limit=500', async () => `${await answer('')} / ${await answer('?limit=500&status=all')}`);
  } finally {
    clearInterval(sampler);
    await svc.stop();
    rmSync(work, { recursive: true, force: true });
  }
  const fmt = (x: number): string => x.toFixed(1);
  console.log('| phase | sent | RSS peak MB | RSS after MB | quarantine rows (total) | state.db MB | note |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(`| ${r.phase} | ${r.sent} | ${fmt(r.rssPeakMb)} | ${fmt(r.rssAfterMb)} | ${r.quarantineRows} | ${fmt(r.stateDbMb)} | ${r.note} |`);
  const results = path.join(__dirname, 'results');
  mkdirSync(results, { recursive: true });
  writeFileSync(path.join(results, 'security-latest.json'), `${JSON.stringify(rows, null, 2)}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
