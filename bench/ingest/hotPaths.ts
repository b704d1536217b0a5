/**
 * Micro-benchmark of the ingest hot paths the profile points at, in one process and without
 * servers, so that a change can be judged on a busy machine (CPU time, best of HOT_PATH_REPS=5
 * runs): journal append (per MQTT message,
 * before the PUBACK), journal read + commit, payload decoding, and the pipeline's accept().
 *
 *   node --require tsx/cjs bench/ingest/hotPaths.ts [messages=200000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../config/load';
import { COEFFICIENTS } from '../../config/coefficients';
import { PayloadDecoder, type RawMessage } from '../../ingest/decode';
import { IngestPipeline } from '../../ingest/ingestPipeline';
import { Journal } from '../../ingest/journal';
import { MeterRegistry } from '../../services/energy/meterRegistry';
import type { ConsumptionTracker } from '../../ingest/consumptionTracker';
import { FactorTable } from '../../services/energy/factors';
import type { EventBus } from '../../services/events/eventBus';
import { silentLogger } from '../../services/core/log';
import type { StateStore } from '../../services/store/state/stateStore';
import { defaultDistrict, districtConfigYaml, EnterpriseStream } from './workload';

/** CPU time (user + system) of `fn`, in ns: steadier than wall time on a machine shared with other work. */
function time(label: string, n: number, fn: () => void): number {
  const t = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t);
  const ns = (d.user + d.system) * 1000;
  if (process.env.HOT_PATH_VERBOSE === '1') console.log(`${label.padEnd(34)} ${(ns / n / 1000).toFixed(2).padStart(6)} us CPU/msg`);
  return ns;
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 200_000);
  const district = defaultDistrict();
  const config = parseConfig(districtConfigYaml(district), 'bench');
  const registry = new MeterRegistry(config, new FactorTable(config, COEFFICIENTS));
  const streams = Array.from({ length: district.enterprises }, (_, i) => new EnterpriseStream(district, i));
  const now = Date.now();
  const messages: RawMessage[] = [];
  let readings = 0;
  for (let i = 0; i < n; i++) {
    const m = streams[i % streams.length]!.next();
    messages.push({ topic: m.topic, payload: m.payload, receivedAt: now });
    readings += m.readings;
  }
  console.log(
    `${n.toLocaleString('en-US')} messages, ${readings.toLocaleString('en-US')} readings (${(readings / n).toFixed(2)} per message), load average ${os.loadavg()[0]!.toFixed(2)}`,
  );
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hot-paths-'));
  const reps = Number(process.env.HOT_PATH_REPS ?? 5);
  const best: Record<string, number> = {};
  const keep = (label: string, ns: number): void => {
    best[label] = Math.min(best[label] ?? Infinity, ns);
  };
  const decoder = new PayloadDecoder(registry);
  const opts = { maxFutureMs: 300_000, maxPayloadBytes: 256 * 1024, now };
  try {
    for (let rep = 0; rep < reps; rep++) {
      const journal = new Journal({ dir: path.join(dir, `a${rep}`), fsyncIntervalMs: 100 });
      journal.open();
      keep(
        'journal.append',
        time('journal.append', n, () => {
          for (const m of messages) journal.append(m);
        }),
      );
      keep(
        'journal.read(5000) + commit',
        time('journal.read(5000) + commit', n, () => {
          for (let got = journal.read(5000); got.length > 0; got = journal.read(5000)) journal.commit(got[got.length - 1]!.end, got.length);
        }),
      );
      journal.close();

      let decoded = 0;
      keep(
        'decoder.decode',
        time('decoder.decode', n, () => {
          for (const m of messages) decoded += decoder.decode(m, opts).readings.length;
        }),
      );
      if (decoded !== readings) throw new Error(`decoded ${decoded} of ${readings} readings`);

      // accept() as the MQTT source calls it, with processing stubbed out (its timer does not
      // fire within the loop): journal append plus the pipeline's scheduling.
      const journal2 = new Journal({ dir: path.join(dir, `b${rep}`), fsyncIntervalMs: 100 });
      const stub = {} as unknown;
      const pipeline = new IngestPipeline(
        { maxFutureMs: 300_000, maxPayloadBytes: 256 * 1024, batchMaxReadings: 5000, flushIntervalMs: 200 },
        {
          decoder,
          tracker: stub as ConsumptionTracker,
          state: stub as StateStore,
          journal: journal2,
          bus: stub as EventBus,
          logger: silentLogger(),
        },
      );
      journal2.open();
      keep(
        'pipeline.accept (append + schedule)',
        time('pipeline.accept (append + schedule)', n, () => {
          // No message is oversized, so accept() stays synchronous and returns no promise.
          for (const m of messages) void pipeline.accept(m);
        }),
      );
      journal2.close();
      // Let the stubbed timer go: it would fail on the stub.
      (pipeline as unknown as { stopped: boolean }).stopped = true;
      rmSync(path.join(dir, `a${rep}`), { recursive: true, force: true });
      rmSync(path.join(dir, `b${rep}`), { recursive: true, force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nbest of ${reps}:`);
  for (const [label, ns] of Object.entries(best)) {
    console.log(
      `${label.padEnd(34)} ${(ns / n / 1000).toFixed(2).padStart(6)} us CPU/msg  ${Math.round((n * 1e9) / ns)
        .toLocaleString('en-US')
        .padStart(10)} msgs/s per core`,
    );
  }
  // The pipeline's timer would process the stubbed batch: exit before it fires.
  process.exit(0);
}

void main();
