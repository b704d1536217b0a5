/**
 * The monthly report's carbon parts (issue 20) built by the real builder over a SQLite store with
 * the real status and project services; the district carbon answer from a fake whose figures are
 * written by hand (its own service has its own tests). And a month finalised before these parts:
 * a recheck makes no revision for them, a real change does, naming them as added.
 */
import { COEFFICIENTS } from '../../config/coefficients';
import { FactorTable } from '../../services/energy/factors';
import { ConsumptionService } from '../../services/figures/consumptionService';
import type { DistrictCarbon, DistrictCarbonSource } from '../../services/figures/districtCarbonTypes';
import { ProjectFiguresService } from '../../services/figures/projectFigures';
import { StatusService } from '../../services/figures/statusService';
import { legacyView } from '../../services/reports/carbonSection';
import { MonthlyReportBuilder, enterpriseScope, reportHash } from '../../services/reports/monthlyReportBuilder';
import { contentHash, sameFigures } from '../../services/reports/reportHash';
import type { MonthlyReport, ReportParameterRow } from '../../services/reports/reportModel';
import { ReportService } from '../../services/reports/reportService';
import { AlarmStore } from '../../services/store/state/alarmStore';
import { MonthlyStatisticsStore } from '../../services/store/state/monthlyStatisticsStore';
import { ReportArchive } from '../../services/store/state/reportArchive';
import { SqliteTimeSeriesStore } from '../../services/store/sqlite/sqliteTimeSeriesStore';
import type { HourlyConsumption } from '../../services/store/timeSeriesStore';
import { districtCarbonFixture } from '../helpers/carbonReportFixture';
import { testConfig } from '../helpers/config';
import { openTestStateDb } from '../helpers/stateDb';
import { silentLogger } from '../../services/core/log';

const at = (iso: string) => Date.parse(iso);
const counter = (id: string, carrier: string, unit: string) => ({ id, carrier, unit, kind: 'counter' as const });
const config = testConfig({
  parks: [{ id: 'baitao', name: '白涛化工园区' }],
  enterprises: [
    {
      id: 'cem01',
      name: '示例水泥',
      industry: '3011',
      park: 'baitao',
      quotas: [{ year: 2026, totalTce: 10_000, co2BudgetT: 1000 }],
      meters: [counter('e', 'electricity', 'kWh'), counter('coal', 'raw_coal', 't')],
      projects: [{ id: 'line2', name: '二期熟料线', approvedTce: 100, approvedCo2T: 500, meters: ['coal'], operatingFrom: '2026-10-01' }],
    },
    { id: 'alu01', name: '示例铝业', industry: '3216', meters: [counter('e', 'electricity', 'kWh')] },
  ],
});

/** The district answer the fake gives: the fixture's figures under this configuration's ids. */
function districtAnswer(): DistrictCarbon {
  const f = districtCarbonFixture();
  const [a, b] = f.enterprises as [DistrictCarbon['enterprises'][number], DistrictCarbon['enterprises'][number]];
  return {
    ...f,
    year: 2026,
    enterprises: [
      { ...a, id: 'cem01' },
      { ...b, id: 'alu01' },
    ],
  };
}

describe('monthly report carbon parts', () => {
  let db: Awaited<ReturnType<typeof openTestStateDb>>;
  let store: SqliteTimeSeriesStore;
  let alarms: AlarmStore;
  let monthly: MonthlyStatisticsStore;
  let archive: ReportArchive<MonthlyReport>;
  let builder: MonthlyReportBuilder;
  const calls: Parameters<DistrictCarbonSource['districtCarbon']>[0][] = [];
  const h = (enterprise: string, meter: string, carrier: string, unit: string, iso: string, quantity: number): HourlyConsumption => ({
    enterprise,
    meter,
    carrier,
    unit,
    hour: at(iso),
    quantity,
  });

  beforeAll(async () => {
    store = new SqliteTimeSeriesStore({ path: ':memory:', zone: 'Asia/Shanghai' });
    db = await openTestStateDb();
    alarms = new AlarmStore(db);
    monthly = new MonthlyStatisticsStore(db);
    archive = new ReportArchive<MonthlyReport>(db);
    await store.start();
    await archive.init();
    await store.write({
      readings: [],
      hourly: [
        h('cem01', 'coal', 'raw_coal', 't', '2026-10-10T10:00:00+08:00', 50),
        h('cem01', 'coal', 'raw_coal', 't', '2026-11-10T10:00:00+08:00', 100),
        h('cem01', 'e', 'electricity', 'kWh', '2026-11-10T10:00:00+08:00', 100_000),
        h('alu01', 'e', 'electricity', 'kWh', '2026-11-10T10:00:00+08:00', 1_000_000),
      ],
    });
    const factors = new FactorTable(config, COEFFICIENTS);
    const districtCarbon: DistrictCarbonSource = {
      districtCarbon: (input) => {
        calls.push(input);
        return Promise.resolve(districtAnswer());
      },
    };
    builder = new MonthlyReportBuilder({
      config,
      store,
      alarms,
      consumption: new ConsumptionService({ store, factors, config, monthly }),
      status: new StatusService({ store, outputs: monthly, config, factors }),
      districtCarbon,
      projects: new ProjectFiguresService({ store, config, factors }),
    });
  });
  afterAll(async () => {
    await store.stop();
    await db.close();
  });

  it('carries the park totals, each enterprise carbon at month end, its projects and the district answer', async () => {
    const r = await builder.build('2026-11', at('2026-12-01T01:00:00+08:00'), 1);
    const end = at('2026-12-01T00:00:00+08:00');
    expect(calls).toEqual([{ enterprises: ['cem01', 'alu01'], year: 2026, at: end, endOf: true }]);
    expect(r.carbon).toEqual(districtAnswer());
    expect(r.sha256).toBe(reportHash(r));

    // Energy of November: cem01 100,000 kWh x 0.1229 = 12.29 tce + 100 t coal x 0.7143 = 71.43 tce -> 83.72 tce;
    // CO2 100,000 kWh x 0.5306 = 53,060 kg + 100 t x 1,900.3 = 190,030 kg -> 243,090 kg. alu01 is in no park.
    const [cem, alu] = r.enterprises;
    expect(cem!.park).toEqual({ id: 'baitao', name: '白涛化工园区' });
    expect(alu!.park).toBeNull();
    expect(Object.keys(r.totals.byPark!)).toEqual(['baitao']);
    expect(r.totals.byPark!.baitao).toMatchObject({ name: '白涛化工园区', enterprises: 1 });
    expect(r.totals.byPark!.baitao!.totalTce).toBeCloseTo(83.72, 9);
    expect(r.totals.byPark!.baitao!.co2Kg).toBeCloseTo(243_090, 6);

    // Year to date at 2026-12-01: coal 50 + 100 = 150 t x 1.9003 t/t = 285.045 t combustion; 53.06 t scope 2;
    // 338.105 t of the 1,000 t budget: share 0.338105; f = 334 / 365: pace 338.105 x 365 / 334,000, forecast 338.105 x 365 / 334.
    const c = cem!.carbon!;
    expect(c.year).toBe(2026);
    expect(c.combustionT).toBeCloseTo(285.045, 9);
    expect(c.processT).toBe(0);
    expect(c.scope2T).toBeCloseTo(53.06, 9);
    expect(c.ytdT).toBeCloseTo(338.105, 9);
    expect(c.budgetT).toBe(1000);
    expect(c.share).toBeCloseTo(0.338105, 12);
    expect(c.pace).toBeCloseTo((338.105 * 365) / 334_000, 9);
    expect(c.forecastT).toBeCloseTo((338.105 * 365) / 334, 6);
    expect(c.level).toBe('green');
    expect(c.gridFactor).toMatchObject({ value: 0.5306, year: 2023 });
    // Year on year and contribution from the district answer's line of cem01 (the fixture's steel line).
    expect([c.previousT, c.changeT, c.change, c.contribution]).toEqual([1700.5, 100, 0.0588062334607, 2]);
    // alu01: no budget; 1,000,000 kWh x 0.5306 = 530.6 t scope 2.
    expect(alu!.carbon).toMatchObject({ budgetT: null, share: null, level: null, combustionT: 0 });
    expect(alu!.carbon!.ytdT).toBeCloseTo(530.6, 9);
    expect(alu!.projects).toEqual([]);

    // line2: window [2026-10-01, 2026-12-01) = 31 + 30 = 61 days, 150 t coal: 150 x 0.7143 = 107.145 tce,
    // x 365 / 61 = 641.11 tce/a of 100 (critical); CO2 285.045 t x 365 / 61 = 1,705.6 t/a of 500 (>= 1.10: critical).
    const [p] = cem!.projects!;
    expect(p).toMatchObject({
      id: 'line2',
      window: { days: 61 },
      months: ['2026-10', '2026-11'],
      energyLevel: 'critical',
      co2Level: 'critical',
      level: 'critical',
      note: null,
    });
    expect(p!.windowTce).toBeCloseTo(107.145, 9);
    expect(p!.annualTce).toBeCloseTo((107.145 * 365) / 61, 6);
    expect(p!.annualCo2T).toBeCloseTo((285.045 * 365) / 61, 5); // 1,705.59713: 9 significant digits
    expect(p!.tceShare).toBeCloseTo((107.145 * 365) / 61 / 100, 9);

    // The project's rows are cem01's; the district section's rows (the answer's) are named without enterprises.
    const rows = r.parameters as readonly ReportParameterRow[];
    expect(rows.find((x) => x.key === 'kgCO2/raw_coal/t')!.usedBy).toEqual(['cem01']);
  });

  it("gives an enterprise its own carbon and projects, not the district's section or its share of the district change", async () => {
    const r = await builder.build('2026-11', at('2026-12-01T01:00:00+08:00'));
    const own = enterpriseScope(r, 'cem01')!;
    expect(own.carbon).toBeUndefined();
    expect(own.enterprises[0]!.carbon).toMatchObject({ previousT: 1700.5, changeT: 100, contribution: null });
    expect(own.enterprises[0]!.projects).toHaveLength(1);
    expect(Object.keys(own.totals.byPark!)).toEqual(['baitao']);
    expect(enterpriseScope(r, 'alu01')!.totals.byPark).toEqual({});
    expect(own.sha256).toBe(reportHash(own));
  });

  it('compares a revision finalised before the carbon parts on the figures it had', async () => {
    const built = await builder.build('2026-11', at('2026-12-01T01:00:00+08:00'), 1);
    const old = legacyView(built);
    expect(old.carbon).toBeUndefined();
    expect('carbon' in old.enterprises[0]!).toBe(false);
    // The old model's content hash equals the hash of the new report seen without the new parts ...
    expect(sameFigures({ contentHash: contentHash(old), report: old }, built)).toBe(true);
    // ... but not once an energy figure moved, nor for a stored report that has the parts and whose carbon moved.
    const moved = { ...built, enterprises: [{ ...built.enterprises[0]!, totalTce: 84 }, built.enterprises[1]!] };
    expect(sameFigures({ contentHash: contentHash(old), report: old }, moved)).toBe(false);
    const carbonMoved = {
      ...built,
      enterprises: [{ ...built.enterprises[0]!, carbon: { ...built.enterprises[0]!.carbon!, ytdT: 340 } }, built.enterprises[1]!],
    };
    expect(sameFigures({ contentHash: contentHash(built), report: built }, carbonMoved)).toBe(false);

    // Through the service: revision 1 stored by the old model; a recheck keeps it, late coal makes revision 2 with the parts.
    const reports = new ReportService({ config, builder, archive, sinks: [], logger: silentLogger(), now: () => at('2026-12-05T00:00:00+08:00') });
    const stored: MonthlyReport = { ...old, draft: false, sha256: reportHash({ ...old, sha256: '' }) };
    await archive.save(stored, contentHash(old), at('2026-12-01T01:00:00+08:00'));
    const again = await reports.finalise('2026-11');
    expect(again.created).toBe(false);
    expect(again.report.revision).toBe(1);
    expect(again.report.carbon).toBeUndefined();

    await store.write({ readings: [], hourly: [h('cem01', 'coal', 'raw_coal', 't', '2026-11-20T10:00:00+08:00', 10)] });
    const revised = await reports.finalise('2026-11');
    expect(revised.created).toBe(true);
    expect(revised.report.revision).toBe(2);
    expect(revised.report.carbon).toEqual(districtAnswer());
    // 110 t of coal: 12.29 + 78.573 = 90.863 tce. The note names the energy change and the added sections, not every enterprise.
    expect(revised.report.revisionNote).toContain('cem01: totalTce 83.72 -> 90.863 tce');
    expect(revised.report.revisionNote).not.toContain('alu01');
    expect(revised.report.revisionNote).toContain('carbon, park and project sections added');
  });
});
