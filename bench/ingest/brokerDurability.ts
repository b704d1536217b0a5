/**
 * How many QoS 1 messages Mosquitto acknowledged and then lost in a crash (kill -9), per
 * persistence setting, and what each setting costs in publish throughput.
 *
 *   npm run bench:broker-durability [-- --messages 20000] [--only <text in the setting's name>] [--scenario offline|online]
 *
 * Per setting and per scenario, on a fresh broker (persistence on, the shipped queue limits):
 *   offline  the service's persistent session (clean: false, QoS 1 on energy/#) is offline, as
 *            during a restart of the service: the broker queues everything;
 *   online   the session is connected and acknowledging, as in normal operation.
 * A publisher sends `--messages` QoS 1 messages (100 in flight, as the bench's gateways) and
 * counts PUBACKs; right after the last PUBACK the broker is killed with SIGKILL and started again;
 * the session reconnects and counts what it gets. Lost = acknowledged - distinct received.
 */
import { parseArgs } from 'node:util';
import { startMosquitto, type MosquittoBroker } from '../../test/helpers/mosquitto';
import { RawMqttClient } from './rawMqtt';
import { shippedTuning } from './servers';

interface Setting {
  readonly name: string;
  readonly lines: readonly string[];
}

const SETTINGS: readonly Setting[] = [
  { name: 'autosave_interval 60 (time, the former setting)', lines: ['autosave_interval 60'] },
  { name: 'autosave_on_changes true, autosave_interval 1000', lines: ['autosave_on_changes true', 'autosave_interval 1000'] },
  { name: 'autosave_on_changes true, autosave_interval 100 (shipped)', lines: ['autosave_on_changes true', 'autosave_interval 100'] },
  { name: 'autosave_on_changes true, autosave_interval 10', lines: ['autosave_on_changes true', 'autosave_interval 10'] },
];

const TOPIC = Buffer.concat([Buffer.from([0, 'energy/alu01/m0'.length]), Buffer.from('energy/alu01/m0')]);
const SESSION = 'bench-durable-service';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function session(broker: MosquittoBroker, seen: Set<number>): Promise<RawMqttClient> {
  const client = await RawMqttClient.connect({ host: '127.0.0.1', port: broker.port, clientId: SESSION, clean: false });
  client.onMessage = (_topic, payload) => seen.add(Number(payload.toString()));
  await client.subscribe('energy/#', 1);
  return client;
}

/** Publishes `n` messages with at most `window` unacknowledged; resolves with the acknowledged count and the rate. */
async function publish(broker: MosquittoBroker, n: number, window = 100): Promise<{ acked: number; perSecond: number }> {
  const pub = await RawMqttClient.connect({ host: '127.0.0.1', port: broker.port, clientId: 'bench-durable-gateway' });
  let acked = 0;
  let sent = 0;
  const started = process.hrtime.bigint();
  await new Promise<void>((resolve) => {
    const fill = (): void => {
      pub.cork();
      while (sent < n && pub.pending < window) pub.publish(TOPIC, Buffer.from(String(sent++)));
      pub.uncork();
    };
    pub.onAcks = (count) => {
      acked += count;
      if (acked >= n) resolve();
      else fill();
    };
    fill();
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  pub.destroy();
  return { acked, perSecond: acked / seconds };
}

async function drain(seen: Set<number>): Promise<void> {
  let last = -1;
  while (seen.size !== last) {
    last = seen.size;
    await sleep(1500);
  }
}

async function run(setting: Setting, scenario: 'offline' | 'online', n: number): Promise<string> {
  const tuning = shippedTuning();
  const queue = ['max_queued_messages', 'max_queued_bytes', 'max_inflight_messages']
    .filter((k) => tuning[k] !== undefined)
    .map((k) => `${k} ${tuning[k]}`);
  const broker = await startMosquitto({ persistence: true, extraConfig: [...queue, ...setting.lines] });
  if (!broker) throw new Error('mosquitto is not installed (apt-get install mosquitto)');
  try {
    const seen = new Set<number>();
    let sub = await session(broker, seen);
    if (scenario === 'offline') {
      await sub.end();
      await sleep(200);
    }
    const { acked, perSecond } = await publish(broker, n);
    sub.destroy();
    await broker.restart({ hard: true });
    sub = await session(broker, seen);
    await drain(seen);
    await sub.end();
    const lost = acked - [...seen].filter((i) => i < acked).length;
    return `| ${setting.name} | ${scenario} | ${acked} | ${lost} | ${Math.round(perSecond)} |`;
  } finally {
    await broker.stop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { messages: { type: 'string', default: '20000' }, only: { type: 'string' }, scenario: { type: 'string' } },
  });
  const n = Number(values.messages);
  const scenarios = (['offline', 'online'] as const).filter((s) => values.scenario === undefined || values.scenario === s);
  console.log(`Mosquitto ${n} QoS 1 messages, kill -9 after the last PUBACK, restart, count what the session gets`);
  console.log('| persistence | session | acknowledged | lost | acknowledged/s |');
  console.log('|---|---|---|---|---|');
  for (const setting of SETTINGS.filter((s) => values.only === undefined || s.name.includes(values.only!))) {
    for (const scenario of scenarios) console.log(await run(setting, scenario, n));
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
