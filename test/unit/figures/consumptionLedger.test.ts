/**
 * Monthly series follow the ledger (contract 8.3): an entered carrier's month is its consumption in
 * `every=1mo` series and in no hourly or daily one; and API figures carry no float noise (contract 8).
 * Against a real SQLite store; figures by hand.
 */
import { COEFFICIENTS } from '../../../config/coefficients';
import { FactorTable } from '../../../services/energy/factors';
import { ConsumptionService } from '../../../services/figures/consumptionService';
import { MonthlyStatisticsStore } from '../../../services/store/state/monthlyStatisticsStore';
import { SqliteTimeSeriesStore } from '../../../services/store/sqlite/sqliteTimeSeriesStore';
import { testConfig } from '../../helpers/config';
import { openTestStateDb } from '../../helpers/stateDb';

const t = (iso: string) => Date.parse(iso);
const JAN = t('2026-01-01T00:00:00+08:00');
const FEB = t('2026-02-01T00:00:00+08:00');
const HOUR = 3_600_000;

async function setup() {
  const config = testConfig({
    enterprises: [{ id: 'cem01', name: '水泥', industry: '3011', meters: [{ id: 'e', carrier: 'electricity', unit: 'kWh', kind: 'counter' }] }],
  });
  const store = new SqliteTimeSeriesStore({ path: ':memory:', zone: config.timezone });
  const stateDb = await openTestStateDb();
  const monthly = new MonthlyStatisticsStore(stateDb);
  await store.start();
  // January has 744 hours; each gets an equal share of 45,440 kWh, as a meter's steps split pro
  // rata over hour boundaries do. Added up in floats (SQLite's SUM) the month reads 45439.99999999997.
  const share = 45_440 / 744;
  await store.write({
    readings: [],
    hourly: Array.from({ length: 744 }, (_, i) => ({
      enterprise: 'cem01',
      meter: 'e',
      carrier: 'electricity',
      unit: 'kWh',
      hour: JAN + i * HOUR,
      quantity: share,
    })),
  });
  const svc = new ConsumptionService({ store, factors: new FactorTable(config, COEFFICIENTS), config, monthly });
  return { svc, monthly, stop: () => Promise.all([store.stop(), stateDb.close()]) };
}

describe('ConsumptionService and the ledger', () => {
  it('a month of hourly shares sums to the month without float noise: 45,440 kWh, 5.584576 tce', async () => {
    const s = await setup();
    const series = (await s.svc.series(['cem01'], JAN, FEB, '1mo')).get('cem01')!.series;
    expect(series).toHaveLength(1);
    // 45,440 kWh x 0.1229 kgce/kWh / 1000 = 5.584576 tce.
    expect(series[0]).toMatchObject({ time: JAN, carrier: 'electricity', quantity: 45_440, tce: 5.584576 });
    expect(String(series[0]!.quantity)).toBe('45440');
    await s.stop();
  });

  it('an entered carrier is its month in monthly series, with tce and CO2 by the usual factors, and in no daily or hourly series', async () => {
    const s = await setup();
    // 205-1 style raw coal for January: 1,200 purchased + 300 opening - 250 closing = 1,250 t.
    await s.monthly.put(
      'cem01',
      '2026-01',
      { carriers: { raw_coal: { unit: 't', purchased: 1200, openingStock: 300, closingStock: 250 } } },
      'cem01',
      0,
    );
    const monthly = (await s.svc.series(['cem01'], JAN, FEB, '1mo')).get('cem01')!;
    // 1,250 t x 714.3 kgce/t = 892.875 tce; x 1,900.3 kg CO2/t = 2,375,375 kg.
    expect(monthly.series.find((p) => p.carrier === 'raw_coal')).toEqual({
      time: JAN,
      carrier: 'raw_coal',
      quantity: 1250,
      unit: 't',
      tce: 892.875,
      tceOtherBasis: 892.875,
      co2Kg: 2_375_375,
      dualControl: true,
      co2Part: 'combustion',
    });
    expect(monthly.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'kgce/raw_coal/t', value: 714.3 })]));
    const daily = (await s.svc.series(['cem01'], JAN, FEB, '1d')).get('cem01')!;
    expect(daily.series.some((p) => p.carrier === 'raw_coal')).toBe(false);
    const hourly = (await s.svc.series(['cem01'], JAN, JAN + 24 * HOUR, '1h')).get('cem01')!;
    expect(hourly.series.some((p) => p.carrier === 'raw_coal')).toBe(false);
    // A monthly series that does not reach January leaves it out.
    const february = (await s.svc.series(['cem01'], FEB, t('2026-03-01T00:00:00+08:00'), '1mo')).get('cem01')!;
    expect(february.series).toEqual([]);
    await s.stop();
  });

  it("an entered carrier in another unit than its coefficient's is converted: raw coal entered in kg shows in t", async () => {
    const s = await setup();
    // 1,200,500 + 300,000 - 250,000 = 1,250,500 kg = 1,250.5 t; x 714.3 kgce/t = 893.23215 tce; x 1,900.3 kg CO2/t = 2,376,325.15 kg.
    // (The review saw [1,250,500, "t", 893,232.15 tce]: the kg figure labelled and priced as t.)
    await s.monthly.put(
      'cem01',
      '2026-01',
      { carriers: { raw_coal: { unit: 'kg', purchased: 1_200_500, openingStock: 300_000, closingStock: 250_000 } } },
      'cem01',
      0,
    );
    const monthly = (await s.svc.series(['cem01'], JAN, FEB, '1mo')).get('cem01')!;
    expect(monthly.series.find((p) => p.carrier === 'raw_coal')).toEqual({
      time: JAN,
      carrier: 'raw_coal',
      quantity: 1250.5,
      unit: 't',
      tce: 893.23215,
      tceOtherBasis: 893.23215,
      co2Kg: 2_376_325.15,
      dualControl: true,
      co2Part: 'combustion',
    });
    await s.stop();
  });

  it('every bucket uses the rows of its data year: the grid factor of 2022 in December 2022, of 2023 in January 2023', async () => {
    const dec = t('2022-12-31T23:00:00+08:00');
    const jan = t('2023-01-01T00:00:00+08:00');
    const store = new SqliteTimeSeriesStore({ path: ':memory:', zone: 'Asia/Shanghai' });
    await store.start();
    await store.write({
      readings: [],
      hourly: [dec, jan].map((hour) => ({ enterprise: 'cem01', meter: 'e', carrier: 'electricity', unit: 'kWh', hour, quantity: 1000 })),
    });
    const config = testConfig({
      enterprises: [{ id: 'cem01', name: '水泥', industry: '3011', meters: [{ id: 'e', carrier: 'electricity', unit: 'kWh', kind: 'counter' }] }],
    });
    const svc = new ConsumptionService({ store, factors: new FactorTable(config, COEFFICIENTS), config });
    const r = (await svc.series(['cem01'], t('2022-12-01T00:00:00+08:00'), t('2023-02-01T00:00:00+08:00'), '1mo')).get('cem01')!;
    // National grid factors (config/coefficients.yaml): 2022 0.5366, 2023 0.5306 kg CO2/kWh; x 1,000 kWh.
    expect(r.series.map((p) => [p.time, p.co2Kg])).toEqual([
      [t('2022-12-01T00:00:00+08:00'), 536.6],
      [t('2023-01-01T00:00:00+08:00'), 530.6],
    ]);
    expect(r.parameters.filter((p) => p.key === 'kgCO2/electricity/kWh').map((p) => [p.year, p.value])).toEqual([
      [2022, 0.5366],
      [2023, 0.5306],
    ]);
    // The coefficient shown beside the series is the newest bucket's.
    expect(r.coefficients.find((c) => c.carrier === 'electricity')!.kgCo2PerUnit).toBe(0.5306);
    await store.stop();
  });
});
