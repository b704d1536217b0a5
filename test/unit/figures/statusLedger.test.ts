/**
 * The status follows the ledger (contract 4 "Intensity", 8.3): intensity over the complete months
 * with an output value, entered carriers from their month's end, entered products as the tariff's
 * quantity of record, and parameter rows named. Against a real SQLite store; figures by hand.
 */
import { COEFFICIENTS } from '../../../config/coefficients';
import type { Config } from '../../../config/schema';
import { FactorTable } from '../../../services/energy/factors';
import { StatusService } from '../../../services/figures/statusService';
import { MonthlyStatisticsStore } from '../../../services/store/state/monthlyStatisticsStore';
import { SqliteTimeSeriesStore } from '../../../services/store/sqlite/sqliteTimeSeriesStore';
import { testConfig } from '../../helpers/config';
import { openTestStateDb } from '../../helpers/stateDb';

const t = (iso: string) => Date.parse(iso);
const JAN_10 = t('2026-01-10T10:00:00+08:00');
const FEB_10 = t('2026-02-10T10:00:00+08:00');

interface Hour {
  meter: string;
  carrier: string;
  unit: string;
  hour: number;
  quantity: number;
}

async function setup(config: Config, hours: Hour[]) {
  const store = new SqliteTimeSeriesStore({ path: ':memory:', zone: config.timezone });
  await store.start();
  await store.write({ readings: [], hourly: hours.map((h) => ({ enterprise: 'alu01', ...h })) });
  const stateDb = await openTestStateDb();
  const monthly = new MonthlyStatisticsStore(stateDb);
  const status = new StatusService({ store, outputs: monthly, config, factors: new FactorTable(config, COEFFICIENTS) });
  const at = async (iso: string, options: { endOf?: boolean } = {}) => {
    const alu = config.enterprises.find((e) => e.id === 'alu01')!;
    return (await status.statusAt([alu], t(iso), options)).get('alu01')!;
  };
  return { monthly, at, close: async () => Promise.all([store.stop(), stateDb.close()]) };
}

/** Electricity at 0.1 kgce/kWh (a configured override), so 1,000,000 kWh is 100 tce exactly. */
function smelter(extra: Partial<Parameters<typeof testConfig>[0]> = {}): Config {
  return testConfig({
    coefficients: { electricity: 0.1 },
    enterprises: [
      {
        id: 'alu01',
        name: '测试铝业',
        industry: '3216',
        quotas: [{ year: 2026, totalTce: 10_000, intensityLimit: 0.12 }],
        meters: [
          { id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter' },
          { id: 'out', carrier: 'product', product: 'aluminium_liquid', unit: 't', kind: 'counter' },
        ],
      },
    ],
    ...extra,
  });
}

const elec = (hour: number, kwh: number): Hour => ({ meter: 'e-main', carrier: 'electricity', unit: 'kWh', hour, quantity: kwh });

describe('intensity over complete months (contract 4, issue 19 item 4)', () => {
  // January 1,000,000 kWh = 100 tce; February so far 480,000 kWh = 48 tce; January output 1,000 (10^4 yuan).
  const hours = [elec(JAN_10, 1_000_000), elec(FEB_10, 480_000)];

  it('on 14 February takes January alone: 100 / 1,000 = 0.100, ratio 0.100 / 0.12 = 0.8333, green (the old figure was 148 / 1,000 = 0.148, red)', async () => {
    const s = await setup(smelter(), hours);
    await s.monthly.put('alu01', '2026-01', { outputValue10kYuan: 1000 }, 'officer', t('2026-02-05T00:00:00+08:00'));
    // February's output entered early does not make February complete.
    await s.monthly.put('alu01', '2026-02', { outputValue10kYuan: 900 }, 'officer', t('2026-02-13T00:00:00+08:00'));
    const st = await s.at('2026-02-14T10:00:00+08:00');
    expect(st.quota!.ytdTce).toBe(148); // the quota still counts every tce to t
    expect(st.intensity).toMatchObject({ intensity: 0.1, limit: 0.12, level: 'green', months: ['2026-01'], output10kYuan: 1000, intensityTce: 100 });
    expect(st.intensity!.intensity !== null && st.intensity!.ratio).toBeCloseTo(0.833333333333, 9);
    await s.close();
  });

  it('at the end of February (a monthly report) takes both months: 148 / 1,900 = 0.0778947368', async () => {
    const s = await setup(smelter(), hours);
    await s.monthly.put('alu01', '2026-01', { outputValue10kYuan: 1000 }, 'officer', 0);
    await s.monthly.put('alu01', '2026-02', { outputValue10kYuan: 900 }, 'officer', 0);
    const st = await s.at('2026-03-01T00:00:00+08:00', { endOf: true });
    expect(st.intensity).toMatchObject({ months: ['2026-01', '2026-02'], output10kYuan: 1900, intensityTce: 148 });
    // 148 / 1,900 = 0.077894736842..., 9 significant digits (the figure rule, docs/ledger/figures.md).
    expect(st.intensity!.intensity).toBe(0.0778947368);
    await s.close();
  });

  it('leaves out a complete month without an output value, energy and output alike', async () => {
    // Output for February only; at 1 March January (100 tce) has none, so 48 / 900 = 0.05333.
    const s = await setup(smelter(), hours);
    await s.monthly.put('alu01', '2026-02', { outputValue10kYuan: 900 }, 'officer', 0);
    const st = await s.at('2026-03-01T00:00:00+08:00');
    expect(st.intensity).toMatchObject({ months: ['2026-02'], output10kYuan: 900, intensityTce: 48 });
    expect(st.intensity!.intensity).toBe(0.0533333333); // 0.05333... to 9 significant digits
    await s.close();
  });

  it('with no complete month with output gives null, a note and no months', async () => {
    const s = await setup(smelter(), hours);
    await s.monthly.put('alu01', '2026-02', { outputValue10kYuan: 900 }, 'officer', 0);
    const st = await s.at('2026-02-14T10:00:00+08:00');
    expect(st.intensity).toMatchObject({ intensity: null, level: null, note: 'no-output', months: [], output10kYuan: null });
    await s.close();
  });
});

describe('entered carriers in the status (contract 8.3)', () => {
  // Raw coal entered for January: 1,200 purchased + 300 opening - 250 closing = 1,250 t
  // x 714.3 kgce/t = 892.875 tce (GB/T 2589 raw coal, config/coefficients.yaml).
  const coal = { raw_coal: { unit: 't', purchased: 1200, openingStock: 300, closingStock: 250 } };

  it('count from the month end on, in the year-to-date total, by carrier and in intensity', async () => {
    const s = await setup(smelter(), [elec(JAN_10, 1_000_000)]);
    await s.monthly.put('alu01', '2026-01', { outputValue10kYuan: 1000, carriers: coal }, 'alu01', 0);
    const during = await s.at('2026-01-31T12:00:00+08:00');
    expect(during.quota!.ytdTce).toBe(100); // not yet: the month has not ended
    expect(during.ytdByCarrier.map((c) => c.carrier)).toEqual(['electricity']);
    const after = await s.at('2026-02-01T00:00:00+08:00');
    // 100 + 892.875 = 992.875 tce; intensity 992.875 / 1,000 = 0.992875.
    expect(after.quota!.ytdTce).toBe(992.875);
    expect(after.ytdByCarrier.find((c) => c.carrier === 'raw_coal')).toEqual({
      carrier: 'raw_coal',
      unit: 't',
      quantity: 1250,
      tce: 892.875,
      dualControl: true,
    });
    expect(after.intensity).toMatchObject({ intensity: 0.992875, months: ['2026-01'] });
    expect(after.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: 'kgce/raw_coal/t', value: 714.3, unit: 'kgce/t' }),
        expect.objectContaining({ key: 'kgce/electricity/kWh/equivalent', value: 0.1, source: 'configured override (coefficients.electricity)' }),
        // The grid factor of the status year 2026 is the newest row not after it: 2023's 0.5306 (config/coefficients.yaml).
        expect.objectContaining({ key: 'kgCO2/electricity/kWh', value: 0.5306, year: 2023 }),
        expect.objectContaining({ key: 'kgCO2/raw_coal/t', value: 1900.3 }),
      ]),
    );
    await s.close();
  });

  it("are priced in the coefficient's unit whatever unit they are entered in: 1,250,500 kg is 1,250.5 t, as if entered in t", async () => {
    // 1,200,500 + 300,000 - 250,000 = 1,250,500 kg = 1,250.5 t x 714.3 kgce/t = 893,232.15 kgce = 893.23215 tce
    // (the review saw 1,250,500 "t": 893,232.15 tce); with January's 100 tce of electricity 993.23215 tce.
    const inKg = { raw_coal: { unit: 'kg', purchased: 1_200_500, openingStock: 300_000, closingStock: 250_000 } };
    const inT = { raw_coal: { unit: 't', purchased: 1200.5, openingStock: 300, closingStock: 250 } };
    const s = await setup(smelter(), [elec(JAN_10, 1_000_000)]);
    await s.monthly.put('alu01', '2026-01', { carriers: inKg }, 'alu01', 0);
    const kg = await s.at('2026-02-01T00:00:00+08:00');
    expect(kg.ytdByCarrier.find((c) => c.carrier === 'raw_coal')).toEqual({
      carrier: 'raw_coal',
      unit: 't',
      quantity: 1250.5,
      tce: 893.23215,
      dualControl: true,
    });
    expect(kg.quota!.ytdTce).toBe(993.23215);
    await s.monthly.put('alu01', '2026-01', { carriers: inT }, 'alu01', 0);
    const t = await s.at('2026-02-01T00:00:00+08:00');
    expect(t.ytdByCarrier).toEqual(kg.ytdByCarrier);
    expect(t.quota).toEqual(kg.quota);
    await s.close();
  });
});

describe('entered products in the tariff (contract 8.3)', () => {
  // Step tariff, basis ytd. January metered 100 t of aluminium but the statistics say 80 t; February metered 50 t, not entered.
  const config = smelter({ tariffs: [{ id: 'alu', scheme: 'step', basis: 'ytd', threshold: 13_300, step: 20, markupPerStep: 0.01 }] });
  const metal = (hour: number, tonnes: number): Hour => ({ meter: 'out', carrier: 'product', unit: 't', hour, quantity: tonnes });

  it('replace the metered quantity of an ended month and keep the metered one of the others', async () => {
    const s = await setup({ ...config, enterprises: config.enterprises.map((e) => ({ ...e, tariff: 'alu' })) }, [
      elec(JAN_10, 1_000_000),
      elec(FEB_10, 480_000),
      metal(JAN_10, 100),
      metal(FEB_10, 50),
    ]);
    await s.monthly.put('alu01', '2026-01', { products: { aluminium_liquid: { quantity: 80, unit: 't' } } }, 'alu01', 0);
    const st = await s.at('2026-02-14T10:00:00+08:00');
    // u = 1,480,000 kWh / (80 + 50) t = 11,384.615384... kWh/t (11,384.6154 to 9 digits) <= 13,300: no markup.
    expect(st.tariff).toMatchObject({ productT: 130, electricityKwh: 1_480_000, markupYuanPerKwh: 0, unitConsumption: 11_384.6154 });
    // A product the enterprise does not meter (another name) is not its tariff's product.
    await s.monthly.put('alu01', '2026-01', { products: { alumina: { quantity: 1, unit: 't' } } }, 'alu01', 0);
    const other = await s.at('2026-02-14T10:00:00+08:00');
    expect(other.tariff).toMatchObject({ productT: 150 });
    await s.close();
  });

  it('replace only the product entered: 600 t + 400 t metered, 610 t of aluminium entered -> 1,010 t', async () => {
    const twoProducts = {
      ...config,
      enterprises: config.enterprises.map((e) => ({
        ...e,
        tariff: 'alu',
        meters: [...e.meters, { ...e.meters.find((m) => m.id === 'out')!, id: 'out-alloy', product: 'alloy' }],
      })),
    };
    const s = await setup(twoProducts, [
      elec(JAN_10, 13_736_000),
      metal(JAN_10, 600),
      { meter: 'out-alloy', carrier: 'product', unit: 't', hour: JAN_10, quantity: 400 },
    ]);
    await s.monthly.put('alu01', '2026-01', { products: { aluminium_liquid: { quantity: 610, unit: 't' } } }, 'alu01', 0);
    const st = await s.at('2026-02-14T10:00:00+08:00');
    // u = 13,736,000 kWh / (610 entered + 400 metered alloy) t = 13,600 kWh/t; ceil((13,600 - 13,300) / 20) = 15 steps
    // x 0.01 = 0.15 yuan/kWh on 13,736,000 kWh = 2,060,400 yuan. (Before: 13,736,000 / 610 = 22,518.03 kWh/t, 461 steps = 4.61 yuan/kWh.)
    expect(st.tariff).toMatchObject({ productT: 1010, unitConsumption: 13_600, markupYuanPerKwh: 0.15, surchargeYuan: 2_060_400 });
    await s.close();
  });
});
