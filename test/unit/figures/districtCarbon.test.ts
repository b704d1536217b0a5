/**
 * District carbon (contract 9, "District") from two statuses, against a real SQLite store: totals by
 * part, industry and park against the same period a year earlier, each enterprise's contribution,
 * the district carbon intensity and its like-for-like change, the required pace. Figures by hand.
 *
 * Factors: grid 0.6 kgCO2/kWh in 2025, 0.5 in 2026; raw coal 2,000 kgCO2/t and 700 kgce/t;
 * electricity 0.1 kgce/kWh; clinker 0.5 t CO2/t.
 *
 * cem01 (cement 3011, park baitao)
 *   2026: January coal 100 t, 100,000 kWh, clinker 1,000 t, on-site solar 100,000 kWh (no CO2, out of
 *         the dual-control total, 12.29 tce at 0.1229 kgce/kWh of energy used); February coal 50 t.
 *         combustion 150 x 2 = 300 t, scope 2 100,000 x 0.5 / 1000 = 50 t, process 1,000 x 0.5 = 500 t: 850 t
 *         (January alone 200 + 50 + 500 = 750 t, February 100 t).
 *   2025: January coal 150 t (300 t), 100,000 kWh (60 t), clinker 1,000 t (500 t): 860 t.
 *   output 2026-01 100, 2026-02 50, 2025-01 100 (10^4 yuan).
 * alu01 (aluminium 3216, no park)
 *   2026: January 1,000,000 kWh less 200,000 kWh of certificates: 800,000 x 0.5 = 400 t.
 *   2025: January 800,000 kWh x 0.6 = 480 t.
 *   output 2026-01 200, 2025-01 200.
 */
import { COEFFICIENTS } from '../../../config/coefficients';
import type { Config } from '../../../config/schema';
import { FactorTable } from '../../../services/energy/factors';
import { DistrictCarbonService } from '../../../services/figures/districtCarbonService';
import { StatusService } from '../../../services/figures/statusService';
import { MonthlyStatisticsStore } from '../../../services/store/state/monthlyStatisticsStore';
import { SqliteTimeSeriesStore } from '../../../services/store/sqlite/sqliteTimeSeriesStore';
import { testConfig } from '../../helpers/config';
import { openTestStateDb } from '../../helpers/stateDb';

const t = (iso: string) => Date.parse(iso);
const AT = t('2026-04-01T00:00:00+08:00');

const config: Config = testConfig({
  coefficients: { electricity: 0.1, raw_coal: 700 },
  emissionFactors: {
    electricity: [
      { year: 2025, value: 0.6, source: 'test grid 2025' },
      { year: 2026, value: 0.5, source: 'test grid 2026' },
    ],
    raw_coal: 2000,
  },
  parks: [{ id: 'baitao', name: '白涛化工园区' }],
  enterprises: [
    {
      id: 'cem01',
      name: '测试水泥',
      industry: '3011',
      park: 'baitao',
      quotas: [{ year: 2026, totalTce: 1000, co2BudgetT: 4000, co2IntensityLimit: 9 }],
      processEmissions: [{ product: 'cement_clinker', tCo2PerUnit: 0.5, source: 'test clinker' }],
      meters: [
        { id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter' },
        { id: 'coal', carrier: 'raw_coal', unit: 't', kind: 'interval' },
        { id: 'clinker', carrier: 'product', product: 'cement_clinker', unit: 't', kind: 'counter' },
        { id: 'pv', carrier: 'renewable_electricity', unit: 'kWh', kind: 'counter' },
      ],
    },
    {
      id: 'alu01',
      name: '测试电解铝',
      industry: '3216',
      quotas: [{ year: 2026, totalTce: 1000 }],
      meters: [{ id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter' }],
    },
  ],
});

const hour = (enterprise: string, meter: string, carrier: string, unit: string, iso: string, quantity: number) => ({
  enterprise,
  meter,
  carrier,
  unit,
  hour: t(iso),
  quantity,
});

async function setup() {
  const store = new SqliteTimeSeriesStore({ path: ':memory:', zone: config.timezone });
  await store.start();
  await store.write({
    readings: [],
    hourly: [
      hour('cem01', 'coal', 'raw_coal', 't', '2026-01-10T10:00:00+08:00', 100),
      hour('cem01', 'e-main', 'electricity', 'kWh', '2026-01-10T10:00:00+08:00', 100_000),
      hour('cem01', 'clinker', 'product', 't', '2026-01-10T10:00:00+08:00', 1000),
      hour('cem01', 'coal', 'raw_coal', 't', '2026-02-10T10:00:00+08:00', 50),
      hour('cem01', 'pv', 'renewable_electricity', 'kWh', '2026-01-10T10:00:00+08:00', 100_000),
      hour('cem01', 'coal', 'raw_coal', 't', '2025-01-10T10:00:00+08:00', 150),
      hour('cem01', 'e-main', 'electricity', 'kWh', '2025-01-10T10:00:00+08:00', 100_000),
      hour('cem01', 'clinker', 'product', 't', '2025-01-10T10:00:00+08:00', 1000),
      hour('alu01', 'e-main', 'electricity', 'kWh', '2026-01-10T10:00:00+08:00', 1_000_000),
      hour('alu01', 'e-main', 'electricity', 'kWh', '2025-01-10T10:00:00+08:00', 800_000),
    ],
  });
  const stateDb = await openTestStateDb();
  const monthly = new MonthlyStatisticsStore(stateDb);
  const put = (enterprise: string, month: string, patch: Parameters<MonthlyStatisticsStore['put']>[2]) =>
    monthly.put(enterprise, month, patch, 'officer', 0);
  await put('cem01', '2026-01', { outputValue10kYuan: 100 });
  await put('cem01', '2026-02', { outputValue10kYuan: 50 });
  await put('cem01', '2025-01', { outputValue10kYuan: 100 });
  await put('alu01', '2026-01', { outputValue10kYuan: 200, greenCertificatesKwh: 200_000 });
  await put('alu01', '2025-01', { outputValue10kYuan: 200 });
  const factors = new FactorTable(config, COEFFICIENTS);
  const status = new StatusService({ store, outputs: monthly, config, factors });
  const service = new DistrictCarbonService({ config, status, factors });
  return { service, close: async () => Promise.all([store.stop(), stateDb.close()]) };
}

describe('district carbon (contract 9)', () => {
  let rig: Awaited<ReturnType<typeof setup>>;
  beforeAll(async () => {
    rig = await setup();
  });
  afterAll(async () => rig.close());

  it('totals by part this year to 1 April against the same period of 2025, with the certificates', async () => {
    const d = await rig.service.districtCarbon({ enterprises: ['cem01', 'alu01'], year: 2026, at: AT });
    expect([d.year, d.from, d.to, d.previous]).toEqual([
      2026,
      '2026-01-01T00:00:00.000+08:00',
      '2026-04-01T00:00:00.000+08:00',
      { from: '2025-01-01T00:00:00.000+08:00', to: '2025-04-01T00:00:00.000+08:00' },
    ]);
    // 850 + 400 = 1,250 t; combustion 300, process 500, scope 2 50 + 400 = 450; previous 860 + 480 = 1,340.
    // tce: cem01 150 x 0.7 + 100,000 x 0.1 / 1000 = 105 + 10 = 115; alu01 1,000,000 x 0.1 / 1000 = 100.
    expect(d.totals).toEqual({
      totalT: 1250,
      combustionT: 300,
      processT: 500,
      scope2T: 450,
      previousT: 1340,
      changeT: -90,
      change: -0.067164179104,
      tce: 215,
      greenCertificatesKwh: 200_000,
    });
    expect(d.yearOnYear.co2).toEqual({ current: 1250, previous: 1340, changeT: -90, change: -0.067164179104 });
    expect(d.gridFactor).toEqual({ value: 0.5, year: 2026, source: 'test grid 2026' });
    // Both years' grid rows are named.
    expect(d.parameters.filter((p) => p.key === 'kgCO2/electricity/kWh').map((p) => p.year)).toEqual([2025, 2026]);
  });

  it("each enterprise's change and its share of the district's: -10 / -90 and -80 / -90", async () => {
    const d = await rig.service.districtCarbon({ enterprises: ['cem01', 'alu01'], year: 2026, at: AT });
    const [cem, alu] = d.enterprises;
    expect(cem).toMatchObject({ id: 'cem01', park: 'baitao', totalT: 850, previousT: 860, changeT: -10, contribution: 0.111111111111, tce: 115 });
    // -10 / 860 = -0.011627906977
    expect(cem!.change).toBe(-0.011627906977);
    // Budget 4,000 t: share 850 / 4,000 = 0.2125; f = 90 / 365, pace 850 / (4,000 x 90 / 365) = 0.861805555556.
    expect(cem!.budget).toEqual({ budgetT: 4000, share: 0.2125, pace: 0.861805555556, level: 'green' });
    // Intensity 850 t / 150 = 5.66666667 (with a limit of 9); alu01 400 / 200 = 2 without a limit.
    expect([cem!.intensity, cem!.intensityLimit]).toEqual([5.66666667, 9]);
    expect(alu).toMatchObject({ id: 'alu01', park: null, totalT: 400, previousT: 480, changeT: -80, contribution: 0.888888888889, budget: null });
    expect([alu!.intensity, alu!.intensityLimit, alu!.greenCertificatesKwh]).toEqual([2, null, 200_000]);
    // Each one's own intensity over January of both years: cem01 750 / 100 = 7.5 against 860 / 100 = 8.6,
    // 7.5 / 8.6 - 1 = -0.127906976744; alu01 400 / 200 = 2 against 480 / 200 = 2.4, -0.166666666667.
    expect(cem!.intensityYearOnYear).toEqual({ current: 7.5, previous: 8.6, change: -0.127906976744, months: ['2026-01'] });
    expect(alu!.intensityYearOnYear).toEqual({ current: 2, previous: 2.4, change: -0.166666666667, months: ['2026-01'] });
  });

  it('by industry and by park: baitao 850 t on 127.29 tce (solar included) = 6.677665174 t/tce against 0.20, far under the review line', async () => {
    const d = await rig.service.districtCarbon({ enterprises: ['cem01', 'alu01'], year: 2026, at: AT });
    expect(d.byIndustry['3011']).toMatchObject({ name: '水泥制造', totalT: 850, previousT: 860, changeT: -10 });
    // -80 / 480 = -0.166666666667
    expect(d.byIndustry['3216']).toMatchObject({ totalT: 400, previousT: 480, change: -0.166666666667, scope2T: 400 });
    expect(d.byPark).toHaveLength(1);
    // Energy used: 115 tce + the solar 100,000 x 0.1229 / 1000 = 12.29 tce = 127.29 tce (the park's dual-control
    // figure stays 115); 850 / 127.29 = 6.677665174012; a year at this pace: 127.29 x 365 / 90 = 516.231667 tce.
    expect(d.byPark[0]).toMatchObject({
      id: 'baitao',
      name: '白涛化工园区',
      enterprises: ['cem01'],
      totalT: 850,
      tce: 115,
      tceEquivalent: 127.29,
      annualTceEquivalent: 516.231667,
      co2PerTce: 6.677665174012,
      thresholdTPerTce: 0.2,
      scale: 'under-0.2Mtce',
      meetsThreshold: false,
      regionalReviewLineTce: 10_000,
      overRegionalReviewLine: false,
    });
  });

  it('carbon intensity over the complete months with output, and like for like against a year earlier', async () => {
    const d = await rig.service.districtCarbon({ enterprises: ['cem01', 'alu01'], year: 2026, at: AT });
    // cem01 January + February: 850 t / 150; alu01 January: 400 t / 200; (850 + 400) / 350 = 3.57142857.
    expect(d.intensity).toEqual({
      intensity: 3.57142857,
      co2T: 1250,
      output10kYuan: 350,
      months: { cem01: ['2026-01', '2026-02'], alu01: ['2026-01'] },
    });
    // February 2025 has no output: compared are the two Januaries only.
    // 2026: (750 + 400) / (100 + 200) = 3.83333333; 2025: (860 + 480) / 300 = 4.46666667;
    // change 1,150 / 1,340 - 1 = -0.141791044776.
    expect(d.yearOnYear.intensity).toEqual({
      current: 3.83333333,
      previous: 4.46666667,
      change: -0.141791044776,
      co2T: 1150,
      output10kYuan: 300,
      previousCo2T: 1340,
      previousOutput10kYuan: 300,
      months: { cem01: ['2026-01'], alu01: ['2026-01'] },
    });
    // Target 1,340 / 300 x 0.962 = 4.29693333; a 14.2 % fall is on track for -3.8 %.
    expect(d.requiredPace).toEqual({ reduction: 0.038, targetIntensity: 4.29693333, onTrack: true });
  });

  it('a past year is shown whole: 2025 at 1 April 2026 gives the year 2025 against 2024 (no data: no ratio)', async () => {
    const d = await rig.service.districtCarbon({ enterprises: ['cem01', 'alu01'], year: 2025, at: AT });
    expect([d.year, d.from, d.to, d.previous.from, d.previous.to]).toEqual([
      2025,
      '2025-01-01T00:00:00.000+08:00',
      '2026-01-01T00:00:00.000+08:00',
      '2024-01-01T00:00:00.000+08:00',
      '2025-01-01T00:00:00.000+08:00',
    ]);
    // 860 + 480 = 1,340 t, nothing in 2024: the change in t only; shares 860 / 1,340 and 480 / 1,340.
    expect(d.totals).toMatchObject({ totalT: 1340, previousT: 0, changeT: 1340, change: null });
    expect(d.enterprises.map((e) => e.contribution)).toEqual([0.641791044776, 0.358208955224]);
    expect(d.gridFactor).toEqual({ value: 0.6, year: 2025, source: 'test grid 2025' });
    expect(d.requiredPace).toEqual({ reduction: 0.038, targetIntensity: null, onTrack: null });
  });

  it('one enterprise only (an enterprise manager): its own figures, no park, the whole change its own', async () => {
    const d = await rig.service.districtCarbon({ enterprises: ['alu01'], year: 2026, at: AT });
    expect(d.enterprises.map((e) => e.id)).toEqual(['alu01']);
    expect(d.totals.totalT).toBe(400);
    expect(d.byPark).toEqual([]);
    expect(d.enterprises[0]!.contribution).toBe(1);
  });

  it('refuses a year after the instant', async () => {
    await expect(rig.service.districtCarbon({ enterprises: ['cem01'], year: 2027, at: AT })).rejects.toThrow(RangeError);
  });
});
