/**
 * The files `npm run mqtt:acl` writes, loaded by a real Mosquitto 2 running the shipped
 * deploy/mosquitto/mosquitto.conf (gateway, service and health listeners): the right password
 * connects, a wrong one and an anonymous client are refused, a gateway's publish reaches the
 * service only under its own enterprise, a gateway cannot use the service listener nor take over
 * the service's client id, and an oversized packet is refused.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { stringify } from 'yaml';
import type { ConfigInput } from '../../config/schema';
import { runMosquittoAuthCli } from '../../ingest/mosquittoAuthCli';
import { sha256Hex } from '../../services/core/security';
import { hasMosquitto, mosquittoSkipReason, startMosquitto, type MosquittoBroker } from '../helpers/mosquitto';

const available = hasMosquitto(); // throws in CI when the broker is missing
const describeBroker = available ? describe : describe.skip;
if (!available) console.warn(mosquittoSkipReason());

const PASSWORDS = { alu01: 'alu01-Jx8q-secret', cem01: 'cem01-Vr2k-secret', 'energy-monitor': 'svc-Hp4w-secret' };

interface Received {
  topic: string;
  payload: string;
}

interface Connected {
  client: MqttClient;
  received: Received[];
}

function connect(url: string, options: IClientOptions): Promise<Connected> {
  const received: Received[] = [];
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: 4, clean: true, ...options });
  client.on('message', (topic, payload) => received.push({ topic, payload: payload.toString('utf8') }));
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve({ client, received }));
    client.once('error', (err) => {
      client.end(true);
      reject(err);
    });
  });
}

/** The CONNACK refusal code of a connection attempt (undefined if it was accepted). */
async function refusal(url: string, options: IClientOptions): Promise<number | undefined> {
  try {
    const { client } = await connect(url, options);
    await client.endAsync();
    return undefined;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'number') throw err;
    return code;
  }
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describeBroker('Mosquitto with the generated password file and ACL (real broker)', () => {
  let broker: MosquittoBroker | undefined;
  let work: string;
  let files: { passwd: string; acl: string };
  const clients: MqttClient[] = [];

  /** The service account logs in on the service listener, gateways on the gateway listener. */
  const login = async (username: keyof typeof PASSWORDS, clientId: string, options: IClientOptions = {}): Promise<Connected> => {
    const url = username === 'energy-monitor' ? broker!.listeners.service : broker!.listeners.gateways;
    const c = await connect(url, { username, password: PASSWORDS[username], clientId, ...options });
    clients.push(c.client);
    return c;
  };

  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'mosquitto-acl-'));
    const meters = [{ id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter' }] as const;
    const config: ConfigInput = {
      enterprises: [
        { id: 'alu01', name: '测试铝业', industry: '3216', meters: [...meters] },
        { id: 'cem01', name: '测试水泥', industry: '3011', meters: [...meters] },
      ],
      auth: {
        tokens: [],
        mqtt: [
          { username: 'alu01', passwordSha256: sha256Hex(PASSWORDS.alu01), enterprise: 'alu01' },
          { username: 'cem01', passwordSha256: sha256Hex(PASSWORDS.cem01), enterprise: 'cem01' },
          { username: 'energy-monitor', passwordSha256: sha256Hex(PASSWORDS['energy-monitor']), role: 'service' },
        ],
      },
    };
    writeFileSync(path.join(work, 'energy.yaml'), stringify(config));
    writeFileSync(path.join(work, 'secrets.json'), JSON.stringify(PASSWORDS), { mode: 0o600 });
    const output: string[] = [];
    const code = runMosquittoAuthCli(
      ['--config', 'energy.yaml', '--passwords', 'secrets.json', '--out', 'out'],
      {},
      {
        stdout: (t) => output.push(t),
        stderr: (t) => output.push(t),
        cwd: work,
      },
    );
    expect({ code, output: output.join('') }).toMatchObject({ code: 0 });
    files = {
      passwd: ['gateways.passwd', 'service.passwd'].map((f) => readFileSync(path.join(work, 'out', f), 'utf8')).join(''),
      acl: readFileSync(path.join(work, 'out', 'gateways.acl'), 'utf8'),
    };
    broker = await startMosquitto({ shipped: { filesDir: path.join(work, 'out') } });
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync()));
  });

  afterAll(async () => {
    await broker?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('mosquitto loads the generated files', () => {
    expect(files.passwd.split('\n').filter(Boolean)).toHaveLength(3);
    expect(broker!.logText()).not.toMatch(/Error/i);
  });

  test("a gateway's publish to its own topics reaches the service account on energy/#", async () => {
    const service = await login('energy-monitor', 'acl-service-1');
    await service.client.subscribeAsync('energy/#', { qos: 1 });
    const gateway = await login('alu01', 'acl-alu01-1');
    await gateway.client.publishAsync('energy/alu01/e-main', '{"ts":1793232000000,"value":1}', { qos: 1 });
    await gateway.client.publishAsync('energy/alu01', '[{"meter":"e-main","ts":1793232900000,"value":2}]', { qos: 1 });
    await waitFor(() => service.received.length >= 2, 'both messages at the service');
    expect(service.received).toEqual([
      { topic: 'energy/alu01/e-main', payload: '{"ts":1793232000000,"value":1}' },
      { topic: 'energy/alu01', payload: '[{"meter":"e-main","ts":1793232900000,"value":2}]' },
    ]);
  });

  test('a wrong password, an unknown user and an anonymous client are refused at connect', async () => {
    // MQTT 3.1.1 CONNACK: 4 bad user name or password, 5 not authorised (mosquitto 2 answers 5)
    const refused = [4, 5];
    const gateways = broker!.listeners.gateways;
    expect(refused).toContain(await refusal(gateways, { username: 'alu01', password: PASSWORDS.cem01, clientId: 'acl-wrong-1' }));
    expect(refused).toContain(await refusal(gateways, { username: 'alu01', password: sha256Hex(PASSWORDS.alu01), clientId: 'acl-wrong-2' }));
    expect(refused).toContain(await refusal(gateways, { username: 'nobody', password: 'x', clientId: 'acl-wrong-3' }));
    expect(refused).toContain(await refusal(gateways, { clientId: 'acl-anonymous' }));
    expect(refused).toContain(await refusal(broker!.listeners.service, { clientId: 'acl-anonymous' }));
    // and the right password still works
    expect(await refusal(gateways, { username: 'cem01', password: PASSWORDS.cem01, clientId: 'acl-right' })).toBeUndefined();
  });

  test("each listener takes only its own accounts: a gateway's password does not open the service listener", async () => {
    const refused = [4, 5];
    expect(refused).toContain(await refusal(broker!.listeners.service, { username: 'alu01', password: PASSWORDS.alu01, clientId: 'acl-cross-1' }));
    expect(refused).toContain(
      await refusal(broker!.listeners.gateways, { username: 'energy-monitor', password: PASSWORDS['energy-monitor'], clientId: 'acl-cross-2' }),
    );
  });

  test("a gateway that connects with the service's client id gets its own user name as id: the service's session stays", async () => {
    const service = await login('energy-monitor', 'energy-monitor-ingest', { clean: false });
    await service.client.subscribeAsync('energy/#', { qos: 1 });
    let serviceClosed = 0;
    service.client.on('close', () => serviceClosed++);
    for (let i = 0; i < 5; i++) {
      const intruder = await login('alu01', 'energy-monitor-ingest', { clean: true });
      await intruder.client.publishAsync('energy/alu01/e-main', `{"ts":1793232000000,"value":${100 + i}}`, { qos: 1 });
      await intruder.client.endAsync();
    }
    await waitFor(() => service.received.length >= 5, 'the five messages at the service');
    expect(serviceClosed).toBe(0);
    expect(service.client.connected).toBe(true);
    expect(broker!.logText()).toMatch(/New client connected from \S+ as alu01 .*u'alu01'/);
    expect(broker!.logText()).not.toMatch(/as energy-monitor-ingest .*u'alu01'/);
  });

  test('a packet over max_packet_size (1 MiB) disconnects its sender, and nothing of it is delivered', async () => {
    const service = await login('energy-monitor', 'acl-service-big');
    await service.client.subscribeAsync('energy/#', { qos: 1 });
    const alu = await login('alu01', 'acl-alu01-big');
    const closed = new Promise<void>((resolve) => alu.client.once('close', () => resolve()));
    alu.client.publish('energy/alu01/e-main', Buffer.alloc(1024 * 1024 + 1, 0x20), { qos: 1 });
    await closed;
    await alu.client.endAsync(true);
    const small = await login('cem01', 'acl-cem01-big');
    await small.client.publishAsync('energy/cem01/e-main', '{"ts":1793232000000,"value":5}', { qos: 1 });
    await waitFor(() => service.received.length >= 1, "cem01's message at the service");
    expect(service.received.map((m) => m.topic)).toEqual(['energy/cem01/e-main']);
    expect(broker!.logText()).toMatch(/oversize packet/);
  });

  test('the health listener lets an anonymous client read only the uptime', async () => {
    const health = await connect(broker!.listeners.health, { clientId: 'acl-health' });
    clients.push(health.client);
    await health.client.subscribeAsync('$SYS/broker/uptime', { qos: 0 });
    await health.client.subscribeAsync('energy/#', { qos: 0 });
    await health.client.publishAsync('energy/alu01/e-main', '{"ts":1793232000000,"value":6}', { qos: 1 });
    await waitFor(() => health.received.some((m) => m.topic === '$SYS/broker/uptime'), 'the uptime', 15_000);
    expect(health.received.every((m) => m.topic === '$SYS/broker/uptime')).toBe(true);
  });

  test('a cross-enterprise publish never reaches the subscriber, while a later legitimate one does', async () => {
    const service = await login('energy-monitor', 'acl-service-2');
    await service.client.subscribeAsync('energy/#', { qos: 1 });
    const alu = await login('alu01', 'acl-alu01-2');
    // Mosquitto 2 acknowledges a denied QoS 1 publish of a 3.1.1 client and drops it.
    await alu.client.publishAsync('energy/cem01/e-main', '{"ts":1793232000000,"value":666}', { qos: 1 });
    await alu.client.publishAsync('energy/cem01', '[{"meter":"e-main","ts":1793232000000,"value":667}]', { qos: 1 });
    await alu.client.publishAsync('energy/other', 'x', { qos: 1 });
    await alu.client.publishAsync('energy/alu01/e-main', '{"ts":1793232000000,"value":3}', { qos: 1 });
    // Same client, same QoS: the broker forwards in order, so once this one is in, the denied ones
    // would have come before it. Wait a little more all the same.
    await waitFor(() => service.received.some((m) => m.topic === 'energy/alu01/e-main'), 'the legitimate message');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(service.received).toEqual([{ topic: 'energy/alu01/e-main', payload: '{"ts":1793232000000,"value":3}' }]);
    expect(alu.client.connected).toBe(true);
  });

  test('a gateway cannot read other enterprises, and the service account cannot publish', async () => {
    const alu = await login('alu01', 'acl-alu01-3');
    await alu.client.subscribeAsync('energy/#', { qos: 1 });
    const service = await login('energy-monitor', 'acl-service-3');
    await service.client.subscribeAsync('energy/#', { qos: 1 });
    await service.client.publishAsync('energy/alu01/e-main', '{"ts":1793232000000,"value":9}', { qos: 1 });
    const cem = await login('cem01', 'acl-cem01-3');
    await cem.client.publishAsync('energy/cem01/e-main', '{"ts":1793232000000,"value":4}', { qos: 1 });
    await waitFor(() => service.received.length >= 1, "cem01's message at the service");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(service.received).toEqual([{ topic: 'energy/cem01/e-main', payload: '{"ts":1793232000000,"value":4}' }]);
    expect(alu.received).toEqual([]);
  });
});
