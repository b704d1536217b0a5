/**
 * Entered figures as rows (contract 8.3): an entered carrier is priced in the unit of its coefficient
 * whatever unit it was entered in, and an entered product replaces only its own meters' quantity.
 * Figures by hand (review findings 1 and 2).
 */
import { COEFFICIENTS } from '../../../config/coefficients';
import type { EnterpriseConfig } from '../../../config/schema';
import { FactorTable } from '../../../services/energy/factors';
import type { MonthlyRecord } from '../../../services/energy/monthlyStatistics';
import { enteredCarrierRows, withEnteredProducts, type ProductRow } from '../../../services/figures/enteredFigures';
import { testConfig } from '../../helpers/config';

const ZONE = 'Asia/Shanghai';
const JAN = Date.parse('2026-01-01T00:00:00+08:00');
const FEB = Date.parse('2026-02-01T00:00:00+08:00');
const FEB_10 = Date.parse('2026-02-10T00:00:00+08:00');

const record = (fields: Partial<MonthlyRecord>): MonthlyRecord => ({
  enterprise: 'x',
  month: '2026-01',
  version: 1,
  recordedBy: 'officer',
  recordedAt: 0,
  ...fields,
});

describe('enteredCarrierRows', () => {
  const factors = new FactorTable(testConfig(), COEFFICIENTS);

  it('turns raw coal entered in kg into t, the unit of its 714.3 kgce/t coefficient: 100,000 kg is 100 t, not 100,000 t', () => {
    const rows = enteredCarrierRows(
      [
        record({ carriers: { raw_coal: { unit: 'kg', purchased: 100_000, openingStock: 0, closingStock: 0 } } }),
        record({ enterprise: 'y', carriers: { raw_coal: { unit: 't', purchased: 100, openingStock: 0, closingStock: 0 } } }),
      ],
      ZONE,
      factors,
    );
    // Both are 100 t, 100 x 714.3 / 1000 = 71.43 tce once priced (the review saw 71,430 tce for the kg entry).
    expect(rows).toEqual([
      { enterprise: 'x', carrier: 'raw_coal', unit: 't', time: JAN, quantity: 100 },
      { enterprise: 'y', carrier: 'raw_coal', unit: 't', time: JAN, quantity: 100 },
    ]);
  });

  it('converts the consumption without float noise: 1,200,500 + 300,000 - 250,000 kg = 1,250.5 t', () => {
    const rows = enteredCarrierRows(
      [record({ carriers: { raw_coal: { unit: 'kg', purchased: 1_200_500, openingStock: 300_000, closingStock: 250_000 } } })],
      ZONE,
      factors,
    );
    expect(rows).toEqual([{ enterprise: 'x', carrier: 'raw_coal', unit: 't', time: JAN, quantity: 1250.5 }]);
  });
});

describe('withEnteredProducts', () => {
  const smelter = {
    id: 'x',
    meters: [
      { id: 'p1', carrier: 'product', product: 'aluminium_liquid', unit: 't', submeter: false },
      { id: 'p2', carrier: 'product', product: 'alloy', unit: 't', submeter: false },
    ],
  } as unknown as EnterpriseConfig;
  const metered: ProductRow[] = [
    { enterprise: 'x', carrier: 'product', unit: 't', time: JAN, quantity: 600, product: 'aluminium_liquid' },
    { enterprise: 'x', carrier: 'product', unit: 't', time: JAN, quantity: 400, product: 'alloy' },
    { enterprise: 'x', carrier: 'electricity', unit: 'kWh', time: JAN, quantity: 13_736_000 },
  ];
  const total = (rows: readonly { carrier: string; quantity: number }[]) =>
    rows.filter((r) => r.carrier === 'product').reduce((s, r) => s + r.quantity, 0);

  it('replaces only the entered product: 600 t + 400 t metered, 610 t of aluminium entered -> 610 + 400 = 1,010 t (not 610)', () => {
    const rows = withEnteredProducts(smelter, metered, [record({ products: { aluminium_liquid: { quantity: 610, unit: 't' } } })], FEB_10, ZONE);
    expect(total(rows)).toBe(1010);
    expect(rows).toEqual(
      expect.arrayContaining([
        { enterprise: 'x', carrier: 'product', unit: 't', time: JAN, quantity: 400 },
        { enterprise: 'x', carrier: 'product', unit: 't', time: JAN, quantity: 610 },
        { enterprise: 'x', carrier: 'electricity', unit: 'kWh', time: JAN, quantity: 13_736_000 },
      ]),
    );
    expect(rows.some((r) => 'product' in r)).toBe(false);
  });

  it('replaces both when both are entered (610 + 390 = 1,000 t), and neither in a month that has not ended', () => {
    const both = record({ products: { aluminium_liquid: { quantity: 610, unit: 't' }, alloy: { quantity: 390_000, unit: 'kg' } } });
    // 390,000 kg = 390 t, converted by the tariff (services/figures/tariffFigures.ts); here the rows stay as entered.
    const rows = withEnteredProducts(smelter, metered, [both], FEB_10, ZONE);
    expect(rows.filter((r) => r.carrier === 'product').map((r) => [r.quantity, r.unit])).toEqual([
      [610, 't'],
      [390_000, 'kg'],
    ]);
    expect(total(withEnteredProducts(smelter, metered, [both], FEB - 1, ZONE))).toBe(1000); // January not ended: 600 + 400 metered
  });

  it('rows of product meters that name no product give way to any entry of their month', () => {
    const unnamed = { id: 'x', meters: [{ id: 'p', carrier: 'product', unit: 't', submeter: false }] } as unknown as EnterpriseConfig;
    const rows = withEnteredProducts(
      unnamed,
      [{ enterprise: 'x', carrier: 'product', unit: 't', time: JAN, quantity: 1000 }],
      [record({ products: { aluminium_liquid: { quantity: 980, unit: 't' } } })],
      FEB_10,
      ZONE,
    );
    expect(total(rows)).toBe(980);
  });
});
