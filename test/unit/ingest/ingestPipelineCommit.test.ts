/**
 * The ingest pipeline commits a journal record only once the store's rollups include it
 * (TimeSeriesStore.settleRollups): a crash between the raw write and the rollup refresh then
 * replays the record, and the replay refreshes the days again. Real journal, tracker and SQLite
 * store; only the store's settleRollups() is held or failed from the test (as a slow or failing
 * InfluxDB refresh round would).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConsumptionTracker } from '../../../ingest/consumptionTracker';
import { PayloadDecoder } from '../../../ingest/decode';
import { IngestPipeline } from '../../../ingest/ingestPipeline';
import { Journal } from '../../../ingest/journal';
import { EventBus } from '../../../services/events/eventBus';
import { silentLogger } from '../../../services/core/log';
import { SqliteTimeSeriesStore } from '../../../services/store/sqlite/sqliteTimeSeriesStore';
import { StateStore } from '../../../services/store/state/stateStore';
import { testRegistry } from '../../helpers/config';
import { openTestStateDb } from '../../helpers/stateDb';

const T0 = Date.UTC(2026, 0, 5, 0, 0);
const OPTIONS = { maxFutureMs: 300_000, maxPayloadBytes: 65_536, batchMaxReadings: 2, flushIntervalMs: 10, retryMinMs: 10, retryMaxMs: 20 };

/** settleRollups() answers what the test says: held until released, or failing. */
class GatedSettle {
  private gate: { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } | undefined;
  calls = 0;
  hold(): void {
    let resolve = (): void => undefined;
    let reject = (_: Error): void => undefined;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => undefined);
    this.gate = { promise, resolve, reject };
  }
  release(): void {
    this.gate?.resolve();
    this.gate = undefined;
  }
  fail(): void {
    this.gate?.reject(new Error('injected rollup refresh failure'));
    this.gate = undefined;
  }
  settle(): Promise<void> {
    this.calls++;
    return this.gate?.promise ?? Promise.resolve();
  }
}

async function setup() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pipeline-commit-'));
  const store = new SqliteTimeSeriesStore({ path: ':memory:', zone: 'Asia/Shanghai' });
  await store.start();
  const gate = new GatedSettle();
  store.settleRollups = () => gate.settle();
  const stateDb = await openTestStateDb(dir);
  const state = new StateStore(stateDb);
  const registry = testRegistry();
  const journal = new Journal({ dir: path.join(dir, 'journal'), fsyncIntervalMs: 0 });
  const pipeline = new IngestPipeline(OPTIONS, {
    decoder: new PayloadDecoder(registry),
    tracker: new ConsumptionTracker({ store, meters: registry }),
    state,
    journal,
    bus: new EventBus(silentLogger()),
    logger: silentLogger(),
    now: () => T0 + 3_600_000,
  });
  await pipeline.start();
  const publish = async (minute: number, value: number): Promise<void> =>
    pipeline.accept({
      topic: 'energy/alu01/e-main',
      payload: JSON.stringify({ ts: new Date(T0 + minute * 60_000).toISOString(), value }),
      receivedAt: T0,
    });
  const cleanup = async (): Promise<void> => {
    await pipeline.stop();
    await Promise.all([store.stop(), stateDb.close()]);
    rmSync(dir, { recursive: true, force: true });
  };
  return { store, gate, pipeline, journal, publish, cleanup };
}

describe('IngestPipeline journal commits follow the rollup refresh', () => {
  it('stores at once, commits only after settleRollups, and keeps records through a failed refresh', async () => {
    const { store, gate, pipeline, publish, cleanup } = await setup();
    try {
      gate.hold();
      await publish(0, 100);
      await publish(15, 110);
      await pipeline.flush();
      // Raw readings are stored and queryable while the refresh is outstanding ...
      expect(await store.readings({ enterprise: 'alu01', meter: 'e-main' }, T0, T0 + 3_600_000)).toHaveLength(2);
      // ... but the journal still holds both records.
      expect(pipeline.pending).toBe(2);
      gate.fail();
      gate.hold(); // the pipeline's retry of the commit waits too
      await new Promise((r) => setTimeout(r, 40));
      expect(pipeline.pending).toBe(2); // a failed refresh commits nothing

      await publish(30, 120);
      await publish(45, 130);
      await pipeline.flush();
      expect(pipeline.pending).toBe(4);
      gate.release();
      await new Promise((r) => setTimeout(r, 20));
      // The later successful refresh covers every earlier write: all four committed at once.
      expect(pipeline.pending).toBe(0);
    } finally {
      gate.release();
      await cleanup();
    }
  });

  it('retries the commit after a failed refresh even when no further batch comes', async () => {
    const { gate, pipeline, publish, cleanup } = await setup();
    try {
      gate.hold();
      await publish(0, 100);
      await pipeline.flush();
      gate.fail(); // settles fine from now on
      const deadline = Date.now() + 5000;
      while (pipeline.pending > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(pipeline.pending).toBe(0);
      expect(gate.calls).toBeGreaterThanOrEqual(2);
    } finally {
      await cleanup();
    }
  });

  it('a restart before the refresh replays the uncommitted records', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pipeline-replay-'));
    const journalDir = path.join(dir, 'journal');
    const registry = testRegistry();
    const make = async (settle: () => Promise<void>) => {
      const store = new SqliteTimeSeriesStore({ path: path.join(dir, 'ts.db'), zone: 'Asia/Shanghai' });
      await store.start();
      store.settleRollups = settle;
      const stateDb = await openTestStateDb(dir);
      const state = new StateStore(stateDb);
      const tracker = new ConsumptionTracker({ store, meters: registry });
      const tracked: number[] = [];
      const track = tracker.track.bind(tracker);
      tracker.track = (readings, onEvent, options) => {
        tracked.push(readings.length);
        return track(readings, onEvent, options);
      };
      const journal = new Journal({ dir: journalDir, fsyncIntervalMs: 0 });
      const pipeline = new IngestPipeline(OPTIONS, {
        decoder: new PayloadDecoder(registry),
        tracker,
        state,
        journal,
        bus: new EventBus(silentLogger()),
        logger: silentLogger(),
        now: () => T0 + 3_600_000,
      });
      await pipeline.start();
      return { store, stateDb, pipeline, journal, tracked };
    };
    try {
      // First process: stored, never settled (the refresh round was lost with the process).
      const first = await make(() => new Promise<void>(() => undefined));
      await first.pipeline.accept({
        topic: 'energy/alu01/e-main',
        payload: JSON.stringify({ ts: new Date(T0).toISOString(), value: 100 }),
        receivedAt: T0,
      });
      await first.pipeline.flush();
      expect(first.pipeline.pending).toBe(1);
      first.journal.close(); // the process dies here: no stop(), no commit
      await Promise.all([first.store.stop(), first.stateDb.close()]);

      const second = await make(() => Promise.resolve());
      expect(second.pipeline.pending).toBe(1);
      await second.pipeline.flush();
      await new Promise((r) => setTimeout(r, 20));
      expect(second.tracked).toEqual([1]); // the record was processed again ...
      expect(second.pipeline.pending).toBe(0); // ... and committed after its refresh
      await second.pipeline.stop();
      await Promise.all([second.store.stop(), second.stateDb.close()]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
