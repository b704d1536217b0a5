/**
 * The coefficient table (config/coefficients.yaml): kgce and kgCO2 per unit of each carrier, each
 * with its source; either may be dated rows by data year (contract 8.2, e.g. the grid factors).
 * Read and validated once; the energy arithmetic receives it as plain data.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { canonicalUnit, conversionFactor } from './units';
import { configAsset } from './paths';
import { datedSchema } from './datedParameter';

const entrySchema = z
  .object({
    carrier: z.string(),
    unit: z.string(),
    kgce: datedSchema(z.number().nonnegative(), { sourceRequired: true }),
    kgceSource: z.string().min(1),
    kgCo2: datedSchema(z.number().nonnegative(), { sourceRequired: true }),
    kgCo2Source: z.string().min(1),
    /** Net calorific value (kJ per unit) both factors were derived from, when one was (natural gas: one NCV for kgce and CO2). */
    ncvKjPerUnit: z.number().positive().optional(),
    /**
     * A working medium made on site from this metered carrier (compressed air from electricity):
     * shown with its coefficient, but out of the dual-control total and intensity, which already
     * count the carrier it is made from.
     */
    producedFrom: z.string().min(1).optional(),
  })
  .strict();

const tableSchema = z
  .object({
    electricity: z
      .object({
        equivalentKgcePerKwh: z.number().positive(),
        equivalentSource: z.string(),
        equalKgcePerKwh: datedSchema(z.number().positive(), { sourceRequired: true }),
        equalSource: z.string(),
      })
      .strict(),
    carriers: z.array(entrySchema).min(1),
  })
  .strict();

export type CoefficientEntry = z.infer<typeof entrySchema>;
export type CoefficientTable = z.infer<typeof tableSchema>;

/** Parses a coefficient table; exported for tests of the table's own rules. */
export function parseCoefficientTable(text: string, file = '<coefficients>'): CoefficientTable {
  const parsed = tableSchema.safeParse(parse(text));
  if (!parsed.success) throw new Error(`invalid coefficient table ${file}: ${parsed.error.message}`);
  return Object.freeze(parsed.data);
}

function load(): CoefficientTable {
  const file = configAsset('coefficients.yaml');
  return parseCoefficientTable(readFileSync(file, 'utf8'), file);
}

export const COEFFICIENTS: CoefficientTable = load();

/** The table entry for a carrier whose unit the given unit converts to (any entry if unit is undefined). */
export function coefficientFor(carrier: string, unit: string | undefined, table: CoefficientTable = COEFFICIENTS): CoefficientEntry | undefined {
  return table.carriers.find((e) => e.carrier === carrier && (unit === undefined || conversionFactor(unit, e.unit) !== undefined));
}

/** The table units of a carrier (`steam`: GJ and t), canonical spelling. */
export function tableUnits(carrier: string, table: CoefficientTable = COEFFICIENTS): string[] {
  return table.carriers.filter((e) => e.carrier === carrier).map((e) => canonicalUnit(e.unit));
}

/** The table carrier of a meter carrier: `feedstock_natural_gas` uses natural gas's coefficients. */
export function baseCarrier(carrier: string): string {
  return carrier.startsWith('feedstock_') ? carrier.slice('feedstock_'.length) : carrier;
}

/**
 * The override key that applies to `carrier` in table unit `tableUnit`, if any: `carrier/unit`
 * first, then the carrier alone, which only a carrier with one table unit may use (a per-t steam
 * value must never price GJ steam: the validator refuses `steam` alone, see overrideKeyProblem).
 */
export function overrideKey(keys: Iterable<string>, carrier: string, tableUnit: string, table: CoefficientTable = COEFFICIENTS): string | undefined {
  const unit = canonicalUnit(tableUnit);
  let carrierOnly: string | undefined;
  for (const key of keys) {
    const slash = key.indexOf('/');
    if (slash < 0) {
      if (key === carrier) carrierOnly = key;
    } else if (key.slice(0, slash) === carrier && canonicalUnit(key.slice(slash + 1)) === unit) return key;
  }
  return carrierOnly !== undefined && tableUnits(baseCarrier(carrier), table).length === 1 ? carrierOnly : undefined;
}

/** Why an override key (`coefficients:` / `emissionFactors:`) names nothing it could apply to; undefined if it is fine. */
export function overrideKeyProblem(key: string, table: CoefficientTable = COEFFICIENTS): string | undefined {
  const slash = key.indexOf('/');
  const carrier = slash < 0 ? key : key.slice(0, slash);
  const units = tableUnits(baseCarrier(carrier), table);
  if (units.length === 0)
    return `unknown carrier "${carrier}": expected a carrier of config/coefficients.yaml (or feedstock_<carrier>), optionally with /<unit>`;
  if (slash < 0) {
    if (units.length > 1)
      return `carrier ${carrier} has ${units.length} table units (${units.join(', ')}): a value is per unit, so key it ${units.map((u) => `${carrier}/${u}`).join(' or ')}`;
    return undefined;
  }
  const unit = canonicalUnit(key.slice(slash + 1));
  if (!units.includes(unit))
    return `carrier ${carrier} has no table unit "${key.slice(slash + 1)}": expected ${units.map((u) => `${carrier}/${u}`).join(' or ')}`;
  return undefined;
}
