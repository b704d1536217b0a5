/**
 * Meter events through the consumption tracker and MeterEventService on a real (in-memory SQLite)
 * store: validation, late readings across an event, retraction, and a property with events
 * recorded while readings stream in, checked against a direct evaluation of the definition.
 */
import fc from 'fast-check';
import type { Sample } from '../../../services/energy/consumption';
import { consumptionWithEvents } from '../../../services/energy/consumptionWithEvents';
import type { MeterEventInput } from '../../../services/energy/meterEvents';
import { MeterTimeline, MeterTimelines, validateMeterEvent } from '../../../services/energy/meterTimeline';
import type { Reading } from '../../../services/energy/reading';
import { HOUR_MS } from '../../../services/energy/time';
import { MeterEventRejected, UnknownMeter } from '../../../services/ledger/meterEventService';
import { MeterEventStore } from '../../../services/store/state/meterEventStore';
import { SqliteTimeSeriesStore } from '../../../services/store/sqlite/sqliteTimeSeriesStore';
import { testConfig } from '../../helpers/config';
import { meterEventRig } from '../../helpers/meterEvents';
import { openTestStateDb } from '../../helpers/stateDb';

const T0 = Date.UTC(2026, 9, 12, 0, 0);
const min = (m: number): number => T0 + m * 60_000;
const NOW = min(100_000);
const config = testConfig();
const eMain = config.enterprises[0]!.meters.find((m) => m.id === 'e-main')!; // counter, multiplier 2, rollover 1000

// State databases in temporary directories, opened by setup() and closed (removed) after each test
// or, in the property, after each run.
const stateDbs: { close(): Promise<void> }[] = [];
async function closeStateDbs(): Promise<void> {
  for (const db of stateDbs.splice(0)) await db.close();
}
afterEach(closeStateDbs);

async function setup() {
  const store = new SqliteTimeSeriesStore({ path: ':memory:', zone: 'Asia/Shanghai' });
  await store.start();
  const stateDb = await openTestStateDb();
  stateDbs.push(stateDb);
  const events = new MeterEventStore(stateDb);
  const { meters, tracker, service, changes, quality, bus } = meterEventRig(config, store, events, { now: () => NOW });
  await service.start();
  return { store, events, meters, tracker, service, changes, quality, bus };
}

const r = (meter: string, m: number, value: number): Reading => ({ enterprise: 'alu01', meter, ts: min(m), value, quality: 'good' });

async function hours(store: SqliteTimeSeriesStore, meter: string, fromMin: number, toMin: number): Promise<Map<number, number>> {
  const rows = await store.hourly({ enterprise: 'alu01', meter }, min(fromMin), min(toMin));
  return new Map(rows.map((h) => [h.hour, h.quantity]));
}

describe('validateMeterEvent', () => {
  it('lists every problem at once', () => {
    const replace: MeterEventInput = { type: 'replace', at: NOW + 1, oldFinalRegister: -1, newInitialRegister: 2000, multiplier: 0 };
    expect(validateMeterEvent(eMain, [], replace, NOW)).toEqual([
      'at is in the future',
      'oldFinalRegister must not be negative',
      "newInitialRegister 2000 is above the meter's rollover 1000",
      'multiplier must be a positive number',
    ]);
  });

  it('refuses registers on power meters, a second cut at one instant, and events after a decommission', () => {
    const power = config.enterprises[0]!.meters.find((m) => m.id === 'e-pot')!;
    expect(validateMeterEvent(power, [], { type: 'multiplier', at: min(0), register: 5, multiplier: 2 }, NOW)).toEqual([
      'register: a power meter has no register',
    ]);
    const existing = [
      {
        type: 'multiplier',
        at: min(60),
        register: 10,
        multiplier: 3,
        id: 7,
        enterprise: 'alu01',
        meter: 'e-main',
        recordedBy: 'a',
        recordedAt: 0,
      } as const,
      { type: 'decommission', at: min(600), id: 8, enterprise: 'alu01', meter: 'e-main', recordedBy: 'a', recordedAt: 0 } as const,
    ];
    expect(validateMeterEvent(eMain, existing, { type: 'replace', at: min(60), oldFinalRegister: 1, newInitialRegister: 0 }, NOW)).toEqual([
      'event 7 (multiplier) is already in force at the same instant: retract it first',
    ]);
    expect(validateMeterEvent(eMain, existing, { type: 'calibration', at: min(700), validUntil: '2027-02-30' }, NOW)).toEqual([
      'validUntil must be a date YYYY-MM-DD',
      `the meter is decommissioned from ${new Date(min(600)).toISOString()}`,
    ]);
    expect(validateMeterEvent(eMain, existing.slice(0, 1), { type: 'decommission', at: min(30) }, NOW)).toEqual([
      'events 7 are at or after this decommission: retract them first',
    ]);
    expect(validateMeterEvent(eMain, existing, { type: 'calibration', at: min(30), validUntil: '2027-10-11' }, NOW)).toEqual([]);
  });

  it('indexes the events in force per meter', () => {
    const tls = new MeterTimelines();
    const base = { enterprise: 'alu01', meter: 'e-main', recordedBy: 'a', recordedAt: 0 };
    tls.set([
      { ...base, id: 1, type: 'calibration', at: min(0), validUntil: '2027-01-01' },
      { ...base, id: 2, type: 'calibration', at: min(10), validUntil: '2028-01-01', retractedAt: 5, retractedBy: 'b' },
    ]);
    expect(tls.of({ enterprise: 'alu01', meter: 'e-main' }).calibrationValidUntil).toBe('2027-01-01');
    tls.add({ ...base, id: 3, type: 'calibration', at: min(20), validUntil: '2029-01-01' });
    expect(tls.of({ enterprise: 'alu01', meter: 'e-main' }).calibrationValidUntil).toBe('2029-01-01');
    tls.remove(3);
    tls.remove(1);
    expect(tls.of({ enterprise: 'alu01', meter: 'e-main' })).toBe(MeterTimeline.EMPTY);
    expect(tls.meters()).toEqual([]);
  });
});

describe('MeterEventService with the tracker', () => {
  it('recomputes the hours across a replacement, takes late readings exactly, and undoes it on retraction', async () => {
    const { store, service, tracker, changes } = await setup();
    // e-main, multiplier 2, rollover 1000. 00:00 900, 01:00 950; the meter is replaced at 01:30
    // (old final 960, new initial 0); 02:00 10; 03:00 30 (arrive before the event is recorded).
    await tracker.track([r('e-main', 0, 900), r('e-main', 60, 950), r('e-main', 120, 10), r('e-main', 180, 30)]);
    // Before: 950 -> 10 wraps (950 >= 900): (1000 - 950 + 10) x 2 = 120 over 01:00-02:00.
    expect((await hours(store, 'e-main', 60, 120)).get(min(60))).toBeCloseTo(120, 9);
    const e = await service.record('alu01', 'e-main', { type: 'replace', at: min(90), oldFinalRegister: 960, newInitialRegister: 0 }, 'officer');
    expect(e).toMatchObject({ id: 1, recordedBy: 'officer', recordedAt: NOW });
    // hour 0: 50 x 2 = 100; hour 1: (960 - 950) x 2 = 20 + (10 - 0) x 2 = 20 -> 40; hour 2: 20 x 2 = 40.
    let h = await hours(store, 'e-main', 0, 240);
    expect(h.get(min(0))).toBeCloseTo(100, 9);
    expect(h.get(min(60))).toBeCloseTo(40, 9);
    expect(h.get(min(120))).toBeCloseTo(40, 9);
    expect(changes).toEqual([{ kind: 'meter-event', enterprise: 'alu01', from: min(60) }]);

    // Late readings on both sides of the event: 01:15 955 (old meter), 01:45 4 (new meter).
    // hour 1: (955-950)x2 = 10, (960-955)x2 = 10, (4-0)x2 = 8, (10-4)x2 = 12 -> 40 (same total, exact split).
    await tracker.track([r('e-main', 75, 955), r('e-main', 105, 4)]);
    h = await hours(store, 'e-main', 0, 240);
    expect(h.get(min(60))).toBeCloseTo(40, 9);
    // In order after the event (fast path): 04:00 35 -> (35 - 30) x 2 = 10 in hour 3.
    await tracker.track([r('e-main', 240, 35)]);
    expect((await hours(store, 'e-main', 180, 240)).get(min(180))).toBeCloseTo(10, 9);

    await expect(service.retract('alu01', 'e-main', 99, 'admin')).rejects.toThrow('meter event 99 not found');
    const gone = await service.retract('alu01', 'e-main', e.id, 'admin');
    expect(gone).toMatchObject({ retractedBy: 'admin', retractedAt: NOW });
    // Without the event: hour 1 = (955-950)x2 = 10 + 955 -> 4 wraps: (1000 - 955 + 4) x 2 = 98 (over 01:15-01:45,
    // of which 01:15-01:45 is all in hour 1) + (10 - 4) x 2 = 12 -> 120.
    expect((await hours(store, 'e-main', 60, 120)).get(min(60))).toBeCloseTo(120, 9);
    expect(await service.list('alu01', 'e-main')).toHaveLength(1);
    await store.stop();
  });

  it('refuses invalid events with every problem and unknown meters', async () => {
    const { service } = await setup();
    await expect(service.record('alu01', 'nope', { type: 'calibration', at: min(0), validUntil: '2027-01-01' }, 'x')).rejects.toBeInstanceOf(
      UnknownMeter,
    );
    const err = await service.record('alu01', 'e-main', { type: 'multiplier', at: NOW + 1, multiplier: -1 }, 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MeterEventRejected);
    expect((err as MeterEventRejected).problems).toEqual([
      'at is in the future',
      'register is required for a counter meter (the register read when the ratio changed)',
      'multiplier must be a positive number',
    ]);
  });
});

describe('property: events recorded while readings stream in', () => {
  it('leaves the stored hours equal to the definition evaluated with the events', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.record({ m: fc.integer({ min: 0, max: 480 }), v: fc.integer({ min: 0, max: 999 }) }), {
          selector: (x) => x.m,
          minLength: 1,
          maxLength: 25,
        }),
        fc.uniqueArray(
          fc.record({
            m: fc.integer({ min: 1, max: 480 }),
            old: fc.integer({ min: 0, max: 999 }),
            init: fc.integer({ min: 0, max: 999 }),
            k: fc.integer({ min: 1, max: 4 }),
            mult: fc.boolean(),
          }),
          { selector: (x) => x.m, maxLength: 3 },
        ),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 1, max: 5 }),
        fc.boolean(),
        async (raw, cuts, eventsAfter, batch, retractOne) => {
          const { store, service, tracker, meters } = await setup();
          const readings = raw.map((x) => r('e-main', x.m, x.v)); // arrival order as generated: late ones included
          const ids: number[] = [];
          const recordAll = async (): Promise<void> => {
            for (const c of cuts) {
              const input: MeterEventInput = c.mult
                ? { type: 'multiplier', at: min(c.m), register: c.old, multiplier: c.k }
                : { type: 'replace', at: min(c.m), oldFinalRegister: c.old, newInitialRegister: c.init, multiplier: c.k };
              try {
                ids.push((await service.record('alu01', 'e-main', input, 'p')).id);
              } catch (err) {
                // Registers that contradict the stored readings are refused (a false reset); the rest stands.
                if (!(err instanceof MeterEventRejected && err.problems.every((p) => p.includes('the reading')))) throw err;
              }
            }
          };
          let recorded = false;
          for (let i = 0; i < readings.length; i += batch) {
            if (!recorded && eventsAfter < i + batch) {
              await recordAll();
              recorded = true;
            }
            await tracker.track(readings.slice(i, i + batch));
          }
          if (!recorded) await recordAll();
          if (retractOne && ids.length > 0) await service.retract('alu01', 'e-main', ids[0]!, 'p');
          const samples: Sample[] = readings.map((x) => ({ ts: x.ts, value: x.value })).sort((a, b) => a.ts - b.ts);
          const tl = meters.timeline({ enterprise: 'alu01', meter: 'e-main' });
          const stored = await hours(store, 'e-main', -60, 600);
          for (let h = min(-60); h < min(600); h += HOUR_MS) {
            const want = consumptionWithEvents(meters.get({ enterprise: 'alu01', meter: 'e-main' })!.model, tl, samples, h, h + HOUR_MS);
            expect(Math.abs((stored.get(h) ?? 0) - want)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want)));
          }
          await store.stop();
          await closeStateDbs();
        },
      ),
      { numRuns: 120 },
    );
  });
});
