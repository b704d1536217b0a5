/**
 * Issue 14, the client-id takeover on Mosquitto: a gateway account connects again and again with
 * the service's client id and `clean: true` (every 200 ms) while another gateway publishes QoS 1
 * readings. On the shipped configuration (deploy/mosquitto/mosquitto.conf) the gateway listener
 * gives every gateway its user name as client id, so the service is never kicked off and its
 * persistent session never wiped: every reading the broker acknowledged is stored.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { stringify } from 'yaml';
import { parseConfig } from '../../config/load';
import { mosquittoAuthFiles } from '../../ingest/mosquittoAuthFiles';
import { sha256Hex } from '../../services/core/security';
import { hasMosquitto, mosquittoSkipReason, startMosquitto, type MosquittoBroker } from '../helpers/mosquitto';
import { startServiceProcess, type ServiceProcess } from '../helpers/serviceProcess';

jest.setTimeout(120_000);

const available = hasMosquitto(); // throws in CI when the broker is missing
if (!available) console.warn(mosquittoSkipReason());
const maybe = available ? describe : describe.skip;

const SERVICE_CLIENT_ID = 'energy-monitor-ingest';
const PASSWORDS = { alu01: 'alu01-Takeover-1', cem01: 'cem01-Takeover-2', 'energy-monitor': 'svc-Takeover-3' } as const;

function configYaml(): string {
  const meters = [{ id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter', intervalSeconds: 60 }];
  return stringify({
    timezone: 'Asia/Shanghai',
    enterprises: [
      { id: 'alu01', name: '接管测试铝业', industry: '3216', meters },
      { id: 'cem01', name: '接管测试水泥', industry: '3011', meters },
    ],
    ingest: { flushIntervalMs: 100 },
    auth: {
      tokens: [],
      mqtt: [
        { username: 'alu01', passwordSha256: sha256Hex(PASSWORDS.alu01), enterprise: 'alu01', role: 'gateway' },
        { username: 'cem01', passwordSha256: sha256Hex(PASSWORDS.cem01), enterprise: 'cem01', role: 'gateway' },
        { username: 'energy-monitor', passwordSha256: sha256Hex(PASSWORDS['energy-monitor']), role: 'service' },
      ],
    },
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

maybe('client-id takeover against Mosquitto with the shipped configuration', () => {
  let dir: string;
  let broker: MosquittoBroker | undefined;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'mosquitto-takeover-'));
    const yaml = configYaml();
    writeFileSync(path.join(dir, 'energy.yaml'), yaml);
    const files = mosquittoAuthFiles(parseConfig(yaml, 'energy.yaml'), PASSWORDS);
    broker = await startMosquitto({
      shipped: {},
      files: {
        'gateways.passwd': files.listeners.gateways.passwd,
        'gateways.acl': files.listeners.gateways.acl,
        'service.passwd': files.listeners.service.passwd,
        'service.acl': files.listeners.service.acl,
      },
    });
    service = await startServiceProcess({
      configFile: path.join(dir, 'energy.yaml'),
      dataDir: path.join(dir, 'data'),
      logFile: path.join(dir, 'service.log'),
      env: {
        MQTT_URL: broker!.listeners.service,
        MQTT_USERNAME: 'energy-monitor',
        MQTT_PASSWORD: PASSWORDS['energy-monitor'],
        MQTT_CLIENT_ID: SERVICE_CLIENT_ID,
      },
    });
  });

  afterAll(async () => {
    await service?.kill('SIGTERM');
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("every acknowledged reading is stored while a gateway loops connects with the service's client id", async () => {
    let attacking = true;
    let attempts = 0;
    const attack = (async () => {
      while (attacking) {
        attempts++;
        const intruder = mqtt.connect(broker!.listeners.gateways, {
          username: 'alu01',
          password: PASSWORDS.alu01,
          clientId: SERVICE_CLIENT_ID,
          clean: true,
          reconnectPeriod: 0,
          protocolVersion: 4,
        });
        await new Promise<void>((resolve) => {
          intruder.once('connect', () => resolve());
          intruder.once('error', () => resolve());
          intruder.once('close', () => resolve());
        });
        intruder.end(true);
        await sleep(200);
      }
    })();

    const publisher: MqttClient = await mqtt.connectAsync(broker!.listeners.gateways, {
      username: 'cem01',
      password: PASSWORDS.cem01,
      clientId: 'cem01-gateway',
      reconnectPeriod: 0,
      protocolVersion: 4,
    });
    const t0 = Date.now() - 24 * 3_600_000;
    let acked = 0;
    for (let k = 0; k < 100; k++) {
      await publisher.publishAsync('energy/cem01/e-main', JSON.stringify({ ts: t0 + k * 60_000, value: 1000 + 10 * k }), { qos: 1 });
      acked++;
      await sleep(40);
    }
    attacking = false;
    await attack;
    await publisher.endAsync();
    expect(attempts).toBeGreaterThanOrEqual(10);

    const deadline = Date.now() + 30_000;
    let ingest = (await service!.health()).body.ingest;
    while (ingest.stored + ingest.quarantined < acked && Date.now() < deadline) {
      await sleep(200);
      ingest = (await service!.health()).body.ingest;
    }
    expect({ stored: ingest.stored, quarantined: ingest.quarantined }).toEqual({ stored: acked, quarantined: 0 });
    const log = broker!.logText();
    // the intruder ran as alu01, and the service's connection was never replaced
    expect(log).toMatch(/New client connected from \S+ as alu01 \(.*u'alu01'\)/);
    expect(log).not.toMatch(new RegExp(`Client ${SERVICE_CLIENT_ID} already connected`));
    expect(log).not.toMatch(new RegExp(`as ${SERVICE_CLIENT_ID} \\(.*u'alu01'\\)`));
    expect((await service!.health()).body.mqtt.ok).toBe(true);
  });

  test("a gateway's password does not open the service listener, where client ids are free", async () => {
    const refused = await new Promise<number | undefined>((resolve) => {
      const c = mqtt.connect(broker!.listeners.service, {
        username: 'alu01',
        password: PASSWORDS.alu01,
        clientId: SERVICE_CLIENT_ID,
        clean: true,
        reconnectPeriod: 0,
        protocolVersion: 4,
      });
      c.once('connect', () => {
        c.end(true);
        resolve(undefined);
      });
      c.once('error', (err: Error & { code?: unknown }) => {
        c.end(true);
        resolve(typeof err.code === 'number' ? err.code : -1);
      });
    });
    expect([4, 5]).toContain(refused);
    expect((await service!.health()).body.mqtt.ok).toBe(true);
  });

  test('one connection per gateway account: a second login with the same account replaces the first', async () => {
    const first = await mqtt.connectAsync(broker!.listeners.gateways, {
      username: 'alu01',
      password: PASSWORDS.alu01,
      clientId: 'any-1',
      reconnectPeriod: 0,
      protocolVersion: 4,
    });
    const firstClosed = new Promise<void>((resolve) => first.once('close', () => resolve()));
    const second = await mqtt.connectAsync(broker!.listeners.gateways, {
      username: 'alu01',
      password: PASSWORDS.alu01,
      clientId: 'any-2',
      reconnectPeriod: 0,
      protocolVersion: 4,
    });
    await firstClosed;
    expect(second.connected).toBe(true);
    await second.endAsync();
    await first.endAsync(true);
  });
});
