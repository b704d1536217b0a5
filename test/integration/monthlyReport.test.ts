/** The monthly report model (contract 6) on a small data set with hand-computed figures. */
import { COEFFICIENTS } from '../../config/coefficients';
import { ConsumptionService } from '../../services/figures/consumptionService';
import { FactorTable } from '../../services/energy/factors';
import { MonthlyReportBuilder, enterpriseScope, reportHash } from '../../services/reports/monthlyReportBuilder';
import type { ReportParameterRow } from '../../services/reports/reportModel';
import { revisionNote } from '../../services/reports/reportService';
import { StatusService } from '../../services/figures/statusService';
import { AlarmStore } from '../../services/store/state/alarmStore';
import { MonthlyStatisticsStore } from '../../services/store/state/monthlyStatisticsStore';
import { SqliteTimeSeriesStore } from '../../services/store/sqlite/sqliteTimeSeriesStore';
import type { HourlyConsumption } from '../../services/store/timeSeriesStore';
import { testConfig } from '../helpers/config';
import { openTestStateDb } from '../helpers/stateDb';

const at = (iso: string) => Date.parse(iso);
const counter = (id: string, carrier: string, unit: string) => ({ id, carrier, unit, kind: 'counter' as const });
const reportConfig = testConfig({
  enterprises: [
    {
      id: 'alu01',
      name: '示例铝业一厂',
      industry: '3216',
      tariff: 'al',
      quotas: [{ year: 2026, totalTce: 1000 }],
      meters: [counter('e', 'electricity', 'kWh'), counter('out', 'product', 't')],
    },
    {
      id: 'alu02',
      name: '示例铝业二厂',
      industry: '3216',
      tariff: 'al',
      meters: [counter('e', 'electricity', 'kWh'), counter('out', 'product', 't')],
    },
    {
      id: 'cem01',
      name: '示例水泥, "东厂"',
      industry: '3011',
      tariff: 'cem',
      meters: [counter('e', 'electricity', 'kWh'), counter('coal', 'raw_coal', 't'), counter('clinker', 'product', 't')],
    },
  ],
  tariffs: [
    { id: 'al', scheme: 'step', basis: 'ytd', threshold: 13300, step: 20, markupPerStep: 0.01 },
    {
      id: 'cem',
      scheme: 'bands',
      basis: 'month',
      limit: 61,
      metric: 'kwh_per_t',
      bands: [
        { over: 0, markup: 0.05 },
        { over: 0.1, markup: 0.1 },
      ],
    },
  ],
});

/** The data behind the hand-computed figures, one hourly value per month and meter. */
async function writeReportData(store: SqliteTimeSeriesStore): Promise<void> {
  const h = (enterprise: string, meter: string, carrier: string, unit: string, iso: string, quantity: number): HourlyConsumption => ({
    enterprise,
    meter,
    carrier,
    unit,
    hour: at(iso),
    quantity,
  });
  await store.write({
    readings: Array.from({ length: 1440 }, (_, i) => ({
      enterprise: 'cem01',
      meter: 'e',
      ts: at('2026-11-01T00:00:00+08:00') + i * 1_800_000,
      value: i,
      quality: 'good' as const,
    })),
    hourly: [
      h('alu01', 'e', 'electricity', 'kWh', '2026-11-10T10:00:00+08:00', 1_000_000),
      h('alu01', 'out', 'product', 't', '2026-11-10T10:00:00+08:00', 75),
      h('alu01', 'e', 'electricity', 'kWh', '2026-10-10T10:00:00+08:00', 800_000),
      h('alu01', 'out', 'product', 't', '2026-10-10T10:00:00+08:00', 60),
      h('alu01', 'e', 'electricity', 'kWh', '2025-11-10T10:00:00+08:00', 500_000),
      h('alu02', 'e', 'electricity', 'kWh', '2026-11-10T10:00:00+08:00', 1_340_000),
      h('alu02', 'out', 'product', 't', '2026-11-10T10:00:00+08:00', 100),
      h('cem01', 'e', 'electricity', 'kWh', '2026-11-10T10:00:00+08:00', 61_000),
      h('cem01', 'coal', 'raw_coal', 't', '2026-11-10T10:00:00+08:00', 100),
      h('cem01', 'clinker', 'product', 't', '2026-11-10T10:00:00+08:00', 1000),
    ],
  });
}

describe('monthly report model', () => {
  let db: Awaited<ReturnType<typeof openTestStateDb>>;
  let store: SqliteTimeSeriesStore;
  let alarms: AlarmStore;
  let outputs: MonthlyStatisticsStore;
  let builder: MonthlyReportBuilder;
  beforeAll(async () => {
    store = new SqliteTimeSeriesStore({ path: ':memory:', zone: 'Asia/Shanghai' });
    db = await openTestStateDb();
    alarms = new AlarmStore(db);
    outputs = new MonthlyStatisticsStore(db);
    await store.start();
    await writeReportData(store);
    await alarms.raise(
      { type: 'quota', enterprise: 'alu01', meter: null, severity: 'warning', value: 1, threshold: 1, unit: 'share', message: 'x' },
      at('2026-11-20T00:00:00+08:00'),
    );
    await alarms.raise(
      { type: 'tariff', enterprise: 'alu01', meter: null, severity: 'critical', value: 1, threshold: 1, unit: 'kWh/t', message: 'x' },
      at('2026-10-20T00:00:00+08:00'),
    );
    const factors = new FactorTable(reportConfig, COEFFICIENTS);
    builder = new MonthlyReportBuilder({
      config: reportConfig,
      store,
      alarms,
      consumption: new ConsumptionService({ store, factors, config: reportConfig }),
      status: new StatusService({ store, outputs, config: reportConfig, factors }),
    });
  });
  afterAll(async () => {
    await store.stop();
    await db.close();
  });

  it('carries the hand-computed figures for each enterprise and the district', async () => {
    const r = await builder.build('2026-11', at('2026-12-01T01:00:00+08:00'), 1);
    expect(r).toMatchObject({
      month: '2026-11',
      timezone: 'Asia/Shanghai',
      periodFrom: '2026-11-01T00:00:00.000+08:00',
      periodTo: '2026-12-01T00:00:00.000+08:00',
      revision: 1,
      electricityBasis: 'equivalent',
    });
    const [alu01, alu02, cem01] = r.enterprises;
    // alu01: 1,000,000 kWh x 0.1229 / 1000 = 122.9 tce; October 98.32; November 2025 61.45.
    expect(alu01!.totalTce).toBeCloseTo(122.9, 9);
    expect(alu01!.totalTceOtherBasis).toBeCloseTo(305.5, 9); // 1,000,000 kWh x 0.3055 kgce/kWh (等价值)
    expect(alu01!.carriers.electricity).toMatchObject({ quantity: 1_000_000, unit: 'kWh', kgcePerUnit: 0.1229 });
    expect(alu01!.carriers.electricity!.tceOtherBasis).toBeCloseTo(305.5, 9);
    expect(alu01!.co2Kg).toBeCloseTo(530_600, 6);
    expect(alu01!.previousMonthTce).toBeCloseTo(98.32, 9);
    expect(alu01!.sameMonthLastYearTce).toBeCloseTo(61.45, 9);
    expect(alu01!.changeFromPreviousMonth).toBeCloseTo(0.25, 12);
    expect(alu01!.changeFromSameMonthLastYear).toBeCloseTo(1, 12);
    // Quota at the end of November: ytd 221.22 tce of 1,000; f = 334/365.
    expect(alu01!.quota).toMatchObject({ year: 2026, totalTce: 1000, level: 'green' });
    expect(alu01!.quota!.ytdTce).toBeCloseTo(221.22, 9);
    expect(alu01!.quota!.pace).toBeCloseTo(221.22 / ((1000 * 334) / 365), 9);
    // Tariff ytd: 1,800,000 kWh / 135 t = 13,333.3 kWh/t -> 2 steps -> 0.02 yuan/kWh, 36,000 yuan.
    expect(alu01!.tariff).toMatchObject({ scheme: 'step', basis: 'ytd', markupYuanPerKwh: 0.02, surchargeYuan: 36_000 });
    expect(alu01!.alarms).toEqual({ info: 0, warning: 1, critical: 0 });
    // alu02: 1,340,000 kWh = 164.686 tce; 13,400 kWh/t -> 5 steps -> 0.05.
    expect(alu02!.totalTce).toBeCloseTo(164.686, 9);
    expect(alu02!.tariff!.markupYuanPerKwh).toBe(0.05);
    // cem01: 61,000 kWh = 7.4969 tce + 100 t raw coal x 714.3 kgce/t = 71.43 tce; 61 kWh/t exactly at the limit: no markup.
    expect(cem01!.totalTce).toBeCloseTo(78.9269, 9);
    expect(cem01!.carriers.raw_coal).toMatchObject({ quantity: 100, unit: 't', kgcePerUnit: 714.3 });
    expect(cem01!.tariff).toMatchObject({ scheme: 'bands', basis: 'month', unitConsumption: 61, markupYuanPerKwh: 0 });
    // 1,440 half-hourly readings of a 15-minute meter: 1,440 / 2,880 = 0.5; the other two meters have none.
    expect(cem01!.meters.find((m) => m.meter === 'e')).toMatchObject({ readings: 1440, expected: 2880, completeness: 0.5 });
    expect(cem01!.completeness).toBeCloseTo(0.5 / 3, 12);

    expect(r.totals.totalTce).toBeCloseTo(366.5129, 9);
    // Other basis: 2,401,000 kWh x 0.3055 = 733.5055 tce, plus 71.43 tce of coal.
    expect(r.totals.totalTceOtherBasis).toBeCloseTo(733.5055 + 71.43, 9);
    expect(r.totals.byCarrier.electricity!.quantity).toBe(2_401_000);
    expect(r.totals.byIndustry['3216']).toMatchObject({ name: '铝冶炼', enterprises: 2 });
    expect(r.totals.byIndustry['3216']!.totalTce).toBeCloseTo(287.586, 9);
    expect(r.totals.byIndustry['3011']).toMatchObject({ name: '水泥制造', enterprises: 1 });
    expect(r.ranking.map((x) => `${x.industry} ${x.rank} ${x.enterprise} ${x.metric}`)).toEqual([
      '3216 1 alu01 unit-consumption',
      '3216 2 alu02 unit-consumption',
      '3011 1 cem01 unit-consumption',
    ]);
    expect(r.concentration[0]).toMatchObject({ top: 1, enterprises: ['alu02'] });
    expect(r.concentration[0]!.share).toBeCloseTo(164.686 / 366.5129, 12);
    expect(r.concentration.find((c) => c.top === 3)!.share).toBeCloseTo(1, 12);
    expect(r.sha256).toBe(reportHash(r));
  });

  it('a draft built before its month ended gives no month-on-month or year-on-year change (part of a month against whole months)', async () => {
    // Built on 20 November: the same readings, but the month has not ended.
    const r = await builder.build('2026-11', at('2026-11-20T10:00:00+08:00'));
    const alu01 = r.enterprises.find((e) => e.id === 'alu01')!;
    expect(alu01.previousMonthTce).toBeCloseTo(98.32, 9); // the whole previous month, shown for reference
    expect([alu01.changeFromPreviousMonth, alu01.changeFromSameMonthLastYear]).toEqual([null, null]);
    expect(r.enterprises.every((e) => e.changeFromPreviousMonth === null && e.changeFromSameMonthLastYear === null)).toBe(true);
  });

  it("scopes one enterprise: its own figures and ranking line, nobody else's", async () => {
    const r = await builder.build('2026-11', at('2026-12-01T01:00:00+08:00'));
    const own = enterpriseScope(r, 'alu02')!;
    expect(own.enterprises.map((e) => e.id)).toEqual(['alu02']);
    expect(own.ranking).toEqual([expect.objectContaining({ enterprise: 'alu02', rank: 2 })]);
    expect(own.concentration).toEqual([]);
    expect(own.totals.totalTce).toBeCloseTo(164.686, 9);
    expect(own.sha256).toBe(reportHash(own));
    expect(enterpriseScope(r, 'nobody')).toBeUndefined();
  });

  it("leaves other enterprises' revision lines and parameter rows out of an enterprise's report", async () => {
    const first = await builder.build('2026-11', at('2026-12-01T01:00:00+08:00'), 1);
    // A second revision in which alu01 and cem01 moved (alu02 did not): the district note names both and the district total.
    const moved = (e: (typeof first.enterprises)[number], totalTce: number) => ({ ...e, totalTce });
    const second = {
      ...first,
      revision: 2,
      reasons: ['readings' as const],
      enterprises: [moved(first.enterprises[0]!, 130), first.enterprises[1]!, moved(first.enterprises[2]!, 80)],
      totals: { ...first.totals, totalTce: 130 + 164.686 + 80 },
    };
    const district = { ...second, revisionNote: revisionNote(first, second) };
    expect(district.revisionNote).toContain('alu01: totalTce 122.9 -> 130 tce; cem01: totalTce 78.927 -> 80 tce; district: totalTce');

    const alu01 = enterpriseScope(district, 'alu01')!;
    expect(alu01.revisionNote).toBe('revision 2 replaces 1 for readings: alu01: totalTce 122.9 -> 130 tce');
    const alu02 = enterpriseScope(district, 'alu02')!;
    expect(alu02.revisionNote).toBe('revision 2 replaces 1 for readings: alu02: own figures unchanged');
    // A note in another form is not shown to an enterprise at all.
    expect(enterpriseScope({ ...district, revisionNote: 'cem01 补录 3 月数据' }, 'alu02')!.revisionNote).toBeUndefined();

    // Rows: the district report names every row with the enterprises that used it; alu02 (electricity and the
    // aluminium step tariff) sees neither cem01's raw coal nor the cement tariff's limit, and no usedBy lists.
    const keys = (rows: readonly ReportParameterRow[] | undefined) => (rows ?? []).map((p) => p.key);
    expect(keys(district.parameters)).toEqual(
      expect.arrayContaining(['kgce/raw_coal/t', 'kgCO2/raw_coal/t', 'tariff/cem/limit', 'tariff/al/threshold']),
    );
    expect((district.parameters as readonly ReportParameterRow[]).find((p) => p.key === 'kgce/raw_coal/t')!.usedBy).toEqual(['cem01']);
    expect((district.parameters as readonly ReportParameterRow[]).find((p) => p.key === 'tariff/al/threshold')!.usedBy).toEqual(['alu01', 'alu02']);
    const own = keys(alu02.parameters);
    expect(own).toEqual(expect.arrayContaining(['kgce/electricity/kWh/equivalent', 'kgCO2/electricity/kWh', 'tariff/al/threshold']));
    expect(own.filter((k) => k.includes('raw_coal') || k.startsWith('tariff/cem'))).toEqual([]);
    expect((alu02.parameters ?? []).every((p) => !('usedBy' in p))).toBe(true);
    expect(alu02.sha256).toBe(reportHash(alu02));
    // A stored report whose rows do not name their enterprises: only rows of alu02's own carriers and tariff.
    const stored = { ...district, parameters: district.parameters!.map(({ usedBy: _u, ...p }: ReportParameterRow) => p) };
    expect(keys(enterpriseScope(stored, 'alu02')!.parameters)).toEqual(own);
  });
});

describe('monthly report and the ledger (contract 8.2, 8.3, issue 19)', () => {
  const ledgerConfig = testConfig({
    enterprises: [
      {
        id: 'alu01',
        name: '示例铝业',
        industry: '3216',
        tariff: 'al',
        quotas: [{ year: 2026, totalTce: 100_000, intensityLimit: 1 }],
        meters: [
          counter('e', 'electricity', 'kWh'),
          { id: 'pv', carrier: 'renewable_electricity', unit: 'kWh', kind: 'interval' },
          counter('air', 'compressed_air', 'm3'),
          { ...counter('out', 'product', 't'), product: 'aluminium_liquid' },
          counter('old', 'electricity', 'kWh'),
        ],
      },
    ],
    // 2026 is in force under the 2025 row: 13,300 kWh/t.
    tariffs: [
      {
        id: 'al',
        scheme: 'step',
        basis: 'ytd',
        threshold: [
          { year: 2025, value: 13_300 },
          { year: 2027, value: 13_000 },
        ],
        step: 20,
        markupPerStep: 0.01,
      },
    ],
  });

  it('carries entered carriers and products, compressed air and renewable electricity as the ledger says, names the rows, stops completeness at a decommission', async () => {
    const store = new SqliteTimeSeriesStore({ path: ':memory:', zone: 'Asia/Shanghai' });
    const db = await openTestStateDb();
    const alarms = new AlarmStore(db);
    const monthly = new MonthlyStatisticsStore(db);
    await store.start();
    const hour = at('2026-11-10T10:00:00+08:00');
    const h = (meter: string, carrier: string, unit: string, quantity: number): HourlyConsumption => ({
      enterprise: 'alu01',
      meter,
      carrier,
      unit,
      hour,
      quantity,
    });
    await store.write({
      // 720 half-hourly readings of the compressed-air meter over 1-15 November, before its decommission on the 16th,
      // and 240 more over 16-20 November, stored before the decommission was recorded: not the meter's any more.
      readings: Array.from({ length: 960 }, (_, i) => ({
        enterprise: 'alu01',
        meter: 'air',
        ts: at('2026-11-01T00:00:00+08:00') + i * 1_800_000,
        value: i,
        quality: 'good' as const,
      })),
      hourly: [
        h('e', 'electricity', 'kWh', 1_096_000),
        h('pv', 'renewable_electricity', 'kWh', 274_000),
        h('air', 'compressed_air', 'm3', 1_000_000),
        h('out', 'product', 't', 110),
      ],
    });
    await monthly.put(
      'alu01',
      '2026-11',
      {
        outputValue10kYuan: 2000,
        products: { aluminium_liquid: { quantity: 100, unit: 't' } },
        carriers: { raw_coal: { unit: 't', purchased: 1200, openingStock: 300, closingStock: 250 } },
      },
      'alu01',
      at('2026-12-02T00:00:00+08:00'),
    );
    const decommissioned: Record<string, number> = { air: at('2026-11-16T00:00:00+08:00'), old: at('2026-10-01T00:00:00+08:00') };
    const factors = new FactorTable(ledgerConfig, COEFFICIENTS);
    const builder = new MonthlyReportBuilder({
      config: ledgerConfig,
      store,
      alarms,
      consumption: new ConsumptionService({ store, factors, config: ledgerConfig, monthly }),
      status: new StatusService({ store, outputs: monthly, config: ledgerConfig, factors }),
      timelines: { of: (key) => ({ decommissionedAt: decommissioned[key.meter] }) },
    });
    const r = await builder.build('2026-11', at('2026-12-03T00:00:00+08:00'));
    const [alu] = r.enterprises;

    // Electricity 1,096,000 kWh x 0.1229 / 1000 = 134.6984 tce; raw coal entered 1,200 + 300 - 250 = 1,250 t x 714.3 = 892.875 tce.
    // Renewable 274,000 kWh (33.6746 tce) and compressed air 1,000,000 m3 x 0.04 = 40 tce are shown, out of the total.
    expect(alu!.carriers.raw_coal).toMatchObject({
      quantity: 1250,
      unit: 't',
      tce: 892.875,
      co2Kg: 2_375_375,
      dualControl: true,
      kgcePerUnit: 714.3,
    });
    expect(alu!.carriers.compressed_air).toMatchObject({ quantity: 1_000_000, tce: 40, dualControl: false, co2Kg: 0 });
    expect(alu!.carriers.renewable_electricity).toMatchObject({ quantity: 274_000, tce: 33.6746, dualControl: false, co2Kg: 0 });
    expect(alu!.totalTce).toBe(1027.5734); // 134.6984 + 892.875
    // CO2: 1,096,000 kWh x 0.5306 (2023 national grid, in force for 2026) = 581,537.6 kg + 2,375,375 kg of coal.
    expect(alu!.co2Kg).toBe(2_956_912.6);
    expect(r.totals).toMatchObject({ totalTce: 1027.5734, co2Kg: 2_956_912.6 });
    expect(r.totals.byCarrier.compressed_air).toMatchObject({ quantity: 1_000_000, tce: 40 });
    expect(alu!.quota!.ytdTce).toBe(1027.5734);
    // Intensity over November (its output entered): (134.6984 + 33.6746 + 892.875) / 2,000 = 1,061.248 / 2,000 = 0.530624;
    // renewable electricity counts in intensity, compressed air does not.
    expect(alu!.intensity).toMatchObject({ intensity: 0.530624, level: 'green', output10kYuan: 2000 });
    // Tariff: all AC electricity (1,096,000 + 274,000) / the entered 100 t (not the metered 110) = 13,700 kWh/t;
    // ceil((13,700 - 13,300) / 20) = 20 steps x 0.01 = 0.20 yuan/kWh on the 1,096,000 grid kWh = 219,200 yuan.
    expect(alu!.tariff).toMatchObject({ unitConsumption: 13_700, markupYuanPerKwh: 0.2, surchargeYuan: 219_200 });
    // Completeness: the air meter was in service 15 days = 1,440 intervals of 15 minutes, 720 read until then: 0.5
    // (counting the 240 after it gave 960 / 1,440 = 0.667); the meter decommissioned in October expects nothing and is
    // left out; mean over e, pv, air, out = 0.5 / 4 = 0.125.
    expect(alu!.meters.find((m) => m.meter === 'air')).toMatchObject({ readings: 720, expected: 1440, completeness: 0.5 });
    expect(alu!.meters.find((m) => m.meter === 'old')).toMatchObject({ expected: 0, completeness: 1 });
    expect(alu!.completeness).toBe(0.125);
    expect(r.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: 'kgce/raw_coal/t', value: 714.3 }),
        expect.objectContaining({ key: 'kgce/compressed_air/m3', value: 0.04 }),
        expect.objectContaining({ key: 'kgCO2/electricity/kWh', value: 0.5306, year: 2023 }),
        expect.objectContaining({ value: 13_300, year: 2025 }),
      ]),
    );
    await store.stop();
    await db.close();
  });
});
