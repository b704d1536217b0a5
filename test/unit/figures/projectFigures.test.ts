/**
 * Energy-review projects at t (contract 9.1) against a real SQLite store: only the project's meters
 * count, over [max(operatingFrom, 12 months back), start of t's month), tce on the equivalent basis,
 * CO2 with each data year's factors and the product meters' process CO2. Figures by hand.
 */
import { COEFFICIENTS } from '../../../config/coefficients';
import { FactorTable } from '../../../services/energy/factors';
import { ProjectFiguresService } from '../../../services/figures/projectFigures';
import { SqliteTimeSeriesStore } from '../../../services/store/sqlite/sqliteTimeSeriesStore';
import { PROJECT_HOURS, projectConfig } from '../../helpers/projects';

const t = (iso: string) => Date.parse(iso);

async function setup(equal = false) {
  const config = projectConfig(equal);
  const store = new SqliteTimeSeriesStore({ path: ':memory:', zone: config.timezone });
  await store.start();
  await store.write({ readings: [], hourly: PROJECT_HOURS });
  const service = new ProjectFiguresService({ store, config, factors: new FactorTable(config, COEFFICIENTS) });
  return { config, store, service };
}

describe('project figures (contract 9.1)', () => {
  it('line2 on 15 March 2026: 90 days from 1 December, tce 470 -> 1,906.11 a year (warning), CO2 3,050 t by data year', async () => {
    const { config, store, service } = await setup();
    const out = (await service.projectsAt(config.enterprises, t('2026-03-15T12:00:00+08:00'))).get('cem01')!;
    expect(out.projects.map((p) => p.id)).toEqual(['line2', 'line3']);
    const p = out.projects[0]!;
    // Window [2025-12-01, 2026-03-01): 31 + 31 + 28 = 90 days (the rolling start 2025-03-01 is earlier).
    expect(p.window).toEqual({ from: '2025-12-01T00:00:00.000+08:00', to: '2026-03-01T00:00:00.000+08:00', days: 90 });
    expect(p.months).toEqual(['2025-12', '2026-01', '2026-02']);
    // tce: 3,500,000 kWh x 0.1 = 350 tce + 100,000 m3 x 1.2 = 120 tce = 470 tce; 470 x 365 / 90 = 1,906.11111.
    expect(p.windowTce).toBe(470);
    expect(p.annualTce).toBe(1906.11111);
    // 1,906.111 / 2,000 = 0.953056 -> warning (>= 0.9, not above 1).
    expect(p.tceShare).toBeCloseTo(0.953055555556, 12);
    expect(p.energyLevel).toBe('warning');
    // CO2: Dec 1,000,000 x 0.6 = 600 t; Jan-Feb 2,500,000 x 0.5 = 1,250 t; gas 100,000 x 2.0 = 200 t;
    // clinker 2,000 x 0.5 = 1,000 t; total 3,050 t; x 365 / 90 = 12,369.4444 t; / 12,000 = 1.030787 < 1.10.
    expect({ combustionT: p.combustionT, processT: p.processT, scope2T: p.scope2T, windowCo2T: p.windowCo2T }).toEqual({
      combustionT: 200,
      processT: 1000,
      scope2T: 1850,
      windowCo2T: 3050,
    });
    expect(p.annualCo2T).toBe(12369.4444);
    expect(p.co2Level).toBeNull();
    expect(p.level).toBe('warning');
    expect(p.gridFactors).toEqual([
      { value: 0.6, year: 2025, source: 'grid 2025' },
      { value: 0.5, year: 2026, source: 'grid 2026' },
    ]);
    expect(p.parameters.map((r) => `${r.key}@${r.year ?? ''}`)).toEqual(
      expect.arrayContaining(['kgCO2/electricity/kWh@2025', 'kgCO2/electricity/kWh@2026', 'tCO2/process/cement_clinker/t@']),
    );
    await store.stop();
  });

  it('a feedstock meter counts in the project CO2 (processT) but not in its tce (contract 9)', async () => {
    const base = projectConfig();
    const e = base.enterprises[0]!;
    const config = {
      ...base,
      emissionFactors: { ...base.emissionFactors, feedstock_natural_gas: 1.5 },
      enterprises: [
        {
          ...e,
          meters: [...e.meters, { ...e.meters[3]!, id: 'fs-line2', carrier: 'feedstock_natural_gas' }],
          projects: [{ ...e.projects[0]!, meters: ['fs-line2'] }],
        },
      ],
    };
    const store = new SqliteTimeSeriesStore({ path: ':memory:', zone: config.timezone });
    await store.start();
    await store.write({
      readings: [],
      hourly: [
        {
          enterprise: 'cem01',
          meter: 'fs-line2',
          carrier: 'feedstock_natural_gas',
          unit: 'm3',
          hour: t('2026-01-10T10:00:00+08:00'),
          quantity: 100_000,
        },
      ],
    });
    const service = new ProjectFiguresService({ store, config, factors: new FactorTable(config, COEFFICIENTS) });
    const p = (await service.projectsAt(config.enterprises, t('2026-03-15T12:00:00+08:00'))).get('cem01')!.projects[0]!;
    // 100,000 m3 x 1.5 kg/m3 = 150 t CO2 in processT; feedstock is not the line's energy: 0 tce.
    expect({ processT: p.processT, windowCo2T: p.windowCo2T, windowTce: p.windowTce }).toEqual({ processT: 150, windowCo2T: 150, windowTce: 0 });
    await store.stop();
  });

  it('line3 from 20 February: a 9-day window gives no annual figure and no level', async () => {
    const { config, store, service } = await setup();
    const p = (await service.projectsAt(config.enterprises, t('2026-03-15T12:00:00+08:00'))).get('cem01')!.projects[1]!;
    // [2026-02-20, 2026-03-01) = 9 days < 28; 100 kWh x 0.1 = 0.01 tce, x 0.5 = 0.05 t.
    expect(p).toMatchObject({
      windowTce: 0.01,
      windowCo2T: 0.05,
      annualTce: null,
      annualCo2T: null,
      level: null,
      note: 'short-window',
      approvedCo2T: null,
    });
    expect(p.window.days).toBe(9);
    await store.stop();
  });

  it('the equivalent basis whatever electricity says: 当量值 0.1, not the configured 等价值 0.3', async () => {
    const { config, store, service } = await setup(true);
    const p = (await service.projectsAt(config.enterprises, t('2026-03-15T12:00:00+08:00'))).get('cem01')!.projects[0]!;
    // With electricity: equal the 0.1 override sets the 等价值 row, and the 当量值 is the table's 0.1229:
    // 3,500,000 x 0.1229 = 430.15 tce + 120 tce = 550.15 tce.
    expect(p.windowTce).toBe(550.15);
    await store.stop();
  });

  it('on 1 December 2025 00:00 line2 has not started: an empty window, no figure', async () => {
    const { config, store, service } = await setup();
    const p = (await service.projectsAt(config.enterprises, t('2025-12-01T00:00:00+08:00'))).get('cem01')!.projects[0]!;
    expect(p).toMatchObject({
      window: { from: '2025-12-01T00:00:00.000+08:00', to: '2025-12-01T00:00:00.000+08:00', days: 0 },
      months: [],
      windowTce: 0,
      annualTce: null,
      level: null,
    });
    await store.stop();
  });
});
