/**
 * Configuration of carbon dual control (contract 9, 9.1): process emissions per unit of product,
 * parks, energy-review projects and `rules.carbon`. Kept apart from schema.ts, which composes them;
 * the cross-references (products, meters, parks) are checked in carbonReferences.ts.
 * docs/carbon.md explains every key and the decisions the contract leaves open.
 */
import { z } from 'zod';
import { DateTime } from 'luxon';
import { datedSchema } from './datedParameter';

const idPattern = /^[a-z0-9_-]{1,64}$/;
/** Product keys as the monthly statistics spell them (services/ledger/monthlyPatchSchema.ts KEY_PATTERN). */
const productKey = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * Share and pace levels of an annual budget, the same four numbers for the energy quota
 * (`rules.quota`, contract 4) and the CO2 budget (`rules.carbon`, contract 9).
 */
export interface BudgetLevels {
  readonly paceYellow: number;
  readonly paceRed: number;
  readonly shareYellow: number;
  readonly shareRed: number;
}

export function budgetLevelsShape(d: BudgetLevels) {
  return {
    paceYellow: z.number().positive().default(d.paceYellow),
    paceRed: z.number().positive().default(d.paceRed),
    shareYellow: z.number().positive().default(d.shareYellow),
    shareRed: z.number().positive().default(d.shareRed),
  };
}

/** Contract 9 defaults; intensityReduction is the 2026 national unit-GDP CO2 target, −3.8 % (domain T10). */
export const CARBON_RULE_DEFAULTS = {
  paceYellow: 1.0,
  paceRed: 1.1,
  shareYellow: 0.9,
  shareRed: 1.0,
  intensityYellow: 0.95,
  intensityRed: 1.0,
  intensityReduction: 0.038,
} as const;

/** A yellow threshold above its red one would skip yellow altogether: refused rather than guessed. */
function ordered(rules: { readonly [k: string]: number }, ctx: z.RefinementCtx, pairs: readonly (readonly [string, string])[]): void {
  for (const [yellow, red] of pairs) {
    const y = rules[yellow];
    const r = rules[red];
    if (y !== undefined && r !== undefined && y > r)
      ctx.addIssue({ code: 'custom', path: [yellow], message: `${yellow} (${y}) must not be above ${red} (${r})` });
  }
}

export const carbonRulesSchema = z
  .object({
    ...budgetLevelsShape(CARBON_RULE_DEFAULTS),
    intensityYellow: z.number().positive().default(CARBON_RULE_DEFAULTS.intensityYellow),
    intensityRed: z.number().positive().default(CARBON_RULE_DEFAULTS.intensityRed),
    /** Required yearly fall of the district's CO2 intensity, a fraction (0.038 = 3.8 %). */
    intensityReduction: z.number().gt(0).lt(1).default(CARBON_RULE_DEFAULTS.intensityReduction),
  })
  .strict()
  .superRefine((r, ctx) =>
    ordered(r, ctx, [
      ['paceYellow', 'paceRed'],
      ['shareYellow', 'shareRed'],
      ['intensityYellow', 'intensityRed'],
    ]),
  );

export const processEmissionSchema = z
  .object({
    /** A product a meter of the enterprise measures (`product:` of a product meter), or one entered monthly only (then `unit` is required). */
    product: z.string().regex(productKey, 'expected a product key such as cement_clinker'),
    /** t CO2 per `unit` of product; may be dated by data year (contract 8.2). Zero is allowed (a year without the process). */
    tCo2PerUnit: datedSchema(z.number().nonnegative()),
    /** The unit tCo2PerUnit is per; default the measuring meter's unit. */
    unit: z.string().trim().min(1).optional(),
    source: z.string().min(1),
  })
  .strict();

export const parkSchema = z
  .object({
    id: z.string().regex(idPattern, 'expected [a-z0-9_-]{1,64}'),
    name: z.string().min(1),
  })
  .strict();

/** A calendar date; a string so that YAML's own date handling cannot turn it into an instant in another zone. */
const isoDate = z.string().superRefine((s, ctx) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) ctx.addIssue({ code: 'custom', message: `expected a date YYYY-MM-DD, got "${s}"` });
  else if (!DateTime.fromISO(s).isValid) ctx.addIssue({ code: 'custom', message: `expected a real calendar date, got "${s}"` });
});

export const projectSchema = z
  .object({
    id: z.string().regex(idPattern, 'expected [a-z0-9_-]{1,64}'),
    name: z.string().min(1),
    /** Annual comprehensive energy of the review opinion, tce (当量值). */
    approvedTce: z.number().positive(),
    /** Annual CO2 of the carbon evaluation (NDRC Order 2025 No. 31), t. */
    approvedCo2T: z.number().positive().optional(),
    meters: z.array(z.string().min(1)).min(1, 'a project needs at least one meter'),
    /** Site-zone date from which the project's meters count (00:00 that day). */
    operatingFrom: isoDate,
  })
  .strict();

/** The quota keys contract 9 adds (`quotas[].co2BudgetT`, `quotas[].co2IntensityLimit`). */
export const carbonQuotaShape = {
  /** Annual CO2 budget (碳排放预算), t. */
  co2BudgetT: z.number().positive().optional(),
  /** t CO2 per 10^4 yuan of output value. */
  co2IntensityLimit: z.number().positive().optional(),
};

/** The enterprise keys contract 9 adds. */
export const carbonEnterpriseShape = {
  processEmissions: z.array(processEmissionSchema).default([]),
  /** Id of a top-level `parks` entry. */
  park: z.string().optional(),
  projects: z.array(projectSchema).default([]),
};

export type CarbonRules = z.output<typeof carbonRulesSchema>;
export type ProcessEmissionConfig = z.output<typeof processEmissionSchema>;
export type ParkConfig = z.output<typeof parkSchema>;
export type ProjectConfig = z.output<typeof projectSchema>;
