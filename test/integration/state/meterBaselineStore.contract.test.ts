/**
 * Meter baselines held to the same behaviour on SQLite and PostgreSQL: written once per meter,
 * never overwritten, except that a row remembered before units were gets its unit.
 */
import { MeterBaselineStore, type MeterBaseline } from '../../../services/store/state/meterBaselineStore';
import { describeStateEngines } from '../../helpers/stateDb';

/** 2026-01-01T00:00:00Z. */
const T0 = 1_767_225_600_000;

type Input = Parameters<MeterBaselineStore['remember']>[0][number];

const meter = (enterprise: string, name: string, over: Partial<Input> = {}): Input => ({
  enterprise,
  meter: name,
  kind: 'counter',
  unit: 'kWh',
  multiplier: 1,
  rollover: null,
  ...over,
});

describeStateEngines('MeterBaselineStore', (engine) => {
  it('is empty at first, and remembering nothing changes nothing', async () => {
    const store = new MeterBaselineStore(await engine.fresh());
    expect(await store.all()).toEqual([]);
    await store.remember([], T0);
    expect(await store.all()).toEqual([]);
  });

  it('round-trips every field (fractional multipliers, large rollovers, null rollover, ms times) sorted by enterprise then meter in byte order', async () => {
    const store = new MeterBaselineStore(await engine.fresh());
    await store.remember(
      [
        meter('cem02', 'k1', { kind: 'power', unit: 'kW', multiplier: 0.001 }),
        meter('alu01', 'e-main', { multiplier: 80.5, rollover: 99_999_999.9 }),
        meter('alu01', 'E-aux', { unit: 'MWh', multiplier: 1 / 3 }),
        meter('Zn03', 'w1', { kind: 'interval', unit: 'm³', rollover: 1e6 }),
      ],
      T0,
    );
    const expected: MeterBaseline[] = [
      { enterprise: 'Zn03', meter: 'w1', kind: 'interval', unit: 'm³', multiplier: 1, rollover: 1_000_000, firstSeenAt: T0 },
      { enterprise: 'alu01', meter: 'E-aux', kind: 'counter', unit: 'MWh', multiplier: 1 / 3, rollover: null, firstSeenAt: T0 },
      { enterprise: 'alu01', meter: 'e-main', kind: 'counter', unit: 'kWh', multiplier: 80.5, rollover: 99_999_999.9, firstSeenAt: T0 },
      { enterprise: 'cem02', meter: 'k1', kind: 'power', unit: 'kW', multiplier: 0.001, rollover: null, firstSeenAt: T0 },
    ];
    // 'Z' (0x5A) < 'a' (0x61) and 'E' (0x45) < 'e' (0x65): byte order, whatever the database collation.
    expect(await store.all()).toEqual(expected);
  });

  it('never overwrites: remembering a meter again keeps its first kind, unit, multiplier, rollover and time', async () => {
    const store = new MeterBaselineStore(await engine.fresh());
    await store.remember([meter('alu01', 'e-main', { multiplier: 80, rollover: 1e5 })], T0);
    await store.remember(
      [meter('alu01', 'e-main', { kind: 'power', unit: 'MWh', multiplier: 40, rollover: null }), meter('alu01', 'e-aux')],
      T0 + 86_400_000,
    );
    expect(await store.all()).toEqual([
      { enterprise: 'alu01', meter: 'e-aux', kind: 'counter', unit: 'kWh', multiplier: 1, rollover: null, firstSeenAt: T0 + 86_400_000 },
      { enterprise: 'alu01', meter: 'e-main', kind: 'counter', unit: 'kWh', multiplier: 80, rollover: 100_000, firstSeenAt: T0 },
    ]);
  });

  it('the same meter twice in one batch: the first one stays', async () => {
    const store = new MeterBaselineStore(await engine.fresh());
    await store.remember([meter('alu01', 'e-main', { multiplier: 2 }), meter('alu01', 'e-main', { multiplier: 3, unit: 'MWh' })], T0);
    expect(await store.all()).toEqual([
      { enterprise: 'alu01', meter: 'e-main', kind: 'counter', unit: 'kWh', multiplier: 2, rollover: null, firstSeenAt: T0 },
    ]);
  });

  it('a row remembered before units were gets the unit, and nothing else changes', async () => {
    const db = await engine.fresh();
    // As an old release left it: no unit.
    await db.run('INSERT INTO meter_baseline (enterprise, meter, kind, unit, multiplier, rollover, first_seen_at) VALUES (?, ?, ?, NULL, ?, ?, ?)', [
      'alu01',
      'e-main',
      'counter',
      80,
      1e5,
      T0,
    ]);
    const store = new MeterBaselineStore(db);
    expect((await store.all())[0]?.unit).toBeNull();
    await store.remember([meter('alu01', 'e-main', { kind: 'power', unit: 'MWh', multiplier: 1, rollover: null })], T0 + 1);
    expect(await store.all()).toEqual([
      { enterprise: 'alu01', meter: 'e-main', kind: 'counter', unit: 'MWh', multiplier: 80, rollover: 100_000, firstSeenAt: T0 },
    ]);
    // Once filled in, the unit stays too.
    await store.remember([meter('alu01', 'e-main', { unit: 'kWh' })], T0 + 2);
    expect((await store.all())[0]?.unit).toBe('MWh');
  });

  it('a batch with one bad row remembers nothing', async () => {
    const store = new MeterBaselineStore(await engine.fresh());
    const broken = { ...meter('alu01', 'e-2'), kind: null } as unknown as Input;
    await expect(store.remember([meter('alu01', 'e-1'), broken], T0)).rejects.toThrow();
    expect(await store.all()).toEqual([]);
  });

  it('a second connection sees the first values and cannot change them', async () => {
    const db = await engine.fresh();
    const other = await engine.reopen(db);
    await new MeterBaselineStore(db).remember([meter('alu01', 'e-main', { multiplier: 80 })], T0);
    await new MeterBaselineStore(other).remember([meter('alu01', 'e-main', { multiplier: 40 }), meter('alu01', 'e-aux')], T0 + 5);
    const fromFirst = await new MeterBaselineStore(db).all();
    expect(fromFirst.map((b) => [b.meter, b.multiplier, b.firstSeenAt])).toEqual([
      ['e-aux', 1, T0 + 5],
      ['e-main', 80, T0],
    ]);
    expect(await new MeterBaselineStore(other).all()).toEqual(fromFirst);
  });

  if (engine.name === 'postgres')
    // Two hosts starting with the same configuration; opposite orders would deadlock on row locks
    // unless the store takes them in one order.
    it('two connections remembering the same meters at once, in opposite orders: one row each, both calls succeed', async () => {
      const db = await engine.fresh();
      const other = await engine.reopen(db);
      const rows = Array.from({ length: 300 }, (_, i) => meter('alu01', `e-${String(i).padStart(3, '0')}`));
      await Promise.all([new MeterBaselineStore(db).remember(rows, T0), new MeterBaselineStore(other).remember([...rows].reverse(), T0 + 1)]);
      const all = await new MeterBaselineStore(db).all();
      expect(all.map((b) => b.meter)).toEqual(rows.map((r) => r.meter));
    });
});
