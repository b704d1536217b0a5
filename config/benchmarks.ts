/**
 * The benchmark table (contract 10): the shipped 2023-edition rows of config/benchmarks.yaml,
 * validated once like the coefficient table, and the table in force for a configuration (its
 * `benchmarks:` rows add products or replace the shipped row of the same product).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { configAsset } from './paths';
import { benchmarkTableSchema, type BenchmarkRow } from './benchmarkSchema';

export class BenchmarkTableError extends Error {
  readonly code = 'invalid-benchmark-table';
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid benchmark table ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'BenchmarkTableError';
  }
}

/** Parses a benchmark table, listing every problem with its path; exported for tests of the table's own rules. */
export function parseBenchmarkTable(text: string, file = '<benchmarks>'): readonly BenchmarkRow[] {
  const parsed = benchmarkTableSchema.safeParse(parse(text));
  if (!parsed.success)
    throw new BenchmarkTableError(
      file,
      parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`),
    );
  const rows = parsed.data.benchmarks;
  const problems: string[] = [];
  rows.forEach((r, i) => {
    const first = rows.findIndex((o) => o.product === r.product);
    if (first !== i) problems.push(`benchmarks.${i}.product: duplicate product "${r.product}" (also benchmarks.${first})`);
  });
  if (problems.length > 0) throw new BenchmarkTableError(file, problems);
  return Object.freeze(rows.map((r) => Object.freeze(r)));
}

function load(): readonly BenchmarkRow[] {
  const file = configAsset('benchmarks.yaml');
  return parseBenchmarkTable(readFileSync(file, 'utf8'), file);
}

export const SHIPPED_BENCHMARKS: readonly BenchmarkRow[] = load();

/** The rows in force: the shipped table with the configured rows replacing (same product) or added after it. */
export function benchmarkTable(configured: readonly BenchmarkRow[], shipped: readonly BenchmarkRow[] = SHIPPED_BENCHMARKS): readonly BenchmarkRow[] {
  const byProduct = new Map<string, BenchmarkRow>();
  for (const r of shipped) byProduct.set(r.product, r);
  for (const r of configured) byProduct.set(r.product, r);
  return [...byProduct.values()];
}

/** The row of a product, if any. */
export function benchmarkRowOf(table: readonly BenchmarkRow[], product: string): BenchmarkRow | undefined {
  return table.find((r) => r.product === product);
}
