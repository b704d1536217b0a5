/**
 * CO2 by part, carbon status and carbon intensity (contract 9). Factors are those of
 * config/coefficients.yaml: raw coal 1,900.3 kgCO2/t, natural gas 1.9741 kgCO2/m3, heat 110 kgCO2/GJ,
 * grid 0.5568 (2021) / 0.5366 (2022) / 0.5306 (2023, in force after) kgCO2/kWh. Every expected
 * figure is computed by hand in the comment beside it.
 */
import { COEFFICIENTS } from '../../../config/coefficients';
import { parseConfig } from '../../../config/load';
import {
  addCo2,
  carbonIntensityStatus,
  carbonStatus,
  co2OfPeriod,
  co2PartOf,
  processFactorsOf,
  type CarrierQuantity,
} from '../../../services/energy/carbon';
import { FactorTable, type FactorView } from '../../../services/energy/factors';
import { enteredConsumption } from '../../../services/energy/monthlyStatistics';

const config = parseConfig(`
enterprises:
  - id: cem01
    name: 水泥
    industry: "3011"
    quotas: [{year: 2026, totalTce: 186000, co2BudgetT: 520000, co2IntensityLimit: 9.5}]
    processEmissions:
      - {product: cement_clinker, tCo2PerUnit: 0.5257, source: "clinker calcination, plant accounting"}
    meters:
      - {id: e-main, carrier: electricity, unit: kWh, kind: counter}
      - {id: coal, carrier: raw_coal, unit: t, kind: interval}
      - {id: clinker, carrier: product, product: cement_clinker, unit: t, kind: counter}
`);
const table = new FactorTable(config, COEFFICIENTS);
const cem01 = config.enterprises[0]!;

function q(view: FactorView, carrier: string, unit: string, quantity: number): CarrierQuantity {
  const factors = view.carrier(carrier, unit);
  if (!factors) throw new Error(`no factors for ${carrier}/${unit}`);
  return { quantity, factors };
}

describe('co2PartOf (contract 9)', () => {
  it.each([
    ['raw_coal', 'combustion'],
    ['natural_gas', 'combustion'],
    ['diesel', 'combustion'],
    ['feedstock_natural_gas', 'process'],
    ['electricity', 'scope2'],
    ['heat', 'scope2'],
    ['steam', 'scope2'],
    ['renewable_electricity', 'none'],
    ['water', 'none'],
    ['compressed_air', 'none'],
    ['product', 'none'],
  ] as const)('%s -> %s', (carrier, part) => expect(co2PartOf(carrier)).toBe(part));
});

describe('co2OfPeriod (contract 9: CO2 of a period by part)', () => {
  it('cement plant 2026: clinker process CO2, coal combustion and grid electricity', () => {
    const y2026 = table.forYear(2026);
    const co2 = co2OfPeriod({
      dataYear: 2026,
      carriers: [q(y2026, 'raw_coal', 't', 15_000), q(y2026, 'electricity', 'kWh', 9_000_000)],
      products: [{ product: 'cement_clinker', quantity: 100_000, unit: 't' }],
      processFactors: processFactorsOf(cem01),
    });
    // process:    100,000 t clinker x 0.5257 t/t = 52,570 t
    // combustion: 15,000 t x 1,900.3 kg/t = 28,504,500 kg = 28,504.5 t
    // scope 2:    9,000,000 kWh x 0.5306 kg/kWh (2026 uses the 2023 row) = 4,775,400 kg = 4,775.4 t
    // total:      52,570 + 28,504.5 + 4,775.4 = 85,849.9 t
    expect(co2.processT).toBeCloseTo(52_570, 9);
    expect(co2.productProcessT).toBeCloseTo(52_570, 9);
    expect(co2.combustionT).toBeCloseTo(28_504.5, 9);
    expect(co2.scope2T).toBeCloseTo(4_775.4, 9);
    expect(co2.totalT).toBeCloseTo(85_849.9, 9);
    expect(co2.rows).toEqual([
      expect.objectContaining({ key: 'kgCO2/raw_coal/t', value: 1900.3 }),
      expect.objectContaining({ key: 'kgCO2/electricity/kWh', value: 0.5306, year: 2023 }),
      { key: 'tCO2/process/cement_clinker/t', value: 0.5257, unit: 'tCO2/t', source: 'clinker calcination, plant accounting' },
    ]);
    expect(co2.unpriced).toEqual([]);
  });

  it('aluminium smelter 2026: grid kWh less green certificates x the grid factor; on-site renewable counts 0', () => {
    const y2026 = table.forYear(2026);
    const co2 = co2OfPeriod({
      dataYear: 2026,
      carriers: [
        q(y2026, 'electricity', 'kWh', 50_000_000),
        q(y2026, 'electricity', 'kWh', 30_000_000), // a second grid meter: the kWh add before the certificates are deducted
        q(y2026, 'renewable_electricity', 'kWh', 5_000_000),
        q(y2026, 'natural_gas', 'm3', 1_000_000),
      ],
      greenCertificatesKwh: 12_000_000,
    });
    // scope 2:    (50,000,000 + 30,000,000 - 12,000,000) kWh x 0.5306 kg/kWh = 68,000,000 x 0.5306 = 36,080,800 kg = 36,080.8 t
    // renewable:  5,000,000 kWh x 0 = 0
    // combustion: 1,000,000 m3 x 1.9741 kg/m3 = 1,974,100 kg = 1,974.1 t
    // total:      36,080.8 + 1,974.1 = 38,054.9 t
    expect(co2.gridKwh).toBe(80_000_000);
    expect(co2.certifiedKwh).toBe(12_000_000);
    expect(co2.greenCertificatesKwh).toBe(12_000_000);
    expect(co2.scope2T).toBeCloseTo(36_080.8, 9);
    expect(co2.combustionT).toBeCloseTo(1_974.1, 9);
    expect(co2.processT).toBe(0);
    expect(co2.totalT).toBeCloseTo(38_054.9, 9);
    expect(co2.rows.map((r) => r.key)).toEqual(['kgCO2/electricity/kWh', 'kgCO2/natural_gas/m3']);
  });

  it('a month of entered coal (purchased + opening - closing) and entered process CO2', () => {
    const coalT = enteredConsumption({ unit: 't', purchased: 1_200, openingStock: 300, closingStock: 250 });
    // 1,200 + 300 - 250 = 1,250 t
    expect(coalT).toBe(1_250);
    const co2 = co2OfPeriod({ dataYear: 2026, carriers: [q(table.forYear(2026), 'raw_coal', 't', coalT)], processCo2T: 120 });
    // combustion: 1,250 t x 1,900.3 kg/t = 2,375,375 kg = 2,375.375 t; process: 120 t entered; total 2,495.375 t
    expect(co2.combustionT).toBeCloseTo(2_375.375, 9);
    expect(co2.enteredProcessT).toBe(120);
    expect(co2.processT).toBe(120);
    expect(co2.totalT).toBeCloseTo(2_495.375, 9);
  });

  it('the grid factor row changes at the year boundary: December 2022 and January 2023 each with its own row', () => {
    const december = co2OfPeriod({ dataYear: 2022, carriers: [q(table.forYear(2022), 'electricity', 'kWh', 1_000_000)] });
    const january = co2OfPeriod({ dataYear: 2023, carriers: [q(table.forYear(2023), 'electricity', 'kWh', 1_000_000)] });
    // 2022: 1,000,000 kWh x 0.5366 = 536,600 kg = 536.6 t; 2023: 1,000,000 x 0.5306 = 530,600 kg = 530.6 t
    expect(december.scope2T).toBeCloseTo(536.6, 9);
    expect(january.scope2T).toBeCloseTo(530.6, 9);
    const both = addCo2(december, january);
    // 536.6 + 530.6 = 1,067.2 t, both rows named
    expect(both.scope2T).toBeCloseTo(1_067.2, 9);
    expect(both.totalT).toBeCloseTo(1_067.2, 9);
    expect(both.gridKwh).toBe(2_000_000);
    expect(both.rows.map((r) => [r.value, r.year])).toEqual([
      [0.5366, 2022],
      [0.5306, 2023],
    ]);
    // One call is one period with one grid factor: mixing years is refused, not averaged.
    expect(() =>
      co2OfPeriod({ dataYear: 2022, carriers: [q(table.forYear(2022), 'electricity', 'kWh', 1), q(table.forYear(2023), 'electricity', 'kWh', 1)] }),
    ).toThrow(/two grid factors/);
  });

  it('green certificates above grid consumption: max(0, kWh - certificates), heat still counts', () => {
    const y2026 = table.forYear(2026);
    const co2 = co2OfPeriod({
      dataYear: 2026,
      carriers: [q(y2026, 'electricity', 'kWh', 1_000_000), q(y2026, 'heat', 'GJ', 100)],
      greenCertificatesKwh: 1_500_000,
    });
    // grid: max(0, 1,000,000 - 1,500,000) x 0.5306 = 0; heat: 100 GJ x 110 kg/GJ = 11,000 kg = 11 t
    // only the 1,000,000 kWh consumed are certified; the 500,000 surplus is not carried anywhere
    expect(co2.certifiedKwh).toBe(1_000_000);
    expect(co2.scope2T).toBeCloseTo(11, 9);
    expect(co2.totalT).toBeCloseTo(11, 9);
  });

  it('feedstock counts in process at its factor (0 unless configured); water and compressed air carry none', () => {
    const y2026 = table.forYear(2026);
    const co2 = co2OfPeriod({
      dataYear: 2026,
      carriers: [q(y2026, 'feedstock_natural_gas', 'm3', 1_000_000), q(y2026, 'water', 't', 50_000), q(y2026, 'compressed_air', 'm3', 1_000_000)],
    });
    expect(co2.feedstockT).toBe(0);
    expect(co2.totalT).toBe(0);
    expect(co2.rows).toEqual([expect.objectContaining({ key: 'kgCO2/feedstock_natural_gas/m3', value: 0, source: 'feedstock use, not combustion' })]);
  });

  it('process factors: dated rows by data year, kg converted to the factor unit, a unit that does not convert left out', () => {
    const factors = [
      {
        product: 'cement_clinker',
        unit: 't',
        source: 'plant',
        tCo2PerUnit: [
          { year: 2025, value: 0.538 },
          { year: 2026, value: 0.5257, source: 'test 2026' },
        ],
      },
    ];
    const co2 = co2OfPeriod({
      dataYear: 2025,
      carriers: [],
      products: [
        { product: 'cement_clinker', quantity: 2_000_000, unit: 'kg' },
        { product: 'cement_clinker', quantity: 10, unit: '万块' },
        { product: 'cement', quantity: 500, unit: 't' }, // no process factor: no process CO2, not a problem
      ],
      processFactors: factors,
    });
    // 2,000,000 kg = 2,000 t x 0.538 t/t (2025 row) = 1,076 t
    expect(co2.productProcessT).toBeCloseTo(1_076, 9);
    expect(co2.rows).toEqual([{ key: 'tCO2/process/cement_clinker/t', value: 0.538, unit: 'tCO2/t', year: 2025, source: 'plant' }]);
    expect(co2.unpriced).toEqual([{ product: 'cement_clinker', quantity: 10, unit: '万块' }]);
    // 2026: 2,000 t x 0.5257 = 1,051.4 t
    expect(
      co2OfPeriod({ dataYear: 2026, carriers: [], products: [{ product: 'cement_clinker', quantity: 2_000, unit: 't' }], processFactors: factors })
        .processT,
    ).toBeCloseTo(1_051.4, 9);
  });

  it('processFactorsOf takes the unit of the meter measuring the product', () => {
    expect(processFactorsOf(cem01)).toEqual([
      { product: 'cement_clinker', tCo2PerUnit: 0.5257, unit: 't', source: 'clinker calcination, plant accounting' },
    ]);
  });
});

describe('carbonStatus (contract 9: like quota status, with rules.carbon)', () => {
  const rules = config.rules.carbon;
  it.each([
    // [why, ytdT, f, share, pace, level, forecastT]; budgetT = 520,000
    ['260,000 at f = 0.5: share 0.5, pace 260,000 / (520,000 x 0.5) = 1.00, not above 1.00', 260_000, 0.5, 0.5, 1, 'green', 520_000],
    ['260,001 at f = 0.5: pace 260,001 / 260,000 = 1.0000038 > 1.00', 260_001, 0.5, 260_001 / 520_000, 260_001 / 260_000, 'yellow', 520_002],
    ['286,000 at f = 0.5: pace 286,000 / 260,000 = 1.10 exactly: yellow, not red', 286_000, 0.5, 0.55, 1.1, 'yellow', 572_000],
    ['286,001 at f = 0.5: pace 1.0000038 x 1.1 > 1.10', 286_001, 0.5, 286_001 / 520_000, 286_001 / 260_000, 'red', 572_002],
    ['468,000 at f = 0.9: share 0.90 exactly (>=), pace 468,000 / 468,000 = 1.0', 468_000, 0.9, 0.9, 1, 'yellow', 520_000],
    ['520,000 at f = 1: share 1.00 exactly (>=)', 520_000, 1, 1, 1, 'red', 520_000],
    ['f = 0: no pace, no forecast, level from share 0', 0, 0, 0, null, 'green', null],
  ] as const)('%s', (_why, ytdT, fraction, share, pace, level, forecastT) => {
    const s = carbonStatus({ year: 2026, budgetT: 520_000, ytdT, fraction, rules });
    expect(s.share).toBeCloseTo(share, 10);
    if (pace === null) expect(s.pace).toBeNull();
    else expect(s.pace).toBeCloseTo(pace, 10);
    expect(s.level).toBe(level);
    if (forecastT === null) expect(s.forecastT).toBeNull();
    else expect(s.forecastT).toBeCloseTo(forecastT, 6);
    expect(s).toMatchObject({ year: 2026, budgetT: 520_000, ytdT });
  });

  it('uses the rules.carbon thresholds, not the quota ones', () => {
    // 286,001 at f = 0.5 is pace 1.0000038 x 1.1 = 1.1000042: red with paceRed 1.10, yellow with paceRed 1.20
    expect(carbonStatus({ year: 2026, budgetT: 520_000, ytdT: 286_001, fraction: 0.5, rules: { ...rules, paceRed: 1.2 } }).level).toBe('yellow');
  });
});

describe('carbonIntensityStatus (contract 9: CO2 / output value against co2IntensityLimit)', () => {
  const rules = config.rules.carbon;
  it.each([
    // [why, co2T, output 10^4 yuan, intensity, ratio, level]; limit 9.5 t per 10^4 yuan
    ['45,000 t / 5,000 = 9.0; 9.0 / 9.5 = 0.947368', 45_000, 5_000, 9, 9 / 9.5, 'green'],
    ['45,125 t / 5,000 = 9.025; 9.025 / 9.5 = 0.95 exactly: not above 0.95', 45_125, 5_000, 9.025, 0.95, 'green'],
    ['45,126 t / 5,000 = 9.0252; / 9.5 = 0.950021 > 0.95', 45_126, 5_000, 9.0252, 9.0252 / 9.5, 'yellow'],
    ['47,500 t / 5,000 = 9.5; ratio 1.00 exactly: not above 1.00', 47_500, 5_000, 9.5, 1, 'yellow'],
    ['47,501 t / 5,000 = 9.5002; ratio 1.000021 > 1.00', 47_501, 5_000, 9.5002, 9.5002 / 9.5, 'red'],
  ] as const)('%s', (_why, co2T, output, intensity, ratio, level) => {
    const s = carbonIntensityStatus({ co2T, output10kYuan: output, limit: 9.5, rules });
    if (s.intensity === null) throw new Error('expected an intensity');
    expect(s.intensity).toBeCloseTo(intensity, 10);
    expect(s.ratio).toBeCloseTo(ratio, 10);
    expect(s.level).toBe(level);
  });

  it('no output value gives no intensity, not a division by zero', () => {
    expect(carbonIntensityStatus({ co2T: 1, output10kYuan: null, limit: 9.5, rules })).toEqual({ intensity: null, level: null, note: 'no-output' });
  });
});
