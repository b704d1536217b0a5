/**
 * The shape of a monthly statistics body (contract 8.3): every key optional, null clears. Shared by
 * the PUT route and the XLSX import so both refuse the same things in the same words.
 */
import { z } from 'zod';
import type { MonthlyPatch } from '../energy/monthlyStatistics';

const amount = z.number().finite().nonnegative();
/** Carrier and product keys as the configuration spells them (raw_coal, aluminium_liquid). */
export const KEY_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;
const key = z.string().regex(KEY_PATTERN, 'a lower-case key such as raw_coal');
const unit = z.string().trim().min(1).max(16);

export const productSchema = z.object({ quantity: amount, unit }).strict();
export const carrierSchema = z.object({ unit, purchased: amount, openingStock: amount, closingStock: amount }).strict();

export const monthlyPatchSchema = z
  .object({
    outputValue10kYuan: amount.nullable(),
    valueAdded10kYuan: amount.nullable(),
    products: z.record(key, productSchema).nullable(),
    carriers: z.record(key, carrierSchema).nullable(),
    greenCertificatesKwh: amount.nullable(),
    processCo2T: amount.nullable(),
    note: z.string().max(2000).nullable(),
  })
  .partial()
  .strict();

export interface PatchProblem {
  /** Dotted path in the body, e.g. `carriers.raw_coal.closingStock`; empty for the whole body. */
  readonly field: string;
  readonly message: string;
}

/** The patch, or every shape problem in it. */
export function parsePatch(input: unknown): { patch: MonthlyPatch; problems: [] } | { patch: undefined; problems: PatchProblem[] } {
  const result = monthlyPatchSchema.safeParse(input);
  if (result.success) return { patch: result.data as MonthlyPatch, problems: [] };
  return { patch: undefined, problems: result.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })) };
}
