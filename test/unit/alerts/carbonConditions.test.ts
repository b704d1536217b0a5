/**
 * The carbon alarms' conditions (contract 9, 9.1): severity from the level, the figure, and texts in
 * zh-CN and English carrying the figures, the grid factor row and the months. Figures by hand.
 */
import { carbonCondition, carbonIntensityCondition, gridFactorText, projectCondition } from '../../../alerts/carbonConditions';
import type { CarbonStatusAt } from '../../../services/figures/carbonFigures';
import type { ProjectAt } from '../../../services/figures/projectFigures';
import type { EnterpriseStatus } from '../../../services/figures/statusService';

const GRID = { value: 0.5366, year: 2026, source: 'MEE 2024 national grid' };

// 9,000 t / 1,000 x 10^4 yuan = 9 t per 10^4 yuan; 9 / 9.5 = 0.947368 -> 94.7 % (green: not above 0.95; the tests set the level).
function intensityAt(level: 'green' | 'yellow'): NonNullable<CarbonStatusAt['intensity']> {
  return { intensity: 9, limit: 9.5, ratio: 9 / 9.5, level, output10kYuan: 1000, co2T: 9000, months: ['2026-02', '2026-01'] };
}

/** 475,000 t of a 500,000 t budget: share 0.95 (yellow, >= shareYellow 0.90); pace given as 1.05. */
const CARBON: CarbonStatusAt = {
  year: 2026,
  budgetT: 500_000,
  ytdT: 475_000,
  share: 0.95,
  pace: 1.05,
  level: 'yellow',
  forecastT: 452_381,
  combustionT: 300_000,
  processT: 150_000,
  scope2T: 25_000,
  greenCertificatesKwh: 0,
  gridFactor: GRID,
  intensity: intensityAt('green'),
};

function status(carbon: CarbonStatusAt | null): EnterpriseStatus {
  return {
    enterprise: 'cem01',
    at: '2026-07-02T12:00:00.000+08:00',
    timezone: 'Asia/Shanghai',
    electricityBasis: 'equivalent',
    quota: null,
    intensity: null,
    tariff: null,
    ytdByCarrier: [],
    carbon,
  };
}

describe('carbonCondition', () => {
  it('yellow is a warning with the share as its figure and the parts and grid factor in the text', () => {
    const zh = carbonCondition(status(CARBON), '测试水泥', 'zh-CN');
    expect(zh).toMatchObject({ type: 'carbon', meter: null, severity: 'warning', value: 0.95, threshold: 1, unit: 'share' });
    expect(zh.periodFrom).toBe('2026-01-01T00:00:00.000+08:00');
    expect(zh.periodTo).toBe('2026-07-02T12:00:00.000+08:00');
    expect(zh.message).toBe(
      '测试水泥 2026年二氧化碳排放 475,000 t，占年度碳排放预算 500,000 t 的 95.0 %，进度比 105.0 %，全年预测 452,381 t（燃烧 300,000 t，过程 150,000 t，外购电热 25,000 t；电网排放因子 0.5366 kgCO2/kWh（2026年，MEE 2024 national grid））',
    );
    const en = carbonCondition(status({ ...CARBON, level: 'red' }), 'Cement', 'en');
    expect(en.severity).toBe('critical');
    expect(en.message).toContain('2026 CO2 475,000 t is 95.0 % of the 500,000 t budget, pace 105.0 %');
    expect(en.message).toContain('grid factor 0.5366 kgCO2/kWh (2026, MEE 2024 national grid)');
  });

  it('green, no budget or no carbon status: no alarm', () => {
    expect(carbonCondition(status({ ...CARBON, level: 'green' }), 'x', 'en').severity).toBeNull();
    expect(carbonCondition(status({ ...CARBON, budgetT: null, share: null, pace: null, level: null }), 'x', 'en').severity).toBeNull();
    expect(carbonCondition(status(null), 'x', 'zh-CN')).toMatchObject({ severity: null, value: null, message: 'x 本年度未设碳排放预算' });
  });
});

describe('carbonIntensityCondition', () => {
  it('names the months sorted, the CO2 and output behind the figure, and the grid factor', () => {
    const c = carbonIntensityCondition(status({ ...CARBON, intensity: intensityAt('yellow') }), '测试水泥', 'zh-CN');
    expect(c).toMatchObject({ type: 'carbon-intensity', severity: 'warning', value: 9, threshold: 9.5, unit: 't CO2/10^4 yuan' });
    expect(c).toMatchObject({ periodFrom: '2026-01-01T00:00:00.000+08:00', periodTo: '2026-03-01T00:00:00.000+08:00' });
    expect(c.message).toBe(
      '测试水泥 万元产值二氧化碳排放 9 t/万元（统计月份 2026-01、2026-02，9,000 t / 1,000 万元），限额 9.5，比值 94.7 %；电网排放因子 0.5366 kgCO2/kWh（2026年，MEE 2024 national grid）',
    );
    expect(carbonIntensityCondition(status(CARBON), 'x', 'en').severity).toBeNull();
  });

  it('no output or no limit: no alarm', () => {
    expect(carbonIntensityCondition(status({ ...CARBON, intensity: null }), 'x', 'en').severity).toBeNull();
    const noOutput = { intensity: null, level: null, note: 'no-output' as const, limit: 9.5, output10kYuan: null, co2T: 0, months: [] };
    expect(carbonIntensityCondition(status({ ...CARBON, intensity: noOutput }), 'x', 'en').severity).toBeNull();
  });
});

/** line2 as the project figures test has it: 470 tce and 3,050 t over 90 days. */
const LINE2: ProjectAt = {
  id: 'line2',
  name: '二期熟料线',
  approvedTce: 2000,
  approvedCo2T: 12000,
  operatingFrom: '2025-12-01',
  window: { from: '2025-12-01T00:00:00.000+08:00', to: '2026-03-01T00:00:00.000+08:00', days: 90 },
  months: ['2025-12', '2026-01', '2026-02'],
  annualTce: 1906.11111,
  annualCo2T: 12369.4444,
  tceShare: 0.953055555556,
  co2Share: 1.030787037037,
  energyLevel: 'warning',
  co2Level: null,
  level: 'warning',
  windowTce: 470,
  windowCo2T: 3050,
  combustionT: 200,
  processT: 1000,
  scope2T: 1850,
  gridFactors: [
    { value: 0.6, year: 2025, source: 'grid 2025' },
    { value: 0.5, year: 2026, source: 'grid 2026' },
  ],
  parameters: [],
};

describe('projectCondition', () => {
  it('energy warning: one alarm per project, the energy figure, both grid factor rows and the months', () => {
    const c = projectCondition('cem01', LINE2, '测试水泥', 'zh-CN');
    expect(c).toMatchObject({
      type: 'project',
      enterprise: 'cem01',
      meter: 'project:line2',
      severity: 'warning',
      value: 1906.11111,
      threshold: 2000,
      unit: 'tce/a',
    });
    expect(c).toMatchObject({ periodFrom: LINE2.window.from, periodTo: LINE2.window.to });
    expect(c.message).toBe(
      '测试水泥 项目 二期熟料线（line2）年化综合能耗 1,906.1 tce，为节能审查核定 2,000 tce 的 95.3 %；年化二氧化碳 12,369.4 t，核定 12,000 t 的 103.1 %（90 天，月份 2025-12、2026-01、2026-02；电网排放因子 0.6 kgCO2/kWh（2025年，grid 2025）；0.5 kgCO2/kWh（2026年，grid 2026））',
    );
  });

  it('CO2 critical (>= 1.10, the re-review trigger) makes CO2 the figure', () => {
    // 13,383.33 t / 12,000 t = 1.1153 -> critical.
    const p: ProjectAt = { ...LINE2, annualCo2T: 13383.3333, co2Share: 1.115277777778, co2Level: 'critical', level: 'critical' };
    const c = projectCondition('cem01', p, 'Cement', 'en');
    expect(c).toMatchObject({ severity: 'critical', value: 13383.3333, threshold: 12000, unit: 't CO2/a' });
    expect(c.message).toBe(
      'Cement project 二期熟料线 (line2): annualised energy 1,906.1 tce is 95.3 % of the approved 2,000 tce; annualised CO2 13,383.3 t, 111.5 % of the approved 12,000 t (90 days, months 2025-12, 2026-01, 2026-02; grid factor 0.6 kgCO2/kWh (2025, grid 2025); 0.5 kgCO2/kWh (2026, grid 2026))',
    );
  });

  it('a short window has no figure and no alarm, and says why', () => {
    const p: ProjectAt = {
      ...LINE2,
      annualTce: null,
      annualCo2T: null,
      tceShare: null,
      co2Share: null,
      energyLevel: null,
      level: null,
      note: 'short-window',
    };
    const c = projectCondition('cem01', p, 'x', 'zh-CN');
    expect(c.severity).toBeNull();
    expect(c.message).toContain('年化综合能耗 —');
    expect(c.message).toContain('运行不足 28 天');
  });

  it('no grid electricity is said as such', () => {
    expect(gridFactorText([], 'en')).toBe('no grid electricity');
  });
});
