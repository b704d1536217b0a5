import { Writable } from 'node:stream';
import mqtt from 'mqtt';
import pino from 'pino';
import { EmbeddedBroker } from '../../../ingest/embeddedBroker';
import { MqttSource } from '../../../ingest/mqttSource';
import type { RawMessage } from '../../../ingest/decode';
import { sha256Hex } from '../../../services/core/security';
import type { QuarantineInput } from '../../../services/store/state/stateStore';

interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

function capturingLogger() {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as LogLine);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

const ERROR = 50;
const connect = (port: number, options: mqtt.IClientOptions = {}) =>
  mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 3000, clientId: `t-${Math.random()}`, ...options });
const waitFor = async (cond: () => boolean, ms = 3000) => {
  for (const end = Date.now() + ms; !cond(); await new Promise((r) => setTimeout(r, 10))) if (Date.now() > end) throw new Error('timed out');
};

describe('EmbeddedBroker', () => {
  const brokers: EmbeddedBroker[] = [];
  afterEach(async () => {
    await Promise.all(brokers.splice(0).map((b) => b.stop()));
  });

  async function start(options: { accounts?: ConstructorParameters<typeof EmbeddedBroker>[0]['accounts']; allowAnonymous?: boolean } = {}) {
    const { logger, lines } = capturingLogger();
    const refused: QuarantineInput[] = [];
    const broker = new EmbeddedBroker(
      {
        port: 0,
        host: '127.0.0.1',
        accounts: options.accounts ?? [],
        ...(options.allowAnonymous !== undefined && { allowAnonymous: options.allowAnonymous }),
      },
      {
        logger,
        onRefused: (item) => {
          refused.push(item);
          return Promise.resolve();
        },
      },
    );
    await broker.start();
    brokers.push(broker);
    return { broker, lines, refused };
  }

  it('refuses anonymous clients when no gateway accounts are configured, with an error-level log line', async () => {
    const { broker, lines } = await start();
    await expect(connect(broker.port)).rejects.toThrow();
    const errors = lines.filter((l) => l.level === ERROR).map((l) => l.msg);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/no gateway accounts are configured/),
        expect.stringMatching(/^MQTT login refused: no gateway accounts are configured/),
      ]),
    );
    // The service's own account still works.
    const own = await connect(broker.port, { username: broker.internal.username, password: broker.internal.password });
    await own.endAsync();
  });

  it('accepts anonymous clients only with allowAnonymous: true', async () => {
    const { broker } = await start({ allowAnonymous: true });
    const anon = await connect(broker.port);
    expect(anon.connected).toBe(true);
    await anon.endAsync();
  });

  it('refuses a gateway publishing for another enterprise and reports it as not-authorized', async () => {
    const { broker, refused } = await start({
      accounts: [{ username: 'alu01', passwordSha256: sha256Hex('pw'), enterprise: 'alu01', role: 'gateway' }],
    });
    await expect(connect(broker.port)).rejects.toThrow();
    const gw = await connect(broker.port, { username: 'alu01', password: 'pw' });
    gw.publish('energy/cem01/e-main', '{"ts":1,"value":2}', { qos: 1 });
    await waitFor(() => refused.length > 0);
    // Filed under the publisher (alu01), never under the enterprise it aimed at, which did nothing.
    expect(refused[0]).toMatchObject({ reason: 'not-authorized', topic: 'energy/cem01/e-main', enterprise: 'alu01', payload: '{"ts":1,"value":2}' });
    expect(refused[0]?.meter).toBeUndefined();
    await gw.endAsync(true);
  });
});

describe('MqttSource', () => {
  it('does not acknowledge a message it could not accept (the broker redelivers it) and never logs URL credentials', async () => {
    const { logger, lines } = capturingLogger();
    const broker = new EmbeddedBroker(
      { port: 0, host: '127.0.0.1', accounts: [], allowAnonymous: true },
      { logger, onRefused: () => Promise.resolve() },
    );
    await broker.start();
    const got: RawMessage[] = [];
    let failNext = true;
    const accept = (msg: RawMessage) => {
      if (failNext) {
        failNext = false;
        throw new Error('journal is not open');
      }
      got.push(msg);
    };
    const clientId = `source-${Math.random()}`;
    const options = {
      url: `mqtt://${broker.internal.username}:${broker.internal.password}@127.0.0.1:${broker.port}`,
      clientId,
      topics: ['energy/#'],
    };
    let source = new MqttSource(options, { accept, logger });
    try {
      await source.start();
      const gw = await connect(broker.port);
      await gw.publishAsync('energy/alu01/e-main', '{"ts":1,"value":2}', { qos: 1 });
      await waitFor(() => lines.some((l) => /not accepted/.test(l.msg)));
      expect(got).toHaveLength(0);
      // Reconnect on the persistent session: the unacknowledged message comes again.
      await source.stop();
      source = new MqttSource(options, { accept, logger });
      await source.start();
      await waitFor(() => got.length > 0);
      expect(got[0]!.topic).toBe('energy/alu01/e-main');
      await gw.endAsync();
      const logged = JSON.stringify(lines);
      expect(logged).not.toContain(broker.internal.password);
      expect(logged).toContain(`mqtt://${broker.internal.username}:***@127.0.0.1:${broker.port}`);
    } finally {
      await source.stop();
      await broker.stop();
    }
  });
});
