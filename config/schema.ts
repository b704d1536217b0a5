/**
 * The configuration file's schema (contract section 3). The TypeScript types are derived from it,
 * so the validator and the code cannot drift apart.
 */
import { z } from 'zod';
import { DateTime } from 'luxon';
import { datedSchema } from './datedParameter';
import { budgetLevelsShape, carbonEnterpriseShape, carbonQuotaShape, carbonRulesSchema, CARBON_RULE_DEFAULTS, parkSchema } from './carbonSchema';
import { benchmarkConfigShape, benchmarkEnterpriseShape, LEADER_RULE_DEFAULTS, leaderRulesSchema } from './benchmarkSchema';
import { diagnosisEnterpriseShape, diagnosisTopShape } from './diagnosisSchema';

const idPattern = /^[a-z0-9_-]{1,64}$/;
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/i, 'expected 64 hexadecimal characters (SHA-256)');
const severity = z.enum(['info', 'warning', 'critical']);

export const CARRIERS = [
  'electricity',
  'natural_gas',
  'raw_coal',
  'coke',
  'diesel',
  'gasoline',
  'fuel_oil',
  'lpg',
  'steam',
  'heat',
  'water',
  'compressed_air',
  'renewable_electricity',
  'product',
] as const;
/** `feedstock_*` is open-ended: raw-material use of any energy product (domain 2.5). */
const carrier = z.union([z.enum(CARRIERS), z.string().regex(/^feedstock_[a-z0-9_]+$/, 'expected a known carrier or feedstock_<name>')]);

const meterSchema = z
  .object({
    id: z.string().regex(idPattern, 'expected [a-z0-9_-]{1,64}'),
    name: z.string().optional(),
    carrier,
    product: z.string().optional(),
    unit: z.string().min(1),
    kind: z.enum(['counter', 'power', 'interval']),
    multiplier: z.number().positive().default(1),
    rollover: z.number().positive().optional(),
    intervalSeconds: z.number().int().positive().default(900),
    tariffScope: z.boolean().optional(),
    /** Monitoring only: a sub-meter whose consumption another meter already counts; left out of every total. */
    submeter: z.boolean().default(false),
  })
  .strict();

const quotaSchema = z
  .object({
    year: z.number().int().min(2000).max(2100),
    totalTce: z.number().positive(),
    intensityLimit: z.number().positive().optional(),
    ...carbonQuotaShape,
  })
  .strict();

const enterpriseSchema = z
  .object({
    // `district` names the district's own line in reports and revision notes.
    id: z
      .string()
      .regex(idPattern, 'expected [a-z0-9_-]{1,64}')
      .refine((id) => id !== 'district', 'expected an id other than "district" (reserved for the district total)'),
    name: z.string().min(1),
    creditCode: z
      .string()
      .regex(/^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/, 'expected an 18-character unified social credit code')
      .optional(),
    industry: z.string().regex(/^\d{2,4}$/, 'expected a GB/T 4754 code'),
    tariff: z.string().optional(),
    quotas: z.array(quotaSchema).default([]),
    meters: z.array(meterSchema).min(1),
    ...carbonEnterpriseShape,
    /** Products and their meter boundaries (contract 10, config/benchmarkSchema.ts). */
    ...benchmarkEnterpriseShape,
    /** Diagnosis schedules overriding the top-level ones (contract 11, config/diagnosisSchema.ts). */
    ...diagnosisEnterpriseShape,
  })
  .strict();

const stepTariff = z
  .object({
    id: z.string().min(1),
    scheme: z.literal('step'),
    basis: z.enum(['ytd', 'month']).default('ytd'),
    /** kWh/t; may be dated by the data year of the basis period (contract 8.2; 1239号: 13,650 / 13,450 / 13,300). */
    threshold: datedSchema(z.number().positive()),
    /** Count on-site renewable_electricity in the unit consumption (contract 4: 1239号 counts all AC consumption). */
    countRenewable: z.boolean().default(true),
    step: z.number().positive(),
    markupPerStep: z.number().nonnegative(),
    renewableDiscount: z
      .object({ aboveShare: z.number().min(0).max(1), perPoint: z.number().min(0).max(1) })
      .strict()
      .optional(),
  })
  .strict();

const bandsTariff = z
  .object({
    id: z.string().min(1),
    scheme: z.literal('bands'),
    basis: z.enum(['ytd', 'month']).default('ytd'),
    /** In the metric's unit; may be dated (contract 8.2). */
    limit: datedSchema(z.number().positive()),
    /** As for the step scheme; only matters for metric kwh_per_t. */
    countRenewable: z.boolean().default(true),
    metric: z.enum(['kwh_per_t', 'kgce_per_t']),
    bands: z.array(z.object({ over: z.number().min(0), markup: z.number().nonnegative() }).strict()).min(1),
  })
  .strict();

const thresholdRule = z
  .object({
    enterprise: z.string(),
    meter: z.string(),
    above: z.number(),
    forSeconds: z.number().int().nonnegative().default(0),
    severity: severity.default('warning'),
  })
  .strict();

const RULE_DEFAULTS = {
  quota: { paceYellow: 1.0, paceRed: 1.1, shareYellow: 0.9, shareRed: 1.0 },
  intensity: { yellow: 0.95, red: 1.0 },
  carbon: CARBON_RULE_DEFAULTS,
  leaders: LEADER_RULE_DEFAULTS,
  silenceMultiple: 4,
  thresholds: [] as z.infer<typeof thresholdRule>[],
};

const rulesSchema = z
  .object({
    quota: z.object(budgetLevelsShape(RULE_DEFAULTS.quota)).strict().default(RULE_DEFAULTS.quota),
    intensity: z
      .object({
        yellow: z.number().positive().default(RULE_DEFAULTS.intensity.yellow),
        red: z.number().positive().default(RULE_DEFAULTS.intensity.red),
      })
      .strict()
      .default(RULE_DEFAULTS.intensity),
    carbon: carbonRulesSchema.default(RULE_DEFAULTS.carbon),
    leaders: leaderRulesSchema.default(RULE_DEFAULTS.leaders),
    silenceMultiple: z.number().positive().default(RULE_DEFAULTS.silenceMultiple),
    thresholds: z.array(thresholdRule).default([]),
  })
  .strict();

const notifySchema = z
  .object({
    smtp: z.string().optional(),
    from: z.string().default('节能监测 <energy-monitor@localhost>'),
    language: z.enum(['zh-CN', 'en']).default('zh-CN'),
    dashboardUrl: z.string().optional(),
    /** Transitions for one recipient within this window are grouped; from digestThreshold on, as one digest mail. */
    digestWindowSeconds: z.number().nonnegative().default(30),
    digestThreshold: z.number().int().min(2).default(3),
    recipients: z
      .array(
        z
          .object({
            email: z.string().email(),
            severities: z.array(severity).optional(),
            enterprise: z.string().optional(),
            language: z.enum(['zh-CN', 'en']).optional(),
          })
          .strict(),
      )
      .default([]),
    webhooks: z
      .array(
        z
          .object({
            url: z.string().url(),
            format: z.enum(['json', 'wecom', 'dingtalk']).default('json'),
            severities: z.array(severity).optional(),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

const authSchema = z
  .object({
    tokens: z
      .array(
        z
          .object({
            name: z.string().min(1),
            role: z.enum(['admin', 'officer', 'auditor', 'enterprise']),
            enterprise: z.string().optional(),
            sha256: sha256Hex,
          })
          .strict(),
      )
      .default([]),
    mqtt: z
      .array(
        z
          .object({
            username: z.string().min(1),
            passwordSha256: sha256Hex,
            enterprise: z.string().optional(),
            role: z.enum(['gateway', 'service']).default('gateway'),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

/**
 * Consumption is kept in UTC hour buckets, so the site zone's offset must be a whole number of
 * hours at every instant (Asia/Kolkata +05:30 or Australia/Adelaide +09:30/+10:30 are not).
 * Checked on the 1st and 15th of every month of this year and the next (DST included).
 */
function timezoneProblem(tz: string): string | undefined {
  if (!DateTime.local().setZone(tz).isValid) return 'expected an IANA time zone such as Asia/Shanghai';
  const year = DateTime.utc().year;
  for (const y of [year, year + 1]) {
    for (let month = 1; month <= 12; month++) {
      for (const day of [1, 15]) {
        const offset = DateTime.utc(y, month, day).setZone(tz).offset;
        if (offset % 60 !== 0) {
          const sign = offset < 0 ? '-' : '+';
          const abs = Math.abs(offset);
          const hhmm = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
          return `time zone ${tz} has UTC offset ${hhmm} (e.g. on ${y}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}), which is not a whole number of hours: consumption is kept in UTC hour buckets, so only whole-hour zones such as Asia/Shanghai are supported`;
        }
      }
    }
  }
  return undefined;
}

/** Key: carrier or carrier/unit (`steam/t`); value: one number or dated rows (contract 8.2). Keys are checked in references.ts. */
const coefficientOverride = z.record(z.string(), datedSchema(z.number().positive()));
/** A zero emission factor is meaningful (e.g. a carrier whose emission is counted elsewhere). */
const emissionOverride = z.record(z.string(), datedSchema(z.number().nonnegative()));

export const configSchema = z
  .object({
    timezone: z
      .string()
      .default('Asia/Shanghai')
      .superRefine((tz, ctx) => {
        const problem = timezoneProblem(tz);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    electricity: z.enum(['equivalent', 'equal']).default('equivalent'),
    electricityEqualKgce: datedSchema(z.number().positive()).optional(),
    coefficients: coefficientOverride.default({}),
    emissionFactors: emissionOverride.default({}),
    enterprises: z.array(enterpriseSchema).min(1),
    /** Parks (园区) enterprises may name (contract 9). */
    parks: z.array(parkSchema).default([]),
    /** Benchmark rows adding to or replacing the shipped config/benchmarks.yaml (contract 10). */
    ...benchmarkConfigShape,
    tariffs: z.array(z.discriminatedUnion('scheme', [stepTariff, bandsTariff])).default([]),
    rules: rulesSchema.default({ ...RULE_DEFAULTS }),
    /** Energy-saving diagnosis (contract 11): `diagnosis` and `touSchedule`. */
    ...diagnosisTopShape,
    notify: notifySchema.default({
      from: '节能监测 <energy-monitor@localhost>',
      language: 'zh-CN',
      digestWindowSeconds: 30,
      digestThreshold: 3,
      recipients: [],
      webhooks: [],
    }),
    auth: authSchema.default({ tokens: [], mqtt: [] }),
    reports: z
      .object({
        /** Who receives the finalised monthly report (PDF and XLSX) on the 1st at 01:00. */
        recipients: z.array(z.string().email()).default([]),
        language: z.enum(['zh-CN', 'en']).default('zh-CN'),
        /** Finalised months re-checked nightly for late data (a change makes a new revision). */
        recheckMonths: z.number().int().min(0).max(24).default(3),
      })
      .strict()
      .default({ recipients: [], language: 'zh-CN', recheckMonths: 3 }),
    ingest: z
      .object({
        /** How far ahead of the server clock a reading may be before it is `future-ts` (contract 2: 5 minutes). */
        maxFutureMs: z
          .number()
          .int()
          .nonnegative()
          .default(5 * 60 * 1000),
        maxPayloadBytes: z
          .number()
          .int()
          .positive()
          .default(256 * 1024),
        batchMaxReadings: z.number().int().positive().default(5000),
        flushIntervalMs: z.number().int().positive().default(200),
        /** Embedded broker: a larger MQTT packet closes the connection before it is buffered (must be >= maxPayloadBytes). */
        maxPacketBytes: z
          .number()
          .int()
          .positive()
          .default(1024 * 1024),
        /** Embedded broker: simultaneous connections per gateway account. */
        maxConnectionsPerAccount: z.number().int().positive().default(10),
        /** Quarantine rows one message may make; the rest of its rejected elements share one summary row. */
        maxQuarantinePerMessage: z.number().int().min(1).default(100),
      })
      .strict()
      .default({
        maxFutureMs: 5 * 60 * 1000,
        maxPayloadBytes: 256 * 1024,
        batchMaxReadings: 5000,
        flushIntervalMs: 200,
        maxPacketBytes: 1024 * 1024,
        maxConnectionsPerAccount: 10,
        maxQuarantinePerMessage: 100,
      }),
  })
  .strict();

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
export type EnterpriseConfig = Config['enterprises'][number];
export type MeterConfig = EnterpriseConfig['meters'][number];
export type TariffConfig = Config['tariffs'][number];
export type Severity = z.infer<typeof severity>;
export type Carrier = MeterConfig['carrier'];
export type QuotaConfig = EnterpriseConfig['quotas'][number];
export type { CarbonRules, ParkConfig, ProcessEmissionConfig, ProjectConfig } from './carbonSchema';
export type { BenchmarkMetric, BenchmarkRow, ProductBoundaryConfig } from './benchmarkSchema';
export type { DiagnosisConfig, TouSchedule, WorkingHours } from './diagnosisSchema';
