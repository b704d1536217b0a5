/**
 * Review findings on meter events (issue 19): a failed recomputation is finished by a retry, the
 * poll or the next start (a durable pending mark); a batch in flight when an event is recorded is
 * recomputed too; events recorded on one instance reach another over one state.db; registers that
 * contradict the stored readings are refused; resets onto an event's register are reported; one
 * decommission at a time. Every figure below is worked by hand in the comment beside it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DataQualityEvent } from '../../../ingest/consumptionTracker';
import type { MeterEventInput } from '../../../services/energy/meterEvents';
import { readingProblems, validateMeterEvent } from '../../../services/energy/meterTimeline';
import type { Reading } from '../../../services/energy/reading';
import { MeterEventRejected } from '../../../services/ledger/meterEventService';
import { MeterEventStore } from '../../../services/store/state/meterEventStore';
import { SqliteTimeSeriesStore } from '../../../services/store/sqlite/sqliteTimeSeriesStore';
import type { MeterKey } from '../../../services/store/timeSeriesStore';
import { testConfig } from '../../helpers/config';
import { meterEventRig, type MeterEventRig } from '../../helpers/meterEvents';
import { openTestStateDb } from '../../helpers/stateDb';

const T0 = Date.UTC(2026, 9, 12, 0, 0);
const min = (m: number): number => T0 + m * 60_000;
const NOW = min(100_000);
const config = testConfig();
const KEY = { enterprise: 'alu01', meter: 'e-main' }; // counter, multiplier 2, rollover 1000
const r = (m: number, value: number): Reading => ({ ...KEY, ts: min(m), value, quality: 'good' });
const iso = (m: number): string => new Date(min(m)).toISOString();

type Instance = MeterEventRig;

// State databases in temporary directories, opened by eventStore() and closed (removed) after each test.
const stateDbs: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const db of stateDbs.splice(0)) await db.close();
});

async function eventStore(): Promise<MeterEventStore> {
  const db = await openTestStateDb();
  stateDbs.push(db);
  return new MeterEventStore(db);
}

function instance(
  store: SqliteTimeSeriesStore,
  events: MeterEventStore,
  options: { owns?: (k: MeterKey) => boolean; now?: () => number; pollMs?: number } = {},
): Instance {
  return meterEventRig(config, store, events, { now: () => NOW, ...options });
}

async function setup(): Promise<{ store: SqliteTimeSeriesStore; events: MeterEventStore } & Instance> {
  const store = new SqliteTimeSeriesStore({ path: ':memory:', zone: 'Asia/Shanghai' });
  await store.start();
  const events = await eventStore();
  const one = instance(store, events);
  await one.service.start();
  return { store, events, ...one };
}

async function hours(store: SqliteTimeSeriesStore, fromMin = 0, toMin = 180): Promise<number[]> {
  await store.settleRollups();
  const rows = await store.hourly(KEY, min(fromMin), min(toMin));
  const byHour = new Map(rows.map((h) => [h.hour, h.quantity]));
  const out: number[] = [];
  for (let m = fromMin; m < toMin; m += 60) out.push(byHour.get(min(m)) ?? 0);
  return out;
}

/** Makes the store's next `count` writes throw (an InfluxDB outage). */
function failWrites(store: SqliteTimeSeriesStore, count: number): void {
  const orig = store.write.bind(store);
  let left = count;
  store.write = async (batch) => {
    if (left > 0) {
      left--;
      throw new Error('influx unavailable');
    }
    return orig(batch);
  };
}

// Readings 00:00 100, 01:00 110, 02:00 120, 03:00 130: 10 x 2 = 20 an hour before any event.
// A CT change at 01:30 with register 115 to multiplier 4 makes the hours
// 00: 10 x 2 = 20; 01: (115 - 110) x 2 + (120 - 115) x 4 = 10 + 20 = 30; 02: 10 x 4 = 40.
const CT: MeterEventInput = { type: 'multiplier', at: min(90), register: 115, multiplier: 4 };
const FOUR = [r(0, 100), r(60, 110), r(120, 120), r(180, 130)];

describe('a failed recomputation (finding 1)', () => {
  it('is finished by a retry of the same request, which answers the stored event', async () => {
    const { store, events, tracker, service, changes } = await setup();
    await tracker.track(FOUR);
    failWrites(store, 1);
    await expect(service.record('alu01', 'e-main', CT, 'officer')).rejects.toThrow('influx unavailable');
    expect((await events.pending()).map((e) => e.id)).toEqual([1]);
    expect(changes).toEqual([]);
    const again = await service.record('alu01', 'e-main', CT, 'officer');
    expect(again).toMatchObject({ id: 1, type: 'multiplier' });
    expect(await hours(store)).toEqual([20, 30, 40]);
    expect(await events.pending()).toEqual([]);
    expect(changes).toEqual([{ kind: 'meter-event', enterprise: 'alu01', from: min(60) }]);
    expect(await service.list('alu01', 'e-main')).toHaveLength(1);

    // A retraction whose recomputation fails is finished by the retried DELETE: 20 an hour again.
    failWrites(store, 1);
    await expect(service.retract('alu01', 'e-main', 1, 'admin')).rejects.toThrow('influx unavailable');
    expect((await events.pending()).map((e) => e.id)).toEqual([1]);
    await expect(service.retract('alu01', 'e-main', 1, 'admin')).resolves.toMatchObject({ id: 1, retractedBy: 'admin' });
    expect(await hours(store)).toEqual([20, 20, 20]);
    expect(await events.pending()).toEqual([]);
    await store.stop();
  });

  it('is finished at the next start, before ingest, with ledgerChanged', async () => {
    const { store, events, tracker, service } = await setup();
    await tracker.track(FOUR);
    failWrites(store, 1);
    await expect(service.record('alu01', 'e-main', CT, 'officer')).rejects.toThrow('influx unavailable');
    expect(await hours(store)).toEqual([20, 20, 20]); // the event in force, the hours not
    const restarted = instance(store, events);
    await restarted.service.start(); // the owed recomputation runs in the background (second review, finding 3)
    await restarted.service.settled();
    expect(await hours(store)).toEqual([20, 30, 40]);
    expect(await events.pending()).toEqual([]);
    expect(restarted.changes).toEqual([{ kind: 'meter-event', enterprise: 'alu01', from: min(60) }]);
    await store.stop();
  });

  it('is finished by the poll without any request', async () => {
    const { store, events, tracker, service, changes } = await setup();
    await tracker.track(FOUR);
    failWrites(store, 1);
    await expect(service.record('alu01', 'e-main', CT, 'officer')).rejects.toThrow('influx unavailable');
    await service.poll();
    expect(await hours(store)).toEqual([20, 30, 40]);
    expect(await events.pending()).toEqual([]);
    expect(changes).toHaveLength(1);
    await store.stop();
  });
});

describe('a batch in flight when an event is recorded (finding 2)', () => {
  it('is recomputed with the event once its write lands', async () => {
    const { store, tracker, service } = await setup();
    await tracker.track(FOUR.slice(0, 3));
    // The next write (03:00 130, priced on the fast path with multiplier 2) waits, as an Influx round trip would.
    const orig = store.write.bind(store);
    let release!: () => void;
    const gate = new Promise<void>((res) => (release = res));
    let entered!: () => void;
    const inWrite = new Promise<void>((res) => (entered = res));
    store.write = async (batch) => {
      store.write = orig;
      entered();
      await gate;
      return orig(batch);
    };
    const batch = tracker.track([r(180, 130)]);
    await inWrite;
    const recorded = service.record('alu01', 'e-main', CT, 'officer');
    await new Promise((res) => setTimeout(res, 30));
    release();
    await Promise.all([batch, recorded]);
    // Hour 02: (130 - 120) x 4 = 40, not the 20 the batch was priced with.
    expect(await hours(store)).toEqual([20, 30, 40]);
    await store.stop();
  });

  it('likewise for a retraction', async () => {
    const { store, tracker, service } = await setup();
    await tracker.track(FOUR.slice(0, 3));
    await service.record('alu01', 'e-main', CT, 'officer');
    const orig = store.write.bind(store);
    let release!: () => void;
    const gate = new Promise<void>((res) => (release = res));
    let entered!: () => void;
    const inWrite = new Promise<void>((res) => (entered = res));
    store.write = async (batch) => {
      store.write = orig;
      entered();
      await gate;
      return orig(batch);
    };
    const batch = tracker.track([r(180, 130)]); // priced x 4 while the CT change is in force
    await inWrite;
    const retracted = service.retract('alu01', 'e-main', 1, 'admin');
    await new Promise((res) => setTimeout(res, 30));
    release();
    await Promise.all([batch, retracted]);
    // Without the event every hour is 10 x 2 = 20 (hour 02 not the 40 the batch was priced with).
    expect(await hours(store)).toEqual([20, 20, 20]);
    await store.stop();
  });
});

describe('two instances over one state.db (finding 3)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'meter-events-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('an event recorded on one is applied by the other at its next poll; the owner of the meter recomputes', async () => {
    const store = new SqliteTimeSeriesStore({ path: ':memory:', zone: 'Asia/Shanghai' });
    await store.start();
    // Two connections to one state.db in dir, as two instances would open it.
    const dbA = await openTestStateDb(dir);
    const dbB = await openTestStateDb(dir);
    const eventsA = new MeterEventStore(dbA);
    const eventsB = new MeterEventStore(dbB);
    // A serves HTTP and owns no meter; B is the ingest shard that owns alu01/e-main.
    const a = instance(store, eventsA, { owns: () => false });
    const b = instance(store, eventsB, { owns: () => true });
    await a.service.start();
    await b.service.start();
    await b.tracker.track(FOUR);

    const e = await a.service.record('alu01', 'e-main', CT, 'officer');
    expect(a.meters.timeline(KEY).events.map((x) => x.id)).toEqual([e.id]);
    expect(b.meters.timeline(KEY).plain).toBe(true); // not seen yet
    expect(await hours(store)).toEqual([20, 20, 20]); // A does not write B's meter
    expect(a.changes).toEqual([]);

    await b.service.poll();
    expect(b.meters.timeline(KEY).multiplierAt(b.meters.get(KEY)!.model, min(100))).toBe(4);
    expect(await hours(store)).toEqual([20, 30, 40]);
    expect(await eventsA.pending()).toEqual([]);
    expect(b.changes).toEqual([{ kind: 'meter-event', enterprise: 'alu01', from: min(60) }]);
    // B's fast path now prices with the new multiplier: 04:00 140 -> (140 - 130) x 4 = 40 in hour 03.
    await b.tracker.track([r(240, 140)]);
    expect(await hours(store, 180, 240)).toEqual([40]);

    await a.service.poll(); // A hears that the owner has recomputed: its rules and reports follow now
    expect(a.changes).toEqual([{ kind: 'meter-event', enterprise: 'alu01', from: min(90) }]);

    // A decommission recorded on A reaches B's decoder (its timeline) and B's calibration list.
    await a.service.record('alu01', 'e-main', { type: 'calibration', at: min(30), validUntil: '2027-10-11' }, 'officer');
    await a.service.record('alu01', 'e-main', { type: 'decommission', at: min(300) }, 'officer');
    await b.service.poll();
    expect(b.meters.timeline(KEY).decommissionedAt).toBe(min(300));
    expect(b.meters.timeline(KEY).calibrationValidUntil).toBe('2027-10-11');

    // A retraction on A: B removes the event and recomputes (every hour 10 x 2 = 20 again).
    await a.service.retract('alu01', 'e-main', e.id, 'admin');
    await b.service.poll();
    expect(b.meters.timeline(KEY).events.some((x) => x.id === e.id)).toBe(false);
    expect(await hours(store, 0, 240)).toEqual([20, 20, 20, 20]);
    expect(await eventsB.pending()).toEqual([]);

    await a.service.stop();
    await b.service.stop();
    await dbA.close();
    await dbB.close();
    await store.stop();
  });
});

describe('registers against the stored readings (finding 4)', () => {
  it("refuses a final register below the last reading before the event (the reviewer's 10,463,200 kWh)", () => {
    const meter = { ...config.enterprises[0]!.meters.find((m) => m.id === 'e-main')!, multiplier: 200, rollover: 999999.99 };
    const at = Date.UTC(2026, 9, 12, 2, 0); // 10:00 +08:00
    const before = { ts: Date.UTC(2026, 9, 12, 1, 59), value: 52301 };
    const input: MeterEventInput = { type: 'replace', at, oldFinalRegister: 52300, newInitialRegister: 0 };
    expect(validateMeterEvent(meter, [], input, NOW)).toEqual([]);
    expect(readingProblems(meter, [], input, { before, after: { ts: at + 900_000, value: 5 } })).toEqual([
      'oldFinalRegister 52300 is below the reading 52301 at 2026-10-12T01:59:00.000Z before the event' +
        ' (it would book a meter reset): check the register, or correct that reading first',
    ]);
    // 52,302 (the register a little after the last reading) is accepted.
    expect(readingProblems(meter, [], { ...input, oldFinalRegister: 52302 }, { before })).toEqual([]);
  });

  it('refuses through the service, naming the reading; a step the rollover explains is accepted and reported', async () => {
    const { store, tracker, service, quality } = await setup();
    await tracker.track([r(0, 500), r(60, 520), r(120, 5)]);
    const err = await service
      .record('alu01', 'e-main', { type: 'replace', at: min(90), oldFinalRegister: 510, newInitialRegister: 8 }, 'officer')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MeterEventRejected);
    expect((err as MeterEventRejected).problems).toEqual([
      `oldFinalRegister 510 is below the reading 520 at ${iso(60)} before the event (it would book a meter reset): check the register, or correct that reading first`,
      `newInitialRegister 8 is above the reading 5 at ${iso(120)} at or after the event (it would book a meter reset): check the register, or correct that reading first`,
    ]);
    expect(await service.list('alu01', 'e-main')).toEqual([]);
    // A power meter has no registers: nothing to check against.
    await expect(service.record('alu01', 'e-pot', { type: 'multiplier', at: min(90), multiplier: 2 }, 'officer')).resolves.toMatchObject({
      type: 'multiplier',
    });

    // Rollover 1000: 950 at 03:00, CT change at 03:30 with register 20 (950 >= 900: the register wrapped).
    await tracker.track([r(180, 950)]);
    await service.record('alu01', 'e-main', { type: 'multiplier', at: min(210), register: 20, multiplier: 3 }, 'officer');
    // Hour 03: 950 -> 20 wraps: (1000 - 950 + 20) x 2 = 140 between 03:00 and 03:30.
    expect(await hours(store, 180, 240)).toEqual([140]);
    expect(quality).toEqual([expect.objectContaining({ kind: 'rollover', ...KEY, ts: min(210) })]);
    await store.stop();
  });

  it('reports a reset onto an event register when a contradicting reading arrives late', async () => {
    const { store, tracker, service } = await setup();
    await tracker.track([r(0, 500), r(60, 520), r(120, 10)]);
    await service.record('alu01', 'e-main', { type: 'replace', at: min(90), oldFinalRegister: 530, newInitialRegister: 0 }, 'officer');
    // 00: 20 x 2 = 40; 01: (530 - 520) x 2 + (10 - 0) x 2 = 40.
    expect(await hours(store, 0, 120)).toEqual([40, 40]);
    const seen: DataQualityEvent[] = [];
    // 01:15 540 arrives late: 540 -> the final register 530 is a reset (rollover 1000, 540 < 900):
    // the step is the new register, 530 x 2 = 1060, over 01:15-01:30. Hour 01: (540 - 520) x 2 = 40 + 1060 + 20 = 1120.
    await tracker.track([r(75, 540)], (e) => seen.push(e));
    expect(await hours(store, 0, 120)).toEqual([40, 1120]);
    expect(seen).toEqual([expect.objectContaining({ kind: 'late', ts: min(75) }), expect.objectContaining({ kind: 'reset', ts: min(90) })]);
    await store.stop();
  });
});

describe('one decommission at a time (finding 6)', () => {
  it('refuses a second decommission, earlier or later, while one is in force', () => {
    const eMain = config.enterprises[0]!.meters.find((m) => m.id === 'e-main')!;
    const existing = [{ type: 'decommission', at: min(600), id: 8, enterprise: 'alu01', meter: 'e-main', recordedBy: 'a', recordedAt: 0 } as const];
    const inForce = `event 8 (decommission) is already in force from ${iso(600)}: retract it first`;
    expect(validateMeterEvent(eMain, existing, { type: 'decommission', at: min(300), finalRegister: 5 }, NOW)).toEqual([inForce]);
    expect(validateMeterEvent(eMain, existing, { type: 'decommission', at: min(700) }, NOW)).toEqual([inForce]);
    expect(validateMeterEvent(eMain, existing, { type: 'multiplier', at: min(700), register: 1, multiplier: 2 }, NOW)).toEqual([
      `the meter is decommissioned from ${iso(600)}`,
    ]);
  });
});

/** Makes the store's writes throw until the returned function is called (an InfluxDB outage); counts the failed writes. */
function storeDown(store: SqliteTimeSeriesStore): { failed: () => number; restore: () => void } {
  const orig = store.write.bind(store);
  let failed = 0;
  store.write = async () => {
    failed++;
    throw new Error('influx unavailable');
  };
  return { failed: () => failed, restore: () => (store.write = orig) };
}

/** Makes the store's next write wait until the returned `release` is called (a hanging InfluxDB). */
function holdNextWrite(store: SqliteTimeSeriesStore): { entered: Promise<void>; release: () => void } {
  const orig = store.write.bind(store);
  let release!: () => void;
  const gate = new Promise<void>((res) => (release = res));
  let entered!: () => void;
  const inWrite = new Promise<void>((res) => (entered = res));
  store.write = async (batch) => {
    store.write = orig;
    entered();
    await gate;
    return orig(batch);
  };
  return { entered: inWrite, release };
}

describe('second review (issue 19): retries after a long outage', () => {
  it('the poll retries a failed recomputation after an outage longer than its 60 s window, backing off', async () => {
    // The reviewer's /tmp/review2/r1.ts (b): before, the poll only looked at rows changed in the last
    // 60 s, and a failing recomputation does not change the row, so after 80 s down it stayed owed
    // (hours [20, 20, 20]) until a restart.
    let now = NOW;
    const store = new SqliteTimeSeriesStore({ path: ':memory:', zone: 'Asia/Shanghai' });
    await store.start();
    const events = await eventStore();
    const one = instance(store, events, { now: () => now });
    await one.service.start();
    await one.tracker.track(FOUR);
    const down = storeDown(store);
    await expect(one.service.record('alu01', 'e-main', CT, 'officer')).rejects.toThrow('influx unavailable'); // write 1, at 0 s
    const pollFor = async (seconds: number): Promise<void> => {
      for (let t = 0; t < seconds; t += 2) {
        now += 2_000;
        await one.service.poll();
      }
    };
    await pollFor(80); // polled every 2 s while down, 0 -> 80 s
    // Tries at 2 s (the first poll), then after 2, 4, 8, 16, 32 s: at 4, 8, 16, 32, 64 s (the next
    // waits 60 s, the cap, to 124 s): 1 + 6 writes, not 1 + 40.
    expect(down.failed()).toBe(7);
    expect((await events.pending()).map((e) => e.id)).toEqual([1]);
    down.restore();
    await pollFor(40); // 82 -> 120 s: still backing off
    expect(await hours(store)).toEqual([20, 20, 20]);
    await pollFor(4); // 122, 124 s: tried again at 124 s, and the store is back
    // 00: 10 x 2 = 20; 01: (115 - 110) x 2 + (120 - 115) x 4 = 30; 02: (130 - 120) x 4 = 40.
    expect(await hours(store)).toEqual([20, 30, 40]);
    expect(await events.pending()).toEqual([]);
    expect(one.changes).toEqual([{ kind: 'meter-event', enterprise: 'alu01', from: min(60) }]);
    await store.stop();
  });

  it('an owed recomputation that fails at start is retried by the poll', async () => {
    // The reviewer's /tmp/review2/r3.ts: before, start() set the poll's cursor to now, so a row owed
    // since an hour before was never looked at again by the poll; it stayed owed until the next start.
    let now = NOW;
    const store = new SqliteTimeSeriesStore({ path: ':memory:', zone: 'Asia/Shanghai' });
    await store.start();
    const events = await eventStore();
    const first = instance(store, events, { now: () => now });
    await first.service.start();
    await first.tracker.track(FOUR);
    const down = storeDown(store);
    await expect(first.service.record('alu01', 'e-main', CT, 'officer')).rejects.toThrow('influx unavailable');
    await first.service.stop();
    now += 3_600_000; // restarted an hour later, the store still down
    const restarted = instance(store, events, { now: () => now });
    await restarted.service.start();
    await restarted.service.settled(); // the owed recomputation, tried in the background, fails
    expect(down.failed()).toBe(2);
    expect((await events.pending()).map((e) => e.id)).toEqual([1]);
    down.restore();
    for (let i = 0; i < 5; i++) {
      now += 2_000;
      await restarted.service.poll();
    }
    expect(await hours(store)).toEqual([20, 30, 40]); // as worked above
    expect(await events.pending()).toEqual([]);
    await restarted.service.stop();
    await store.stop();
  });
});

describe('second review (issue 19): concurrent requests', () => {
  it('two decommissions sent at once: one is stored, the other refused', async () => {
    // The reviewer's /tmp/review2/r1.ts (a): before, both passed validation across the await of the
    // stored readings, and both were stored (two decommissions in force).
    const { store, events, tracker, service } = await setup();
    await tracker.track(FOUR);
    const results = await Promise.allSettled([
      service.record('alu01', 'e-main', { type: 'decommission', at: min(150), finalRegister: 125 }, 'a'),
      service.record('alu01', 'e-main', { type: 'decommission', at: min(100), finalRegister: 116 }, 'b'),
    ]);
    expect(results.map((x) => x.status)).toEqual(['fulfilled', 'rejected']);
    const refused = (results[1] as PromiseRejectedResult).reason as MeterEventRejected;
    expect(refused).toBeInstanceOf(MeterEventRejected);
    expect(refused.problems).toEqual([`event 1 (decommission) is already in force from ${iso(150)}: retract it first`]);
    expect((await events.active()).map((e) => e.type)).toEqual(['decommission']);
    await store.stop();
  });

  it('the same event sent twice at once is stored once; both answer it', async () => {
    const { store, events, tracker, service } = await setup();
    await tracker.track(FOUR);
    const [a, b] = await Promise.all([service.record('alu01', 'e-main', CT, 'officer'), service.record('alu01', 'e-main', CT, 'officer')]);
    expect([a.id, b.id]).toEqual([1, 1]);
    expect(await events.list('alu01', 'e-main')).toHaveLength(1);
    expect(await hours(store)).toEqual([20, 30, 40]); // as worked above, the multiplier applied once
    expect(await events.pending()).toEqual([]);
    await store.stop();
  });

  describe('instances sharing state.db', () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'meter-events-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("the store checks against the other instance's events inside the insert's transaction", async () => {
      const store = new SqliteTimeSeriesStore({ path: ':memory:', zone: 'Asia/Shanghai' });
      await store.start();
      // Two connections to one state.db in dir, as two instances would open it.
      const dbA = await openTestStateDb(dir);
      const dbB = await openTestStateDb(dir);
      const eventsA = new MeterEventStore(dbA);
      const eventsB = new MeterEventStore(dbB);
      const a = instance(store, eventsA);
      const b = instance(store, eventsB);
      await a.service.start();
      await b.service.start();
      await a.tracker.track(FOUR);
      await a.service.record('alu01', 'e-main', { type: 'decommission', at: min(150), finalRegister: 125 }, 'a');
      await a.service.record('alu01', 'e-main', CT, 'a');
      // B has not polled: its timeline is plain, its own validation passes; state.db's refuses.
      expect(b.meters.timeline(KEY).plain).toBe(true);
      const second = await b.service
        .record('alu01', 'e-main', { type: 'decommission', at: min(100), finalRegister: 116 }, 'b')
        .catch((e: unknown) => e);
      expect((second as MeterEventRejected).problems).toEqual([`event 1 (decommission) is already in force from ${iso(150)}: retract it first`]);
      const clash = await b.service.record('alu01', 'e-main', { ...CT, multiplier: 5 }, 'b').catch((e: unknown) => e);
      expect((clash as MeterEventRejected).problems).toEqual(['event 2 (multiplier) is already in force at the same instant: retract it first']);
      expect((await eventsA.list('alu01', 'e-main')).map((e) => e.id)).toEqual([2, 1]); // by data time: 01:30, 02:30
      await a.service.stop();
      await b.service.stop();
      await dbA.close();
      await dbB.close();
      await store.stop();
    });
  });
});

describe('second review (issue 19): start, stop and a retraction during a recomputation', () => {
  it('start() does not wait for a hanging store; stop() waits for the owed recomputation', async () => {
    const { store, events, tracker, service } = await setup();
    await tracker.track(FOUR);
    failWrites(store, 1);
    await expect(service.record('alu01', 'e-main', CT, 'officer')).rejects.toThrow('influx unavailable');
    await service.stop();
    const hold = holdNextWrite(store); // the InfluxDB hangs at the restart
    const restarted = instance(store, events);
    // Before: start() did the owed recomputation itself and hung with the store.
    const started = await Promise.race([restarted.service.start().then(() => 'started'), new Promise((res) => setTimeout(() => res('hung'), 200))]);
    expect(started).toBe('started');
    expect(restarted.meters.timeline(KEY).events.map((e) => e.id)).toEqual([1]); // ingest prices with the event
    await hold.entered;
    let stopped = false;
    const stopping = restarted.service.stop().then(() => (stopped = true));
    await new Promise((res) => setTimeout(res, 30));
    expect(stopped).toBe(false); // waits for the recomputation in flight
    hold.release();
    await stopping;
    expect(await hours(store)).toEqual([20, 30, 40]); // as worked above
    expect(await events.pending()).toEqual([]);
    await store.stop();
  });

  it('stop() before start() leaves no poll timer', async () => {
    const store = new SqliteTimeSeriesStore({ path: ':memory:', zone: 'Asia/Shanghai' });
    await store.start();
    const events = await eventStore();
    const one = instance(store, events, { pollMs: 10 });
    const spy = jest.spyOn(global, 'setInterval');
    try {
      await one.service.stop();
      await one.service.start();
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
    await store.stop();
  });

  it('a retraction while the recording still recomputes is recomputed after it, and settled', async () => {
    const { store, events, tracker, service } = await setup();
    await tracker.track(FOUR);
    const hold = holdNextWrite(store);
    const recorded = service.record('alu01', 'e-main', CT, 'officer');
    await hold.entered; // the recording's recomputation (for the event in force) is writing
    const retracted = service.retract('alu01', 'e-main', 1, 'admin');
    await new Promise((res) => setTimeout(res, 30));
    hold.release();
    await recorded;
    // Before: the retraction got the run in flight, computed for the event in force, which cannot
    // clear a retracted row's mark: it answered with the recomputation still owed.
    await expect(retracted).resolves.toMatchObject({ id: 1, retractedBy: 'admin' });
    expect(await events.pending()).toEqual([]);
    expect(await hours(store)).toEqual([20, 20, 20]); // without the event: 10 x 2 every hour
    await store.stop();
  });
});
