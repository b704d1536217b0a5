/**
 * Cross-references of the benchmark configuration (contract 10) that the schema cannot express:
 * configured rows named once, enterprise products that have a level, boundary meters that exist and
 * measure energy, product meters whose unit converts to the level's. Decisions: docs/benchmark.md.
 */
import type { Config, EnterpriseConfig } from './schema';
import type { ReferenceProblem } from './references';
import type { BenchmarkRow } from './benchmarkSchema';
import { benchmarkTable } from './benchmarks';
import { conversionFactor } from './units';

function rowProblems(config: Config): ReferenceProblem[] {
  const problems: ReferenceProblem[] = [];
  config.benchmarks.forEach((r, i) => {
    const first = config.benchmarks.findIndex((o) => o.product === r.product);
    if (first !== i)
      problems.push({
        path: ['benchmarks', i, 'product'],
        message: `duplicate product "${r.product}" (also benchmarks[${first}]): one row per product; a row replaces the shipped row of its product`,
      });
  });
  return problems;
}

/**
 * A listed product needs a level (else nothing could be compared); its boundary meters must be
 * meters of the enterprise and not product meters (output is not energy). A product meter of a
 * levelled product must count in a unit that converts to the level's (t, or weight_box for glass).
 */
function enterpriseProblems(e: EnterpriseConfig, i: number, table: readonly BenchmarkRow[]): ReferenceProblem[] {
  const problems: ReferenceProblem[] = [];
  const levelled = new Map(table.map((r) => [r.product, r]));
  e.products.forEach((p, j) => {
    const path = ['enterprises', i, 'products', j];
    const first = e.products.findIndex((o) => o.product === p.product);
    if (first !== j) problems.push({ path: [...path, 'product'], message: `product "${p.product}" is listed twice (also products[${first}])` });
    if (!levelled.has(p.product))
      problems.push({
        path: [...path, 'product'],
        message: `no benchmark level for "${p.product}": use a product id of config/benchmarks.yaml (${[...levelled.keys()].join(', ')}) or add a row under the top-level benchmarks key`,
      });
    p.meters?.forEach((meterId, k) => {
      const meter = e.meters.find((m) => m.id === meterId);
      const at = [...path, 'meters', k];
      if (meter === undefined) problems.push({ path: at, message: `unknown meter "${meterId}" of ${e.id}` });
      else if (meter.carrier === 'product')
        problems.push({ path: at, message: `meter "${meterId}" measures product output, not energy: the boundary lists energy meters only` });
      else if (p.meters?.indexOf(meterId) !== k) problems.push({ path: at, message: `meter "${meterId}" is listed twice` });
    });
  });
  e.meters.forEach((m, j) => {
    const row = m.carrier === 'product' && m.product !== undefined ? levelled.get(m.product) : undefined;
    if (row !== undefined && conversionFactor(m.unit, row.unit) === undefined)
      problems.push({
        path: ['enterprises', i, 'meters', j, 'unit'],
        message: `product ${row.product} is levelled per ${row.unit} (${row.metric}): its meter's unit "${m.unit}" does not convert to it`,
      });
  });
  return problems;
}

export function checkBenchmarkReferences(config: Config): ReferenceProblem[] {
  const table = benchmarkTable(config.benchmarks);
  return [...rowProblems(config), ...config.enterprises.flatMap((e, i) => enterpriseProblems(e, i, table))];
}
