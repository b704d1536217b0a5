/**
 * The monthly report's benchmark section and findings (issue 16) built by the real builder over a SQLite
 * store with the real consumption and status services; the benchmark figures, the district benchmark
 * answer and the diagnosis come from fakes whose figures are written by hand (their services have their
 * own tests). Read back from CSV, XLSX, HTML and PDF; and a month finalised before the section: a recheck
 * makes no revision for it, a real change does and names it as added.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { COEFFICIENTS } from '../../config/coefficients';
import { DEFAULT_WORKING_HOURS } from '../../config/diagnosisSchema';
import { silentLogger } from '../../services/core/log';
import { FactorTable } from '../../services/energy/factors';
import type { ProductBenchmarkAt } from '../../services/figures/benchmarkFigures';
import { ConsumptionService } from '../../services/figures/consumptionService';
import type { DiagnosisAnswer } from '../../services/figures/diagnosisTypes';
import type { DistrictBenchmark } from '../../services/figures/districtBenchmark';
import { StatusService } from '../../services/figures/statusService';
import { withoutBenchmark } from '../../services/reports/benchmarkSection';
import { legacyView } from '../../services/reports/carbonSection';
import type { FindingDiagnosis } from '../../services/reports/findings';
import { MonthlyReportBuilder, enterpriseScope, reportHash } from '../../services/reports/monthlyReportBuilder';
import { renderReport } from '../../services/reports/render';
import { CSV_COLUMNS } from '../../services/reports/render/csv';
import { contentHash, sameFigures } from '../../services/reports/reportHash';
import type { MonthlyReport } from '../../services/reports/reportModel';
import { ReportService } from '../../services/reports/reportService';
import { AlarmStore } from '../../services/store/state/alarmStore';
import { MonthlyStatisticsStore } from '../../services/store/state/monthlyStatisticsStore';
import { ReportArchive } from '../../services/store/state/reportArchive';
import { SqliteTimeSeriesStore } from '../../services/store/sqlite/sqliteTimeSeriesStore';
import type { HourlyConsumption } from '../../services/store/timeSeriesStore';
import { testConfig } from '../helpers/config';
import { openTestStateDb } from '../helpers/stateDb';
import { num, parseCsv, poppler, readXlsx } from '../helpers/reportRead';

const at = (iso: string) => Date.parse(iso);
const counter = (id: string, carrier: string, unit: string) => ({ id, carrier, unit, kind: 'counter' as const });
const config = testConfig({
  enterprises: [
    { id: 'cem01', name: '示例水泥', industry: '3011', meters: [counter('e', 'electricity', 'kWh')] },
    { id: 'alu01', name: '示例铝业', industry: '3216', meters: [counter('e', 'electricity', 'kWh')] },
  ],
});
const END = at('2026-12-01T00:00:00+08:00');
const GENERATED = at('2026-12-01T01:00:00+08:00');
const SOURCE = '发改产业〔2023〕723号';

// Clinker below baseline: 12 months, 6,000 t at 120 kgce/t: (120 - 100) x 6,000 / 1000 = 120 tce, at 2.5 t CO2/tce = 300 t.
// Year to date 5,500 t at 118 kgce/t: 18 x 5,500 / 1000 = 99 tce.
const figures = (sec: number, quantity: number, savingsTce: number, months: number) => ({
  sec,
  tier: 'below-baseline' as const,
  quantity,
  savingsTce,
  savingsCo2T: savingsTce * 2.5,
  periodFrom: '2025-12-01T00:00:00.000+08:00',
  periodTo: '2026-12-01T00:00:00.000+08:00',
  months: Array.from({ length: months }, (_, i) => `m${i}`),
  enteredMonths: [],
  boundaryKgce: sec * quantity,
  boundaryAcKwh: 0,
  co2TPerTce: 2.5,
});
const clinker: ProductBenchmarkAt = {
  product: 'cement_clinker',
  name: '水泥熟料',
  nameEn: 'Cement clinker',
  metric: 'kgce_per_t',
  unit: 'kgce/t',
  benchmark: 100,
  baseline: 117,
  deadline: '2026-12-31',
  edition: '2023',
  source: SOURCE,
  ...figures(118, 5500, 99, 11),
  boundary: { meters: ['e'], default: true },
  rolling12: figures(120, 6000, 120, 12),
  parameters: [],
};

const district: DistrictBenchmark = {
  at: '2026-12-01T00:00:00.000+08:00',
  timezone: 'Asia/Shanghai',
  period: 'rolling12',
  from: '2025-12-01T00:00:00.000+08:00',
  to: '2026-12-01T00:00:00.000+08:00',
  products: [
    {
      product: 'cement_clinker',
      name: '水泥熟料',
      nameEn: 'Cement clinker',
      metric: 'kgce_per_t',
      unit: 'kgce/t',
      benchmark: 100,
      baseline: 117,
      deadline: '2026-12-31',
      edition: '2023',
      source: SOURCE,
      plants: 1,
      quantity: 6000,
      quantityAtBenchmark: 0,
      shareAtBenchmark: 0,
      tiers: { benchmark: 0, compliant: 0, belowBaseline: 1, none: 0 },
      belowBaseline: [
        { enterprise: 'cem01', name: '示例水泥', sec: 120, quantity: 6000, deadline: '2026-12-31', severity: 'warning', savingsTce: 120 },
      ],
      savingsTce: 120,
      savingsCo2T: 300,
    },
  ],
  savingsTce: 120,
  savingsCo2T: 300,
  savingsCo2Complete: true,
  leaders: [],
  leaderChecks: [
    {
      enterprise: 'cem01',
      name: '示例水泥',
      annualTce: 12_345.5,
      nonFossilShare: 0.25,
      products: [{ product: 'cement_clinker', tier: 'below-baseline' }],
      energy: true,
      allAtBenchmark: false,
      nonFossil: true,
      candidate: false,
    },
  ],
  rules: { minAnnualTce: 10_000, minNonFossilShare: 0.2 },
};

/** The parts of a diagnosis the findings read (findings.ts FindingDiagnosis); the rest of the answer is not used. */
function diagnosisOf(id: string): DiagnosisAnswer {
  const d: FindingDiagnosis = {
    timezone: 'Asia/Shanghai',
    from: '2026-11-01T00:00:00.000+08:00',
    to: '2026-12-01T00:00:00.000+08:00',
    electricityBasis: 'equivalent',
    baseLoad: { baseLoad: 100, meanLoad: 200, ratio: 0.5, hoursWithData: 720, hoursInPeriod: 720 },
    offHours:
      id === 'cem01'
        ? { share: 0.4, offHoursQuantity: 80_000, continuous: false, schedule: DEFAULT_WORKING_HOURS }
        : { share: 0, offHoursQuantity: 0, continuous: true, schedule: 'continuous' },
    anomalies: { rule: { thresholdMads: 3, weeks: 8, minHistoryDays: 4 }, days: [{ direction: 'above', excessTce: 1.5, excessTceOtherBasis: 3 }] },
  };
  return d as unknown as DiagnosisAnswer;
}

describe('monthly report benchmark section and findings', () => {
  let dir: string;
  let db: Awaited<ReturnType<typeof openTestStateDb>>;
  let store: SqliteTimeSeriesStore;
  let alarms: AlarmStore;
  let monthly: MonthlyStatisticsStore;
  let archive: ReportArchive<MonthlyReport>;
  let builder: MonthlyReportBuilder;
  const calls: unknown[] = [];
  const h = (enterprise: string, iso: string, quantity: number): HourlyConsumption => ({
    enterprise,
    meter: 'e',
    carrier: 'electricity',
    unit: 'kWh',
    hour: at(iso),
    quantity,
  });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'benchmark-report-'));
    store = new SqliteTimeSeriesStore({ path: ':memory:', zone: 'Asia/Shanghai' });
    db = await openTestStateDb(dir);
    alarms = new AlarmStore(db);
    monthly = new MonthlyStatisticsStore(db);
    archive = new ReportArchive<MonthlyReport>(db);
    await store.start();
    await archive.init();
    await store.write({
      readings: [],
      hourly: [h('cem01', '2026-11-10T10:00:00+08:00', 100_000), h('alu01', '2026-11-10T10:00:00+08:00', 1_000_000)],
    });
    const factors = new FactorTable(config, COEFFICIENTS);
    builder = new MonthlyReportBuilder({
      config,
      store,
      alarms,
      consumption: new ConsumptionService({ store, factors, config, monthly }),
      status: new StatusService({ store, outputs: monthly, config, factors }),
      benchmark: {
        enterprise: {
          benchmarkAt: (e, t) => {
            calls.push(['benchmarkAt', e.id, t]);
            return Promise.resolve(e.id === 'cem01' ? [clinker] : []);
          },
          // The enterprise's CO2 per tce of the month (contract 10), as BenchmarkFiguresService gives it.
          co2PerTceOf: (e) => Promise.resolve(e.id === 'alu01' ? 3 : 2.5),
        },
        district: {
          districtBenchmark: (input) => {
            calls.push(['district', input]);
            return Promise.resolve(district);
          },
        },
      },
      diagnosis: {
        figures: {
          diagnosis: (e, month, options) => {
            calls.push(['diagnosis', e.id, month, options]);
            return Promise.resolve(diagnosisOf(e.id));
          },
        },
        factors,
      },
    });
  });
  afterAll(async () => {
    await store.stop();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('carries the district answer, each enterprise products at the month end and its top findings', async () => {
    calls.length = 0;
    const r = await builder.build('2026-11', GENERATED, 1);
    expect(r.sha256).toBe(reportHash(r));
    expect(calls).toEqual(
      expect.arrayContaining([
        // The district answer gets the enterprises' own figures, so they are not computed twice.
        [
          'district',
          {
            enterprises: ['cem01', 'alu01'],
            at: END,
            period: 'rolling12',
            figures: new Map([
              ['cem01', [clinker]],
              ['alu01', []],
            ]),
          },
        ],
        ['benchmarkAt', 'cem01', END],
        ['diagnosis', 'cem01', '2026-11', { now: GENERATED }],
      ]),
    );
    expect(r.benchmark).toEqual(district);
    const [cem, alu] = r.enterprises;
    const [p] = cem!.benchmark!;
    expect(p).toMatchObject({ product: 'cement_clinker', edition: '2023', source: SOURCE, deadline: '2026-12-31', boundary: ['e'] });
    expect([p!.ytd.sec, p!.ytd.savingsTce, p!.rolling12.sec, p!.rolling12.savingsTce, p!.rolling12.savingsCo2T]).toEqual([118, 99, 120, 120, 300]);
    // Below baseline at 2026-12-01, within 12 months of the 2026-12-31 deadline: warning.
    expect(p!.severity).toBe('warning');
    expect(alu!.benchmark).toEqual([]);

    // cem01, November 2026 (510 off-schedule hours of 720, findings.test.ts): product 120 / 12 = 10 tce (300 / 12 = 25 t);
    // off-hours 80,000 - 100 x 510 = 29,000 kWh x 0.1229 = 3.5641 tce, x 0.5306 kg = 15.3874 t;
    // base load (100 - 0.3 x 200) x 510 = 20,400 kWh: 2.50716 tce; the anomalous day (1.5 tce) is fourth.
    expect(cem!.findings!.map((f) => [f.rank, f.kind, f.savingsTce])).toEqual([
      [1, 'product', 10],
      [2, 'off-hours', 3.5641],
      [3, 'base-load', 2.50716],
    ]);
    expect(cem!.findings![1]!.savingsCo2T).toBeCloseTo(15.3874, 9);
    // alu01 runs continuously: only its anomalous day, 1.5 tce at the enterprise's CO2 per tce of the month
    // (3 t/tce from the benchmark figures, the ratio the product findings use too): 1.5 x 3 = 4.5 t.
    expect(alu!.findings).toHaveLength(1);
    expect(alu!.findings![0]).toMatchObject({ kind: 'anomalous-days', figure: 1, savingsTce: 1.5, savingsCo2T: 4.5 });

    // The enterprise's own report keeps its rows, not the district section (other enterprises' figures).
    const own = enterpriseScope(r, 'cem01')!;
    expect(own.benchmark).toBeUndefined();
    expect(own.enterprises[0]!.findings).toEqual(cem!.findings);
  });

  it('shows the same figures in CSV, XLSX, HTML and PDF, with units, edition and source', async () => {
    const r = await builder.build('2026-11', GENERATED, 1);
    const csv = parseCsv((await renderReport(r, 'csv', 'en')).body.toString('utf8').slice(1));
    const records = csv.slice(1).map((row) => Object.fromEntries(CSV_COLUMNS.map(([key], i) => [key, row[i] ?? ''])));
    const product = records.find((x) => x.row_type === 'enterprise_benchmark')!;
    expect([product.enterprise_id, num(product.sec), product.tier, num(product.savings_tce), num(product.savings_co2_t), product.severity]).toEqual([
      'cem01',
      120,
      'below-baseline',
      120,
      300,
      'warning',
    ]);
    expect([product.level_edition, product.level_source, product.level_unit, product.unit]).toEqual(['2023', SOURCE, 'kgce/t', 't']);
    const findings = records.filter((x) => x.row_type === 'finding' && x.enterprise_id === 'cem01');
    expect(findings.map((f) => [num(f.finding_rank), f.finding_kind, num(f.savings_tce), num(f.finding_energy), f.finding_energy_unit])).toEqual([
      [1, 'product', 10, 10, 'tce'],
      [2, 'off-hours', 3.5641, 29_000, 'kWh'],
      [3, 'base-load', 2.50716, 20_400, 'kWh'],
    ]);
    expect(records.find((x) => x.row_type === 'district_benchmark')).toMatchObject({
      savings_tce: '120',
      savings_co2_t: '300',
      min_annual_tce: '10000',
    });
    expect(records.find((x) => x.row_type === 'benchmark_below_baseline')).toMatchObject({
      enterprise_id: 'cem01',
      sec: '120',
      deadline: '2026-12-31',
    });
    expect(records.find((x) => x.row_type === 'benchmark_leader')).toMatchObject({ leader_annual_tce: '12345.5', leader_candidate: 'false' });

    const wb = await readXlsx((await renderReport(r, 'xlsx', 'zh-CN')).body);
    const sheet = wb.getWorksheet('能效对标')!;
    const cells: unknown[] = [];
    sheet.eachRow((row) => row.eachCell((c) => cells.push(c.value)));
    expect(cells).toEqual(
      expect.arrayContaining([
        '全区能效对标（近 12 个月，至月末）',
        '节能潜力 (tce)',
        '减碳潜力 (t CO2)',
        120,
        300,
        '2023; ' + SOURCE,
        '低于基准水平',
      ]),
    );
    const found = wb.getWorksheet('节能诊断发现')!;
    const values: unknown[] = [];
    found.eachRow((row) => row.eachCell((c) => values.push(c.value)));
    expect(values).toEqual(expect.arrayContaining([10, 3.5641, 2.50716, 29_000, 'kWh', '40.0%', '基础负荷偏高']));

    const html = (await renderReport(r, 'html', 'en')).body.toString('utf8');
    for (const s of [
      'id="benchmarkProducts"',
      'id="findings"',
      'Savings potential (equivalent value) (tce)',
      '3.564',
      '2.507',
      '29,000.00',
      SOURCE,
      'High base load',
    ])
      expect(html).toContain(s);

    const file = path.join(dir, 'benchmark.pdf');
    writeFileSync(file, (await renderReport(r, 'pdf', 'zh-CN')).body);
    const text = poppler('pdftotext', ['-layout', file, '-']);
    for (const s of ['全区能效对标', '节能诊断主要发现', '120.000', '3.564', '2.507', '低于基准水平']) expect(text).toContain(s);
  });

  it('compares revisions finalised before the section on the figures they had', async () => {
    const built = await builder.build('2026-11', GENERATED, 1);
    const beforeBenchmark = withoutBenchmark(built);
    const beforeCarbon = legacyView(beforeBenchmark);
    expect(sameFigures({ contentHash: contentHash(beforeBenchmark), report: beforeBenchmark }, built)).toBe(true);
    expect(sameFigures({ contentHash: contentHash(beforeCarbon), report: beforeCarbon }, built)).toBe(true);
    // A finding that moved is a change for a revision that has the section.
    const moved = { ...built, enterprises: [{ ...built.enterprises[0]!, findings: [] }, built.enterprises[1]!] };
    expect(sameFigures({ contentHash: contentHash(built), report: built }, moved)).toBe(false);

    const reports = new ReportService({ config, builder, archive, sinks: [], logger: silentLogger(), now: () => at('2026-12-05T00:00:00+08:00') });
    await archive.save(
      { ...beforeBenchmark, draft: false, sha256: reportHash({ ...beforeBenchmark, sha256: '' }) },
      contentHash(beforeBenchmark),
      GENERATED,
    );
    const again = await reports.finalise('2026-11');
    expect(again.created).toBe(false);
    expect(again.report.revision).toBe(1);
    expect(again.report.benchmark).toBeUndefined();

    // 10,000 kWh more for cem01: 110,000 x 0.1229 = 13.519 tce.
    await store.write({ readings: [], hourly: [h('cem01', '2026-11-20T10:00:00+08:00', 10_000)] });
    const revised = await reports.finalise('2026-11');
    expect(revised.created).toBe(true);
    expect(revised.report.revision).toBe(2);
    expect(revised.report.benchmark).toEqual(district);
    expect(revised.report.revisionNote).toContain('cem01: totalTce 12.29 -> 13.519 tce');
    expect(revised.report.revisionNote).not.toContain('alu01');
    expect(revised.report.revisionNote).toContain('benchmark section and findings added');
  });
});
