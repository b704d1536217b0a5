/**
 * CO2 by part in the consumption series (contract 9 in the consumption API, issue 20 item 1): each
 * row's part, and CO2 by part over the whole range with entered monthly figures counted for the
 * months wholly inside it. Against a real SQLite store and monthly-statistics store; figures by
 * hand, with round emission factors configured so each product is exact.
 */
import { COEFFICIENTS } from '../../../config/coefficients';
import type { ConfigInput } from '../../../config/schema';
import type { Every } from '../../../services/energy/time';
import { FactorTable } from '../../../services/energy/factors';
import { ConsumptionService } from '../../../services/figures/consumptionService';
import { MonthlyStatisticsStore } from '../../../services/store/state/monthlyStatisticsStore';
import { SqliteTimeSeriesStore } from '../../../services/store/sqlite/sqliteTimeSeriesStore';
import { testConfig } from '../../helpers/config';
import { openTestStateDb } from '../../helpers/stateDb';

const t = (iso: string) => Date.parse(iso);
type MeterInput = ConfigInput['enterprises'][number]['meters'][number];

interface Hour {
  meter: string;
  carrier: string;
  unit: string;
  iso: string;
  quantity: number;
}
const hour = (meter: string, carrier: string, unit: string) => (iso: string, quantity: number) => ({ meter, carrier, unit, iso, quantity });
const elec = hour('e-main', 'electricity', 'kWh');
const elecSub = hour('e-kiln', 'electricity', 'kWh');
const coal = hour('coal', 'raw_coal', 't');
const clinker = hour('clinker', 'product', 't');
const clinkerSub = hour('clinker-line2', 'product', 't');
const lime = hour('lime', 'product', 't');

const PLANT_METERS: MeterInput[] = [
  { id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter' },
  // Inside e-main: out of every total.
  { id: 'e-kiln', carrier: 'electricity', unit: 'kWh', kind: 'counter', submeter: true },
  { id: 'coal', carrier: 'raw_coal', unit: 't', kind: 'interval' },
  { id: 'clinker', carrier: 'product', product: 'cement_clinker', unit: 't', kind: 'counter' },
  { id: 'clinker-line2', carrier: 'product', product: 'cement_clinker', unit: 't', kind: 'counter', submeter: true },
];

/**
 * Grid 0.6 kgCO2/kWh in data year 2025 and 0.5 from 2026; raw coal 2,000 kgCO2/t; diesel 3,000
 * kgCO2/t; clinker 0.5 t CO2/t, lime 0.75 t CO2/t. One enterprise `cem01`.
 */
async function setup(hours: Hour[], meters: MeterInput[] = PLANT_METERS) {
  const config = testConfig({
    emissionFactors: {
      electricity: [
        { year: 2025, value: 0.6, source: 'test grid 2025' },
        { year: 2026, value: 0.5, source: 'test grid 2026' },
      ],
      raw_coal: 2000,
      diesel: 3000,
    },
    enterprises: [
      {
        id: 'cem01',
        name: '测试水泥',
        industry: '3011',
        processEmissions: [
          { product: 'cement_clinker', tCo2PerUnit: 0.5, source: 'test clinker' },
          { product: 'lime', unit: 't', tCo2PerUnit: 0.75, source: 'test lime' },
        ],
        meters,
      },
    ],
  });
  const store = new SqliteTimeSeriesStore({ path: ':memory:', zone: config.timezone });
  const stateDb = await openTestStateDb();
  const monthly = new MonthlyStatisticsStore(stateDb);
  await store.start();
  await store.write({ readings: [], hourly: hours.map(({ iso, ...h }) => ({ enterprise: 'cem01', hour: t(iso), ...h })) });
  const svc = new ConsumptionService({ store, factors: new FactorTable(config, COEFFICIENTS), config, monthly });
  const put = (month: string, patch: Parameters<MonthlyStatisticsStore['put']>[2]) => monthly.put('cem01', month, patch, 'officer', 0);
  const series = async (from: string, to: string, every: Every) => (await svc.series(['cem01'], t(from), t(to), every, { co2: true })).get('cem01')!;
  const rig = { put, series, svc, close: async () => Promise.all([store.stop(), stateDb.close()]) };
  opened.push(rig);
  return rig;
}

// The tests do not close their rigs; the state database is a temporary directory now, so remove it after each.
const opened: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const rig of opened.splice(0)) await rig.close();
});

describe('CO2 by part in the consumption series', () => {
  it('a cement plant over March: coal, clinker and grid electricity by part; each row keeps its co2Kg and gains its part', async () => {
    // Coal 60 + 40 = 100 t x 2,000 kg = 200 t combustion; clinker 600 + 400 = 1,000 t x 0.5 = 500 t
    // process (the 300 t line-2 sub-meter is inside it); electricity 120,000 + 80,000 = 200,000 kWh x
    // 0.5 (2026 row) = 100 t scope 2 (the 50,000 kWh kiln sub-meter is inside it). Total 800 t.
    const s = await setup([
      elec('2026-03-02T10:00:00+08:00', 120_000),
      elec('2026-03-20T10:00:00+08:00', 80_000),
      elecSub('2026-03-02T10:00:00+08:00', 50_000),
      coal('2026-03-02T10:00:00+08:00', 60),
      coal('2026-03-20T10:00:00+08:00', 40),
      clinker('2026-03-02T10:00:00+08:00', 600),
      clinker('2026-03-20T10:00:00+08:00', 400),
      clinkerSub('2026-03-20T10:00:00+08:00', 300),
    ]);
    const r = await s.series('2026-03-01T00:00:00+08:00', '2026-04-01T00:00:00+08:00', '1d');
    expect(r.co2).toMatchObject({ combustionT: 200, processT: 500, scope2T: 100, totalT: 800, greenCertificatesKwh: 0 });
    expect(r.co2!.note).toBeUndefined();
    expect(r.co2!.rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: 'kgCO2/raw_coal/t', value: 2000 }),
        expect.objectContaining({ key: 'kgCO2/electricity/kWh', value: 0.5, year: 2026, source: 'test grid 2026' }),
        expect.objectContaining({ key: 'tCO2/process/cement_clinker/t', value: 0.5, source: 'test clinker' }),
      ]),
    );
    expect(r.co2!.rows).toHaveLength(3);
    // 2 March: coal 60 t x 2,000 = 120,000 kg; electricity 120,000 kWh x 0.5 = 60,000 kg; clinker no CO2 of its own.
    const day2 = r.series.filter((p) => p.time === t('2026-03-02T00:00:00+08:00'));
    const by = Object.fromEntries(day2.map((p) => [p.carrier, p]));
    expect(by.raw_coal).toMatchObject({ quantity: 60, co2Kg: 120_000, co2Part: 'combustion' });
    expect(by.electricity).toMatchObject({ quantity: 120_000, co2Kg: 60_000, co2Part: 'scope2' });
    expect(by.product).toMatchObject({ quantity: 600, co2Kg: 0, co2Part: null });
  });

  it('several metered products: each priced by its own factor (clinker 1,000 t x 0.5 + lime 200 t x 0.75 = 650 t)', async () => {
    const s = await setup(
      [clinker('2026-03-02T10:00:00+08:00', 1000), lime('2026-03-02T10:00:00+08:00', 200)],
      [...PLANT_METERS, { id: 'lime', carrier: 'product', product: 'lime', unit: 't', kind: 'counter' }],
    );
    const r = await s.series('2026-03-01T00:00:00+08:00', '2026-04-01T00:00:00+08:00', '1mo');
    // The series itself sums the product meters: 1,200 t.
    expect(r.series).toEqual([expect.objectContaining({ carrier: 'product', quantity: 1200, co2Part: null })]);
    expect(r.co2).toMatchObject({ combustionT: 0, processT: 650, scope2T: 0, totalT: 650 });
    expect(r.co2!.rows.map((x) => x.key).sort()).toEqual(['tCO2/process/cement_clinker/t', 'tCO2/process/lime/t']);
  });

  it('over a data-year boundary each year uses its own grid row, and both rows are named', async () => {
    // December 2025: 100,000 kWh x 0.6 = 60 t; January 2026: 100,000 kWh x 0.5 = 50 t. Total 110 t.
    const s = await setup([elec('2025-12-10T10:00:00+08:00', 100_000), elec('2026-01-10T10:00:00+08:00', 100_000)]);
    const r = await s.series('2025-12-01T00:00:00+08:00', '2026-02-01T00:00:00+08:00', '1mo');
    expect(r.co2).toMatchObject({ combustionT: 0, processT: 0, scope2T: 110, totalT: 110 });
    const grid = r.co2!.rows.filter((x) => x.key === 'kgCO2/electricity/kWh');
    expect(grid.map((x) => [x.year, x.value, x.source])).toEqual([
      [2025, 0.6, 'test grid 2025'],
      [2026, 0.5, 'test grid 2026'],
    ]);
    // Each row's co2Kg is that of its own data year: 60,000 and 50,000 kg.
    expect(r.series.map((p) => [p.co2Kg, p.co2Part])).toEqual([
      [60_000, 'scope2'],
      [50_000, 'scope2'],
    ]);
  });

  it('green certificates of a year pool against that year only: December 2025 and January 2026 apart', async () => {
    // December: (100,000 - 20,000) x 0.6 = 48 t. January: 150,000 certificates against 100,000 kWh:
    // max(0, 100,000 - 150,000) = 0 t; the surplus does not reach December. 170,000 kWh entered.
    const s = await setup([elec('2025-12-10T10:00:00+08:00', 100_000), elec('2026-01-10T10:00:00+08:00', 100_000)]);
    await s.put('2025-12', { greenCertificatesKwh: 20_000 });
    await s.put('2026-01', { greenCertificatesKwh: 150_000 });
    const r = await s.series('2025-12-01T00:00:00+08:00', '2026-02-01T00:00:00+08:00', '1mo');
    expect(r.co2).toMatchObject({ scope2T: 48, totalT: 48, greenCertificatesKwh: 170_000 });
  });

  describe('entered monthly figures count for the months wholly inside the range', () => {
    // March: 100,000 kWh on the 10th and on the 20th; entered 50,000 certificate kWh, 30 t process
    // CO2 and diesel 8 + 4 - 2 = 10 t (x 3,000 kg = 30 t combustion).
    async function march() {
      const s = await setup([elec('2026-03-10T10:00:00+08:00', 100_000), elec('2026-03-20T10:00:00+08:00', 100_000)]);
      await s.put('2026-03', {
        greenCertificatesKwh: 50_000,
        processCo2T: 30,
        carriers: { diesel: { unit: 't', purchased: 8, openingStock: 4, closingStock: 2 } },
      });
      return s;
    }

    it('the whole month, asked by day: (200,000 - 50,000) x 0.5 = 75 t scope 2, 30 t process, 30 t diesel; 135 t', async () => {
      const s = await march();
      const r = await s.series('2026-03-01T00:00:00+08:00', '2026-04-01T00:00:00+08:00', '1d');
      expect(r.co2).toMatchObject({ combustionT: 30, processT: 30, scope2T: 75, totalT: 135, greenCertificatesKwh: 50_000 });
      expect(r.co2!.note).toBeUndefined();
      expect(r.co2!.excludedMonths).toBeUndefined();
      // The daily series itself does not spread the entered diesel month over days.
      expect(r.series.map((p) => p.carrier)).toEqual(['electricity', 'electricity']);
      expect(r.co2!.rows).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'kgCO2/diesel/t', value: 3000 })]));
    });

    it('the same month by month: the same 135 t, and the diesel row in the series', async () => {
      const s = await march();
      const r = await s.series('2026-03-01T00:00:00+08:00', '2026-04-01T00:00:00+08:00', '1mo');
      expect(r.co2).toMatchObject({ combustionT: 30, processT: 30, scope2T: 75, totalT: 135 });
      // 10 t x 3,000 kg = 30,000 kg.
      expect(r.series.find((p) => p.carrier === 'diesel')).toMatchObject({ quantity: 10, co2Kg: 30_000, co2Part: 'combustion' });
    });

    it('a range cutting March leaves its entered figures out and says so: 100,000 kWh x 0.5 = 50 t', async () => {
      const s = await march();
      const r = await s.series('2026-03-15T00:00:00+08:00', '2026-04-01T00:00:00+08:00', '1d');
      expect(r.co2).toEqual({
        combustionT: 0,
        processT: 0,
        scope2T: 50,
        totalT: 50,
        greenCertificatesKwh: 0,
        rows: [expect.objectContaining({ key: 'kgCO2/electricity/kWh', value: 0.5, year: 2026 })],
        note: 'partial-months',
        excludedMonths: ['2026-03'],
      });
    });

    it('a range cutting March and holding April whole: the April certificates pool against the grid kWh of the period', async () => {
      const s = await march();
      await s.put('2026-04', { greenCertificatesKwh: 1000 });
      // [20 March, 1 May) is one period of data year 2026: March's 20 March reading (100,000 kWh) without
      // March's entries, April's 1,000 certificate kWh set against it, as the period formula reads:
      // (100,000 - 1,000) x 0.5 = 49.5 t.
      const r = await s.series('2026-03-20T00:00:00+08:00', '2026-05-01T00:00:00+08:00', '1d');
      expect(r.co2).toMatchObject({ scope2T: 49.5, greenCertificatesKwh: 1000, note: 'partial-months', excludedMonths: ['2026-03'] });
    });

    it('a cut month without entries needs no note', async () => {
      const s = await march();
      // [15 February, 1 March): February has no entries and no readings; March is not touched.
      const r = await s.series('2026-02-15T00:00:00+08:00', '2026-03-01T00:00:00+08:00', '1d');
      expect(r.co2).toEqual({ combustionT: 0, processT: 0, scope2T: 0, totalT: 0, greenCertificatesKwh: 0, rows: [] });
    });
  });

  it('an entered clinker month replaces the metered days in a daily range that holds the month, not in one that cuts it', async () => {
    // Metered 600 t on 2 March and 400 t on 20 March; 1,200 t entered for March. Whole March:
    // 1,200 x 0.5 = 600 t. [15 March, 1 April): the metered 400 t x 0.5 = 200 t, March's entry left out.
    const s = await setup([clinker('2026-03-02T10:00:00+08:00', 600), clinker('2026-03-20T10:00:00+08:00', 400)]);
    await s.put('2026-03', { products: { cement_clinker: { quantity: 1200, unit: 't' } } });
    expect((await s.series('2026-03-01T00:00:00+08:00', '2026-04-01T00:00:00+08:00', '1d')).co2).toMatchObject({ processT: 600 });
    const cut = await s.series('2026-03-15T00:00:00+08:00', '2026-04-01T00:00:00+08:00', '1d');
    expect(cut.co2).toMatchObject({ processT: 200, note: 'partial-months', excludedMonths: ['2026-03'] });
  });

  it('without {co2: true} no CO2 object is computed (the reports and district views do not pay for it)', async () => {
    const s = await setup([elec('2026-03-10T10:00:00+08:00', 100_000)]);
    const r = (await s.svc.series(['cem01'], t('2026-03-01T00:00:00+08:00'), t('2026-04-01T00:00:00+08:00'), '1mo')).get('cem01')!;
    expect(r.co2).toBeUndefined();
    expect(r.series[0]).toMatchObject({ co2Kg: 50_000, co2Part: 'scope2' });
  });
});
