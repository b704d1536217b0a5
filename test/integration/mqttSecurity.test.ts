/**
 * The embedded broker against what one gateway could do to others (issue 14, found by an attack
 * run): take over the service's client id, hold another account's id, open hundreds of
 * connections, publish 10 MiB, publish under another enterprise, subscribe to everything. Each
 * attempt is refused, and no reading a gateway got a PUBACK for is lost.
 */
import mqtt from 'mqtt';
import { testConfig } from '../helpers/config';
import { authSection, eventually, MQTT_PASSWORDS, startApp, TOKENS, type RunningApp } from '../helpers/app';
import { sha256Hex } from '../../services/core/security';

const DAY0 = Date.parse('2026-11-01T00:00:00+08:00');
const SERVICE_ACCOUNT = { username: 'energy-monitor', password: 'svc-secret' };
const auth = authSection();
const config = testConfig({
  auth: {
    ...auth,
    mqtt: [...auth.mqtt, { username: SERVICE_ACCOUNT.username, passwordSha256: sha256Hex(SERVICE_ACCOUNT.password), role: 'service' }],
  },
  ingest: { maxConnectionsPerAccount: 3, maxPacketBytes: 512 * 1024, maxPayloadBytes: 64 * 1024 },
});

type Gateway = keyof typeof MQTT_PASSWORDS;
const connect = (url: string, username: Gateway, options: mqtt.IClientOptions = {}) =>
  mqtt.connectAsync(url, {
    username,
    password: MQTT_PASSWORDS[username],
    clientId: `gw-${username}-${Math.random()}`,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...options,
  });

/** The CONNACK return code of a refused connect (0 when it was accepted). */
async function connackCode(url: string, username: Gateway, options: mqtt.IClientOptions): Promise<number> {
  try {
    const c = await connect(url, username, options);
    await c.endAsync(true);
    return 0;
  } catch (err) {
    return (err as { code?: number }).code ?? -1;
  }
}

describe('MQTT: one gateway cannot harm another client (embedded broker)', () => {
  let svc: RunningApp;
  const SERVICE_ID = `energy-monitor-ingest-security-${process.pid}`;
  beforeAll(async () => {
    svc = await startApp(config, {}, { clientId: SERVICE_ID });
  });
  afterAll(async () => svc.stop());

  it('a gateway looping connects with the service client id is refused every time, and every acknowledged reading is stored', async () => {
    const attempts: number[] = [];
    let stop = false;
    const attacker = (async () => {
      while (!stop) {
        attempts.push(await connackCode(svc.mqttUrl, 'alu01', { clientId: SERVICE_ID, clean: true }));
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const cem = await connect(svc.mqttUrl, 'cem01');
    const acknowledged: number[] = [];
    for (let i = 0; i < 30; i++) {
      const ts = DAY0 + i * 900_000;
      await cem.publishAsync('energy/cem01/e-main', JSON.stringify({ ts, value: 1000 + i }), { qos: 1 });
      acknowledged.push(ts);
      await new Promise((r) => setTimeout(r, 100));
    }
    stop = true;
    await attacker;
    await cem.endAsync();
    expect(attempts.length).toBeGreaterThanOrEqual(5);
    // 2 = identifier rejected [MQTT-3.2.2.3]: not one attempt got in.
    expect(new Set(attempts)).toEqual(new Set([2]));
    await eventually(async () => {
      await svc.settle();
      const stored = await svc.app.store.readings({ enterprise: 'cem01', meter: 'e-main' }, DAY0, DAY0 + 30 * 900_000);
      expect(stored.map((r) => r.ts)).toEqual(acknowledged);
    });
    expect(svc.app.source.connected).toBe(true);
  });

  it('an offline id of the service prefix is refused too, and a connected gateway id cannot be taken by another account', async () => {
    expect(await connackCode(svc.mqttUrl, 'alu01', { clientId: 'energy-monitor-ingest-shard-0-of-2' })).toBe(2);
    const cem = await connect(svc.mqttUrl, 'cem01', { clientId: 'plant-gateway-7' });
    expect(await connackCode(svc.mqttUrl, 'alu01', { clientId: 'plant-gateway-7', clean: true })).toBe(2);
    expect(cem.connected).toBe(true);
    // The same account may reconnect with its own id (a gateway restarting): it takes its own session over.
    const again = await connect(svc.mqttUrl, 'cem01', { clientId: 'plant-gateway-7', clean: false });
    expect(again.connected).toBe(true);
    await again.endAsync(true);
    await cem.endAsync(true);
  });

  it('an id another account held stays its own after that account disconnects (no squatting on its session)', async () => {
    const cem = await connect(svc.mqttUrl, 'cem01', { clientId: 'plant-gateway-9', clean: false });
    await cem.endAsync();
    expect(await connackCode(svc.mqttUrl, 'alu01', { clientId: 'plant-gateway-9', clean: false })).toBe(2);
    expect(await connackCode(svc.mqttUrl, 'cem01', { clientId: 'plant-gateway-9', clean: false })).toBe(0);
  });

  it('a gateway cannot disconnect others through $SYS (aedes closes the client a $SYS/<id>/new/clients publish names)', async () => {
    const victim = await connect(svc.mqttUrl, 'cem01', { clientId: 'plant-gateway-10' });
    const attacker = await connect(svc.mqttUrl, 'alu01');
    attacker.publish('$SYS/x/new/clients', 'plant-gateway-10', { qos: 0 });
    attacker.publish('$SYS/x/new/clients', SERVICE_ID, { qos: 0 });
    await new Promise((r) => setTimeout(r, 500));
    // The victims stay connected; the refused publish closes the attacker's connection instead.
    expect(victim.connected).toBe(true);
    expect(svc.app.source.connected).toBe(true);
    await eventually(() => expect(attacker.connected).toBe(false), 5000);
    // The attempt is on record, under the publisher.
    expect(
      (await svc.app.state.listQuarantine({ status: 'all', limit: 1000 })).some((r) => r.topic === '$SYS/x/new/clients' && r.enterprise === 'alu01'),
    ).toBe(true);
    attacker.end(true);
    await victim.endAsync();
  });

  it('limits an account to ingest.maxConnectionsPerAccount connections (3 here)', async () => {
    const open = await Promise.all([0, 1, 2].map(() => connect(svc.mqttUrl, 'alu01')));
    expect(await connackCode(svc.mqttUrl, 'alu01', {})).toBe(3);
    // Another account is not affected.
    expect(await connackCode(svc.mqttUrl, 'cem01', {})).toBe(0);
    await open[0]!.endAsync();
    await eventually(async () => expect(await connackCode(svc.mqttUrl, 'alu01', {})).toBe(0), 5000);
    await Promise.all(open.slice(1).map((c) => c.endAsync()));
  });

  it('a packet over ingest.maxPacketBytes closes the connection unacknowledged and leaves nothing behind', async () => {
    const before = await svc.app.state.countQuarantineMatching({ status: 'all' });
    const gw = await connect(svc.mqttUrl, 'alu01');
    const closed = new Promise<void>((resolve) => gw.once('close', () => resolve()));
    const acked = gw.publishAsync('energy/alu01/e-main', Buffer.alloc(10 * 2 ** 20, 0x41), { qos: 1 }).then(
      () => true,
      () => false,
    );
    await closed;
    gw.end(true);
    expect(await Promise.race([acked, new Promise((r) => setTimeout(() => r('no answer'), 500))])).not.toBe(true);
    expect(svc.app.broker?.oversizedPackets).toBeGreaterThanOrEqual(1);
    const metrics = await (await fetch(`${svc.baseUrl}/metrics`, { headers: { authorization: `Bearer ${TOKENS.admin}` } })).text();
    expect(metrics).toMatch(/^energy_mqtt_oversized_packets_total [1-9]\d*$/m);
    expect(await svc.app.state.countQuarantineMatching({ status: 'all' })).toBe(before);
  });

  it('a payload over maxPayloadBytes on its own topic is quarantined as too-large with a 1 KiB sample, never journaled', async () => {
    const gw = await connect(svc.mqttUrl, 'alu01');
    const journalBytes = svc.app.pipeline.pending;
    await gw.publishAsync('energy/alu01/e-main', Buffer.alloc(200 * 1024, 0x42), { qos: 1 });
    await gw.endAsync();
    expect(svc.app.pipeline.pending).toBe(journalBytes);
    const res = await svc.get('/api/quarantine?reason=too-large&enterprise=alu01');
    const body = res.body as { items: { payload: string; detail: string }[]; total: number };
    expect(body.total).toBe(1);
    expect(body.items[0]!.payload).toHaveLength(1025);
    expect(body.items[0]!.detail).toMatch(/payload of 204800 bytes exceeds the limit of 65536/);
  });

  it('publishes under another enterprise are filed under the publisher: no quarantine rows, no burst for the target', async () => {
    const gw = await connect(svc.mqttUrl, 'alu01');
    for (let i = 0; i < 12; i++) {
      // aedes closes the connection after a refused publish; the gateway reconnects each time.
      const c = i === 0 ? gw : await connect(svc.mqttUrl, 'alu01');
      c.publish('energy/cem01/e-main', JSON.stringify({ ts: DAY0, value: 9e9 }), { qos: 1 });
      await new Promise((r) => setTimeout(r, 50));
      c.end(true);
    }
    await eventually(async () => {
      const counts = new Map((await svc.app.state.quarantineCounts(0, Date.now() + 1000)).map((q) => [q.enterprise, q.n]));
      expect(counts.get('alu01')).toBeGreaterThanOrEqual(12);
      expect(counts.get('cem01')).toBeUndefined();
    });
    const forCem = await svc.get('/api/quarantine?enterprise=cem01&reason=not-authorized');
    expect((forCem.body as { total: number }).total).toBe(0);
    const alarms = await svc.app.rules.evaluate();
    expect(alarms.filter((a) => a.alarm.enterprise === 'cem01' && a.alarm.type === 'data-quality')).toEqual([]);
  });

  it('listens on loopback unless MQTT_HOST says otherwise', () => {
    expect(svc.app.broker?.address).toBe('127.0.0.1');
  });

  it('a service account may subscribe to the meters topics but not to # or $SYS', async () => {
    const svcClient = await mqtt.connectAsync(svc.mqttUrl, {
      ...SERVICE_ACCOUNT,
      clientId: `energy-monitor-probe-${Math.random()}`,
      reconnectPeriod: 0,
    });
    const ok = await svcClient.subscribeAsync('energy/#', { qos: 1 });
    expect(ok.map((g) => g.qos)).toEqual([1]);
    const refused = await svcClient.subscribeAsync('#', { qos: 1 }).then(
      (g) => g.map((x) => x.qos),
      () => 'closed',
    );
    expect(refused === 'closed' || (Array.isArray(refused) && refused[0] === 128)).toBe(true);
    svcClient.end(true);
  });
});
