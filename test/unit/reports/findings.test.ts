/**
 * The monthly report's findings (docs/diagnosis.md "Findings in the monthly report"), figures by hand.
 *
 * November 2026 in Asia/Shanghai: 30 days = 720 hours; 1 November is a Sunday, so Saturdays 7, 14, 21, 28
 * and Sundays 1, 8, 15, 22, 29 leave 21 weekdays. The default schedule (Monday to Friday 08:00-18:00)
 * works 21 x 10 = 210 hours; 720 - 210 = 510 hours are off-schedule.
 */
import { DEFAULT_WORKING_HOURS } from '../../../config/diagnosisSchema';
import { reportProductOf, withoutBenchmark, hasBenchmarkParts } from '../../../services/reports/benchmarkSection';
import { FINDING_RULES, offScheduleHours, topFindings, type FindingDiagnosis } from '../../../services/reports/findings';
import type { ProductBenchmarkAt } from '../../../services/figures/benchmarkFigures';
import type { MonthlyReport, ReportProductBenchmark } from '../../../services/reports/reportModel';

const diagnosis = (over: Partial<FindingDiagnosis> = {}): FindingDiagnosis => ({
  timezone: 'Asia/Shanghai',
  from: '2026-11-01T00:00:00.000+08:00',
  to: '2026-12-01T00:00:00.000+08:00',
  electricityBasis: 'equivalent',
  baseLoad: { baseLoad: 100, meanLoad: 200, ratio: 0.5, hoursWithData: 720, hoursInPeriod: 720 },
  offHours: { share: 0.4, offHoursQuantity: 80_000, continuous: false, schedule: DEFAULT_WORKING_HOURS },
  anomalies: {
    rule: { thresholdMads: 3, weeks: 8, minHistoryDays: 4 },
    days: [
      { direction: 'above', excessTce: 1.2, excessTceOtherBasis: 2.5 },
      { direction: 'above', excessTce: 0.8, excessTceOtherBasis: 1.5 },
      { direction: 'below', excessTce: -0.5, excessTceOtherBasis: -0.9 },
    ],
  },
  ...over,
});

const electricity = { kgcePerKwh: 0.1229, kgceSource: 'GB/T 2589-2020', kgCo2PerKwh: { value: 0.5306, year: 2023, source: 'MEE 2024' } };

const period = (savingsTce: number | null, savingsCo2T: number | null, months: number) => ({
  periodFrom: '2025-12-01T00:00:00.000+08:00',
  periodTo: '2026-12-01T00:00:00.000+08:00',
  sec: 110,
  tier: 'compliant' as const,
  quantity: 12_000,
  savingsTce,
  savingsCo2T,
  months: Array.from({ length: months }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}`),
  enteredMonths: [],
  note: null,
});

const clinker = (savingsTce: number | null, months = 12): ReportProductBenchmark => ({
  product: 'cement_clinker',
  name: '水泥熟料',
  nameEn: 'Cement clinker',
  metric: 'kgce_per_t',
  unit: 'kgce/t',
  benchmark: 100,
  baseline: 117,
  deadline: '2025-12-31',
  edition: '2023',
  source: '发改产业〔2023〕723号',
  boundary: ['e'],
  ytd: period(savingsTce, 300, months),
  rolling12: period(savingsTce, 300, months),
  severity: null,
});

describe('report findings', () => {
  it('counts the off-schedule hours of the month, scaled by the hours with data', () => {
    expect(offScheduleHours(diagnosis())).toEqual({ hours: 510, effective: 510 });
    // Half the hours with data: 510 x 360 / 720 = 255.
    const half = diagnosis({ baseLoad: { baseLoad: 100, meanLoad: 200, ratio: 0.5, hoursWithData: 360, hoursInPeriod: 720 } });
    expect(offScheduleHours(half)).toEqual({ hours: 510, effective: 255 });
  });

  it('prices each finding and keeps the largest three', () => {
    const found = topFindings({ diagnosis: diagnosis(), products: [clinker(120)], electricity, co2TPerTce: 4 });
    // product: 120 tce over 12 months -> 10 tce a month, 300 / 12 = 25 t CO2.
    // off-hours: 80,000 kWh - 100 kW x 510 h = 29,000 kWh; x 0.1229 / 1000 = 3.5641 tce; x 0.5306 / 1000 = 15.3874 t.
    // base load: ratio 0.5 > 0.3: (100 - 0.3 x 200) x 510 = 20,400 kWh; 2.50716 tce; 10.82424 t.
    // anomalous days: 1.2 + 0.8 = 2.0 tce (the day below normal is no saving): fourth, left out.
    expect(FINDING_RULES.top).toBe(3);
    expect(found.map((f) => [f.rank, f.kind, f.subject])).toEqual([
      [1, 'product', 'cement_clinker'],
      [2, 'off-hours', null],
      [3, 'base-load', null],
    ]);
    const [product, off, base] = found;
    expect(product).toMatchObject({
      figure: 110,
      figureUnit: 'kgce/t',
      reference: 100,
      energy: 10,
      energyUnit: 'tce',
      savingsTce: 10,
      savingsCo2T: 25,
    });
    expect(off).toMatchObject({ figure: 0.4, figureUnit: 'fraction', reference: null, energy: 29_000, energyUnit: 'kWh' });
    expect(off!.savingsTce).toBeCloseTo(3.5641, 12);
    expect(off!.savingsCo2T).toBeCloseTo(15.3874, 12);
    expect(base).toMatchObject({ figure: 0.5, reference: 0.3, energy: 20_400 });
    expect(base!.savingsTce).toBeCloseTo(2.50716, 12);
    expect(base!.savingsCo2T).toBeCloseTo(10.82424, 12);
    expect(base!.definition.en).toContain('0.1229 kgce/kWh (GB/T 2589-2020)');
    expect(base!.definition['zh-CN']).toContain('非工作时间 510 小时');
  });

  it('prices anomalous days on the equivalent basis with the month CO2 per tce', () => {
    const found = topFindings({ diagnosis: diagnosis(), products: [], electricity: undefined, co2TPerTce: 4 });
    // Without the electricity pricing no kWh finding; 2.0 tce x 4 t/tce = 8 t.
    expect(found).toEqual([
      expect.objectContaining({ rank: 1, kind: 'anomalous-days', figure: 2, figureUnit: 'days', savingsTce: 2, savingsCo2T: 8 }),
    ]);
    // Configured on the equal basis: the other basis is the equivalent one, 2.5 + 1.5 = 4 tce.
    const equal = topFindings({ diagnosis: diagnosis({ electricityBasis: 'equal' }), products: [], electricity: undefined, co2TPerTce: null });
    expect(equal[0]).toMatchObject({ savingsTce: 4, savingsCo2T: null });
  });

  it('finds no base-load or off-hours waste in a continuous plant, and lists nothing without savings', () => {
    const continuous = diagnosis({
      offHours: { share: 0, offHoursQuantity: 0, continuous: true, schedule: 'continuous' },
      anomalies: { rule: diagnosis().anomalies.rule, days: [] },
    });
    expect(topFindings({ diagnosis: continuous, products: [clinker(0), clinker(null)], electricity, co2TPerTce: 4 })).toEqual([]);
    // Base load 50 kW of a 200 kW mean (0.25 <= 0.3): no base-load finding; off-hours 80,000 - 50 x 510 = 54,500 kWh.
    const low = diagnosis({ baseLoad: { baseLoad: 50, meanLoad: 200, ratio: 0.25, hoursWithData: 720, hoursInPeriod: 720 } });
    const found = topFindings({ diagnosis: low, products: [], electricity, co2TPerTce: null });
    expect(found.map((f) => f.kind)).toEqual(['off-hours', 'anomalous-days']);
    expect(found[0]!.energy).toBe(54_500);
    expect(found[1]!.savingsCo2T).toBeNull();
  });

  it('takes the rolling 12 months as the year to date of a December report, and the alarm severity at the month end', () => {
    const f = (sec: number | null) => ({
      ...period(5, 1, 12),
      sec,
      tier: sec === null ? null : ('below-baseline' as const),
      note: undefined,
      boundaryKgce: 0,
      boundaryAcKwh: 0,
      co2TPerTce: null,
      months: ['2026-01'],
    });
    const at: ProductBenchmarkAt = {
      ...clinker(5),
      ...f(null),
      metric: 'kgce_per_t',
      boundary: { meters: ['e'], default: true },
      rolling12: f(120),
      parameters: [],
    };
    const december = reportProductOf(at, Date.parse('2026-01-01T00:00:00+08:00'), 'Asia/Shanghai');
    expect(december.ytd.sec).toBe(120);
    // Deadline 2025-12-31 passes at 2026-01-01 00:00: critical at the end of December 2025.
    expect(december.severity).toBe('critical');
    const november = reportProductOf(at, Date.parse('2025-12-01T00:00:00+08:00'), 'Asia/Shanghai');
    expect(november.ytd.sec).toBeNull();
    // Within 12 months of the deadline: warning.
    expect(november.severity).toBe('warning');
  });

  it('sees a report without the benchmark keys as one built before them', () => {
    const r = { enterprises: [{ id: 'a', findings: [], benchmark: [] }], benchmark: { products: [] } } as unknown as MonthlyReport;
    expect(hasBenchmarkParts(r)).toBe(true);
    const old = withoutBenchmark(r);
    expect(hasBenchmarkParts(old)).toBe(false);
    expect(old.enterprises[0]).toEqual({ id: 'a' });
  });
});
