/**
 * A product with a process-emission factor (contract 9) must be entered in a unit that factor can
 * price: 200 万块 of lime against a factor per tonne would silently add no CO2.
 */
import { COEFFICIENTS } from '../../../config/coefficients';
import { FactorTable } from '../../../services/energy/factors';
import { MonthlyStatisticsService } from '../../../services/ledger/monthlyStatisticsService';
import type { MonthlyStatisticsStore } from '../../../services/store/state/monthlyStatisticsStore';
import { testConfig } from '../../helpers/config';

const config = testConfig({
  enterprises: [
    {
      id: 'lime01',
      name: '测试石灰',
      industry: '3012',
      processEmissions: [{ product: 'lime', unit: 't', tCo2PerUnit: 0.75, source: 'plant accounting' }],
      meters: [{ id: 'e-main', carrier: 'electricity', unit: 'kWh', kind: 'counter' }],
    },
  ],
});
const service = new MonthlyStatisticsService({
  store: {} as MonthlyStatisticsStore, // problems() reads no stored record
  config,
  factors: new FactorTable(config, COEFFICIENTS),
  now: () => Date.parse('2026-12-06T12:00:00+08:00'),
});

describe('entered products with a process-emission factor', () => {
  it('refuses a unit the factor cannot price, naming the field', () => {
    expect(service.problems('lime01', '2026-11', { products: { lime: { quantity: 200, unit: '万块' } } })).toEqual([
      { field: 'products.lime', message: 'unit 万块 does not convert to t, the unit of its process-emission factor' },
    ]);
  });

  it('accepts the factor unit and one that converts to it (kg to t)', () => {
    expect(service.problems('lime01', '2026-11', { products: { lime: { quantity: 200, unit: 't' } } })).toEqual([]);
    expect(service.problems('lime01', '2026-11', { products: { lime: { quantity: 200_000, unit: 'kg' } } })).toEqual([]);
  });

  it('leaves products without a factor free in their unit', () => {
    expect(service.problems('lime01', '2026-11', { products: { bricks: { quantity: 200, unit: '万块' } } })).toEqual([]);
  });
});
