import { COEFFICIENTS } from '../../../config/coefficients';
import { ConsumptionService } from '../../../services/figures/consumptionService';
import { FactorTable } from '../../../services/energy/factors';
import { SqliteTimeSeriesStore } from '../../../services/store/sqlite/sqliteTimeSeriesStore';
import { testConfig } from '../../helpers/config';

const HOUR = Date.parse('2026-11-01T10:00:00+08:00');
const meters = [
  { id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter' as const },
  { id: 'e-sub', carrier: 'electricity', unit: 'kW', kind: 'power' as const, submeter: true },
  { id: 'pv', carrier: 'renewable_electricity', unit: 'kWh', kind: 'interval' as const },
  { id: 'feed', carrier: 'feedstock_natural_gas', unit: 'm3', kind: 'counter' as const },
  { id: 'gas', carrier: 'natural_gas', unit: 'm3', kind: 'counter' as const },
];

async function serviceFor(overrides: Parameters<typeof testConfig>[0]) {
  const config = testConfig({ enterprises: [{ id: 'chem01', name: '化工', industry: '2614', meters }], ...overrides });
  const store = new SqliteTimeSeriesStore({ path: ':memory:', zone: config.timezone });
  await store.start();
  const hourly = (meter: string, carrier: string, unit: string, quantity: number) => ({
    enterprise: 'chem01',
    meter,
    carrier,
    unit,
    hour: HOUR,
    quantity,
  });
  await store.write({
    readings: [],
    hourly: [
      hourly('e-main', 'electricity', 'kWh', 1000),
      hourly('e-sub', 'electricity', 'kWh', 400),
      hourly('pv', 'renewable_electricity', 'kWh', 200),
      hourly('feed', 'feedstock_natural_gas', 'm3', 100),
      hourly('gas', 'natural_gas', 'm3', 50),
    ],
  });
  return new ConsumptionService({ store, factors: new FactorTable(config, COEFFICIENTS), config });
}

describe('ConsumptionService', () => {
  it('converts with the equivalent value by default, leaves sub-meters out, marks what counts for dual control', async () => {
    const svc = await serviceFor({});
    const s = (await svc.series(['chem01'], HOUR, HOUR + 3_600_000, '1h')).get('chem01')!;
    const by = Object.fromEntries(s.series.map((p) => [p.carrier, p]));
    expect(Object.keys(by).sort()).toEqual(['electricity', 'feedstock_natural_gas', 'natural_gas', 'renewable_electricity']);
    // 1000 kWh (the 400 kWh sub-meter is inside it): 1000 x 0.1229 / 1000 = 0.1229 tce; equal value 0.3055.
    expect(by.electricity).toMatchObject({ quantity: 1000, unit: 'kWh', dualControl: true });
    expect(by.electricity!.tce).toBeCloseTo(0.1229, 12);
    expect(by.electricity!.tceOtherBasis).toBeCloseTo(0.3055, 12);
    expect(by.electricity!.co2Kg).toBeCloseTo(530.6, 9);
    expect(by.renewable_electricity).toMatchObject({ dualControl: false, co2Kg: 0 });
    expect(by.renewable_electricity!.tce).toBeCloseTo((200 * 0.1229) / 1000, 12);
    // Feedstock: tce at the natural-gas coefficient, excluded from the dual-control total, no combustion CO2.
    expect(by.feedstock_natural_gas).toMatchObject({ dualControl: false, co2Kg: 0 });
    expect(by.feedstock_natural_gas!.tce).toBeCloseTo((100 * 1.2143) / 1000, 12);
    expect(by.natural_gas!.tce).toBeCloseTo((50 * 1.2143) / 1000, 12);
    expect(s.coefficients.find((c) => c.carrier === 'electricity')).toMatchObject({
      kgcePerUnit: 0.1229,
      kgceSource: expect.stringContaining('当量值'),
    });
  });

  it('uses the equal value and configured overrides, each named as the source', async () => {
    const svc = await serviceFor({
      electricity: 'equal',
      electricityEqualKgce: 0.2999,
      coefficients: { natural_gas: 1.33 },
      emissionFactors: { electricity: 0.5703 },
    });
    const s = (await svc.series(['chem01'], HOUR, HOUR + 3_600_000, '1h')).get('chem01')!;
    const by = Object.fromEntries(s.series.map((p) => [p.carrier, p]));
    expect(by.electricity!.tce).toBeCloseTo(0.2999, 12);
    expect(by.electricity!.tceOtherBasis).toBeCloseTo(0.1229, 12);
    expect(by.electricity!.co2Kg).toBeCloseTo(570.3, 9);
    expect(by.natural_gas!.tce).toBeCloseTo((50 * 1.33) / 1000, 12);
    expect(svc.electricityBasis).toBe('equal');
    expect(s.coefficients.find((c) => c.carrier === 'natural_gas')!.kgceSource).toBe('configured override (coefficients.natural_gas)');
    expect(s.coefficients.find((c) => c.carrier === 'electricity')!.kgCo2Source).toBe('configured override (emissionFactors.electricity)');
  });
});
