/**
 * Scale-out (issue 7) with real processes: two ingest shards (`--shard 0/2`, `--shard 1/2`) sharing
 * one DATA_DIR, one Mosquitto and one influxd store exactly what a single instance stores from the
 * same messages, and quarantine a bad message exactly once; MQTT 5 shared subscriptions against a
 * real Mosquitto; and the rules lease moving to the standby when the active instance stops.
 */
import mqtt from 'mqtt';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { meterShard, topicShard } from '../../ingest/shard';
import { sha256Hex } from '../../services/core/security';
import { eventually } from '../helpers/app';
import { findInfluxd, startInfluxd, type InfluxdHandle } from '../helpers/influxd';
import { hasMosquitto, startMosquitto, type MosquittoBroker } from '../helpers/mosquitto';
import { startServiceProcess, type ServiceProcess } from '../helpers/serviceProcess';

jest.setTimeout(300_000);

const available = process.env.CI === 'true' || (hasMosquitto() && findInfluxd() !== undefined);
if (!available) console.warn('mosquitto or influxd not installed: scale-out tests skipped');
const maybe = available ? describe : describe.skip;

const T0 = Date.parse('2026-11-02T00:00:00+08:00');
const Q = 15 * 60_000;
/** Six hours of quarter-hour readings. */
const STEPS = 25;
const ADMIN = 'scale-admin';

const ENTERPRISES = {
  alu01: { counters: ['m0', 'm1', 'm2', 'm3', 'm4', 'm5'], power: ['p0'] },
  cem01: { counters: ['e-main', 'e-kiln'], power: [] as string[] },
  chem01: { counters: ['e-main'], power: ['p0', 'p1'] },
} as const;
type EnterpriseId = keyof typeof ENTERPRISES;

function configYaml(): string {
  return `${stringify({
    timezone: 'Asia/Shanghai',
    enterprises: Object.entries(ENTERPRISES).map(([id, m]) => ({
      id,
      name: `扩展测试 ${id}`,
      industry: '3216',
      meters: [
        ...m.counters.map((meter) => ({ id: meter, carrier: 'electricity', unit: 'kWh', kind: 'counter', intervalSeconds: 900 })),
        ...m.power.map((meter) => ({ id: meter, carrier: 'electricity', unit: 'kW', kind: 'power', intervalSeconds: 900, submeter: true })),
      ],
    })),
    ingest: { flushIntervalMs: 100 },
  })}auth:\n  tokens:\n    - {name: admin, role: admin, sha256: "${sha256Hex(ADMIN)}"}\n`;
}

/** Register of counter meter `i` at step k: rises by (i + 1) x 10 kWh a quarter hour, from 1000 x i. */
const counter = (i: number, k: number) => 1000 * i + (i + 1) * 10 * k;
/** Power of meter `i` at step k, kW: a ramp, so the trapezoids are not all equal. */
const power = (i: number, k: number) => 100 * (i + 1) + 4 * k;

interface Message {
  topic: string;
  payload: string;
}

/**
 * A realistic mix: single readings on meter topics, arrays on a meter topic (a gateway catching
 * up), multi-meter arrays on `energy/{enterprise}`, readings published twice (QoS 1 redelivery),
 * and bad messages: bad JSON on the multi-meter topic, an unknown meter inside an array, an
 * unknown enterprise.
 */
function messages(): Message[] {
  const out: Message[] = [];
  for (let k = 0; k < STEPS; k++) {
    const ts = T0 + k * Q;
    // alu01: m0-m2 one message each; m3-m5 and p0 in one multi-meter array per quarter hour.
    ['m0', 'm1', 'm2'].forEach((m, i) => out.push({ topic: `energy/alu01/${m}`, payload: JSON.stringify({ ts, value: counter(i, k) }) }));
    out.push({
      topic: 'energy/alu01',
      payload: JSON.stringify([
        ...['m3', 'm4', 'm5'].map((m, j) => ({ meter: m, ts: new Date(ts).toISOString(), value: counter(j + 3, k) })),
        { meter: 'p0', ts, value: power(0, k), unit: 'kW' },
        ...(k === 7 ? [{ meter: 'ghost', ts, value: 1 }] : []),
      ]),
    });
    // chem01: everything through the multi-meter topic.
    out.push({
      topic: 'energy/chem01',
      payload: JSON.stringify([
        { meter: 'e-main', ts, value: counter(0, k) },
        { meter: 'p0', ts, value: power(0, k) },
        { meter: 'p1', ts, value: power(1, k) },
      ]),
    });
  }
  // cem01: its gateway sends arrays of 5 readings per meter topic.
  for (const [i, m] of ['e-main', 'e-kiln'].entries()) {
    for (let k = 0; k < STEPS; k += 5) {
      out.push({
        topic: `energy/cem01/${m}`,
        payload: JSON.stringify(Array.from({ length: Math.min(5, STEPS - k) }, (_, j) => ({ ts: T0 + (k + j) * Q, value: counter(i, k + j) }))),
      });
    }
  }
  // A repeat (idempotent) and the bad messages.
  out.push({ ...out[0]! });
  out.push({ topic: 'energy/alu01', payload: '[{"meter": "m3", "ts": 17' });
  out.push({ topic: 'energy/zzz99/e-main', payload: JSON.stringify({ ts: T0, value: 1 }) });
  return out;
}

async function publish(url: string, list: readonly Message[]): Promise<void> {
  const client = await mqtt.connectAsync(url, { clientId: `scale-gw-${process.pid}-${Math.random()}` });
  try {
    for (const m of list) await client.publishAsync(m.topic, m.payload, { qos: 1 });
  } finally {
    await client.endAsync();
  }
}

async function api<T>(svc: ServiceProcess, p: string): Promise<T> {
  const res = await fetch(`${svc.baseUrl}${p}`, { headers: { authorization: `Bearer ${ADMIN}` } });
  if (res.status !== 200) throw new Error(`${p}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

type Series = { series: { time: string; carrier: string; quantity: number }[] };
async function figures(svc: ServiceProcess, enterprise: EnterpriseId, every: '1h' | '1d'): Promise<[string, string, number][]> {
  const body = await api<Series>(svc, `/api/enterprises/${enterprise}/consumption?every=${every}&from=2026-11-01&to=2026-11-04`);
  return body.series.map((p) => [p.time, p.carrier, Math.round(p.quantity * 1e6) / 1e6]);
}

type Quarantined = { items: { id: number; topic: string; reason: string; enterprise?: string; meter?: string }[] };
const quarantineKeys = (q: Quarantined) => q.items.map((r) => `${r.reason} ${r.topic} ${r.enterprise ?? '-'}/${r.meter ?? '-'}`).sort();

maybe('scale-out with real processes', () => {
  let broker: MosquittoBroker;
  let influx: InfluxdHandle;
  let work: string;
  const started: ServiceProcess[] = [];
  const start = async (name: string, options: { dataDir: string; env: Record<string, string>; args?: string[] }) => {
    const p = await startServiceProcess({
      configFile: path.join(work, 'config.yaml'),
      logFile: path.join(work, `${name}.log`),
      healthToken: ADMIN,
      ...options,
    });
    started.push(p);
    return p;
  };

  beforeAll(async () => {
    broker = (await startMosquitto({ extraConfig: ['log_type all'] }))!;
    influx = (await startInfluxd())!;
    work = mkdtempSync(path.join(os.tmpdir(), 'energy-scale-'));
    writeFileSync(path.join(work, 'config.yaml'), configYaml());
  });
  afterEach(async () => {
    // A failed expectation must not leave a service process behind.
    for (const p of started.splice(0)) await p.kill('SIGKILL');
  });
  afterAll(async () => {
    await broker?.stop();
    await influx?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('two shards sharing DATA_DIR store the same figures as one instance, and quarantine each bad message once', async () => {
    // The data must exercise both shards: meters of each, and multi-meter arrays that get split.
    const owners = Object.entries(ENTERPRISES).flatMap(([e, m]) => [...m.counters, ...m.power].map((meter) => meterShard(e, meter, 2)));
    expect(new Set(owners)).toEqual(new Set([0, 1]));
    expect(new Set(['m3', 'm4', 'm5', 'p0'].map((m) => meterShard('alu01', m, 2))).size).toBe(2);

    const run = `${process.pid}_${Date.now()}`;
    const shared = path.join(work, 'shared-data');
    const common = { MQTT_URL: broker.url, INFLUX_URL: influx.url, MQTT_CLIENT_ID: `scale-${run}` };
    const shard0 = await start('shard0', { dataDir: shared, env: { ...common, INFLUX_DATABASE: `sharded_${run}` }, args: ['--shard', '0/2'] });
    // The environment form works as well as the option.
    const shard1 = await start('shard1', { dataDir: shared, env: { ...common, INFLUX_DATABASE: `sharded_${run}`, INGEST_SHARD: '1/2' } });
    const single = await start('single', {
      dataDir: path.join(work, 'single-data'),
      env: { ...common, MQTT_CLIENT_ID: `scale-single-${run}`, INFLUX_DATABASE: `single_${run}` },
    });

    const list = messages();
    await publish(broker.url, list);

    // Everything each instance received is stored (journals drained): the message counts add up.
    const readingsExpected = Object.values(ENTERPRISES).reduce((n, m) => n + (m.counters.length + m.power.length) * STEPS, 0);
    await eventually(
      async () => {
        const [h0, h1, hs] = await Promise.all([shard0.health(), shard1.health(), single.health()]);
        expect(hs.body.ingest.pending + h0.body.ingest.pending + h1.body.ingest.pending).toBe(0);
        expect(hs.body.ingest.messages).toBe(list.length);
        // The repeated reading is a duplicate, not stored again.
        expect(hs.body.ingest.stored).toBe(readingsExpected);
        expect(h0.body.ingest.stored + h1.body.ingest.stored).toBe(readingsExpected);
      },
      120_000,
      500,
    );

    const [h0, h1] = await Promise.all([shard0.health(), shard1.health()]);
    // Both shards did real work, and each saw only part of the messages.
    expect(h0.body.ingest.stored).toBeGreaterThan(0);
    expect(h1.body.ingest.stored).toBeGreaterThan(0);
    expect(h0.body.ingest.messages).toBeLessThan(list.length);
    expect(h1.body.ingest.messages).toBeLessThan(list.length);
    expect(h0.body.scaleOut).toMatchObject({ role: 'all', shard: '0/2' });
    expect(h1.body.scaleOut).toMatchObject({ role: 'all', shard: '1/2' });
    // Two full instances on one DATA_DIR: exactly one runs the rules.
    expect([h0.body.scaleOut.rulesActive, h1.body.scaleOut.rulesActive].filter(Boolean)).toHaveLength(1);
    const metrics = await (await fetch(`${shard0.baseUrl}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })).text();
    expect(metrics).toMatch(/^energy_ingest_shard_info\{shard="0",shards="2"\} 1$/m);
    expect(metrics).toMatch(/^energy_ingest_shard_foreign_messages_total [1-9]\d*$/m);

    // The figures, hourly and daily, per enterprise: sharded = single instance.
    for (const e of Object.keys(ENTERPRISES) as EnterpriseId[]) {
      for (const every of ['1h', '1d'] as const) {
        const [a, b] = await Promise.all([figures(shard0, e, every), figures(single, e, every)]);
        expect(a.length).toBeGreaterThan(0);
        expect({ e, every, figures: a }).toEqual({ e, every, figures: b });
        // Either shard answers alike: both read the one database.
        expect(await figures(shard1, e, every)).toEqual(a);
      }
    }
    // And by hand for alu01: six counters rising by 10+20+...+60 = 210 kWh a quarter hour, 840 kWh an
    // hour (p0 is a sub-meter, out of the total), over the six hours from 00:00 to 06:00.
    const alu = await figures(shard0, 'alu01', '1h');
    expect(alu).toEqual(Array.from({ length: 6 }, (_, h) => [`2026-11-02T${String(h).padStart(2, '0')}:00:00.000+08:00`, 'electricity', 840]));

    // Quarantine: one state.db for both shards; each bad message or element is there once, as on the single instance.
    const [sharded, alone] = await Promise.all([
      api<Quarantined>(shard1, '/api/quarantine?status=all'),
      api<Quarantined>(single, '/api/quarantine?status=all'),
    ]);
    expect(quarantineKeys(sharded)).toEqual(quarantineKeys(alone));
    expect(quarantineKeys(sharded)).toEqual([
      'bad-json energy/alu01 alu01/-',
      'unknown-enterprise energy/zzz99/e-main zzz99/e-main',
      'unknown-meter energy/alu01 alu01/ghost',
    ]);
    expect(h0.body.ingest.quarantined + h1.body.ingest.quarantined).toBe(3);

    // A replay sent to shard 0 replays only its own records; shard 1's are named as such, left open.
    const owner = (r: Quarantined['items'][number]) =>
      r.meter !== undefined && r.enterprise !== undefined ? meterShard(r.enterprise, r.meter, 2) : topicShard(r.topic, 2);
    const res = await fetch(`${shard0.baseUrl}/api/quarantine/replay`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ all: true }),
    });
    const replay = (await res.json()) as { requested: number; replayed: number[]; stillRejected: { id: number; detail: string }[] };
    expect(replay.requested).toBe(3);
    expect(replay.replayed).toEqual([]);
    for (const r of sharded.items) {
      const answer = replay.stillRejected.find((x) => x.id === r.id);
      expect(answer?.detail.includes('belongs to shard 1/2')).toBe(owner(r) === 1);
    }

    for (const p of [shard0, shard1, single]) expect(await p.kill('SIGTERM')).toBe(0);
  });

  it('MQTT_SHARED_GROUP subscribes $share/<group>/energy/# with MQTT 5 and stores readings', async () => {
    const run = `${process.pid}_${Date.now()}`;
    const svc = await start('shared', {
      dataDir: path.join(work, 'shared-sub'),
      env: { MQTT_URL: broker.url, MQTT_CLIENT_ID: `scale-shared-${run}`, MQTT_SHARED_GROUP: `energy-${run}` },
    });
    expect((await svc.health()).body.scaleOut).toMatchObject({ sharedGroup: `energy-${run}` });
    // Mosquitto logs each subscription (log_type all): the service's is the shared one.
    await eventually(() => expect(broker.logText()).toContain(`scale-shared-${run} 1 $share/energy-${run}/energy/#`), 30_000);
    await publish(
      broker.url,
      Array.from({ length: 5 }, (_, k) => ({ topic: 'energy/cem01/e-main', payload: JSON.stringify({ ts: T0 + k * Q, value: 10 * k }) })),
    );
    await eventually(
      async () => {
        expect(await figures(svc, 'cem01', '1h')).toEqual([['2026-11-02T00:00:00.000+08:00', 'electricity', 40]]);
      },
      60_000,
      500,
    );
    expect(await svc.kill('SIGTERM')).toBe(0);
  });

  it("Mosquitto hands a shared subscription's messages to its members in turn: one meter's readings reach both (why shards, not $share, on Mosquitto)", async () => {
    const group = `rr-${process.pid}`;
    const received = [0, 0];
    const members = await Promise.all(
      [0, 1].map(async (i) => {
        const c = await mqtt.connectAsync(broker.url, { clientId: `rr-${i}-${process.pid}`, protocolVersion: 5, clean: true });
        c.on('message', () => received[i]!++);
        await c.subscribeAsync(`$share/${group}/energy/#`, { qos: 1 });
        return c;
      }),
    );
    try {
      const gw = await mqtt.connectAsync(broker.url, { clientId: `rr-gw-${process.pid}` });
      for (let k = 0; k < 20; k++) await gw.publishAsync('energy/rr01/one-meter', JSON.stringify({ ts: T0 + k * Q, value: k }), { qos: 1 });
      await gw.endAsync();
      await eventually(() => expect(received[0]! + received[1]!).toBe(20), 30_000);
      expect(received[0]).toBeGreaterThan(0);
      expect(received[1]).toBeGreaterThan(0);
    } finally {
      await Promise.all(members.map((c) => c.endAsync()));
    }
  });

  it('rules run on one instance; when it stops, the standby takes the lease over', async () => {
    const run = `${process.pid}_${Date.now()}`;
    const dataDir = path.join(work, 'lease-data');
    const env = (who: string) => ({
      MQTT_URL: broker.url,
      MQTT_CLIENT_ID: `scale-lease-${who}-${run}`,
      JOURNAL_DIR: `journal-${who}`,
      LEASE_TTL_MS: '4000',
      LEASE_RENEW_MS: '500',
      LOG_LEVEL: 'debug',
    });
    const a = await start('lease-a', { dataDir, env: env('a') });
    const b = await start('lease-b', { dataDir, env: env('b') });
    const bUp = Date.now();
    expect((await a.health()).body.scaleOut).toMatchObject({ rulesActive: true, lease: { held: true } });
    expect((await b.health()).body.scaleOut).toMatchObject({
      rulesActive: false,
      lease: { held: false, currentHolder: expect.stringContaining(`scale-lease-a-${run}`) },
    });
    expect(a.logText()).toContain('lease acquired: this instance is active');

    // The minute cycle (node-cron) fires on both; only the holder evaluates.
    const cycles = (p: ServiceProcess, after = 0) =>
      p
        .logText()
        .split('\n')
        .filter((l) => l.includes('"msg":"rules evaluated"') && Date.parse(/"time":"([^"]+)"/.exec(l)?.[1] ?? '') > after).length;
    await eventually(() => expect(cycles(a, bUp)).toBeGreaterThan(0), 150_000, 1000);
    expect(cycles(b)).toBe(0);
    expect((await b.health()).body.scaleOut.rulesActive).toBe(false);

    expect(await a.kill('SIGTERM')).toBe(0);
    expect(a.logText()).toContain('lease given up: this instance is standby');
    await eventually(async () => expect((await b.health()).body.scaleOut).toMatchObject({ rulesActive: true, lease: { held: true } }), 30_000, 250);
    expect(b.logText()).toContain('lease acquired: this instance is active');
    const takenOver = Date.now();
    await eventually(() => expect(cycles(b, takenOver - 1000)).toBeGreaterThan(0), 150_000, 1000);
    expect(await b.kill('SIGTERM')).toBe(0);
  });
});
