/**
 * The body of `POST /api/enterprises/{id}/meters/{meterId}/events` (contract 8.1), parsed from
 * `unknown` into a MeterEventInput. Every problem of the body is named at once (zod reports every
 * field), so that the route can add the ledger's own problems (validateMeterEvent) to the same 422.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { MeterEventInput } from '../../energy/meterEvents';

/** ISO-8601 date-time with an explicit offset: a ledger fact names its instant without ambiguity. */
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

const instant = z
  .string()
  .regex(ISO_WITH_OFFSET, 'must be ISO-8601 with an offset, e.g. 2026-10-12T10:00:00+08:00')
  .transform((text, ctx) => {
    const dt = DateTime.fromISO(text, { setZone: true });
    if (!dt.isValid) {
      ctx.addIssue({ code: 'custom', message: `is not a valid instant: ${dt.invalidExplanation ?? text}` });
      return z.NEVER;
    }
    return dt.toMillis();
  });
const register = z.number().finite().nonnegative();
const positive = z.number().finite().positive();
const note = z.string().max(1000).optional();
const calendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((d) => DateTime.fromFormat(d, 'yyyy-MM-dd').isValid, 'is not a calendar date');

const replace = z
  .object({
    type: z.literal('replace'),
    at: instant,
    // Required for counter meters only (validateMeterEvent): power and interval meters have none.
    oldFinalRegister: register.optional(),
    newInitialRegister: register.optional(),
    multiplier: positive.optional(),
    rollover: positive.optional(),
    note,
  })
  .strict();
const multiplier = z.object({ type: z.literal('multiplier'), at: instant, register: register.optional(), multiplier: positive, note }).strict();
const decommission = z.object({ type: z.literal('decommission'), at: instant, finalRegister: register.optional(), note }).strict();
const calibration = z
  .object({ type: z.literal('calibration'), at: instant, validUntil: calendarDate, certificate: z.string().min(1).max(200).optional(), note })
  .strict();

const SCHEMAS = { replace, multiplier, decommission, calibration } as const;
export const METER_EVENT_TYPES = Object.keys(SCHEMAS) as (keyof typeof SCHEMAS)[];

export type ParsedEventBody =
  { readonly input: MeterEventInput; readonly problems: readonly [] } | { readonly input?: undefined; readonly problems: string[] };

/** `field: what is wrong` for each zod issue. */
function describe(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'body'}: ${i.message}`);
}

/** The input when the body is well formed; otherwise every problem of its shape. */
export function parseMeterEventBody(body: unknown): ParsedEventBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { problems: ['body: must be a JSON object'] };
  const type: unknown = (body as Record<string, unknown>).type;
  if (typeof type !== 'string' || !(type in SCHEMAS)) return { problems: [`type: must be one of ${METER_EVENT_TYPES.join(', ')}`] };
  const result = SCHEMAS[type as keyof typeof SCHEMAS].safeParse(body);
  if (!result.success) return { problems: describe(result.error.issues) };
  return { input: withoutUndefined(result.data), problems: [] };
}

type Defined<T> = { [K in keyof T]: Exclude<T[K], undefined> };

/** Optional fields absent rather than undefined (exactOptionalPropertyTypes), the rest as parsed. */
function withoutUndefined<T extends object>(o: T): Defined<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Defined<T>;
}

/**
 * The fields of a malformed body that do parse, for checking them against the meter's other facts
 * (validateMeterEvent) in the same answer. Undefined when too little parses (no type or no instant).
 * A required field that does not parse stands in as NaN (validUntil as ''); `broken` names the
 * fields whose problems the parse already reported.
 */
export function salvageMeterEventBody(body: unknown): { input: MeterEventInput; broken: Set<string> } | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const raw = body as Record<string, unknown>;
  const at = instant.safeParse(raw.at);
  if (!at.success) return undefined;
  const broken = new Set<string>();
  const num = (key: string, schema: z.ZodType<number>): number | undefined => {
    if (raw[key] === undefined) return undefined;
    const parsed = schema.safeParse(raw[key]);
    if (parsed.success) return parsed.data;
    broken.add(key);
    return Number.NaN;
  };
  const optional = <K extends string>(key: K, schema: z.ZodType<number>): Partial<Record<K, number>> => {
    const value = num(key, schema);
    return value === undefined || Number.isNaN(value) ? {} : ({ [key]: value } as Partial<Record<K, number>>);
  };
  const required = (key: string, schema: z.ZodType<number>): number => {
    const value = num(key, schema);
    if (value === undefined) broken.add(key);
    return value ?? Number.NaN;
  };
  switch (raw.type) {
    case 'replace':
      return {
        input: {
          type: 'replace',
          at: at.data,
          ...optional('oldFinalRegister', register),
          ...optional('newInitialRegister', register),
          ...optional('multiplier', positive),
          ...optional('rollover', positive),
        },
        broken,
      };
    case 'multiplier':
      return { input: { type: 'multiplier', at: at.data, multiplier: required('multiplier', positive), ...optional('register', register) }, broken };
    case 'decommission':
      return { input: { type: 'decommission', at: at.data, ...optional('finalRegister', register) }, broken };
    case 'calibration': {
      const validUntil = calendarDate.safeParse(raw.validUntil);
      if (!validUntil.success) broken.add('validUntil');
      return { input: { type: 'calibration', at: at.data, validUntil: validUntil.success ? validUntil.data : '' }, broken };
    }
    default:
      return undefined;
  }
}
