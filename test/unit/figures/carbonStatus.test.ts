/**
 * The carbon figures of the status (contract 9, issue 20): CO2 by part year to date, green
 * certificates deducted over the period, entered carriers and products, the grid factor of the data
 * year, the carbon status against the budget and the carbon intensity. Against a real SQLite store;
 * figures by hand, with round emission factors configured so each product is exact.
 */
import { COEFFICIENTS } from '../../../config/coefficients';
import type { Config, ConfigInput } from '../../../config/schema';
import { FactorTable } from '../../../services/energy/factors';
import { StatusService } from '../../../services/figures/statusService';
import { MonthlyStatisticsStore } from '../../../services/store/state/monthlyStatisticsStore';
import { SqliteTimeSeriesStore } from '../../../services/store/sqlite/sqliteTimeSeriesStore';
import { testConfig } from '../../helpers/config';
import { openTestStateDb } from '../../helpers/stateDb';

const t = (iso: string) => Date.parse(iso);
type EnterpriseInput = ConfigInput['enterprises'][number];

interface Hour {
  meter: string;
  carrier: string;
  unit: string;
  hour: number;
  quantity: number;
}

const elec = (iso: string, kwh: number): Hour => ({ meter: 'e-main', carrier: 'electricity', unit: 'kWh', hour: t(iso), quantity: kwh });
const coal = (iso: string, tonnes: number): Hour => ({ meter: 'coal', carrier: 'raw_coal', unit: 't', hour: t(iso), quantity: tonnes });
const clinker = (iso: string, tonnes: number): Hour => ({ meter: 'clinker', carrier: 'product', unit: 't', hour: t(iso), quantity: tonnes });

/**
 * Grid 0.6 kgCO2/kWh from data year 2023 and 0.5 from 2025 (2024 uses 2023's row); raw coal 2,000
 * kgCO2/t. One enterprise `cem01` with electricity, coal and a clinker meter.
 */
function plant(quotas: EnterpriseInput['quotas'], extra: Partial<EnterpriseInput> = {}): Config {
  return testConfig({
    emissionFactors: {
      electricity: [
        { year: 2023, value: 0.6, source: 'test grid 2023' },
        { year: 2025, value: 0.5, source: 'test grid 2025' },
      ],
      raw_coal: 2000,
    },
    enterprises: [
      {
        id: 'cem01',
        name: '测试水泥',
        industry: '3011',
        quotas,
        processEmissions: [{ product: 'cement_clinker', tCo2PerUnit: 0.5, source: 'test clinker' }],
        meters: [
          { id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter' },
          { id: 'coal', carrier: 'raw_coal', unit: 't', kind: 'interval' },
          { id: 'clinker', carrier: 'product', product: 'cement_clinker', unit: 't', kind: 'counter' },
        ],
        ...extra,
      },
    ],
  });
}

interface Reading {
  meter: string;
  ts: number;
  value: number;
}

async function setup(config: Config, hours: Hour[], readings: Reading[] = []) {
  const store = new SqliteTimeSeriesStore({ path: ':memory:', zone: config.timezone });
  await store.start();
  await store.write({
    readings: readings.map((r) => ({ enterprise: 'cem01', quality: 'good' as const, ...r })),
    hourly: hours.map((h) => ({ enterprise: 'cem01', ...h })),
  });
  const stateDb = await openTestStateDb();
  const monthly = new MonthlyStatisticsStore(stateDb);
  const status = new StatusService({ store, outputs: monthly, config, factors: new FactorTable(config, COEFFICIENTS) });
  const at = async (iso: string, options: { endOf?: boolean } = {}) => {
    const cem = config.enterprises.find((e) => e.id === 'cem01')!;
    return (await status.statusAt([cem], t(iso), options)).get('cem01')!;
  };
  const put = (month: string, patch: Parameters<MonthlyStatisticsStore['put']>[2]) => monthly.put('cem01', month, patch, 'officer', 0);
  return { put, at, close: async () => Promise.all([store.stop(), stateDb.close()]) };
}

describe('CO2 by part in the status (contract 9)', () => {
  it('a cement plant: coal, clinker process CO2, entered process CO2 and grid electricity', async () => {
    // January: coal 100 t x 2,000 kg = 200 t; clinker 1,000 t x 0.5 = 500 t, plus 30 t entered
    // process CO2 = 530 t; electricity 200,000 kWh x 0.5 (2025 row for 2026) = 100 t. Total 830 t.
    const s = await setup(plant([{ year: 2026, totalTce: 100_000 }]), [
      elec('2026-01-10T10:00:00+08:00', 200_000),
      coal('2026-01-10T10:00:00+08:00', 100),
      clinker('2026-01-10T10:00:00+08:00', 1000),
    ]);
    await s.put('2026-01', { processCo2T: 30 });
    const st = await s.at('2026-02-10T10:00:00+08:00');
    expect(st.carbon).toMatchObject({ year: 2026, ytdT: 830, combustionT: 200, processT: 530, scope2T: 100, greenCertificatesKwh: 0 });
    // No co2BudgetT: the budget figures are null, the run rate is not.
    expect(st.carbon).toMatchObject({ budgetT: null, share: null, pace: null, level: null, intensity: null });
    expect(st.carbon!.forecastT).not.toBeNull();
    expect(st.carbon!.gridFactor).toEqual({ value: 0.5, year: 2025, source: 'test grid 2025' });
    expect(st.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: 'tCO2/process/cement_clinker/t', value: 0.5, source: 'test clinker' }),
        expect.objectContaining({ key: 'kgCO2/raw_coal/t', value: 2000 }),
      ]),
    );
    await s.close();
  });

  it('an entered clinker month replaces the metered one once the month has ended', async () => {
    // Metered 1,000 t in January, 1,200 t entered: 1,200 x 0.5 = 600 t from 1 February; before, 500 t.
    const s = await setup(plant([{ year: 2026, totalTce: 100_000 }]), [clinker('2026-01-10T10:00:00+08:00', 1000)]);
    await s.put('2026-01', { products: { cement_clinker: { quantity: 1200, unit: 't' } } });
    expect((await s.at('2026-01-31T12:00:00+08:00')).carbon!.processT).toBe(500);
    expect((await s.at('2026-02-01T00:00:00+08:00')).carbon!.processT).toBe(600);
    await s.close();
  });

  it('a month of entered coal counts from its end: 120 + 10 - 30 = 100 t x 2,000 kg = 200 t', async () => {
    const s = await setup(plant([{ year: 2026, totalTce: 100_000 }]), [elec('2026-01-10T10:00:00+08:00', 200_000)]);
    await s.put('2026-01', { carriers: { raw_coal: { unit: 't', purchased: 120, openingStock: 10, closingStock: 30 } } });
    expect((await s.at('2026-01-31T12:00:00+08:00')).carbon).toMatchObject({ combustionT: 0, ytdT: 100 });
    expect((await s.at('2026-02-01T00:00:00+08:00')).carbon).toMatchObject({ combustionT: 200, ytdT: 300 });
    await s.close();
  });

  it('takes off what meters recorded after t on its day, as for energy', async () => {
    // Counter registers at 10:00, 11:00 and 12:00 on 10 January: clinker 0, 100, 200 t; electricity
    // 0, 100,000, 200,000 kWh; the day's hours hold 200 t and 200,000 kWh. At 11:00 the hour after t
    // is taken off: clinker 100 t x 0.5 = 50 t, electricity 100,000 x 0.5 / 1,000 = 50 t; at 12:00 double.
    const h = (hh: string) => t(`2026-01-10T${hh}:00:00+08:00`);
    const registers = (meter: string, step: number) => [0, 1, 2].map((i) => ({ meter, ts: h(['10', '11', '12'][i]!), value: i * step }));
    const s = await setup(
      plant([{ year: 2026, totalTce: 100_000 }]),
      [
        elec('2026-01-10T10:00:00+08:00', 100_000),
        elec('2026-01-10T11:00:00+08:00', 100_000),
        clinker('2026-01-10T10:00:00+08:00', 100),
        clinker('2026-01-10T11:00:00+08:00', 100),
      ],
      [...registers('clinker', 100), ...registers('e-main', 100_000)],
    );
    expect((await s.at('2026-01-10T11:00:00+08:00')).carbon).toMatchObject({ processT: 50, scope2T: 50, ytdT: 100 });
    expect((await s.at('2026-01-10T12:00:00+08:00')).carbon).toMatchObject({ processT: 100, scope2T: 100, ytdT: 200 });
    await s.close();
  });

  it('CO2 by part without a quota entry for the year; budget and intensity figures null (contract 9)', async () => {
    const s = await setup(plant([{ year: 2025, totalTce: 100_000, co2BudgetT: 1000 }]), [elec('2026-01-10T10:00:00+08:00', 200_000)]);
    // 200,000 kWh x 0.5 (2025 row for 2026) = 100 t of scope 2.
    expect((await s.at('2026-02-10T10:00:00+08:00')).carbon).toMatchObject({
      ytdT: 100,
      scope2T: 100,
      budgetT: null,
      share: null,
      level: null,
      intensity: null,
    });
    await s.close();
  });

  it('a product sub-meter is out of the process CO2 (out of every total)', async () => {
    const config = plant([{ year: 2026, totalTce: 100_000 }]);
    const cem = config.enterprises[0]!;
    const withSub = { ...config, enterprises: [{ ...cem, meters: [...cem.meters, { ...cem.meters[2]!, id: 'clinker-sub', submeter: true }] }] };
    const s = await setup(withSub, [
      clinker('2026-01-10T10:00:00+08:00', 1000),
      { ...clinker('2026-01-10T10:00:00+08:00', 400), meter: 'clinker-sub' },
    ]);
    // 1,000 t x 0.5 = 500 t; the sub-meter's 400 t is part of those 1,000 t, not more.
    expect((await s.at('2026-02-10T10:00:00+08:00')).carbon).toMatchObject({ processT: 500 });
    await s.close();
  });
});

describe('green certificates over the period (contract 9: max(0, kWh - certificate kWh) x grid factor)', () => {
  // January 1,000,000 kWh with 300,000 kWh of certificates; February 400,000 kWh with 600,000.
  const hours = [elec('2026-01-10T10:00:00+08:00', 1_000_000), elec('2026-02-10T10:00:00+08:00', 400_000)];

  it("are set against the year to date's grid electricity: February's surplus counts against January", async () => {
    const s = await setup(plant([{ year: 2026, totalTce: 100_000 }]), hours);
    await s.put('2026-01', { greenCertificatesKwh: 300_000 });
    await s.put('2026-02', { greenCertificatesKwh: 600_000 });
    // Year to date: (1,400,000 - 900,000) x 0.5 / 1,000 = 250 t (month by month it would be 350 t).
    const st = await s.at('2026-03-10T10:00:00+08:00');
    expect(st.carbon).toMatchObject({ scope2T: 250, ytdT: 250, greenCertificatesKwh: 900_000 });
    // On 20 February February has not ended: its certificates do not count yet, its kWh do:
    // (1,400,000 - 300,000) x 0.5 / 1,000 = 550 t.
    expect((await s.at('2026-02-20T10:00:00+08:00')).carbon).toMatchObject({ scope2T: 550, greenCertificatesKwh: 300_000 });
    await s.close();
  });

  it("never below zero: certificates above the period's grid electricity leave 0", async () => {
    const s = await setup(plant([{ year: 2026, totalTce: 100_000 }]), hours);
    await s.put('2026-01', { greenCertificatesKwh: 2_000_000 });
    // max(0, 1,400,000 - 2,000,000) = 0 kWh -> 0 t.
    expect((await s.at('2026-03-10T10:00:00+08:00')).carbon).toMatchObject({ scope2T: 0, ytdT: 0 });
    await s.close();
  });
});

describe('the grid factor of the data year', () => {
  const quotas = [2024, 2025].map((year) => ({ year, totalTce: 100_000 }));

  it('January 2024 uses the 2023 row (0.6), January 2025 the 2025 row (0.5)', async () => {
    const s = await setup(plant(quotas), [elec('2024-01-10T10:00:00+08:00', 1_000_000), elec('2025-01-10T10:00:00+08:00', 1_000_000)]);
    const y2024 = await s.at('2024-01-20T10:00:00+08:00');
    expect(y2024.carbon).toMatchObject({ year: 2024, scope2T: 600, gridFactor: { value: 0.6, year: 2023, source: 'test grid 2023' } });
    const y2025 = await s.at('2025-01-20T10:00:00+08:00');
    expect(y2025.carbon).toMatchObject({ year: 2025, scope2T: 500, gridFactor: { value: 0.5, year: 2025 } });
    await s.close();
  });

  it("a report at the end of December 2024 counts December with 2024's factors, not 2025's", async () => {
    const s = await setup(plant(quotas), [elec('2024-12-10T10:00:00+08:00', 1_000_000)]);
    const st = await s.at('2025-01-01T00:00:00+08:00', { endOf: true });
    // 1,000,000 x 0.6 = 600 t; f = 1, forecast 600 t.
    expect(st.carbon).toMatchObject({ year: 2024, ytdT: 600, forecastT: 600, gridFactor: { year: 2023 } });
    await s.close();
  });
});

describe('carbon status against the budget (rules.carbon defaults: pace 1.00 / 1.10, share 0.90 / 1.00)', () => {
  // 1 January to 1 July 2026 is 31+28+31+30+31+30 = 181 days; 2 July 12:00 is 1.5 days later:
  // 182.5 of 365 days, f = 0.5 exactly. Budget 2,000 t; coal at 2 t CO2/t.
  const at = '2026-07-02T12:00:00+08:00';
  const budget = plant([{ year: 2026, totalTce: 100_000, co2BudgetT: 2000 }]);
  const status = async (coalT: number) => {
    const s = await setup(budget, [coal('2026-01-10T10:00:00+08:00', coalT)]);
    const st = await s.at(at);
    await s.close();
    return st.carbon!;
  };

  it('pace exactly 1.00 is green: 500 t coal = 1,000 t, share 0.5, pace 1,000 / (2,000 x 0.5) = 1', async () => {
    expect(await status(500)).toMatchObject({ budgetT: 2000, ytdT: 1000, share: 0.5, pace: 1, level: 'green', forecastT: 2000 });
  });

  it('pace exactly 1.10 is yellow: 550 t = 1,100 t, pace 1.1', async () => {
    expect(await status(550)).toMatchObject({ ytdT: 1100, share: 0.55, pace: 1.1, level: 'yellow' });
  });

  it('pace above 1.10 is red: 551 t = 1,102 t, pace 1.102', async () => {
    expect(await status(551)).toMatchObject({ ytdT: 1102, pace: 1.102, level: 'red' });
  });

  it('share 1.00 is red at f = 1 (a December report): 1,000 t coal = 2,000 t of 2,000', async () => {
    const s = await setup(budget, [coal('2026-12-10T10:00:00+08:00', 1000)]);
    const st = await s.at('2027-01-01T00:00:00+08:00', { endOf: true });
    expect(st.carbon).toMatchObject({ share: 1, pace: 1, level: 'red' });
    await s.close();
  });
});

describe('carbon intensity over the complete months with output', () => {
  it('takes the months energy intensity takes: January 830 t / 500 = 1.66, ratio 1.66 / 2 = 0.83, green', async () => {
    const config = plant([{ year: 2026, totalTce: 100_000, co2IntensityLimit: 2 }]);
    const s = await setup(config, [
      elec('2026-01-10T10:00:00+08:00', 200_000),
      coal('2026-01-10T10:00:00+08:00', 100),
      clinker('2026-01-10T10:00:00+08:00', 1000),
      coal('2026-02-10T10:00:00+08:00', 50), // February: 100 t CO2 in the year to date, not in intensity
    ]);
    await s.put('2026-01', { processCo2T: 30, outputValue10kYuan: 500 });
    await s.put('2026-02', { outputValue10kYuan: 400 }); // entered early: February is not complete
    const st = await s.at('2026-02-14T10:00:00+08:00');
    expect(st.carbon!.ytdT).toBe(930);
    expect(st.carbon!.intensity).toMatchObject({ intensity: 1.66, limit: 2, ratio: 0.83, level: 'green', months: ['2026-01'], co2T: 830 });
    // At the end of February both months: 930 / 900 = 1.0333..., ratio 0.51666... green.
    const end = await s.at('2026-03-01T00:00:00+08:00', { endOf: true });
    expect(end.carbon!.intensity).toMatchObject({ intensity: 1.03333333, months: ['2026-01', '2026-02'], co2T: 930, level: 'green' });
    await s.close();
  });

  it('ratio above 0.95 is yellow, above 1.00 red', async () => {
    // January coal 100 t = 200 t CO2; output 100: intensity 2. Limits 2.1 (ratio 0.952..., yellow) and 1.99 (1.005..., red).
    const levelAt = async (limit: number) => {
      const s = await setup(plant([{ year: 2026, totalTce: 100_000, co2IntensityLimit: limit }]), [coal('2026-01-10T10:00:00+08:00', 100)]);
      await s.put('2026-01', { outputValue10kYuan: 100 });
      const st = await s.at('2026-02-02T00:00:00+08:00');
      await s.close();
      return st.carbon!.intensity!.level;
    };
    expect(await levelAt(2.1)).toBe('yellow');
    expect(await levelAt(1.99)).toBe('red');
    expect(await levelAt(2)).toBe('yellow'); // ratio exactly 1.00: not above red
  });
});
