import fc from 'fast-check';
import { consumptionByDefinition, type Sample } from '../../../services/energy/consumption';
import type { DataQualityEvent } from '../../../services/energy/dataQuality';
import type { Quality, Reading } from '../../../services/energy/reading';
import { HOUR_MS } from '../../../services/energy/time';
import { SqliteTimeSeriesStore } from '../../../services/store/sqlite/sqliteTimeSeriesStore';
import { ConsumptionTracker } from '../../../ingest/consumptionTracker';
import { testRegistry } from '../../helpers/config';

const T0 = Date.UTC(2026, 0, 5, 0, 0);
const min = (m: number) => T0 + m * 60_000;
const registry = testRegistry();

async function setup() {
  const store = new SqliteTimeSeriesStore({ path: ':memory:', zone: 'Asia/Shanghai' });
  await store.start();
  const tracker = new ConsumptionTracker({ store, meters: registry });
  return { store, tracker };
}

const r = (meter: string, m: number, value: number, quality: Quality = 'good'): Reading => ({
  enterprise: 'alu01',
  meter,
  ts: min(m),
  value,
  quality,
});

async function hours(store: SqliteTimeSeriesStore, meter: string, fromMin = -120, toMin = 600): Promise<Map<number, number>> {
  const rows = await store.hourly({ enterprise: 'alu01', meter }, min(fromMin), min(toMin));
  return new Map(rows.map((h) => [h.hour, h.quantity]));
}

describe('ConsumptionTracker (contract 4 with real gateway behaviour)', () => {
  it("keeps the store's day and month figures (daily rollups) exact through late readings and corrections", async () => {
    const { store, tracker } = await setup();
    // Local day 2026-01-05 (Asia/Shanghai) is [04T16:00Z, 05T16:00Z); T0 = 05T00:00Z is 08:00 local.
    const day = {
      enterprises: ['alu01'],
      from: Date.parse('2026-01-05T00:00:00+08:00'),
      to: Date.parse('2026-01-06T00:00:00+08:00'),
      every: '1d',
      zone: 'Asia/Shanghai',
    } as const;
    const month = { ...day, from: Date.parse('2026-01-01T00:00:00+08:00'), to: Date.parse('2026-02-01T00:00:00+08:00'), every: '1mo' } as const;
    const dayTotal = async (): Promise<number> => (await store.consumption(day)).reduce((s, x) => s + x.quantity, 0);
    const monthTotal = async (): Promise<number> => (await store.consumption(month)).reduce((s, x) => s + x.quantity, 0);
    const counted = async (): Promise<number> => (await store.countUsable(['alu01'], day.from, day.to))[0]?.count ?? 0;
    // Multiplier 2: 100 -> 110 -> 130 = 60 kWh.
    await tracker.track([r('e-main', 0, 100), r('e-main', 30, 110), r('e-main', 90, 130)]);
    expect(await dayTotal()).toBeCloseTo(60, 9);
    expect(await counted()).toBe(3);
    await tracker.track([r('e-main', 150, 140)]); // in order (fast path): + 20
    await tracker.track([r('e-main', -60, 95)]); // late, 07:00 local the same day: + 10
    expect(await dayTotal()).toBeCloseTo(90, 9);
    expect(await monthTotal()).toBeCloseTo(90, 9);
    expect(await counted()).toBe(5);
    await tracker.track([r('e-main', 150, 140, 'bad')]); // corrected to bad: the 130 -> 140 step is gone
    expect(await dayTotal()).toBeCloseTo(70, 9);
    expect(await monthTotal()).toBeCloseTo(70, 9);
    expect(await counted()).toBe(4);
    await tracker.track([r('e-main', 30, 110), r('e-main', -60, 95)], undefined, { recompute: true }); // a journal replay
    expect(await dayTotal()).toBeCloseTo(70, 9);
    expect(await counted()).toBe(4);
  });

  it('computes hand-computed hourly totals for an in-order counter', async () => {
    const { store, tracker } = await setup();
    // multiplier 2: 100 -> 110 (20 in hour 0) -> 130 (40 over 00:30-01:30).
    await tracker.track([r('e-main', 0, 100), r('e-main', 30, 110)]);
    await tracker.track([r('e-main', 90, 130)]);
    const h = await hours(store, 'e-main');
    expect(h.get(T0)).toBeCloseTo(40, 9);
    expect(h.get(T0 + HOUR_MS)).toBeCloseTo(20, 9);
    const hourly = await store.hourly({ enterprise: 'alu01', meter: 'e-main' }, T0, T0 + HOUR_MS);
    expect(hourly[0]).toMatchObject({ carrier: 'electricity', unit: 'kWh' });
  });

  it('gives the same totals for an unsorted array with repeats', async () => {
    const { store, tracker } = await setup();
    const result = await tracker.track([r('e-main', 90, 130), r('e-main', 0, 100), r('e-main', 30, 110), r('e-main', 0, 100)]);
    const again = await tracker.track([r('e-main', 30, 110)]);
    expect(result.stored).toBe(3);
    expect(again).toMatchObject({ stored: 0, duplicates: 1 });
    const h = await hours(store, 'e-main');
    expect(h.get(T0)).toBeCloseTo(40, 9);
    expect(h.get(T0 + HOUR_MS)).toBeCloseTo(20, 9);
  });

  it('recomputes the affected hours when a reading is corrected', async () => {
    const { store, tracker } = await setup();
    await tracker.track([r('e-main', 0, 100), r('e-main', 30, 110), r('e-main', 90, 130)]);
    const events: DataQualityEvent[] = [];
    const res = await tracker.track([r('e-main', 30, 120)], (e) => events.push(e));
    expect(res.corrections).toBe(1);
    expect(events.map((e) => e.kind)).toEqual(['correction']);
    // 100 -> 120: 40 in hour 0; 120 -> 130: 20 over 00:30-01:30, 10 each.
    const h = await hours(store, 'e-main');
    expect(h.get(T0)).toBeCloseTo(50, 9);
    expect(h.get(T0 + HOUR_MS)).toBeCloseTo(10, 9);
  });

  it('fills a late reading (after an outage) into the hours it splits', async () => {
    const { store, tracker } = await setup();
    // 00:00 100 and 04:00 180: 80 registers x 2 = 160 over 4 hours, 40 each.
    await tracker.track([r('e-main', 0, 100), r('e-main', 240, 180)]);
    expect((await hours(store, 'e-main')).get(T0 + 2 * HOUR_MS)).toBeCloseTo(40, 9);
    // The gateway sends 01:00 = 170 late: 140 in hour 0, then 20 over 3 hours.
    const res = await tracker.track([r('e-main', 60, 170)]);
    expect(res.late).toBe(1);
    const h = await hours(store, 'e-main');
    expect(h.get(T0)).toBeCloseTo(140, 9);
    expect(h.get(T0 + HOUR_MS)).toBeCloseTo(20 / 3, 9);
    expect(h.get(T0 + 3 * HOUR_MS)).toBeCloseTo(20 / 3, 9);
    // New readings continue from the newest one, not the late one.
    await tracker.track([r('e-main', 270, 190)]);
    expect((await hours(store, 'e-main')).get(T0 + 4 * HOUR_MS)).toBeCloseTo(20, 9);
  });

  it('records a reset and a rollover as data-quality events and counts them right', async () => {
    const { store, tracker } = await setup();
    const events: DataQualityEvent[] = [];
    await tracker.track([r('e-main', 0, 950), r('e-main', 30, 30), r('e-main', 60, 10)], (e) => events.push(e));
    expect(events.map((e) => e.kind)).toEqual(['rollover', 'reset']);
    // rollover step 80 x 2 = 160, reset step 10 x 2 = 20, all in hour 0.
    expect((await hours(store, 'e-main')).get(T0)).toBeCloseTo(180, 9);
  });

  it('stores bad readings but never uses them', async () => {
    const { store, tracker } = await setup();
    await tracker.track([r('e-main', 0, 100), r('e-main', 30, 5000, 'bad'), r('e-main', 60, 110)]);
    expect((await hours(store, 'e-main')).get(T0)).toBeCloseTo(20, 9);
    expect(await store.readings({ enterprise: 'alu01', meter: 'e-main' }, min(0), min(61))).toHaveLength(3);
  });

  it('forgets its memory when a write fails, so the same readings are stored on the next attempt', async () => {
    const { store } = await setup();
    let fail = true;
    const flaky = Object.assign(Object.create(store) as SqliteTimeSeriesStore, {
      write: async (batch: Parameters<SqliteTimeSeriesStore['write']>[0]) => {
        if (fail) throw new Error('store down');
        return store.write(batch);
      },
    });
    const tracker = new ConsumptionTracker({ store: flaky, meters: registry });
    await expect(tracker.track([r('e-main', 0, 100), r('e-main', 30, 110)])).rejects.toThrow('store down');
    fail = false;
    const again = await tracker.track([r('e-main', 0, 100), r('e-main', 30, 110)]);
    expect(again).toMatchObject({ stored: 2, duplicates: 0 });
    expect((await hours(store, 'e-main')).get(T0)).toBeCloseTo(20, 9);
  });

  it('keeps state across a restart of the tracker (state reloaded from the store)', async () => {
    const { store, tracker } = await setup();
    await tracker.track([r('e-main', 0, 100), r('e-main', 20, 105)]);
    const fresh = new ConsumptionTracker({ store, meters: registry });
    await fresh.track([r('e-main', 40, 110), r('e-main', 20, 105)]);
    expect((await hours(store, 'e-main')).get(T0)).toBeCloseTo(20, 9);
  });
});

// ---------------------------------------------------------------------------------------------
// Property: whatever order, batching, repeats and corrections a gateway produces, every hourly
// total equals the contract's definition evaluated on the final set of readings.

const meterModels = {
  'e-main': registry.get({ enterprise: 'alu01', meter: 'e-main' })!.model,
  'e-pot': registry.get({ enterprise: 'alu01', meter: 'e-pot' })!.model,
  gas: registry.get({ enterprise: 'alu01', meter: 'gas' })!.model,
};

// Dense (8 hours) or sparse (3 days, so late readings fall in separate recomputation spans).
const SPAN_MINUTES = 3 * 24 * 60;
const arrival = fc.record({
  minute: fc.oneof(fc.integer({ min: 0, max: 8 * 60 }), fc.integer({ min: 0, max: SPAN_MINUTES })),
  value: fc.integer({ min: 0, max: 1200 }),
  bad: fc.integer({ min: 0, max: 9 }).map((x) => x === 0), // about one reading in ten is bad
});

const scenario = fc.record({
  meter: fc.constantFrom('e-main', 'e-pot', 'gas'),
  arrivals: fc.array(arrival, { minLength: 1, maxLength: 60 }),
  batchSizes: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 20 }),
  shuffleSeed: fc.integer(),
});

function shuffle<T>(items: T[], seed: number): T[] {
  let s = seed >>> 0;
  const rand = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const out = [...items];
  // Partial shuffle: mostly in order with some late arrivals, like a gateway after an outage.
  for (let i = out.length - 1; i > 0; i--)
    if (rand() < 0.3) {
      const j = Math.floor(rand() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
  return out;
}

describe('ConsumptionTracker property', () => {
  it('streams to the same hourly totals as the definition, for counter, power and interval meters', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ meter, arrivals, batchSizes, shuffleSeed }) => {
        const { store, tracker } = await setup();
        const readings = shuffle(
          arrivals.map((a) => r(meter, a.minute, a.value, a.bad ? 'bad' : 'good')),
          shuffleSeed,
        );
        let i = 0;
        let b = 0;
        while (i < readings.length) {
          const size = batchSizes[b++ % batchSizes.length]!;
          await tracker.track(readings.slice(i, i + size));
          i += size;
        }
        // The final reading at each ts is the last one that arrived.
        const finalByTs = new Map<number, Reading>();
        for (const x of readings) finalByTs.set(x.ts, x);
        const samples: Sample[] = [...finalByTs.values()]
          .filter((x) => x.quality !== 'bad')
          .sort((a, c) => a.ts - c.ts)
          .map((x) => ({ ts: x.ts, value: x.value }));
        const model = meterModels[meter as keyof typeof meterModels];
        const stored = await hours(store, meter, -60, SPAN_MINUTES + 120);
        for (let h = min(-60); h < min(SPAN_MINUTES + 120); h += HOUR_MS) {
          const expected = consumptionByDefinition(model, samples, h, h + HOUR_MS);
          const got = stored.get(h) ?? 0;
          expect(Math.abs(got - expected)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(expected)));
        }
        // A calendar day in the site zone is the sum of its hours as well.
        const days = await store.consumption({
          enterprises: ['alu01'],
          from: Date.UTC(2026, 0, 4, 16),
          to: Date.UTC(2026, 0, 8, 16),
          every: '1d',
          zone: 'Asia/Shanghai',
          meters: [{ enterprise: 'alu01', meter }],
        });
        for (let d = 0; d < 4; d++) {
          const from = Date.UTC(2026, 0, 4 + d, 16);
          const got = days.find((x) => x.time === from)?.quantity ?? 0;
          expect(got).toBeCloseTo(consumptionByDefinition(model, samples, from, from + 24 * HOUR_MS), 6);
        }
        await store.stop();
      }),
      { numRuns: 150 },
    );
  });
});
