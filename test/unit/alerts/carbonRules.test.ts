/**
 * The rules engine raises, escalates and clears the `carbon`, `carbon-intensity` and `project`
 * alarms (contract 9, 9.1). Carbon statuses are built by hand (their arithmetic is tested with the
 * status service); the project alarms run on the real project figures over a SQLite store.
 */
import { COEFFICIENTS } from '../../../config/coefficients';
import { AlarmManager } from '../../../alerts/alarmManager';
import { RuleEngine } from '../../../alerts/ruleEngine';
import type { AlarmTransition } from '../../../services/energy/alarm';
import { FactorTable } from '../../../services/energy/factors';
import { silentLogger } from '../../../services/core/log';
import type { CarbonStatusAt } from '../../../services/figures/carbonFigures';
import { ProjectFiguresService } from '../../../services/figures/projectFigures';
import type { EnterpriseStatus } from '../../../services/figures/statusService';
import { AlarmStore } from '../../../services/store/state/alarmStore';
import { StateStore } from '../../../services/store/state/stateStore';
import { SqliteTimeSeriesStore } from '../../../services/store/sqlite/sqliteTimeSeriesStore';
import { PROJECT_HOURS, projectConfig } from '../../helpers/projects';
import { openTestStateDb } from '../../helpers/stateDb';

const t = (iso: string) => Date.parse(iso);
const config = projectConfig();

/** 475,000 t of a 500,000 t budget = share 0.95; the level is what the test sets. */
const carbon = (level: 'green' | 'yellow' | 'red', intensityLevel: 'green' | 'yellow' | 'red'): CarbonStatusAt => ({
  year: 2026,
  budgetT: 500_000,
  ytdT: 475_000,
  share: 0.95,
  pace: 1.05,
  level,
  forecastT: 452_381,
  combustionT: 300_000,
  processT: 150_000,
  scope2T: 25_000,
  greenCertificatesKwh: 0,
  gridFactor: { value: 0.5, year: 2026, source: 'grid 2026' },
  intensity: { intensity: 9.6, limit: 9.5, ratio: 9.6 / 9.5, level: intensityLevel, output10kYuan: 1000, co2T: 9600, months: ['2026-01'] },
});

describe('carbon and project alarms in the rules engine', () => {
  let stateDb: Awaited<ReturnType<typeof openTestStateDb>>;
  let store: SqliteTimeSeriesStore;
  let state: StateStore;
  let alarms: AlarmStore;
  let engine: RuleEngine;
  let current: CarbonStatusAt | null;

  beforeEach(async () => {
    stateDb = await openTestStateDb();
    store = new SqliteTimeSeriesStore({ path: ':memory:', zone: config.timezone });
    state = new StateStore(stateDb);
    alarms = new AlarmStore(stateDb);
    await store.start();
    await store.write({ readings: [], hourly: PROJECT_HOURS });
    current = null;
    const status = {
      statusAt: async (): Promise<Map<string, EnterpriseStatus>> =>
        new Map([
          [
            'cem01',
            {
              enterprise: 'cem01',
              at: '2026-03-15T12:00:00.000+08:00',
              timezone: config.timezone,
              electricityBasis: 'equivalent',
              quota: null,
              intensity: null,
              tariff: null,
              ytdByCarrier: [],
              carbon: current,
            },
          ],
        ]),
    };
    const factors = new FactorTable(config, COEFFICIENTS);
    const manager = new AlarmManager({ alarms, sinks: [], logger: silentLogger() });
    const projects = new ProjectFiguresService({ store, config, factors });
    engine = new RuleEngine(
      {},
      { config, status, projects, store, state, alarms, manager, logger: silentLogger(), now: () => t('2026-03-15T12:00:00+08:00') },
    );
  });
  afterEach(async () => {
    await store.stop();
    await stateDb.close();
  });

  const carbonTypes = (ts: AlarmTransition[]) =>
    ts
      .filter((x) => ['carbon', 'carbon-intensity', 'project'].includes(x.alarm.type))
      .map((x) => `${x.kind} ${x.alarm.type} ${x.alarm.meter ?? '-'} ${x.alarm.severity}`)
      .sort();

  it('carbon and carbon-intensity: yellow raises a warning, red escalates, no carbon status clears', async () => {
    const at = t('2026-03-15T12:00:00+08:00');
    current = carbon('yellow', 'yellow');
    let ts = await engine.evaluate(at);
    expect(carbonTypes(ts)).toEqual(['raised carbon - warning', 'raised carbon-intensity - warning', 'raised project project:line2 warning']);
    const raised = ts.find((x) => x.alarm.type === 'carbon')!.alarm;
    expect(raised).toMatchObject({ value: 0.95, threshold: 1, unit: 'share' });
    expect(raised.message).toContain('电网排放因子 0.5 kgCO2/kWh（2026年，grid 2026）');
    // The same figures again: nothing new.
    expect(carbonTypes(await engine.evaluate(at))).toEqual([]);
    current = carbon('red', 'red');
    ts = await engine.evaluate(at);
    expect(carbonTypes(ts)).toEqual(['escalated carbon - critical', 'escalated carbon-intensity - critical']);
    current = carbon('green', 'green');
    expect(carbonTypes(await engine.evaluate(at))).toEqual(['cleared carbon - critical', 'cleared carbon-intensity - critical']);
    current = carbon('red', 'green');
    expect(carbonTypes(await engine.evaluate(at))).toEqual(['raised carbon - critical']);
    current = null;
    expect(carbonTypes(await engine.evaluate(at))).toEqual(['cleared carbon - critical']);
  });

  it('project: energy warning, then CO2 at >= 1.10 x approved escalates, and a year later it clears', async () => {
    // 15 March 2026: line2 at 1,906.11 tce a year = 95.3 % of 2,000 (warning); CO2 12,369.44 t = 103.1 % (no level).
    let ts = await engine.evaluate(t('2026-03-15T12:00:00+08:00'));
    expect(carbonTypes(ts)).toEqual(['raised project project:line2 warning']);
    expect(ts.find((x) => x.alarm.type === 'project')!.alarm).toMatchObject({ value: 1906.11111, threshold: 2000, unit: 'tce/a' });
    // 500 t more clinker in February: 3,050 + 250 = 3,300 t; x 365 / 90 = 13,383.33 t = 1.1153 x 12,000 -> critical.
    await store.write({
      readings: [],
      hourly: [{ enterprise: 'cem01', meter: 'clinker2', carrier: 'product', unit: 't', hour: t('2026-02-11T10:00:00+08:00'), quantity: 500 }],
    });
    ts = await engine.evaluate(t('2026-03-15T12:00:00+08:00'));
    expect(carbonTypes(ts)).toEqual(['escalated project project:line2 critical']);
    const a = ts[0]!.alarm;
    expect(a.unit).toBe('t CO2/a');
    expect(a.value).toBe(13383.3333);
    expect(a.threshold).toBe(12000);
    // 15 March 2027: the window [2026-03-01, 2027-03-01) holds only March 2026's 9,999,999 kWh
    // = 999.9999 tce (50 % of 2,000) and 4,999.9995 t (41.7 % of 12,000): no level, the alarm clears.
    ts = await engine.evaluate(t('2027-03-15T12:00:00+08:00'));
    expect(carbonTypes(ts)).toEqual(['cleared project project:line2 critical']);
  });
});
