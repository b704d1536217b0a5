/**
 * Benchmark (标杆) and baseline (基准) levels per product (contract 10): the row shape shared by the
 * shipped table (config/benchmarks.yaml) and the configuration's `benchmarks:` rows, and the
 * enterprise's `products:` boundaries. schema.ts composes them; cross-references (meters, products,
 * duplicates) are checked in benchmarkReferences.ts. Decisions: docs/benchmark.md.
 */
import { z } from 'zod';
import { DateTime } from 'luxon';
import { canonicalUnit } from './units';

/** Product keys as the monthly statistics spell them (services/ledger/monthlyPatchSchema.ts KEY_PATTERN). */
const productKey = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * What a level measures, and per what. All are "lower is better". kgce metrics take the boundary's
 * energy on the equivalent basis (当量值); kwh_ac_per_t its grid plus on-site renewable kWh.
 */
export const BENCHMARK_METRICS = {
  kgce_per_t: { numerator: 'kgce', unit: 't' },
  kwh_ac_per_t: { numerator: 'kwh_ac', unit: 't' },
  // Flat glass is levelled per weight box (重量箱, 50 kg of 2 mm glass; GB 21340), not per tonne.
  kgce_per_weight_box: { numerator: 'kgce', unit: 'weight_box' },
} as const;

export type BenchmarkMetric = keyof typeof BENCHMARK_METRICS;

const metricNames = Object.keys(BENCHMARK_METRICS) as [BenchmarkMetric, ...BenchmarkMetric[]];

/** A site-zone calendar date, kept a string so that YAML cannot turn it into an instant elsewhere. */
const deadlineDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')
  .refine((s) => DateTime.fromISO(s).isValid, 'expected a real calendar date');

export const benchmarkRowSchema = z
  .object({
    product: z.string().regex(productKey, 'expected a snake_case product id such as cement_clinker'),
    name: z.string().min(1),
    nameEn: z.string().min(1),
    metric: z.enum(metricNames, { message: `expected a metric: ${metricNames.join(', ')}` }),
    /** The unit of product the levels are per: `t` for the per-t metrics, `weight_box` for kgce_per_weight_box. */
    unit: z.string().trim().min(1),
    /** Negative levels exist (a converter recovers more energy than it uses). */
    benchmark: z.number(),
    baseline: z.number(),
    edition: z.string().regex(/^\d{4}$/, 'expected the edition year, e.g. "2023"'),
    /** Last day to retrofit or exit a plant below baseline (site zone). */
    deadline: deadlineDate,
    source: z.string().min(1),
  })
  .strict()
  .superRefine((row, ctx) => {
    // Lower is better for every metric: a benchmark above its baseline would be a typo or swapped columns.
    if (row.benchmark > row.baseline)
      ctx.addIssue({
        code: 'custom',
        path: ['benchmark'],
        message: `benchmark (${row.benchmark}) must not be above baseline (${row.baseline}): lower is better for ${row.metric}`,
      });
    const wanted = BENCHMARK_METRICS[row.metric]?.unit;
    if (wanted !== undefined && canonicalUnit(row.unit) !== wanted)
      ctx.addIssue({ code: 'custom', path: ['unit'], message: `metric ${row.metric} is per ${wanted}, got unit "${row.unit}"` });
  });

export const benchmarkTableSchema = z.object({ benchmarks: z.array(benchmarkRowSchema).min(1) }).strict();

export const productBoundarySchema = z
  .object({
    product: z.string().regex(productKey, 'expected a snake_case product id such as cement_clinker'),
    /** Meters of the enterprise inside the product's boundary; absent: every energy meter that is not a sub-meter. */
    meters: z.array(z.string().min(1)).min(1, 'list at least one meter, or leave meters out for the default boundary').optional(),
  })
  .strict();

/** The enterprise key contract 10 adds. */
export const benchmarkEnterpriseShape = {
  products: z.array(productBoundarySchema).default([]),
};

/** The top-level key: rows that add to or replace (same product) the shipped table. */
export const benchmarkConfigShape = {
  benchmarks: z.array(benchmarkRowSchema).default([]),
};

/** Efficiency-leader (能效领跑者) criteria of the district view (contract 10): annual energy and non-fossil share of electricity. */
export const LEADER_RULE_DEFAULTS = { minAnnualTce: 10_000, minNonFossilShare: 0.2 } as const;

export const leaderRulesSchema = z
  .object({
    /** Annual energy, tce on the configured basis (the dual-control total), at or above which an enterprise can lead. */
    minAnnualTce: z.number().nonnegative().default(LEADER_RULE_DEFAULTS.minAnnualTce),
    /** (renewable_electricity + green-certificate kWh) / all electricity kWh, a fraction. */
    minNonFossilShare: z.number().min(0).max(1).default(LEADER_RULE_DEFAULTS.minNonFossilShare),
  })
  .strict();

export type BenchmarkRow = z.output<typeof benchmarkRowSchema>;
export type ProductBoundaryConfig = z.output<typeof productBoundarySchema>;
