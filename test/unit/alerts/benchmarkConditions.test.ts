/** The `benchmark` alarm condition (contract 10): rolling 12 months, deadline severity, texts in both languages. */
import { DateTime } from 'luxon';
import { benchmarkCondition, productAlarmKey } from '../../../alerts/benchmarkConditions';
import type { BenchmarkPeriodAt, ProductBenchmarkAt } from '../../../services/figures/benchmarkFigures';

const zone = 'Asia/Shanghai';
const at = (iso: string) => DateTime.fromISO(iso, { zone }).toMillis();

const period = (sec: number, tier: BenchmarkPeriodAt['tier']): BenchmarkPeriodAt => ({
  sec,
  tier,
  quantity: 1000,
  savingsTce: 20,
  savingsCo2T: 50,
  periodFrom: '2025-12-01T00:00:00.000+08:00',
  periodTo: '2026-12-01T00:00:00.000+08:00',
  months: ['2025-12', '2026-11'],
  enteredMonths: [],
  boundaryKgce: sec * 1000,
  boundaryAcKwh: 0,
  co2TPerTce: 2.5,
});

const clinker = (ytd: BenchmarkPeriodAt, rolling12: BenchmarkPeriodAt, deadline = '2025-12-31'): ProductBenchmarkAt => ({
  ...ytd,
  product: 'cement_clinker',
  name: '水泥熟料',
  nameEn: 'Cement clinker',
  metric: 'kgce_per_t',
  unit: 't',
  benchmark: 100,
  baseline: 117,
  deadline,
  edition: '2023',
  source: '发改产业〔2023〕723号',
  boundary: { meters: ['e-main'], default: true },
  rolling12,
  parameters: [],
});

describe('benchmarkCondition', () => {
  it('follows the rolling 12 months: below baseline after the deadline is critical, whatever the year to date says', () => {
    // Rolling 12: 120 kgce/t, below baseline 117; year to date 110 (compliant) does not matter.
    const c = benchmarkCondition(
      'cem01',
      clinker(period(110, 'compliant'), period(120, 'below-baseline')),
      '水泥厂',
      'zh-CN',
      at('2026-12-07T10:00:00'),
      zone,
    );
    expect(c).toMatchObject({
      type: 'benchmark',
      enterprise: 'cem01',
      meter: 'product:cement_clinker',
      severity: 'critical',
      value: 120,
      threshold: 117,
      unit: 'kgce/t',
    });
    expect(productAlarmKey('cement_clinker')).toBe('product:cement_clinker');
    expect(c.message).toContain('120');
    expect(c.message).toContain('标杆 100、基准 117 kgce/t');
    expect(c.message).toContain('低于基准水平');
    expect(c.message).toContain('改造期限 2025-12-31，已逾期');
    expect(c.message).toContain('节能潜力 20 tce，50 t CO2');
    expect(c.message).toContain('2023年版');
    expect(c.message).toContain('723号');
  });

  it('is a warning within 12 months of a later deadline, and English on request', () => {
    const c = benchmarkCondition(
      'cem01',
      clinker(period(120, 'below-baseline'), period(120, 'below-baseline'), '2026-12-31'),
      'Cement',
      'en',
      at('2026-12-07T10:00:00'),
      zone,
    );
    expect(c.severity).toBe('warning');
    expect(c.message).toContain('benchmark 100 and baseline 117 kgce/t: below baseline; retrofit deadline 2026-12-31;');
    expect(c.message).toContain('savings potential 20 tce, 50 t CO2 (2023 edition');
  });

  it('clears (no severity) for a compliant product or one at benchmark', () => {
    for (const tier of ['compliant', 'benchmark'] as const)
      expect(
        benchmarkCondition('cem01', clinker(period(110, tier), period(110, tier)), 'x', 'en', at('2026-12-07T10:00:00'), zone).severity,
      ).toBeNull();
  });
});
