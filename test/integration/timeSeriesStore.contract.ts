/**
 * The one contract every TimeSeriesStore adapter passes (InfluxDB, SQLite): each adapter's test
 * file calls timeSeriesStoreContract() with a factory for a fresh, started, empty store.
 * Timestamps are fixed and every expectation is computed by hand in the comments.
 */
import type { Reading } from '../../services/energy/reading';
import type { ConsumptionRow, HourlyConsumption, LatestReading, ReadingCount, TimeSeriesStore } from '../../services/store/timeSeriesStore';

const MIN = 60_000;
const HOUR = 3_600_000;
/** 2026-03-01T15:00:00Z = 2026-03-01T23:00+08:00 */
const T0 = Date.UTC(2026, 2, 1, 15, 0);
const at = (minutes: number): number => T0 + minutes * MIN;
const utc = (iso: string): number => Date.parse(iso);
const ZONE = 'Asia/Shanghai';

const E = { enterprise: 'alu01', meter: 'e-main' } as const;
const GAS = { enterprise: 'alu01', meter: 'gas' } as const;
const STEEL = { enterprise: 'steel02', meter: 'e-main' } as const;

const r = (key: { enterprise: string; meter: string }, ts: number, value: number, quality: Reading['quality'] = 'good'): Reading => ({
  ...key,
  ts,
  value,
  quality,
});

// alu01/e-main, one reading every 15 minutes from 15:00Z; bad ones at 15:30, 16:00, 16:15, 16:45.
const r1 = r(E, at(0), 100);
const r2 = r(E, at(15), 101.5, 'uncertain');
const r3 = r(E, at(30), 103, 'bad');
const r4 = r(E, at(45), 104.25);
const r5 = r(E, at(60), 106, 'bad');
const r6 = r(E, at(75), 107, 'bad');
const r7 = r(E, at(90), 108.5);
const r8 = r(E, at(105), 109, 'bad');
const gasBad = r(GAS, at(0), 12, 'bad');
const s1 = r(STEEL, at(0), 5);
const s2 = r(STEEL, at(30), 7);
// Written shuffled: adapters must sort.
const READINGS: readonly Reading[] = [r5, r1, s2, r8, r3, gasBad, r7, r2, s1, r6, r4];

const h = (enterprise: string, meter: string, carrier: string, unit: string, iso: string, quantity: number): HourlyConsumption => ({
  enterprise,
  meter,
  carrier,
  unit,
  hour: utc(iso),
  quantity,
});

// Local (UTC+8) hour in the comment.
const HOURLY: readonly HourlyConsumption[] = [
  h('alu01', 'e-main', 'electricity', 'kWh', '2026-02-28T15:00:00Z', 1), // Feb 28 23:00
  h('alu01', 'e-main', 'electricity', 'kWh', '2026-02-28T16:00:00Z', 2), // Mar 1 00:00
  h('alu01', 'e-main', 'electricity', 'kWh', '2026-03-01T15:00:00Z', 10), // Mar 1 23:00
  h('alu01', 'e-main', 'electricity', 'kWh', '2026-03-01T16:00:00Z', 20), // Mar 2 00:00
  h('alu01', 'e-main', 'electricity', 'kWh', '2026-03-01T17:00:00Z', 5.5), // Mar 2 01:00
  h('alu01', 'e-main', 'electricity', 'kWh', '2026-03-31T15:00:00Z', 7), // Mar 31 23:00
  h('alu01', 'e-main', 'electricity', 'kWh', '2026-03-31T16:00:00Z', 3), // Apr 1 00:00
  h('alu01', 'e-aux', 'electricity', 'kWh', '2026-03-01T16:00:00Z', 100), // Mar 2 00:00
  h('alu01', 'gas', 'natural_gas', 'm3', '2026-03-01T15:00:00Z', 50), // Mar 1 23:00
  h('steel02', 'e-main', 'electricity', 'kWh', '2026-03-01T16:00:00Z', 1000), // Mar 2 00:00
  h('other03', 'e-main', 'electricity', 'kWh', '2026-03-01T16:00:00Z', 9999), // never asked for
];

function expectReadings(actual: readonly Reading[], expected: readonly Reading[]): void {
  expect(actual.map(({ enterprise, meter, ts, quality }) => ({ enterprise, meter, ts, quality }))).toEqual(
    expected.map(({ enterprise, meter, ts, quality }) => ({ enterprise, meter, ts, quality })),
  );
  actual.forEach((a, i) => expect(a.value).toBeCloseTo(expected[i]!.value, 9));
}

const rowOrder = (a: ConsumptionRow, b: ConsumptionRow): number =>
  a.enterprise.localeCompare(b.enterprise) || a.carrier.localeCompare(b.carrier) || a.unit.localeCompare(b.unit) || a.time - b.time;

function expectRows(actual: readonly ConsumptionRow[], expected: readonly ConsumptionRow[]): void {
  const sorted = [...actual].sort(rowOrder);
  const want = [...expected].sort(rowOrder);
  expect(sorted.map(({ enterprise, carrier, unit, time }) => ({ enterprise, carrier, unit, time, at: new Date(time).toISOString() }))).toEqual(
    want.map(({ enterprise, carrier, unit, time }) => ({ enterprise, carrier, unit, time, at: new Date(time).toISOString() })),
  );
  sorted.forEach((a, i) => expect(a.quantity).toBeCloseTo(want[i]!.quantity, 6));
}

const row = (enterprise: string, carrier: string, unit: string, iso: string, quantity: number): ConsumptionRow => ({
  enterprise,
  carrier,
  unit,
  time: utc(iso),
  quantity,
});

export function timeSeriesStoreContract(name: string, create: () => Promise<{ store: TimeSeriesStore; cleanup: () => Promise<void> }>): void {
  describe(`TimeSeriesStore contract: ${name}`, () => {
    let store: TimeSeriesStore;
    let cleanup: (() => Promise<void>) | undefined;

    beforeEach(async () => {
      ({ store, cleanup } = await create());
    });
    afterEach(async () => {
      await cleanup?.();
      cleanup = undefined;
    });

    describe('readings', () => {
      beforeEach(async () => {
        await store.write({ readings: READINGS, hourly: [] });
      });

      it('reads back one meter in [from, to), ascending, any quality', async () => {
        expectReadings(await store.readings(E, at(0), at(90)), [r1, r2, r3, r4, r5, r6]);
        expectReadings(await store.readings(E, at(15), at(106)), [r2, r3, r4, r5, r6, r7, r8]);
        expectReadings(await store.readings(STEEL, at(0), at(120)), [s1, s2]);
        expect(await store.readings(E, at(120), at(240))).toEqual([]);
        expect(await store.readings({ enterprise: 'alu01', meter: 'nope' }, at(0), at(120))).toEqual([]);
      });

      it('an empty batch is fine', async () => {
        await store.write({ readings: [], hourly: [] });
        expect(await store.readings(E, at(0), at(120))).toHaveLength(8);
      });

      it('stores one reading per (enterprise, meter, ts): a duplicate is one, a new value replaces', async () => {
        await store.write({ readings: [r1, r2], hourly: [] });
        expectReadings(await store.readings(E, at(0), at(30)), [r1, r2]);
        const corrected = { ...r2, value: 101.75, quality: 'bad' as const };
        await store.write({ readings: [corrected], hourly: [] });
        expectReadings(await store.readings(E, at(0), at(30)), [r1, corrected]);
        // The corrected reading is bad now, so the neighbour before 15:30 is r1.
        expectReadings([(await store.usableNeighbour(E, at(30), 'before'))!], [r1]);
      });

      it('readingsAt returns the stored readings at exactly those timestamps', async () => {
        const found = await store.readingsAt(E, [at(45), at(15), at(16), at(15), at(600), at(-60)]);
        expectReadings(
          [...found].sort((a, b) => a.ts - b.ts),
          [r2, r4],
        );
        expect(await store.readingsAt(E, [])).toEqual([]);
        expectReadings(await store.readingsAt(STEEL, [at(30)]), [s2]);
      });

      it('usableNeighbour skips bad readings strictly before ts', async () => {
        expectReadings([(await store.usableNeighbour(E, at(90), 'before'))!], [r4]); // skips r6, r5
        expectReadings([(await store.usableNeighbour(E, at(45), 'before'))!], [r2]); // skips r3; uncertain is usable
        expectReadings([(await store.usableNeighbour(E, at(200), 'before'))!], [r7]); // skips r8
        expect(await store.usableNeighbour(E, at(0), 'before')).toBeUndefined();
      });

      it('usableNeighbour skips bad readings at or after ts', async () => {
        expectReadings([(await store.usableNeighbour(E, at(30), 'atOrAfter'))!], [r4]); // skips r3
        expectReadings([(await store.usableNeighbour(E, at(45), 'atOrAfter'))!], [r4]); // at
        expectReadings([(await store.usableNeighbour(E, at(60), 'atOrAfter'))!], [r7]); // skips r5, r6
        expectReadings([(await store.usableNeighbour(E, at(-600), 'atOrAfter'))!], [r1]);
        expect(await store.usableNeighbour(E, at(91), 'atOrAfter')).toBeUndefined(); // only r8, bad
        expect(await store.usableNeighbour(GAS, at(-60), 'atOrAfter')).toBeUndefined();
      });

      it('latest: lastTs counts any quality, lastGood only usable readings', async () => {
        const latest = [...(await store.latest(['alu01', 'steel02']))].sort(
          (a, b) => a.enterprise.localeCompare(b.enterprise) || a.meter.localeCompare(b.meter),
        );
        const shape = (l: LatestReading): unknown => ({ enterprise: l.enterprise, meter: l.meter, lastTs: l.lastTs, lastGoodTs: l.lastGood?.ts });
        expect(latest.map(shape)).toEqual([
          { enterprise: 'alu01', meter: 'e-main', lastTs: at(105), lastGoodTs: at(90) }, // r8 is bad, r7 good
          { enterprise: 'alu01', meter: 'gas', lastTs: at(0), lastGoodTs: undefined }, // only a bad one
          { enterprise: 'steel02', meter: 'e-main', lastTs: at(30), lastGoodTs: at(30) },
        ]);
        expectReadings([latest[0]!.lastGood!], [r7]);
        expectReadings([latest[2]!.lastGood!], [s2]);
        expect((await store.latest(['steel02'])).map(shape)).toEqual([
          { enterprise: 'steel02', meter: 'e-main', lastTs: at(30), lastGoodTs: at(30) },
        ]);
        expect(await store.latest(['nobody'])).toEqual([]);
        // since: only meters with a reading at or after it; lastGood from there (r8 at 16:45 is bad, r7 at 16:30 too early).
        expect((await store.latest(['alu01', 'steel02'], { since: at(90) })).map(shape)).toEqual([
          { enterprise: 'alu01', meter: 'e-main', lastTs: at(105), lastGoodTs: at(90) },
        ]);
        expect((await store.latest(['alu01', 'steel02'], { since: at(91) })).map(shape)).toEqual([
          { enterprise: 'alu01', meter: 'e-main', lastTs: at(105), lastGoodTs: undefined },
        ]);
        expect(await store.latest(['alu01', 'steel02'], { since: at(106) })).toEqual([]);
        expect(await store.latest([])).toEqual([]);
      });

      it('countUsable counts good and uncertain readings per meter in [from, to)', async () => {
        await store.write({ readings: [r1, r2], hourly: [] }); // rewrites do not count twice
        const sortCounts = (rows: readonly ReadingCount[]): ReadingCount[] =>
          rows.filter((c) => c.count > 0).sort((a, b) => a.enterprise.localeCompare(b.enterprise) || a.meter.localeCompare(b.meter));
        // alu01/e-main in [15:00, 16:30): r1, r2, r4 (r3, r5, r6 bad; r7 at 16:30 excluded). Gas: only bad.
        expect(sortCounts(await store.countUsable(['alu01', 'steel02'], at(0), at(90)))).toEqual([
          { enterprise: 'alu01', meter: 'e-main', count: 3 },
          { enterprise: 'steel02', meter: 'e-main', count: 2 },
        ]);
        expect(sortCounts(await store.countUsable(['alu01'], at(15), at(120)))).toEqual([{ enterprise: 'alu01', meter: 'e-main', count: 3 }]); // r2, r4, r7
        expect(sortCounts(await store.countUsable(['alu01'], at(200), at(300)))).toEqual([]);
      });
    });

    describe('hourly and consumption', () => {
      beforeEach(async () => {
        await store.write({ readings: [], hourly: HOURLY });
      });

      it('reads back hourly values of one meter in [from, to), ascending, and a rewrite replaces', async () => {
        const from = utc('2026-03-01T15:00:00Z');
        const to = utc('2026-03-01T17:00:00Z');
        const got = await store.hourly(E, from, to);
        expect(got.map((x) => ({ ...x, quantity: Math.round(x.quantity * 1e6) / 1e6 }))).toEqual([HOURLY[2], HOURLY[3]]);
        await store.write({ readings: [], hourly: [{ ...HOURLY[3]!, quantity: 21.25 }] });
        const again = await store.hourly(E, from, to);
        expect(again.map((x) => x.hour)).toEqual([from, from + HOUR]);
        expect(again[0]!.quantity).toBeCloseTo(10, 9);
        expect(again[1]!.quantity).toBeCloseTo(21.25, 9);
        expect(await store.hourly({ enterprise: 'steel02', meter: 'e-main' }, from, to)).toEqual([HOURLY[9]]);
        expect(await store.hourly(E, to + 10 * HOUR, to + 20 * HOUR)).toEqual([]);
      });

      it('every=1h: UTC hours, both enterprises in one call, carriers apart', async () => {
        const rows = await store.consumption({
          enterprises: ['alu01', 'steel02'],
          from: utc('2026-03-01T15:00:00Z'),
          to: utc('2026-03-01T18:00:00Z'),
          every: '1h',
          zone: ZONE,
        });
        expectRows(rows, [
          row('alu01', 'electricity', 'kWh', '2026-03-01T15:00:00Z', 10),
          row('alu01', 'electricity', 'kWh', '2026-03-01T16:00:00Z', 120), // e-main 20 + e-aux 100
          row('alu01', 'electricity', 'kWh', '2026-03-01T17:00:00Z', 5.5),
          row('alu01', 'natural_gas', 'm3', '2026-03-01T15:00:00Z', 50),
          row('steel02', 'electricity', 'kWh', '2026-03-01T16:00:00Z', 1000),
        ]);
      });

      it('every=1d: local days of Asia/Shanghai start at 16:00Z of the previous UTC day', async () => {
        const rows = await store.consumption({
          // local 2026-03-01T00:00+08:00 .. 2026-03-03T00:00+08:00
          enterprises: ['alu01', 'steel02'],
          from: utc('2026-02-28T16:00:00Z'),
          to: utc('2026-03-02T16:00:00Z'),
          every: '1d',
          zone: ZONE,
        });
        expectRows(rows, [
          row('alu01', 'electricity', 'kWh', '2026-02-28T16:00:00Z', 12), // Mar 1: 2 (00:00) + 10 (23:00)
          row('alu01', 'electricity', 'kWh', '2026-03-01T16:00:00Z', 125.5), // Mar 2: 20 + 100 + 5.5
          row('alu01', 'natural_gas', 'm3', '2026-02-28T16:00:00Z', 50), // 15:00Z is 23:00 local, Mar 1
          row('steel02', 'electricity', 'kWh', '2026-03-01T16:00:00Z', 1000),
        ]);
      });

      it('every=1mo: calendar months of the site zone', async () => {
        const rows = await store.consumption({
          // local 2026-03-01 .. 2026-05-01
          enterprises: ['steel02', 'alu01'],
          from: utc('2026-02-28T16:00:00Z'),
          to: utc('2026-04-30T16:00:00Z'),
          every: '1mo',
          zone: ZONE,
        });
        expectRows(rows, [
          row('alu01', 'electricity', 'kWh', '2026-02-28T16:00:00Z', 144.5), // 2 + 10 + 20 + 100 + 5.5 + 7; Feb 28 23:00 local is out
          row('alu01', 'electricity', 'kWh', '2026-03-31T16:00:00Z', 3), // 2026-03-31T16:00Z is Apr 1 00:00 local
          row('alu01', 'natural_gas', 'm3', '2026-02-28T16:00:00Z', 50),
          row('steel02', 'electricity', 'kWh', '2026-02-28T16:00:00Z', 1000),
        ]);
      });

      it('the meters filter keeps only those meters', async () => {
        const rows = await store.consumption({
          enterprises: ['alu01', 'steel02'],
          from: utc('2026-02-28T16:00:00Z'),
          to: utc('2026-03-02T16:00:00Z'),
          every: '1d',
          zone: ZONE,
          meters: [
            { enterprise: 'alu01', meter: 'e-main' },
            { enterprise: 'steel02', meter: 'e-main' },
          ],
        });
        expectRows(rows, [
          row('alu01', 'electricity', 'kWh', '2026-02-28T16:00:00Z', 12),
          row('alu01', 'electricity', 'kWh', '2026-03-01T16:00:00Z', 25.5), // without e-aux's 100
          row('steel02', 'electricity', 'kWh', '2026-03-01T16:00:00Z', 1000),
        ]);
        expect(
          await store.consumption({
            enterprises: ['alu01'],
            from: utc('2026-02-28T16:00:00Z'),
            to: utc('2026-03-02T16:00:00Z'),
            every: '1d',
            zone: ZONE,
            meters: [],
          }),
        ).toEqual([]);
      });

      it('excludeMeters leaves sub-meters out of the sums', async () => {
        const rows = await store.consumption({
          enterprises: ['alu01', 'steel02'],
          from: utc('2026-02-28T16:00:00Z'),
          to: utc('2026-03-02T16:00:00Z'),
          every: '1d',
          zone: ZONE,
          excludeMeters: [
            { enterprise: 'alu01', meter: 'e-aux' },
            { enterprise: 'steel02', meter: 'e-aux' },
          ],
        });
        expectRows(rows, [
          row('alu01', 'electricity', 'kWh', '2026-02-28T16:00:00Z', 12),
          row('alu01', 'electricity', 'kWh', '2026-03-01T16:00:00Z', 25.5), // e-aux's 100 left out, steel02/e-main kept
          row('alu01', 'natural_gas', 'm3', '2026-02-28T16:00:00Z', 50),
          row('steel02', 'electricity', 'kWh', '2026-03-01T16:00:00Z', 1000),
        ]);
      });

      it('answers nothing for unknown enterprises or an empty range', async () => {
        const base = { from: utc('2026-02-28T16:00:00Z'), to: utc('2026-04-30T16:00:00Z'), every: '1d', zone: ZONE } as const;
        expect(await store.consumption({ ...base, enterprises: ['nobody'] })).toEqual([]);
        expect(await store.consumption({ ...base, enterprises: [] })).toEqual([]);
        expect(await store.consumption({ ...base, enterprises: ['alu01'], from: base.to })).toEqual([]);
      });
    });

    // Day and month figures come from daily rollups that write() maintains; these tests rewrite,
    // add late data and replay, and check the figures stay the sums of what is stored.
    describe('daily rollups', () => {
      const sortCounts = (rows: readonly ReadingCount[]): ReadingCount[] =>
        [...rows].sort((a, b) => a.enterprise.localeCompare(b.enterprise) || a.meter.localeCompare(b.meter));
      const MAR1 = utc('2026-02-28T16:00:00Z'); // local 2026-03-01T00:00+08:00
      const MAR3 = utc('2026-03-02T16:00:00Z'); // local 2026-03-03T00:00+08:00
      const correction = { ...HOURLY[3]!, quantity: 21.25 }; // Mar 2 00:00 local, 20 -> 21.25
      const lateHours = [
        h('alu01', 'e-main', 'electricity', 'kWh', '2026-03-01T03:00:00Z', 4), // Mar 1 11:00, late
        h('alu01', 'e-main', 'electricity', 'kWh', '2026-03-02T16:00:00Z', 8), // Mar 3 00:00
        h('alu01', 'e-main', 'electricity', 'kWh', '2026-03-02T18:00:00Z', 16), // Mar 3 02:00
      ];

      beforeEach(async () => {
        await store.write({ readings: READINGS, hourly: HOURLY });
        await store.write({ readings: [], hourly: [correction] });
        await store.write({ readings: [], hourly: lateHours });
        await store.write({ readings: [], hourly: [correction] }); // a replay changes nothing
      });

      const expectDaysAndMonths = async (): Promise<void> => {
        expectRows(await store.consumption({ enterprises: ['alu01'], from: MAR1, to: MAR3, every: '1d', zone: ZONE }), [
          row('alu01', 'electricity', 'kWh', '2026-02-28T16:00:00Z', 16), // Mar 1: 2 + 4 (late) + 10
          row('alu01', 'electricity', 'kWh', '2026-03-01T16:00:00Z', 126.75), // Mar 2: 21.25 (corrected) + 100 + 5.5
          row('alu01', 'natural_gas', 'm3', '2026-02-28T16:00:00Z', 50),
        ]);
        expectRows(await store.consumption({ enterprises: ['alu01'], from: MAR1, to: utc('2026-04-30T16:00:00Z'), every: '1mo', zone: ZONE }), [
          row('alu01', 'electricity', 'kWh', '2026-02-28T16:00:00Z', 173.75), // 2 + 4 + 10 + 21.25 + 100 + 5.5 + 8 + 16 + 7
          row('alu01', 'electricity', 'kWh', '2026-03-31T16:00:00Z', 3),
          row('alu01', 'natural_gas', 'm3', '2026-02-28T16:00:00Z', 50),
        ]);
      };

      it('day and month sums equal the sums of the hours after corrections, late hours and replays', expectDaysAndMonths);

      it('a range that cuts days: partial days at the edges from the hours, whole days from the rollup', async () => {
        // Local Mar 1 23:00 .. Mar 3 01:00: 1 h of Mar 1, all of Mar 2, 1 h of Mar 3.
        expectRows(
          await store.consumption({
            enterprises: ['alu01'],
            from: utc('2026-03-01T15:00:00Z'),
            to: utc('2026-03-02T17:00:00Z'),
            every: '1d',
            zone: ZONE,
            excludeMeters: [{ enterprise: 'alu01', meter: 'e-aux' }],
          }),
          [
            row('alu01', 'electricity', 'kWh', '2026-02-28T16:00:00Z', 10), // only 23:00 of Mar 1
            row('alu01', 'electricity', 'kWh', '2026-03-01T16:00:00Z', 26.75), // Mar 2 without e-aux: 21.25 + 5.5
            row('alu01', 'electricity', 'kWh', '2026-03-02T16:00:00Z', 8), // Mar 3 00:00 only, not 02:00
            row('alu01', 'natural_gas', 'm3', '2026-02-28T16:00:00Z', 50),
          ],
        );
      });

      it('countUsable over whole days stays exact after corrections, late readings and replays', async () => {
        // Readings run from Mar 1 23:00 to Mar 2 00:45 local. Usable: r1, r2, r4 (Mar 1), r7 (Mar 2); s1, s2.
        expect(sortCounts(await store.countUsable(['alu01', 'steel02'], MAR1, MAR3))).toEqual([
          { enterprise: 'alu01', meter: 'e-main', count: 4 },
          { enterprise: 'steel02', meter: 'e-main', count: 2 },
        ]);
        const fixes = [{ ...r4, quality: 'bad' as const }, { ...r6, quality: 'good' as const }, r(E, utc('2026-03-01T01:00:00Z'), 90)];
        await store.write({ readings: fixes, hourly: [] });
        await store.write({ readings: fixes, hourly: [] }); // replayed
        await store.write({ readings: [{ ...gasBad, value: 13 }], hourly: [] }); // still bad: still none
        // e-main: late 09:00, r1, r2 on Mar 1 (r4 now bad); r6, r7 on Mar 2.
        expect(sortCounts(await store.countUsable(['alu01', 'steel02'], MAR1, MAR3))).toEqual([
          { enterprise: 'alu01', meter: 'e-main', count: 5 },
          { enterprise: 'steel02', meter: 'e-main', count: 2 },
        ]);
        // The whole of March (a month rollup where an adapter keeps one) says the same.
        expect(sortCounts(await store.countUsable(['alu01', 'steel02'], MAR1, utc('2026-03-31T16:00:00Z')))).toEqual([
          { enterprise: 'alu01', meter: 'e-main', count: 5 },
          { enterprise: 'steel02', meter: 'e-main', count: 2 },
        ]);
        // From Mar 1 23:30 local: r3, r4 (both bad) in the partial day, r6 and r7 on Mar 2; s2.
        expect(sortCounts(await store.countUsable(['alu01', 'steel02'], at(30), MAR3))).toEqual([
          { enterprise: 'alu01', meter: 'e-main', count: 2 },
          { enterprise: 'steel02', meter: 'e-main', count: 1 },
        ]);
        // All of a meter's readings of a day turned bad: the meter is absent, not counted from a stale rollup.
        await store.write({ readings: [s1, s2].map((x) => ({ ...x, quality: 'bad' as const })), hourly: [] });
        expect(sortCounts(await store.countUsable(['steel02'], MAR1, MAR3))).toEqual([]);
      });

      it('rebuildRollups recomputes the same figures from the stored hours and readings', async () => {
        await store.rebuildRollups();
        await expectDaysAndMonths();
        await store.rebuildRollups({ from: utc('2026-03-01T20:00:00Z'), to: utc('2026-03-01T21:00:00Z') }); // widened to all of Mar 2
        await expectDaysAndMonths();
        expect(sortCounts(await store.countUsable(['alu01', 'steel02'], MAR1, MAR3))).toEqual([
          { enterprise: 'alu01', meter: 'e-main', count: 4 },
          { enterprise: 'steel02', meter: 'e-main', count: 2 },
        ]);
      });
    });
  });
}
