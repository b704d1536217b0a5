/**
 * Dated parameters (contract 8.2): a coefficient, emission factor, equal value or tariff
 * threshold/limit is either one value or a list of `{year, value, source?}` rows. A figure of a
 * period uses the row in force for the period's data year (the site-zone year of its start): the
 * row with the largest `year` not after it, else the earliest row. docs/ledger/dated-parameters.md.
 */
import { z } from 'zod';

export interface DatedRow {
  readonly year: number;
  readonly value: number;
  readonly source?: string;
}

export type DatedValue = number | readonly DatedRow[];

/** The row a figure of `dataYear` uses; `year` and `source` are absent for a plain value. */
export interface ResolvedValue {
  readonly value: number;
  readonly year?: number;
  readonly source?: string;
}

/** The row in force for `dataYear`; `Infinity` gives the latest row (figures with no period). */
export function valueFor(param: DatedValue, dataYear: number): ResolvedValue {
  if (typeof param === 'number') return { value: param };
  let best: DatedRow | undefined;
  let earliest: DatedRow | undefined;
  for (const row of param) {
    if (earliest === undefined || row.year < earliest.year) earliest = row;
    if (row.year <= dataYear && (best === undefined || row.year > best.year)) best = row;
  }
  const row = best ?? earliest;
  if (row === undefined) throw new RangeError('a dated parameter needs at least one row');
  return { value: row.value, year: row.year, ...(row.source !== undefined && { source: row.source }) };
}

/** Duplicate years, as `[index, message]`, so the loader can point at the second row. */
export function duplicateYears(rows: readonly { year: number }[]): [number, string][] {
  const seen = new Map<number, number>();
  const out: [number, string][] = [];
  rows.forEach((r, i) => {
    const first = seen.get(r.year);
    if (first !== undefined) out.push([i, `year ${r.year} is listed twice (rows ${first} and ${i}): one row per year`]);
    else seen.set(r.year, i);
  });
  return out;
}

/**
 * Schema of a parameter that may be dated. A plain `z.union` would report a bad row only as
 * "Invalid input" at the parameter; this picks the branch by shape so that every problem keeps
 * its path (`threshold[1].value`) and says what was expected.
 */
export function datedSchema(value: z.ZodNumber, options: { sourceRequired?: boolean } = {}): z.ZodType<DatedValue, number | readonly DatedRow[]> {
  const row = z
    .object({
      year: z.number().int().min(1990, 'expected a year from 1990').max(2100, 'expected a year up to 2100'),
      value,
      source: options.sourceRequired ? z.string().min(1) : z.string().min(1).optional(),
    })
    .strict();
  const rows = z
    .array(row)
    .min(1, 'expected at least one {year, value} row')
    .superRefine((list, ctx) => {
      for (const [i, message] of duplicateYears(list)) ctx.addIssue({ code: 'custom', message, path: [i, 'year'] });
    });
  const schema = z.unknown().transform((input, ctx): DatedValue => {
    if (typeof input !== 'number' && !Array.isArray(input)) {
      ctx.addIssue({ code: 'custom', message: 'expected a number or a list of {year, value, source} rows' });
      return z.NEVER;
    }
    const parsed = (Array.isArray(input) ? rows : value).safeParse(input);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues)
      ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)) });
    return z.NEVER;
  });
  // The transform's declared input is `unknown`; the configuration's input type names what it takes.
  return schema as unknown as z.ZodType<DatedValue, number | readonly DatedRow[]>;
}
