/**
 * Benchmark figures at t (contract 10) against a real SQLite store: the product's meter boundary
 * (default: every energy meter but sub-meters), year to date to the start of t's day and the 12
 * complete months before t's month, entered products replacing metered ones, savings in tce and
 * t CO2. Factors of config/coefficients.yaml: electricity 0.1229 kgce/kWh and 0.5306 kgCO2/kWh
 * (2023 row, in force for 2025 and 2026), raw coal 714.3 kgce/t and 1,900.3 kgCO2/t. Figures by hand.
 */
import { COEFFICIENTS } from '../../../config/coefficients';
import { parseConfig } from '../../../config/load';
import { FactorTable } from '../../../services/energy/factors';
import type { MonthlyRecord } from '../../../services/energy/monthlyStatistics';
import { BenchmarkFiguresService } from '../../../services/figures/benchmarkFigures';
import { SqliteTimeSeriesStore } from '../../../services/store/sqlite/sqliteTimeSeriesStore';
import { nineDigits } from '../../helpers/figures';

const t = (iso: string) => Date.parse(iso);

const config = parseConfig(`
enterprises:
  - id: cem01
    name: 水泥
    industry: "3011"
    meters:
      - {id: e-main, carrier: electricity, unit: kWh, kind: counter}
      - {id: e-kiln, carrier: electricity, unit: kWh, kind: counter, submeter: true}
      - {id: coal, carrier: raw_coal, unit: t, kind: counter}
      - {id: clinker, carrier: product, product: cement_clinker, unit: t, kind: counter}
  - id: alu01
    name: 铝业
    industry: "3216"
    products:
      - {product: aluminium_liquid, meters: [e-pot, pv]}
    meters:
      - {id: e-main, carrier: electricity, unit: kWh, kind: counter}
      - {id: e-pot, carrier: electricity, unit: kWh, kind: counter, submeter: true}
      - {id: pv, carrier: renewable_electricity, unit: kWh, kind: counter}
      - {id: al, carrier: product, product: aluminium_liquid, unit: t, kind: counter}
`);

const h = (enterprise: string, meter: string, carrier: string, unit: string, iso: string, quantity: number) => ({
  enterprise,
  meter,
  carrier,
  unit,
  hour: t(iso),
  quantity,
});

const HOURS = [
  // June 2025: in the rolling 12 months only.
  h('cem01', 'e-main', 'electricity', 'kWh', '2025-06-10T10:00:00+08:00', 100_000),
  h('cem01', 'coal', 'raw_coal', 't', '2025-06-10T10:00:00+08:00', 100),
  h('cem01', 'clinker', 'product', 't', '2025-06-10T10:00:00+08:00', 800),
  // January and February 2026: in both periods; February's clinker is entered as 1,000 t.
  h('cem01', 'e-main', 'electricity', 'kWh', '2026-01-15T10:00:00+08:00', 200_000),
  h('cem01', 'e-kiln', 'electricity', 'kWh', '2026-01-15T10:00:00+08:00', 999_999),
  h('cem01', 'coal', 'raw_coal', 't', '2026-01-15T10:00:00+08:00', 150),
  h('cem01', 'clinker', 'product', 't', '2026-01-15T10:00:00+08:00', 1000),
  h('cem01', 'e-main', 'electricity', 'kWh', '2026-02-10T10:00:00+08:00', 100_000),
  h('cem01', 'coal', 'raw_coal', 't', '2026-02-10T10:00:00+08:00', 100),
  h('cem01', 'clinker', 'product', 't', '2026-02-10T10:00:00+08:00', 900),
  // March 2026, before t's day: year to date only (t's month is not complete).
  h('cem01', 'e-main', 'electricity', 'kWh', '2026-03-10T10:00:00+08:00', 50_000),
  h('cem01', 'coal', 'raw_coal', 't', '2026-03-10T10:00:00+08:00', 60),
  h('cem01', 'clinker', 'product', 't', '2026-03-10T10:00:00+08:00', 500),
  // t's own day: in neither period.
  h('cem01', 'coal', 'raw_coal', 't', '2026-03-15T01:00:00+08:00', 5000),
  // The smelter: pot-line electricity and on-site PV inside the boundary, the site main meter outside.
  h('alu01', 'e-main', 'electricity', 'kWh', '2026-01-20T10:00:00+08:00', 20_000_000),
  h('alu01', 'e-pot', 'electricity', 'kWh', '2026-01-20T10:00:00+08:00', 10_000_000),
  h('alu01', 'pv', 'renewable_electricity', 'kWh', '2026-01-20T10:00:00+08:00', 3_500_000),
  h('alu01', 'al', 'product', 't', '2026-01-20T10:00:00+08:00', 1000),
];

const RECORDS: MonthlyRecord[] = [
  {
    enterprise: 'cem01',
    month: '2026-02',
    version: 1,
    recordedBy: 'test',
    recordedAt: 0,
    products: { cement_clinker: { quantity: 1000, unit: 't' } },
  },
];

async function setup() {
  const store = new SqliteTimeSeriesStore({ path: ':memory:', zone: config.timezone });
  await store.start();
  await store.write({ readings: [], hourly: HOURS });
  const outputs = { records: (ids: readonly string[]) => Promise.resolve(RECORDS.filter((r) => ids.includes(r.enterprise))) };
  const service = new BenchmarkFiguresService({ store, outputs, config, factors: new FactorTable(config, COEFFICIENTS) });
  return { store, service };
}

describe('benchmark figures (contract 10)', () => {
  const at = t('2026-03-15T12:00:00+08:00');

  it('cement clinker on the default boundary: year to date 105.7792 kgce/t (compliant), entered February replacing the metered 900 t', async () => {
    const { store, service } = await setup();
    const [p] = await service.benchmarkAt(config.enterprises[0]!, at);
    expect(p).toMatchObject({
      product: 'cement_clinker',
      metric: 'kgce_per_t',
      unit: 't',
      benchmark: 100,
      baseline: 117,
      deadline: '2025-12-31',
      edition: '2023',
    });
    expect(p!.boundary).toEqual({ meters: ['e-main', 'coal'], default: true });
    // Year to date [1 Jan, 15 Mar 00:00): electricity 350,000 kWh x 0.1229 = 43,015 kgce; coal 310 t x 714.3
    // = 221,433 kgce; 264,448 kgce / (1,000 + 1,000 entered + 500 t) = 105.7792 kgce/t -> compliant.
    expect(p!.periodFrom).toBe('2026-01-01T00:00:00.000+08:00');
    expect(p!.periodTo).toBe('2026-03-15T00:00:00.000+08:00');
    expect(p!.boundaryKgce).toBe(264_448);
    expect(p!.quantity).toBe(2500);
    expect(p!.sec).toBe(105.7792);
    expect(p!.tier).toBe('compliant');
    // Savings (105.7792 - 100) x 2,500 = 14,448 kgce = 14.448 tce. The enterprise's CO2 (its sub-meter is inside
    // e-main; no process factor, no certificates) over all its energy, which is the boundary here: 350,000 x 0.5306
    // = 185,710 kg + 310 x 1,900.3 = 589,093 kg -> 774.803 t over 264.448 tce; 14.448 x 774.803 / 264.448 = 42.3310206 t.
    expect(p!.savingsTce).toBe(14.448);
    expect(p!.savingsCo2T).toBe(nineDigits(42.3310206316554));
    expect(p!.co2TPerTce).toBe(nineDigits(774.803 / 264.448));
    expect(p!.enteredMonths).toEqual(['2026-02']);
    expect(p!.months).toEqual(['2026-01', '2026-02', '2026-03']);
    // Rolling 12 [1 Mar 2025, 1 Mar 2026): electricity 400,000 x 0.1229 = 49,160 + coal 350 x 714.3 = 250,005
    // -> 299,165 kgce / (800 + 1,000 + 1,000 t) = 106.844643 kgce/t; the months it has are named.
    expect(p!.rolling12).toMatchObject({
      periodFrom: '2025-03-01T00:00:00.000+08:00',
      periodTo: '2026-03-01T00:00:00.000+08:00',
      quantity: 2800,
      sec: nineDigits(299_165 / 2800),
      tier: 'compliant',
      months: ['2025-06', '2026-01', '2026-02'],
      enteredMonths: ['2026-02'],
    });
    await store.stop();
  });

  it('liquid aluminium on a listed boundary: (10,000,000 grid + 3,500,000 green) kWh / 1,000 t = 13,500 kWh/t, below baseline', async () => {
    const { store, service } = await setup();
    const [p] = await service.benchmarkAt(config.enterprises[1]!, at);
    expect(p!.boundary).toEqual({ meters: ['e-pot', 'pv'], default: false });
    expect(p!.boundaryAcKwh).toBe(13_500_000);
    expect(p!.sec).toBe(13_500);
    expect(p!.tier).toBe('below-baseline');
    // (13,500 - 13,000) x 1,000 t = 500,000 kWh x 0.1229 = 61,450 kgce = 61.45 tce. The enterprise's CO2 per
    // tce (contract 10), the pot-line sub-meter inside the site meter: grid 20,000,000 x 0.5306 = 10,612 t
    // (green power 0) over all the energy used, (20,000,000 + 3,500,000) x 0.1229 = 2,888.15 tce;
    // 61.45 x 10,612 / 2,888.15 = 225.787234 t.
    expect(p!.savingsTce).toBe(61.45);
    expect(p!.co2TPerTce).toBe(nineDigits(10_612 / 2888.15));
    expect(p!.savingsCo2T).toBe(nineDigits((61.45 * 10_612) / 2888.15));
    await store.stop();
  });

  it('a product with no output in the period gives no sec and no tier, and says so', async () => {
    const { store, service } = await setup();
    const [p] = await service.benchmarkAt(config.enterprises[1]!, t('2026-01-10T12:00:00+08:00'));
    // Year to date [1 Jan, 10 Jan): no rows at all; rolling 12 [Jan 2025, Jan 2026): none either.
    expect(p).toMatchObject({ sec: null, tier: null, quantity: null, savingsTce: null, savingsCo2T: null });
    expect(p!.note).toMatch(/no product quantity/);
    expect(p!.rolling12.months).toEqual([]);
    await store.stop();
  });
});
