/**
 * The coefficient table (config/coefficients.yaml): kgce and kgCO2 per unit of each carrier, each
 * with its source. Read and validated once; the energy arithmetic receives it as plain data.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { conversionFactor } from './units';
import { configAsset } from './paths';

const entrySchema = z
  .object({
    carrier: z.string(),
    unit: z.string(),
    kgce: z.number().nonnegative(),
    kgceSource: z.string().min(1),
    kgCo2: z.number().nonnegative(),
    kgCo2Source: z.string().min(1),
  })
  .strict();

const tableSchema = z
  .object({
    electricity: z
      .object({
        equivalentKgcePerKwh: z.number().positive(),
        equivalentSource: z.string(),
        equalKgcePerKwh: z.number().positive(),
        equalSource: z.string(),
      })
      .strict(),
    carriers: z.array(entrySchema).min(1),
  })
  .strict();

export type CoefficientEntry = z.infer<typeof entrySchema>;
export type CoefficientTable = z.infer<typeof tableSchema>;

function load(): CoefficientTable {
  const file = configAsset('coefficients.yaml');
  const parsed = tableSchema.safeParse(parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`invalid coefficient table ${file}: ${parsed.error.message}`);
  return Object.freeze(parsed.data);
}

export const COEFFICIENTS: CoefficientTable = load();

/** The table entry for a carrier whose unit the given unit converts to (any entry if unit is undefined). */
export function coefficientFor(carrier: string, unit: string | undefined, table: CoefficientTable = COEFFICIENTS): CoefficientEntry | undefined {
  return table.carriers.find((e) => e.carrier === carrier && (unit === undefined || conversionFactor(unit, e.unit) !== undefined));
}
