/**
 * The real-Mosquitto harness itself: QoS 1 delivery, persistence of a session's queue across a
 * broker restart, and extra configuration lines.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { freePort, hasMosquitto, mosquittoSkipReason, startMosquitto, type MosquittoBroker } from '../helpers/mosquitto';

const available = hasMosquitto(); // throws in CI when the broker is missing
const describeBroker = available ? describe : describe.skip;
if (!available) console.warn(mosquittoSkipReason());

interface Received {
  topic: string;
  payload: string;
  qos: number;
}

function connect(url: string, options: IClientOptions = {}): Promise<{ client: MqttClient; received: Received[]; sessionPresent: boolean }> {
  const received: Received[] = [];
  // the message handler is attached before CONNECT is sent: queued messages may follow the CONNACK at once
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
  client.on('message', (topic, payload, packet) => received.push({ topic, payload: payload.toString('utf8'), qos: packet.qos }));
  return new Promise((resolve, reject) => {
    client.once('connect', (connack) => resolve({ client, received, sessionPresent: connack.sessionPresent }));
    client.once('error', reject);
  });
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function end(client: MqttClient): Promise<void> {
  return new Promise((resolve) => client.end(false, () => resolve()));
}

test('freePort() answers a port that can be listened on', async () => {
  const port = await freePort();
  expect(port).toBeGreaterThan(0);
  expect(port).toBeLessThan(65536);
});

describeBroker('mosquitto harness (real broker)', () => {
  let broker: MosquittoBroker | undefined;
  const clients: MqttClient[] = [];

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => end(c)));
    if (broker) await broker.stop();
    broker = undefined;
  });

  test('a QoS 1 publish reaches a subscriber', async () => {
    broker = (await startMosquitto())!;
    expect(broker.url).toBe(`mqtt://127.0.0.1:${broker.port}`);

    const sub = await connect(broker.url, { clientId: 'harness-sub' });
    const pub = await connect(broker.url, { clientId: 'harness-pub' });
    clients.push(sub.client, pub.client);

    await sub.client.subscribeAsync('energy/alu01/e-main', { qos: 1 });
    const payload = JSON.stringify({ ts: 1793232000000, value: 120345.6 });
    await pub.client.publishAsync('energy/alu01/e-main', payload, { qos: 1 });

    await waitFor(() => sub.received.length === 1, 'the QoS 1 message');
    expect(sub.received).toEqual([{ topic: 'energy/alu01/e-main', payload, qos: 1 }]);
    expect(broker.logText()).toContain('harness-sub');
  });

  test('restart() keeps port and persistence: a persistent session gets what was published while it was away', async () => {
    broker = (await startMosquitto())!;
    const { port, dir, url } = broker;
    const sessionOptions: IClientOptions = { clientId: 'harness-persistent', clean: false };

    // the persistent session subscribes, then goes away
    const first = await connect(url, sessionOptions);
    await first.client.subscribeAsync('energy/alu01/#', { qos: 1 });
    await end(first.client);

    // published while the session is disconnected: queued by the broker
    const pub = await connect(url, { clientId: 'harness-pub-1' });
    await pub.client.publishAsync('energy/alu01/e-main', 'before-restart', { qos: 1 });
    await end(pub.client);

    await broker.restart();
    expect(broker.port).toBe(port);
    expect(broker.dir).toBe(dir);

    // published after the restart, still while the session is disconnected
    const pub2 = await connect(url, { clientId: 'harness-pub-2' });
    clients.push(pub2.client);
    await pub2.client.publishAsync('energy/alu01/out', 'after-restart', { qos: 1 });

    const again = await connect(url, sessionOptions);
    clients.push(again.client);
    expect(again.sessionPresent).toBe(true);
    await waitFor(() => again.received.length >= 2, 'the two queued messages');
    expect(again.received).toEqual([
      { topic: 'energy/alu01/e-main', payload: 'before-restart', qos: 1 },
      { topic: 'energy/alu01/out', payload: 'after-restart', qos: 1 },
    ]);
  });

  test('allowAnonymous: false refuses a client without credentials', async () => {
    broker = (await startMosquitto({ allowAnonymous: false }))!;
    expect(readFileSync(path.join(broker.dir, 'mosquitto.conf'), 'utf8')).toContain('allow_anonymous false');
    // CONNACK return code 5: not authorised
    await expect(connect(broker.url, { clientId: 'harness-anon' })).rejects.toMatchObject({ code: 5 });
    expect(broker.logText()).toContain('not authorised');
  });

  test('extraConfig lines are applied: max_queued_messages bounds an offline session queue', async () => {
    broker = (await startMosquitto({ extraConfig: ['max_queued_messages 5'] }))!;
    const sessionOptions: IClientOptions = { clientId: 'harness-small-queue', clean: false };
    const first = await connect(broker.url, sessionOptions);
    await first.client.subscribeAsync('energy/alu01/#', { qos: 1 });
    await end(first.client);

    const pub = await connect(broker.url, { clientId: 'harness-pub-queue' });
    clients.push(pub.client);
    for (let i = 1; i <= 8; i++) await pub.client.publishAsync('energy/alu01/e-main', `m${i}`, { qos: 1 });

    const again = await connect(broker.url, sessionOptions);
    clients.push(again.client);
    await waitFor(() => again.received.length >= 5, 'the queued messages');
    await new Promise((resolve) => setTimeout(resolve, 300)); // nothing more arrives
    // the broker kept the first five and silently dropped the rest
    expect(again.received.map((m) => m.payload)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
  });

  test('stop() ends the broker and removes its directory', async () => {
    const b = (await startMosquitto())!;
    const { dir, port } = b;
    await b.stop();
    expect(existsSync(dir)).toBe(false);
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
    await b.stop(); // idempotent
  });
});
