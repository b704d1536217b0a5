/**
 * Carbon configuration (contract 9, 9.1; docs/carbon.md): budgets and intensity limits per quota
 * year, process emissions, parks, projects and rules.carbon, with every problem listed by path.
 */
import { ConfigError, parseConfig } from '../../../config/load';

const cement = `
parks: [{id: baitao, name: 白涛化工园区}]
enterprises:
  - id: cem01
    name: 重庆示例水泥有限公司
    industry: "3011"
    park: baitao
    quotas: [{year: 2026, totalTce: 186000, co2BudgetT: 520000, co2IntensityLimit: 9.5}]
    processEmissions:
      - {product: cement_clinker, tCo2PerUnit: 0.5257, source: "clinker CaCO3 decomposition"}
      - {product: cement, tCo2PerUnit: 0, unit: t, source: "entered monthly, no own process CO2"}
    projects:
      - {id: line2, name: 二期熟料线, approvedTce: 30000, approvedCo2T: 95000, meters: [e-line2, coal-line2], operatingFrom: 2026-03-01}
    meters:
      - {id: e-main, carrier: electricity, unit: kWh, kind: counter}
      - {id: e-line2, carrier: electricity, unit: kWh, kind: counter, submeter: true}
      - {id: coal-line2, carrier: raw_coal, unit: t, kind: interval}
      - {id: clinker, carrier: product, product: cement_clinker, unit: t, kind: counter}
`;

function problemsOf(text: string): string[] {
  try {
    parseConfig(text, 'bad.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('carbon configuration (contract 9)', () => {
  it('reads budgets, process emissions, park and projects, with rules.carbon defaults', () => {
    const c = parseConfig(cement);
    const e = c.enterprises[0]!;
    expect(e.quotas[0]).toMatchObject({ co2BudgetT: 520_000, co2IntensityLimit: 9.5 });
    expect(e.park).toBe('baitao');
    expect(c.parks).toEqual([{ id: 'baitao', name: '白涛化工园区' }]);
    expect(e.processEmissions[0]).toEqual({ product: 'cement_clinker', tCo2PerUnit: 0.5257, source: 'clinker CaCO3 decomposition' });
    // An unquoted YAML date stays the calendar date written (YAML 1.2 core schema: no timestamps).
    expect(e.projects[0]).toEqual({
      id: 'line2',
      name: '二期熟料线',
      approvedTce: 30_000,
      approvedCo2T: 95_000,
      meters: ['e-line2', 'coal-line2'],
      operatingFrom: '2026-03-01',
    });
    expect(c.rules.carbon).toEqual({
      paceYellow: 1.0,
      paceRed: 1.1,
      shareYellow: 0.9,
      shareRed: 1.0,
      intensityYellow: 0.95,
      intensityRed: 1.0,
      intensityReduction: 0.038,
    });
    expect(c.rules.quota).toEqual({ paceYellow: 1, paceRed: 1.1, shareYellow: 0.9, shareRed: 1 });
  });

  it('keeps every key optional: no budget, no parks, no projects', () => {
    const c = parseConfig(`
enterprises:
  - {id: a, name: A, industry: "3011", quotas: [{year: 2026, totalTce: 1}], meters: [{id: m, carrier: electricity, unit: kWh, kind: counter}]}
`);
    expect(c.parks).toEqual([]);
    expect(c.enterprises[0]).toMatchObject({ processEmissions: [], projects: [] });
    expect(c.enterprises[0]!.park).toBeUndefined();
    expect(c.enterprises[0]!.quotas[0]!.co2BudgetT).toBeUndefined();
  });

  it('accepts a partial rules.carbon and dated process factors', () => {
    const c = parseConfig(
      cement
        .replace('tCo2PerUnit: 0.5257', 'tCo2PerUnit: [{year: 2025, value: 0.538}, {year: 2026, value: 0.5257, source: "plant test"}]')
        .concat('rules: {carbon: {paceRed: 1.2, intensityReduction: 0.04}}\n'),
    );
    expect(c.rules.carbon).toMatchObject({ paceYellow: 1.0, paceRed: 1.2, intensityReduction: 0.04 });
    expect(c.enterprises[0]!.processEmissions[0]!.tCo2PerUnit).toEqual([
      { year: 2025, value: 0.538 },
      { year: 2026, value: 0.5257, source: 'plant test' },
    ]);
  });

  it('lists every invalid value with its path', () => {
    const problems = problemsOf(`
parks: [{id: Bad Park, name: ""}]
enterprises:
  - id: cem01
    name: C
    industry: "3011"
    quotas: [{year: 2026, totalTce: 1, co2BudgetT: 0, co2IntensityLimit: -1}]
    processEmissions: [{product: Clinker, tCo2PerUnit: -0.5}]
    projects:
      - {id: p1, name: P, approvedTce: 0, approvedCo2T: -5, meters: [], operatingFrom: 2026-02-30}
      - {id: p2, name: P, approvedTce: 1, meters: [m], operatingFrom: "1 March 2026"}
    meters: [{id: m, carrier: electricity, unit: kWh, kind: counter}]
rules:
  carbon: {paceYellow: 1.2, paceRed: 1.1, shareYellow: -1, intensityReduction: 1.5, extra: 1}
`);
    const paths = problems.map((p) => p.split(':')[0]);
    expect(paths.sort()).toEqual(
      [
        'parks[0].id',
        'parks[0].name',
        'enterprises[0].quotas[0].co2BudgetT',
        'enterprises[0].quotas[0].co2IntensityLimit',
        'enterprises[0].processEmissions[0].product',
        'enterprises[0].processEmissions[0].tCo2PerUnit',
        'enterprises[0].processEmissions[0].source',
        'enterprises[0].projects[0].approvedTce',
        'enterprises[0].projects[0].approvedCo2T',
        'enterprises[0].projects[0].meters',
        'enterprises[0].projects[0].operatingFrom',
        'enterprises[0].projects[1].operatingFrom',
        'rules.carbon.shareYellow',
        'rules.carbon.paceYellow',
        'rules.carbon.intensityReduction',
        'rules.carbon',
      ].sort(),
    );
    expect(problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/^enterprises\[0\]\.projects\[0\]\.operatingFrom: expected a real calendar date/)]),
    );
  });

  it('refuses a yellow threshold above its red one', () => {
    expect(problemsOf(cement.concat('rules: {carbon: {paceYellow: 1.2, intensityYellow: 1.01}}\n'))).toEqual([
      'rules.carbon.paceYellow: paceYellow (1.2) must not be above paceRed (1.1)',
      'rules.carbon.intensityYellow: intensityYellow (1.01) must not be above intensityRed (1)',
    ]);
  });

  it('checks parks, process-emission products and project meters against the rest of the file', () => {
    const problems = problemsOf(`
parks: [{id: baitao, name: 白涛}, {id: baitao, name: again}]
enterprises:
  - id: cem01
    name: C
    industry: "3011"
    park: lidu
    processEmissions:
      - {product: cement_clinkr, tCo2PerUnit: 0.5257, source: s}
      - {product: cement_clinker, tCo2PerUnit: 0.5257, unit: m3, source: s}
      - {product: cement_clinker, tCo2PerUnit: 0.5, source: s}
    # clinker, a product meter, is allowed in a project (its process CO2)
    projects:
      - {id: l2, name: L2, approvedTce: 1, meters: [e-line2, ghost, clinker, e-line2], operatingFrom: 2026-03-01}
      - {id: l2, name: L3, approvedTce: 1, meters: [e-line2], operatingFrom: 2026-03-01}
    meters:
      - {id: e-line2, carrier: electricity, unit: kWh, kind: counter}
      - {id: clinker, carrier: product, product: cement_clinker, unit: t, kind: counter}
`);
    expect(problems.sort()).toEqual(
      [
        'parks[1].id: duplicate park id "baitao"',
        'enterprises[0].park: unknown park "lidu" (parks: baitao)',
        'enterprises[0].processEmissions[0].product: no product meter of cem01 measures "cement_clinkr" (metered: cement_clinker); for a product entered only in the monthly statistics, give the unit tCo2PerUnit is per',
        'enterprises[0].processEmissions[1].unit: unit "m3" does not convert to the unit of the meter measuring cement_clinker ("t")',
        'enterprises[0].processEmissions[2].product: duplicate process-emission product "cement_clinker"',
        'enterprises[0].projects[0].meters[1]: unknown meter "ghost" of cem01',
        'enterprises[0].projects[0].meters[3]: meter "e-line2" is listed twice',
        'enterprises[0].projects[1].id: duplicate project id in cem01 "l2"',
        'enterprises[0].projects[1].meters[0]: meter "e-line2" already counts for project "l2" (projects[0]): a meter belongs to one project',
      ].sort(),
    );
  });

  it('points a park problem at its line', () => {
    try {
      parseConfig(cement.replace('park: baitao', 'park: lidu'), 'c.yaml');
      throw new Error('expected a ConfigError');
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      expect(err.problems).toEqual([expect.objectContaining({ path: 'enterprises[0].park', line: 7 })]);
    }
  });
});
