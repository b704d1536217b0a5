/**
 * Load-generator process (forked by bench/ingest/load.ts). One MQTT connection per enterprise
 * gateway, each publishing its enterprise's stream in time order with QoS 1 and a window of
 * unacknowledged messages. Paced to a rate (readings/s) or as fast as the broker acknowledges.
 * Talks to the parent over IPC: start -> ready, go -> progress/probe ... -> done.
 */
import { EnterpriseStream, gatewayPassword, type BenchDistrict } from './workload';
import { encodeTopic, RawMqttClient } from './rawMqtt';

export interface PublisherStart {
  readonly type: 'start';
  readonly host: string;
  readonly port: number;
  readonly district: BenchDistrict;
  /** Indices of the enterprises this process publishes for (one connection each). */
  readonly enterprises: readonly number[];
  /** Readings/s for this process; 0 = as fast as the broker acknowledges. */
  readonly rate: number;
  readonly durationMs: number;
  /** Unacknowledged QoS 1 messages per connection. */
  readonly window: number;
  /** Log in with the gateway accounts (false: anonymous). */
  readonly auth: boolean;
  /** Send a latency probe this often (0 = none). */
  readonly probeEveryMs: number;
  readonly clientPrefix: string;
  /** Stop after this many messages (0 = no cap). */
  readonly maxMessages: number;
}

export interface PublisherStats {
  sentMessages: number;
  sentReadings: number;
  ackedMessages: number;
  ackedReadings: number;
  /** Epoch ms of the first publish and of the last acknowledgement. */
  firstSendAt: number;
  lastAckAt: number;
  /** Time spent publishing (ms) and the share of it the event loop was busy generating. */
  publishMs: number;
  unacked: number;
  /** CPU seconds this publisher process used (user + system). */
  cpuSeconds: number;
}

export interface Probe {
  readonly enterprise: string;
  readonly meter: string;
  readonly ts: number;
  readonly sentAt: number;
}

export type PublisherToParent =
  | { type: 'ready' }
  | { type: 'progress'; stats: PublisherStats }
  | { type: 'probes'; probes: Probe[] }
  | { type: 'done'; stats: PublisherStats }
  | { type: 'error'; message: string };

export type ParentToPublisher = PublisherStart | { type: 'go' } | { type: 'stop' } | { type: 'pause' } | { type: 'resume' };

interface Conn {
  readonly client: RawMqttClient;
  readonly stream: EnterpriseStream;
  readonly readingsOf: Map<number, number>;
  readonly topics: Map<string, Buffer>;
}

function send(msg: PublisherToParent): void {
  process.send?.(msg);
}

async function run(start: PublisherStart): Promise<void> {
  const stats: PublisherStats = {
    sentMessages: 0,
    sentReadings: 0,
    ackedMessages: 0,
    ackedReadings: 0,
    firstSendAt: 0,
    lastAckAt: 0,
    publishMs: 0,
    unacked: 0,
    cpuSeconds: 0,
  };
  const cpuAtStart = process.cpuUsage();
  const conns: Conn[] = [];
  for (const index of start.enterprises) {
    const stream = new EnterpriseStream(start.district, index);
    const client = await RawMqttClient.connect({
      host: start.host,
      port: start.port,
      clientId: `${start.clientPrefix}-${stream.id}`,
      clean: true,
      ...(start.auth && { username: stream.id, password: gatewayPassword(stream.id) }),
    });
    conns.push({ client, stream, readingsOf: new Map(), topics: new Map() });
  }
  let stopping = false;
  let paused = false;
  let endAt = Infinity;
  let lastProbe = 0;
  const probes: Probe[] = [];

  const publishOne = (c: Conn): void => {
    const m = c.stream.next();
    let topic = c.topics.get(m.topic);
    if (!topic) {
      topic = encodeTopic(m.topic);
      c.topics.set(m.topic, topic);
    }
    const id = c.client.publish(topic, m.payload);
    c.readingsOf.set(id, m.readings);
    stats.sentMessages++;
    stats.sentReadings += m.readings;
    if (start.maxMessages > 0 && stats.sentMessages >= start.maxMessages) endAt = Math.min(endAt, Date.now());
    if (start.probeEveryMs > 0) {
      const now = Date.now();
      if (now - lastProbe >= start.probeEveryMs) {
        lastProbe = now;
        probes.push({ ...m.probe, sentAt: now });
      }
    }
  };

  for (const c of conns) {
    c.client.onAcks = (count, ids) => {
      stats.ackedMessages += count;
      for (const id of ids) {
        stats.ackedReadings += c.readingsOf.get(id) ?? 0;
        c.readingsOf.delete(id);
      }
      stats.lastAckAt = Date.now();
      if (start.rate === 0 && !stopping && !paused) fill(c, Infinity);
    };
  }

  /** Publishes on one connection while its window has room, up to `budget` readings. */
  function fill(c: Conn, budget: number): number {
    let used = 0;
    if (Date.now() >= endAt) return 0;
    c.client.cork();
    while (c.client.pending < start.window && used < budget) {
      const before = stats.sentReadings;
      publishOne(c);
      used += stats.sentReadings - before;
    }
    c.client.uncork();
    return used;
  }

  await new Promise<void>((resolve) => {
    const onGo = (msg: ParentToPublisher): void => {
      if (msg.type === 'go') {
        process.removeListener('message', onGo);
        resolve();
      }
    };
    process.on('message', onGo);
    send({ type: 'ready' });
  });

  const t0 = Date.now();
  endAt = t0 + start.durationMs;
  stats.firstSendAt = t0;
  process.on('message', (msg: ParentToPublisher) => {
    if (msg.type === 'stop') endAt = Date.now();
    else if (msg.type === 'pause') paused = true;
    else if (msg.type === 'resume' && paused) {
      paused = false;
      if (start.rate === 0) for (const c of conns) fill(c, Infinity);
    }
  });
  const progress = setInterval(() => {
    stats.unacked = conns.reduce((n, c) => n + c.client.pending, 0);
    send({ type: 'progress', stats: { ...stats } });
    if (probes.length > 0) send({ type: 'probes', probes: probes.splice(0) });
  }, 100);

  if (start.rate === 0) {
    for (const c of conns) fill(c, Infinity);
  }
  let cursor = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const now = Date.now();
      if (now >= endAt) {
        clearInterval(tick);
        resolve();
        return;
      }
      if (start.rate === 0 || paused) return;
      // Paced: publish what the rate allows so far, round-robin over the gateways with room.
      let budget = (start.rate * (now - t0)) / 1000 - stats.sentReadings;
      let idle = 0;
      while (budget > 0 && idle < conns.length) {
        const c = conns[cursor]!;
        cursor = (cursor + 1) % conns.length;
        if (c.client.pending >= start.window) {
          idle++;
          continue;
        }
        idle = 0;
        const before = stats.sentReadings;
        publishOne(c);
        budget -= stats.sentReadings - before;
      }
    }, 5);
  });
  stopping = true;
  stats.publishMs = Date.now() - t0;
  // Wait for the broker to acknowledge everything sent (bounded).
  const deadline = Date.now() + 120_000;
  while (conns.some((c) => c.client.pending > 0) && Date.now() < deadline && !conns.some((c) => c.client.closed)) {
    await new Promise((r) => setTimeout(r, 20));
  }
  clearInterval(progress);
  stats.unacked = conns.reduce((n, c) => n + c.client.pending, 0);
  if (probes.length > 0) send({ type: 'probes', probes: probes.splice(0) });
  await Promise.all(conns.map((c) => c.client.end()));
  const cpu = process.cpuUsage(cpuAtStart);
  stats.cpuSeconds = (cpu.user + cpu.system) / 1e6;
  send({ type: 'done', stats });
}

process.on('message', (msg: ParentToPublisher) => {
  if (msg.type !== 'start') return;
  run(msg).then(
    () => process.exit(0),
    (err: unknown) => {
      send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
      process.exit(1);
    },
  );
});
