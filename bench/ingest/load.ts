/**
 * Runs the load generator: forks `processes` publisher processes (bench/ingest/publisher.ts),
 * splits the enterprises between them, starts them together and adds up what they report.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { BenchDistrict } from './workload';
import type { ParentToPublisher, Probe, PublisherStart, PublisherStats, PublisherToParent } from './publisher';

export interface LoadOptions {
  readonly host?: string;
  readonly port: number;
  readonly district: BenchDistrict;
  /** Readings/s over all processes; 0 = as fast as the broker acknowledges. */
  readonly rate: number;
  readonly durationMs: number;
  readonly processes?: number;
  readonly window?: number;
  readonly auth?: boolean;
  readonly probeEveryMs?: number;
  readonly onProbes?: (probes: readonly Probe[]) => void;
  /** Called with the running totals about every 100 ms. */
  readonly onProgress?: (totals: PublisherStats) => void;
  readonly label: string;
  /** Stop after this many messages in all (0 or absent = no cap). */
  readonly maxMessages?: number;
}

export interface LoadResult {
  readonly totals: PublisherStats;
  /** Acknowledged readings per second, from the first publish to the last PUBACK. */
  readonly ackedRate: number;
  readonly processes: number;
  readonly connections: number;
}

function sum(list: readonly PublisherStats[]): PublisherStats {
  const out: PublisherStats = {
    sentMessages: 0,
    sentReadings: 0,
    ackedMessages: 0,
    ackedReadings: 0,
    firstSendAt: Infinity,
    lastAckAt: 0,
    publishMs: 0,
    unacked: 0,
    cpuSeconds: 0,
  };
  for (const s of list) {
    out.sentMessages += s.sentMessages;
    out.sentReadings += s.sentReadings;
    out.ackedMessages += s.ackedMessages;
    out.ackedReadings += s.ackedReadings;
    out.unacked += s.unacked;
    out.cpuSeconds += s.cpuSeconds;
    out.firstSendAt = Math.min(out.firstSendAt, s.firstSendAt || Infinity);
    out.lastAckAt = Math.max(out.lastAckAt, s.lastAckAt);
    out.publishMs = Math.max(out.publishMs, s.publishMs);
  }
  if (out.firstSendAt === Infinity) out.firstSendAt = 0;
  return out;
}

/** Handle of a started load: `done` resolves with the totals; `stop()` ends publishing early. */
export interface RunningLoad {
  readonly done: Promise<LoadResult>;
  stop(): void;
  /** Holds publishing (max mode) until resume(): flow control against the broker's queue limit. */
  pause(): void;
  resume(): void;
}

export async function startLoad(options: LoadOptions): Promise<RunningLoad> {
  const n = Math.max(1, Math.min(options.processes ?? Number(process.env.BENCH_PUBLISHERS ?? 2), options.district.enterprises));
  const children: ChildProcess[] = [];
  const latest: PublisherStats[] = [];
  const finals: (PublisherStats | undefined)[] = [];
  const ready: Promise<void>[] = [];
  const finished: Promise<void>[] = [];
  for (let p = 0; p < n; p++) {
    const enterprises: number[] = [];
    for (let i = p; i < options.district.enterprises; i += n) enterprises.push(i);
    const child = fork(path.join(__dirname, 'publisher.ts'), [], {
      execArgv: ['--require', 'tsx/cjs'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.push(child);
    latest.push(sum([]));
    finals.push(undefined);
    let onReady: () => void = () => undefined;
    ready.push(new Promise<void>((resolve) => (onReady = resolve)));
    finished.push(
      new Promise<void>((resolve, reject) => {
        child.on('message', (msg: PublisherToParent) => {
          if (msg.type === 'ready') onReady();
          else if (msg.type === 'progress') {
            latest[p] = msg.stats;
            options.onProgress?.(sum(latest));
          } else if (msg.type === 'probes') options.onProbes?.(msg.probes);
          else if (msg.type === 'done') {
            finals[p] = msg.stats;
            resolve();
          } else if (msg.type === 'error') reject(new Error(`publisher ${p} (${options.label}): ${msg.message}`));
        });
        child.once('exit', (code) => {
          if (finals[p] === undefined) reject(new Error(`publisher ${p} (${options.label}) exited with ${code} before finishing`));
        });
      }),
    );
    const start: PublisherStart = {
      type: 'start',
      host: options.host ?? '127.0.0.1',
      port: options.port,
      district: options.district,
      enterprises,
      rate: options.rate / n,
      durationMs: options.durationMs,
      window: options.window ?? Number(process.env.BENCH_WINDOW ?? 100),
      auth: options.auth ?? true,
      probeEveryMs: options.probeEveryMs ?? 0,
      clientPrefix: `bench-${options.label}-${p}`,
      maxMessages: options.maxMessages ? Math.ceil(options.maxMessages / n) : 0,
    };
    child.send(start satisfies ParentToPublisher);
  }
  // A publisher that fails to connect rejects `finished` before it is ready.
  await Promise.race([Promise.all(ready), Promise.all(finished).then(() => undefined)]);
  for (const child of children) child.send({ type: 'go' } satisfies ParentToPublisher);
  const done = Promise.all(finished).then(() => {
    const totals = sum(finals.map((f) => f!));
    const span = totals.lastAckAt - totals.firstSendAt;
    return { totals, ackedRate: span > 0 ? (totals.ackedReadings * 1000) / span : 0, processes: n, connections: options.district.enterprises };
  });
  done.catch(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  });
  return {
    done,
    stop: () => {
      for (const child of children) if (child.connected) child.send({ type: 'stop' } satisfies ParentToPublisher);
    },
    pause: () => {
      for (const child of children) if (child.connected) child.send({ type: 'pause' } satisfies ParentToPublisher);
    },
    resume: () => {
      for (const child of children) if (child.connected) child.send({ type: 'resume' } satisfies ParentToPublisher);
    },
  };
}
