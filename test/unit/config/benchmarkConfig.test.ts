/**
 * Benchmark configuration (contract 10; docs/benchmark.md): the shipped 2023-edition table, rows a
 * configuration adds or replaces, enterprise product boundaries, and every problem listed by path.
 */
import { ConfigError, parseConfig } from '../../../config/load';
import { BenchmarkTableError, benchmarkRowOf, benchmarkTable, parseBenchmarkTable, SHIPPED_BENCHMARKS } from '../../../config/benchmarks';

const cement = `
enterprises:
  - id: cem01
    name: 重庆示例水泥有限公司
    industry: "3011"
    products:
      - {product: cement_clinker, meters: [e-kiln, coal-kiln]}
    meters:
      - {id: e-main, carrier: electricity, unit: kWh, kind: counter}
      - {id: e-kiln, carrier: electricity, unit: kWh, kind: counter, submeter: true}
      - {id: coal-kiln, carrier: raw_coal, unit: t, kind: counter}
      - {id: clinker, carrier: product, product: cement_clinker, unit: t, kind: counter}
`;

function problemsOf(text: string): string[] {
  try {
    parseConfig(text, 'bad.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.path}${p.line ? ` (line ${p.line})` : ''}: ${p.message}`);
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('shipped benchmark table (config/benchmarks.yaml)', () => {
  it('holds the contract rows with the 2023 levels of the domain notes', () => {
    expect(benchmarkRowOf(SHIPPED_BENCHMARKS, 'cement_clinker')).toMatchObject({
      metric: 'kgce_per_t',
      unit: 't',
      benchmark: 100,
      baseline: 117,
      edition: '2023',
      deadline: '2025-12-31',
    });
    expect(benchmarkRowOf(SHIPPED_BENCHMARKS, 'aluminium_liquid')).toMatchObject({ metric: 'kwh_ac_per_t', benchmark: 13000, baseline: 13350 });
    expect(benchmarkRowOf(SHIPPED_BENCHMARKS, 'ferrosilicon')).toMatchObject({ benchmark: 1770, baseline: 1850 });
    expect(benchmarkRowOf(SHIPPED_BENCHMARKS, 'flat_glass_over_800td')).toMatchObject({ metric: 'kgce_per_weight_box', unit: 'weight_box' });
    // The conflicting quality-anthracite ammonia row is left out rather than guessed.
    expect(SHIPPED_BENCHMARKS.some((r) => r.product.includes('quality_anthracite') && !r.product.includes('non_'))).toBe(false);
    for (const r of SHIPPED_BENCHMARKS) {
      expect(r.benchmark).toBeLessThanOrEqual(r.baseline);
      expect(r.source).toMatch(/\[[DNCR]\]/);
    }
  });

  it('lists every problem of a bad table: benchmark above baseline, wrong unit, unknown metric, duplicate product', () => {
    const text = `
benchmarks:
  - {product: a, name: 甲, nameEn: A, metric: kgce_per_t, unit: t, benchmark: 120, baseline: 117, edition: "2023", deadline: "2025-12-31", source: s}
  - {product: b, name: 乙, nameEn: B, metric: kwh_ac_per_t, unit: kWh, benchmark: 1, baseline: 2, edition: "2023", deadline: "2025-12-31", source: s}
  - {product: c, name: 丙, nameEn: C, metric: kgce_per_m3, unit: t, benchmark: 1, baseline: 2, edition: "2023", deadline: "2025-02-30", source: s}
`;
    let problems: readonly string[] = [];
    try {
      parseBenchmarkTable(text, 'bad.yaml');
    } catch (err) {
      if (!(err instanceof BenchmarkTableError)) throw err;
      problems = err.problems;
    }
    expect(problems).toEqual([
      expect.stringMatching(/^benchmarks\.0\.benchmark: benchmark \(120\) must not be above baseline \(117\)/),
      expect.stringMatching(/^benchmarks\.1\.unit: metric kwh_ac_per_t is per t, got unit "kWh"/),
      expect.stringMatching(/^benchmarks\.2\.metric: expected a metric: kgce_per_t, kwh_ac_per_t, kgce_per_weight_box/),
      expect.stringMatching(/^benchmarks\.2\.deadline: expected a real calendar date/),
    ]);
    const dup = `
benchmarks:
  - {product: a, name: 甲, nameEn: A, metric: kgce_per_t, unit: t, benchmark: 1, baseline: 2, edition: "2023", deadline: "2025-12-31", source: s}
  - {product: a, name: 甲, nameEn: A, metric: kgce_per_t, unit: t, benchmark: 1, baseline: 3, edition: "2023", deadline: "2025-12-31", source: s}
`;
    expect(() => parseBenchmarkTable(dup)).toThrow(/benchmarks\.1\.product: duplicate product "a" \(also benchmarks\.0\)/);
  });
});

describe('benchmark configuration (contract 10)', () => {
  it('reads product boundaries; a configured row replaces the shipped row of its product and others are added', () => {
    const c = parseConfig(`
benchmarks:
  - {product: cement_clinker, name: 熟料, nameEn: Clinker, metric: kgce_per_t, unit: t, benchmark: 98, baseline: 110, edition: "2024", deadline: "2026-12-31", source: "provincial"}
  - {product: urea, name: 尿素, nameEn: Urea, metric: kgce_per_t, unit: t, benchmark: 400, baseline: 500, edition: "2023", deadline: "2026-12-31", source: "723号 annex"}
${cement}`);
    expect(c.enterprises[0]!.products).toEqual([{ product: 'cement_clinker', meters: ['e-kiln', 'coal-kiln'] }]);
    const table = benchmarkTable(c.benchmarks);
    expect(benchmarkRowOf(table, 'cement_clinker')).toMatchObject({ benchmark: 98, baseline: 110, edition: '2024', source: 'provincial' });
    expect(benchmarkRowOf(table, 'urea')).toMatchObject({ deadline: '2026-12-31' });
    expect(table.length).toBe(SHIPPED_BENCHMARKS.length + 1);
    expect(benchmarkRowOf(table, 'aluminium_liquid')?.benchmark).toBe(13000);
  });

  it('lists every problem with its path and line', () => {
    const problems = problemsOf(`
benchmarks:
  - {product: urea, name: 尿素, nameEn: Urea, metric: kgce_per_t, unit: t, benchmark: 500, baseline: 400, edition: "2023", deadline: "2026-12-31", source: s}
enterprises:
  - id: cem01
    name: 水泥
    industry: "3011"
    products: [{product: cement_clinker, meters: [e-main]}]
    meters:
      - {id: e-main, carrier: electricity, unit: kWh, kind: counter}
`);
    expect(problems).toEqual([expect.stringMatching(/^benchmarks\[0\]\.benchmark \(line 3\): benchmark \(500\) must not be above baseline \(400\)/)]);
    const refs = problemsOf(`
benchmarks:
  - {product: urea, name: 尿素, nameEn: Urea, metric: kgce_per_t, unit: t, benchmark: 400, baseline: 500, edition: "2023", deadline: "2026-12-31", source: s}
  - {product: urea, name: 尿素, nameEn: Urea, metric: kgce_per_t, unit: t, benchmark: 400, baseline: 510, edition: "2023", deadline: "2026-12-31", source: s}
enterprises:
  - id: cem01
    name: 水泥
    industry: "3011"
    products:
      - {product: cement_clinker, meters: [e-main, nope, clinker, e-main]}
      - {product: cement}
      - {product: cement_clinker}
    meters:
      - {id: e-main, carrier: electricity, unit: kWh, kind: counter}
      - {id: clinker, carrier: product, product: cement_clinker, unit: m3, kind: counter}
`);
    expect(refs).toEqual([
      expect.stringMatching(/^benchmarks\[1\]\.product \(line 4\): duplicate product "urea" \(also benchmarks\[0\]\)/),
      expect.stringMatching(/^enterprises\[0\]\.products\[0\]\.meters\[1\] \(line 10\): unknown meter "nope" of cem01/),
      expect.stringMatching(/^enterprises\[0\]\.products\[0\]\.meters\[2\] \(line 10\): meter "clinker" measures product output, not energy/),
      expect.stringMatching(/^enterprises\[0\]\.products\[0\]\.meters\[3\] \(line 10\): meter "e-main" is listed twice/),
      expect.stringMatching(
        /^enterprises\[0\]\.products\[1\]\.product \(line 11\): no benchmark level for "cement": use a product id of config\/benchmarks.yaml \(cement_clinker, /,
      ),
      expect.stringMatching(/^enterprises\[0\]\.products\[2\]\.product \(line 12\): product "cement_clinker" is listed twice \(also products\[0\]\)/),
      expect.stringMatching(
        /^enterprises\[0\]\.meters\[1\]\.unit \(line 15\): product cement_clinker is levelled per t \(kgce_per_t\): its meter's unit "m3" does not convert to it/,
      ),
    ]);
  });
});
