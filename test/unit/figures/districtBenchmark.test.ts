/**
 * The district benchmark view and efficiency leaders (contract 10) from each enterprise's own
 * benchmark figures, against a real SQLite store. Figures by hand.
 *
 * Factors: electricity 0.1 kgce/kWh (the equivalent basis), raw coal 700 kgce/t and 2,000 kgCO2/t,
 * grid 0.5 kgCO2/kWh in 2026. Cement clinker: benchmark 100, baseline 117 kgce/t, deadline
 * 2025-12-31 (shipped 2023 edition). Every plant's data lies in January 2026; the figures are
 * taken on 1 April 2026 over the last 12 complete months (April 2025 - March 2026), so each
 * plant has one month with data and a year of energy is 12 x January's.
 *
 *   plant         coal t   kWh      clinker t  tce    sec kgce/t          certificates kWh  share
 *   lead01        1,400    200,000  10,000     1,000  100 (benchmark)     40,000            0.20
 *   near-energy  1,161    200,000   8,327     832.7  100 (benchmark)     40,000            0.20
 *   near-tier    1,400    200,000   9,990     1,000  100.1001 (compliant) 40,000           0.20
 *   near-fossil  1,400    200,000  10,000     1,000  100 (benchmark)     39,999            0.199995
 *   below01       1,680    200,000  10,000     1,196  119.6 (below)       0                 0
 *
 * tce = coal x 0.7 + kWh x 0.1 / 1000 (e.g. 1,161 x 0.7 + 20 = 832.7); sec = tce x 1000 / clinker.
 */
import { COEFFICIENTS } from '../../../config/coefficients';
import type { Config, ConfigInput } from '../../../config/schema';
import { FactorTable } from '../../../services/energy/factors';
import { BenchmarkFiguresService } from '../../../services/figures/benchmarkFigures';
import { ConsumptionService } from '../../../services/figures/consumptionService';
import { DistrictBenchmarkService } from '../../../services/figures/districtBenchmark';
import { MonthlyStatisticsStore } from '../../../services/store/state/monthlyStatisticsStore';
import { SqliteTimeSeriesStore } from '../../../services/store/sqlite/sqliteTimeSeriesStore';
import { testConfig } from '../../helpers/config';
import { openTestStateDb } from '../../helpers/stateDb';

const t = (iso: string) => Date.parse(iso);
const AT = t('2026-04-01T00:00:00+08:00');
const JAN = t('2026-01-15T10:00:00+08:00');

const PLANTS = [
  { id: 'lead01', coal: 1400, clinker: 10_000, certificates: 40_000 },
  { id: 'near-energy', coal: 1161, clinker: 8327, certificates: 40_000 },
  { id: 'near-tier', coal: 1400, clinker: 9990, certificates: 40_000 },
  { id: 'near-fossil', coal: 1400, clinker: 10_000, certificates: 39_999 },
  { id: 'below01', coal: 1680, clinker: 10_000, certificates: 0 },
];

const plant = (id: string): ConfigInput['enterprises'][number] => ({
  id,
  name: `水泥 ${id}`,
  industry: '3011',
  quotas: [{ year: 2026, totalTce: 100_000 }],
  meters: [
    { id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter' },
    { id: 'coal', carrier: 'raw_coal', unit: 't', kind: 'interval' },
    { id: 'clinker', carrier: 'product', product: 'cement_clinker', unit: 't', kind: 'counter' },
  ],
});

const config: Config = testConfig({
  coefficients: { electricity: 0.1, raw_coal: 700 },
  emissionFactors: { electricity: [{ year: 2026, value: 0.5, source: 'test grid 2026' }], raw_coal: 2000 },
  enterprises: [
    ...PLANTS.map((p) => plant(p.id)),
    { ...plant('other01'), meters: [{ id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter' }] },
  ],
});

async function setup() {
  const store = new SqliteTimeSeriesStore({ path: ':memory:', zone: config.timezone });
  await store.start();
  const hour = (enterprise: string, meter: string, carrier: string, unit: string, quantity: number) => ({
    enterprise,
    meter,
    carrier,
    unit,
    hour: JAN,
    quantity,
  });
  await store.write({
    readings: [],
    hourly: PLANTS.flatMap((p) => [
      hour(p.id, 'coal', 'raw_coal', 't', p.coal),
      hour(p.id, 'e-main', 'electricity', 'kWh', 200_000),
      hour(p.id, 'clinker', 'product', 't', p.clinker),
    ]),
  });
  const stateDb = await openTestStateDb();
  const monthly = new MonthlyStatisticsStore(stateDb);
  for (const p of PLANTS) if (p.certificates > 0) await monthly.put(p.id, '2026-01', { greenCertificatesKwh: p.certificates }, 'officer', 0);
  const factors = new FactorTable(config, COEFFICIENTS);
  const benchmark = new BenchmarkFiguresService({ store, outputs: monthly, config, factors });
  const consumption = new ConsumptionService({ store, factors, config, monthly });
  const service = new DistrictBenchmarkService({ config, benchmark, consumption, outputs: monthly });
  const put = (enterprise: string, month: string, patch: Parameters<MonthlyStatisticsStore['put']>[2]) =>
    monthly.put(enterprise, month, patch, 'officer', 0);
  return { service, put, close: async () => Promise.all([store.stop(), stateDb.close()]) };
}

describe('district benchmark and efficiency leaders (contract 10)', () => {
  let rig: Awaited<ReturnType<typeof setup>>;
  const all = [...PLANTS.map((p) => p.id), 'other01'];
  beforeAll(async () => {
    rig = await setup();
  });
  afterAll(async () => rig.close());

  it('cement clinker: output at benchmark 28,327 of 48,317 t, one plant below baseline past its deadline', async () => {
    const d = await rig.service.districtBenchmark({ enterprises: all, at: AT, period: 'rolling12' });
    expect([d.period, d.from, d.to]).toEqual(['rolling12', '2025-04-01T00:00:00.000+08:00', '2026-04-01T00:00:00.000+08:00']);
    expect(d.products).toHaveLength(1);
    const clinker = d.products[0]!;
    expect(clinker).toMatchObject({
      product: 'cement_clinker',
      metric: 'kgce_per_t',
      benchmark: 100,
      baseline: 117,
      deadline: '2025-12-31',
      plants: 5,
    });
    // At benchmark: lead01 10,000 + near-energy 8,327 + near-fossil 10,000 = 28,327 t of 48,317 t.
    expect([clinker.quantity, clinker.quantityAtBenchmark, clinker.shareAtBenchmark]).toEqual([48_317, 28_327, 0.586273982242]);
    expect(clinker.tiers).toEqual({ benchmark: 3, compliant: 1, belowBaseline: 1, none: 0 });
    // below01: 119.6 kgce/t; the deadline 2025-12-31 has passed on 1 April 2026: critical (overdue).
    expect(clinker.belowBaseline).toEqual([
      { enterprise: 'below01', name: '水泥 below01', sec: 119.6, quantity: 10_000, deadline: '2025-12-31', severity: 'critical', savingsTce: 196 },
    ]);
  });

  it('savings potential: (100.1001 - 100) x 9,990 t = 1 tce and (119.6 - 100) x 10,000 t = 196 tce', async () => {
    const d = await rig.service.districtBenchmark({ enterprises: all, at: AT, period: 'rolling12' });
    expect(d.products[0]!.savingsTce).toBe(197);
    expect(d.savingsTce).toBe(197);
    // In CO2 at each enterprise's CO2 per tce of the period (contract 10): below01 (1,680 x 2 + 200,000 x 0.5 / 1000)
    // / 1,196 = 3,460 / 1,196 t/tce, 196 x 3,460 / 1,196 = 567.023411; near-tier's 40,000 kWh of certificates
    // take its scope 2 to 160,000 x 0.5 / 1000 = 80 t: (2,800 + 80) / 1,000 = 2.88 t/tce, 1 x 2.88 = 2.88.
    expect(d.savingsCo2T).toBe(569.903411);
    expect(d.savingsCo2Complete).toBe(true);
  });

  it('one leader candidate, and each near miss fails exactly one criterion', async () => {
    const d = await rig.service.districtBenchmark({ enterprises: all, at: AT, period: 'rolling12' });
    expect(d.rules).toEqual({ minAnnualTce: 10_000, minNonFossilShare: 0.2 });
    expect(d.leaders).toEqual(['lead01']);
    const check = (id: string) => d.leaderChecks.find((c) => c.enterprise === id)!;
    // lead01: 1,000 tce in January, one month of data: 12,000 tce a year; 40,000 / 200,000 = 0.20 exactly.
    expect(check('lead01')).toMatchObject({
      annualTce: 12_000,
      nonFossilShare: 0.2,
      energy: true,
      allAtBenchmark: true,
      nonFossil: true,
      candidate: true,
    });
    // 832.7 x 12 = 9,992.4 tce a year: under 10,000.
    expect(check('near-energy')).toMatchObject({ annualTce: 9992.4, energy: false, allAtBenchmark: true, nonFossil: true, candidate: false });
    expect(check('near-tier')).toMatchObject({ energy: true, allAtBenchmark: false, nonFossil: true, candidate: false });
    expect(check('near-tier').products).toEqual([{ product: 'cement_clinker', tier: 'compliant' }]);
    // 39,999 / 200,000 = 0.199995 < 0.20.
    expect(check('near-fossil')).toMatchObject({ nonFossilShare: 0.199995, energy: true, allAtBenchmark: true, nonFossil: false, candidate: false });
    // An enterprise without a benchmarked product is not checked.
    expect(d.leaderChecks.map((c) => c.enterprise)).not.toContain('other01');
  });

  it('year to date counts an entered month only from its end (contract 8.3): April coal entered on 15 April is not in the year yet', async () => {
    // 10,000 t of coal entered for April 2026 (7,000 tce) while April runs; on 15 April 12:00 the year to date
    // [1 Jan, 15 Apr 00:00) holds January's 1,000 tce only: 1,000 x 365 / 104 = 3,509.61538 tce a year.
    await rig.put('lead01', '2026-04', { carriers: { raw_coal: { unit: 't', purchased: 10_000, openingStock: 0, closingStock: 0 } } });
    const d = await rig.service.districtBenchmark({ enterprises: ['lead01'], at: t('2026-04-15T12:00:00+08:00'), period: 'ytd' });
    expect(d.leaderChecks[0]!.annualTce).toBe(3509.61538);
  });

  it('an enterprise manager sees their own plant only', async () => {
    const d = await rig.service.districtBenchmark({ enterprises: ['below01'], at: AT, period: 'rolling12' });
    expect(d.products[0]!.plants).toBe(1);
    expect(d.leaders).toEqual([]);
    expect(d.savingsTce).toBe(196);
  });

  it('year to date: 1 January to the start of the day, a year of energy = the period / the elapsed fraction', async () => {
    const d = await rig.service.districtBenchmark({ enterprises: ['lead01'], at: AT, period: 'ytd' });
    expect([d.from, d.to]).toEqual(['2026-01-01T00:00:00.000+08:00', '2026-04-01T00:00:00.000+08:00']);
    // 1,000 tce over 90 of 365 days: 1,000 x 365 / 90 = 4,055.55556 tce a year, under 10,000.
    expect(d.leaderChecks[0]).toMatchObject({ annualTce: 4055.55556, energy: false, allAtBenchmark: true, candidate: false });
  });
});
