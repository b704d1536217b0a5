/** Dated parameters in the configuration (contract 8.2): accepted forms, and every invalid row listed at start-up. */
import { ConfigError, parseConfig } from '../../../config/load';
import { valueFor } from '../../../config/datedParameter';
import { parseCoefficientTable } from '../../../config/coefficients';

const base = `
timezone: Asia/Shanghai
enterprises:
  - id: alu01
    name: 测试铝业
    industry: "3216"
    tariff: al
    meters:
      - {id: e, carrier: electricity, unit: kWh, kind: counter}
      - {id: out, carrier: product, unit: t, kind: counter}
`;

function problemsOf(text: string) {
  try {
    parseConfig(text, 'bad.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('valueFor (contract 8.2: the row with the largest year not after the data year, else the earliest)', () => {
  const rows = [
    { year: 2025, value: 13_300 },
    { year: 2022, value: 13_650, source: 'a' },
    { year: 2023, value: 13_450 },
  ];
  it.each([
    [2021, 13_650, 2022],
    [2022, 13_650, 2022],
    [2024, 13_450, 2023],
    [2025, 13_300, 2025],
    [2030, 13_300, 2025],
    [Infinity, 13_300, 2025],
  ])('data year %d -> %d (row %d), rows in any order', (year, value, rowYear) => {
    expect(valueFor(rows, year)).toMatchObject({ value, year: rowYear });
  });
  it('a plain number has no year and no source', () => {
    expect(valueFor(0.5306, 2024)).toEqual({ value: 0.5306 });
  });
});

describe('dated parameters in the configuration file', () => {
  it('accepts the forms of contract 8.2', () => {
    const c = parseConfig(`${base}
electricityEqualKgce:
  - {year: 2020, value: 0.3055, source: "NDRC"}
coefficients:
  steam/t: 128.6
  natural_gas: [{year: 2024, value: 1.2143}, {year: 2025, value: 1.25}]
emissionFactors:
  electricity:
    - {year: 2021, value: 0.5568, source: "MEE/NBS 2024 No. 12, national"}
    - {year: 2023, value: 0.5306}
  heat/GJ: 110
  renewable_electricity: 0
tariffs:
  - id: al
    scheme: step
    step: 20
    markupPerStep: 0.01
    threshold:
      - {year: 2024, value: 13450}
      - {year: 2025, value: 13300}
`);
    expect(c.emissionFactors['electricity']).toEqual([
      { year: 2021, value: 0.5568, source: 'MEE/NBS 2024 No. 12, national' },
      { year: 2023, value: 0.5306 },
    ]);
    expect(c.coefficients['steam/t']).toBe(128.6);
    const t = c.tariffs[0]!;
    expect(t.scheme === 'step' && t.countRenewable).toBe(true);
  });

  it('stops start-up listing every invalid row with its path: duplicate year, non-numeric value, unknown carrier or unit, ambiguous carrier', () => {
    const problems = problemsOf(`${base}
electricityEqualKgce: "0.3"
coefficients:
  plasma: 1
  steam: 128.6
  steam/kg: 0.1286
  natural_gas: [{year: 2024, value: abc}]
emissionFactors:
  electricity:
    - {year: 2021, value: 0.5568}
    - {year: 2021, value: 0.5366}
  coal/t: 1900
tariffs:
  - id: al
    scheme: bands
    metric: kwh_per_t
    bands: [{over: 0, markup: 0.05}]
    limit: [{year: 2024.5, value: 560}, {value: 550}]
`);
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p.message]));
    expect(Object.keys(byPath).sort()).toEqual(
      [
        'electricityEqualKgce',
        'coefficients.natural_gas[0].value',
        'emissionFactors.electricity[1].year',
        'tariffs[0].limit[0].year',
        'tariffs[0].limit[1].year',
      ].sort(),
    );
    expect(byPath['electricityEqualKgce']).toMatch(/number or a list of \{year, value, source\} rows/);
    expect(byPath['emissionFactors.electricity[1].year']).toMatch(/year 2021 is listed twice/);
    // keys are checked after the schema passes: a second file with only key problems
    const keyProblems = problemsOf(`${base}
coefficients:
  plasma: 1
  steam: 128.6
  steam/kg: 0.1286
emissionFactors:
  coal/t: 1900
tariffs:
  - {id: al, scheme: step, threshold: 13300, step: 20, markupPerStep: 0.01}
`);
    const byKey = Object.fromEntries(keyProblems.map((p) => [p.path, p.message]));
    expect(Object.keys(byKey).sort()).toEqual(
      ['coefficients.plasma', 'coefficients.steam', 'coefficients.steam/kg', 'emissionFactors.coal/t'].sort(),
    );
    expect(byKey['coefficients.steam']).toMatch(/key it steam\/GJ or steam\/t/);
    expect(byKey['coefficients.steam/kg']).toMatch(/no table unit "kg"/);
    expect(byKey['emissionFactors.coal/t']).toMatch(/unknown carrier "coal"/);
    expect(keyProblems.every((p) => p.line !== undefined)).toBe(true);
  });
});

describe('shipped coefficient table rows', () => {
  it('table rows must carry a source and unique years', () => {
    const entry = (kgCo2: string) => `
electricity: {equivalentKgcePerKwh: 0.1229, equivalentSource: s, equalKgcePerKwh: [{year: 2020, value: 0.3055, source: s}], equalSource: s}
carriers:
  - {carrier: electricity, unit: kWh, kgce: 0.1229, kgceSource: s, kgCo2Source: s, kgCo2: ${kgCo2}}
`;
    expect(() => parseCoefficientTable(entry('[{year: 2021, value: 0.5568, source: a}]'))).not.toThrow();
    expect(() => parseCoefficientTable(entry('[{year: 2021, value: 0.5568}]'))).toThrow(/source/);
    expect(() => parseCoefficientTable(entry('[{year: 2021, value: 0.5568, source: a}, {year: 2021, value: 0.5, source: b}]'))).toThrow(
      /listed twice/,
    );
  });
});
