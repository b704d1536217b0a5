/**
 * Factor table by data year (contract 8.2) and the figure errors of issue 19 item 6 that live in
 * the coefficients: compressed air, carrier/unit overrides, one calorific value for natural gas.
 * Every expected figure is computed by hand in the comment beside it.
 */
import { COEFFICIENTS, coefficientFor } from '../../../config/coefficients';
import { ConfigError } from '../../../config/load';
import { FactorTable, co2KgOf, tceOf } from '../../../services/energy/factors';
import { testConfig } from '../../helpers/config';

const table = (overrides: Parameters<typeof testConfig>[0] = {}) => new FactorTable(testConfig(overrides), COEFFICIENTS);

describe('grid emission factor by data year (config/coefficients.yaml, domain 5.1)', () => {
  it.each([
    // [data year, kgCO2/kWh, row year]: the row with the largest year not after the data year, else the earliest
    [2019, 0.5568, 2021, 'before the first row: the earliest row'],
    [2021, 0.5568, 2021, 'MEE/NBS 2024 No. 12'],
    [2022, 0.5366, 2022, 'announced 2024-12-20'],
    [2023, 0.5306, 2023, 'newest published'],
    [2025, 0.5306, 2023, 'no 2024/2025 factor yet: the 2023 row stays in force'],
  ] as const)('data year %d -> %d kgCO2/kWh (row %d, %s)', (year, value, rowYear, _why) => {
    const f = table().forYear(year).carrier('electricity', 'kWh')!;
    expect(f.kgCo2PerUnit).toBe(value);
    expect(f.kgCo2Row).toMatchObject({ key: 'kgCO2/electricity/kWh', value, unit: 'kgCO2/kWh', year: rowYear });
    expect(f.kgCo2Row.source).toMatch(/MEE\/NBS/);
  });

  it('1,000,000 kWh in 2022 is 1e6 x 0.5366 = 536,600 kg CO2; without a year the latest row (0.5306) applies', () => {
    const t = table();
    expect(co2KgOf(1_000_000, t.forYear(2022).carrier('electricity', 'kWh')!)).toBeCloseTo(536_600, 6);
    expect(t.carrier('electricity', 'kWh')!.kgCo2PerUnit).toBe(0.5306);
    expect(t.meter({ carrier: 'electricity', unit: 'kW', kind: 'power' })!.kgCo2Row.year).toBe(2023);
  });
});

describe('electricity bases and dated equal value (contract 4, 8.2)', () => {
  const equalRows = [
    { year: 2020, value: 0.3055, source: 'NDRC 2020' },
    { year: 2023, value: 0.2999, source: 'statistics bureau 2023' },
  ];

  it('equal basis: the configured row of the data year, the equivalent value as the other basis and for tariffs', () => {
    const t = table({ electricity: 'equal', electricityEqualKgce: equalRows });
    const y2022 = t.forYear(2022).carrier('electricity', 'kWh')!;
    expect(y2022.kgcePerUnit).toBe(0.3055);
    expect(y2022.kgceRow).toEqual({ key: 'kgce/electricity/kWh/equal', value: 0.3055, unit: 'kgce/kWh', year: 2020, source: 'NDRC 2020' });
    expect(y2022.otherBasisKgceRow).toMatchObject({ key: 'kgce/electricity/kWh/equivalent', value: 0.1229 });
    expect(y2022.equivalentKgcePerUnit).toBe(0.1229);
    const y2024 = t.forYear(2024).carrier('electricity', 'kWh')!;
    // 1,000,000 kWh x 0.2999 kgce/kWh / 1000 = 299.9 tce
    expect(tceOf(1_000_000, y2024)).toBeCloseTo(299.9, 9);
    expect(y2024.kgceRow).toMatchObject({ year: 2023, source: 'statistics bureau 2023' });
  });

  it('equivalent basis: 0.1229 kgce/kWh with the dated equal value beside it', () => {
    const f = table({ electricityEqualKgce: equalRows }).forYear(2023).carrier('electricity', 'kWh')!;
    expect(f.kgcePerUnit).toBe(0.1229);
    expect(f.equivalentKgcePerUnit).toBe(0.1229);
    expect(f.otherBasisKgcePerUnit).toBe(0.2999);
    expect(f.otherBasisKgceRow).toMatchObject({ year: 2023 });
  });
});

describe('compressed air is a working medium made from metered electricity (issue 19 item 6)', () => {
  it('10,000,000 m3 a month (x 0.04 kgce/m3 / 1000 = 400 tce) no longer adds to the dual-control total or intensity', () => {
    const f = table().carrier('compressed_air', 'm3')!;
    expect(f.kgcePerUnit).toBe(0.04);
    expect(tceOf(10_000_000, f)).toBeCloseTo(400, 9); // still shown as a working medium with its tce
    expect(f.dualControl).toBe(false);
    expect(f.intensity).toBe(false);
    // The dual-control sum a status takes over carriers: 1,000,000 kWh x 0.1229 / 1000 = 122.9 tce, air adds nothing.
    const carriers = [
      { q: 1_000_000, f: table().carrier('electricity', 'kWh')! },
      { q: 10_000_000, f },
    ];
    const dualControl = carriers.filter((c) => c.f.dualControl).reduce((s, c) => s + tceOf(c.q, c.f), 0);
    expect(dualControl).toBeCloseTo(122.9, 9);
  });
});

describe('natural gas: kgce and CO2 from one calorific value (issue 19 item 6)', () => {
  it('gas-field NCV 35,544 kJ/m3 gives both figures', () => {
    const f = table().carrier('natural_gas', 'm3')!;
    expect(coefficientFor('natural_gas', 'm3')!.ncvKjPerUnit).toBe(35_544);
    // kgce: 35,544 kJ/m3 / 29,271 kJ/kgce (7,000 kcal x 4.1816) = 1.21431 kgce/m3
    expect(f.kgcePerUnit).toBeCloseTo(1.21431, 4);
    // CO2: 35,544e-9 TJ/m3 x 15.3 tC/TJ x 0.99 x 44/12 = 1.974078e-3 t = 1.97408 kg/m3 (not the oil-field 2.162)
    expect(f.kgCo2PerUnit).toBeCloseTo(1.97408, 4);
    expect(f.kgCo2Source).toMatch(/35,544/);
  });
});

describe('overrides keyed by carrier or carrier/unit (contract 8.2)', () => {
  it('steam/t applies to t steam only; GJ steam keeps 34.12 kgce/GJ (no x3.77 price of a per-t value)', () => {
    const t = table({ coefficients: { 'steam/t': 110 }, emissionFactors: { 'steam/GJ': 100 } });
    expect(t.carrier('steam', 't')).toMatchObject({ kgcePerUnit: 110, kgCo2PerUnit: 413.9 });
    expect(t.carrier('steam', 't')!.kgceRow).toMatchObject({ key: 'kgce/steam/t', source: 'configured override (coefficients.steam/t)' });
    expect(t.carrier('steam', 'GJ')).toMatchObject({ kgcePerUnit: 34.12, kgCo2PerUnit: 100 });
    // a meter in MJ converts to the GJ entry: 1,000 MJ = 1 GJ x 34.12 kgce = 0.03412 tce
    const mj = t.meter({ carrier: 'steam', unit: 'MJ', kind: 'counter' })!;
    expect(tceOf(1000 * mj.toCarrierUnit, mj)).toBeCloseTo(0.03412, 12);
  });

  it('a carrier alone is refused where the table has two units for it, accepted where it has one', () => {
    expect(() => testConfig({ coefficients: { steam: 128.6 } })).toThrow(ConfigError);
    expect(table({ coefficients: { natural_gas: 1.33 } }).carrier('natural_gas', 'm3')!.kgcePerUnit).toBe(1.33);
    expect(table({ coefficients: { 'natural_gas/m3': 1.33 } }).carrier('natural_gas', '10^4 m3')!.kgcePerUnit).toBe(1.33);
  });

  it('dated override rows: the row of the data year, with its source', () => {
    const t = table({
      coefficients: {
        natural_gas: [
          { year: 2024, value: 1.2143 },
          { year: 2025, value: 1.2501, source: 'supplier NCV 36,592 kJ/m3 (2025 contract)' },
        ],
      },
    });
    expect(t.forYear(2024).carrier('natural_gas', 'm3')!.kgceRow).toMatchObject({
      value: 1.2143,
      year: 2024,
      source: 'configured override (coefficients.natural_gas)',
    });
    expect(t.forYear(2026).carrier('natural_gas', 'm3')!.kgceRow).toMatchObject({
      value: 1.2501,
      year: 2025,
      source: 'supplier NCV 36,592 kJ/m3 (2025 contract)',
    });
    // a feedstock carrier is not priced by its fuel's override
    expect(t.forYear(2026).carrier('feedstock_natural_gas', 'm3')!.kgcePerUnit).toBe(1.2143);
  });
});
