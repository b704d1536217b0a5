/**
 * Configuration of the energy-saving diagnosis (contract 11): the weekly working-hours schedule, the
 * time-of-use schedule (`touSchedule`) and the anomaly rule's parameters. Both schedules may be set
 * at the top level and overridden per enterprise; schema.ts composes the shapes below.
 * docs/diagnosis.md explains every key and the decisions the contract leaves open.
 */
import { z } from 'zod';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/**
 * The local hours [start, end) a range "HH:00-HH:00" covers (end 24:00 allowed), or a problem.
 * Whole hours only: consumption is kept in hour buckets, so a half hour could not be told apart.
 */
export function rangeHours(range: string): { hours: number[] } | { problem: string } {
  const m = /^(\d{2}):00-(\d{2}):00$/.exec(range);
  if (!m) return { problem: `expected a whole-hour range "HH:00-HH:00" such as "08:00-18:00", got "${range}"` };
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (start > 23 || end > 24 || end <= start) return { problem: `expected 00:00 <= start < end <= 24:00, got "${range}"` };
  return { hours: Array.from({ length: end - start }, (_, i) => start + i) };
}

/** The local hours of a list of ranges, in order of appearance (duplicates kept, for the overlap check). */
export function hoursOfRanges(ranges: readonly string[]): number[] {
  return ranges.flatMap((r) => {
    const parsed = rangeHours(r);
    return 'hours' in parsed ? parsed.hours : [];
  });
}

const rangeList = z.array(
  z.string().superRefine((r, ctx) => {
    const parsed = rangeHours(r);
    if ('problem' in parsed) ctx.addIssue({ code: 'custom', message: parsed.problem });
  }),
);

function noOverlap(ranges: readonly string[], ctx: z.RefinementCtx): void {
  const hours = hoursOfRanges(ranges);
  const twice = hours.filter((h, i) => hours.indexOf(h) !== i);
  if (twice.length > 0) ctx.addIssue({ code: 'custom', message: `ranges overlap at hour ${twice[0]}:00` });
}

/**
 * Working hours per weekday, or `continuous` for a plant that runs around the clock (every hour is
 * a working hour). A weekday left out has no working hours (a closed day).
 */
const dayRanges = rangeList.superRefine(noOverlap).optional();
export const workingHoursSchema = z.union([
  z.literal('continuous'),
  z.object({ mon: dayRanges, tue: dayRanges, wed: dayRanges, thu: dayRanges, fri: dayRanges, sat: dayRanges, sun: dayRanges }).strict(),
]);
export type WorkingHours = z.output<typeof workingHoursSchema>;

export const TOU_PERIODS = ['sharp', 'peak', 'flat', 'valley'] as const;
export type TouPeriod = (typeof TOU_PERIODS)[number];

/**
 * Peak, flat and valley hours must cover the 24 hours of a day exactly once. Sharp (尖峰) hours, in
 * the months listed, are taken out of the peak: they must lie inside the peak hours.
 */
export const touScheduleSchema = z
  .object({
    name: z.string().min(1),
    source: z.string().min(1),
    peak: rangeList,
    flat: rangeList,
    valley: rangeList,
    sharp: rangeList.default([]),
    /** Months (1-12) in which the sharp hours apply; empty: never. */
    sharpMonths: z.array(z.number().int().min(1).max(12)).default([]),
  })
  .strict()
  .superRefine((s, ctx) => {
    const count = new Array<number>(24).fill(0);
    for (const h of [...hoursOfRanges(s.peak), ...hoursOfRanges(s.flat), ...hoursOfRanges(s.valley)]) count[h] = (count[h] ?? 0) + 1;
    const missing = count.flatMap((c, h) => (c === 0 ? [h] : []));
    const twice = count.flatMap((c, h) => (c > 1 ? [h] : []));
    if (missing.length > 0)
      ctx.addIssue({
        code: 'custom',
        message: `peak, flat and valley leave hours ${missing.map((h) => `${h}:00`).join(', ')} uncovered; they must cover the 24 h exactly once`,
      });
    if (twice.length > 0)
      ctx.addIssue({
        code: 'custom',
        message: `hours ${twice.map((h) => `${h}:00`).join(', ')} are in more than one period; peak, flat and valley must cover the 24 h exactly once`,
      });
    const peak = new Set(hoursOfRanges(s.peak));
    const outside = hoursOfRanges(s.sharp).filter((h) => !peak.has(h));
    if (outside.length > 0)
      ctx.addIssue({
        code: 'custom',
        path: ['sharp'],
        message: `sharp hours must lie inside the peak hours; ${outside.map((h) => `${h}:00`).join(', ')} do not`,
      });
    if (s.sharp.length > 0 && s.sharpMonths.length === 0)
      ctx.addIssue({ code: 'custom', path: ['sharpMonths'], message: 'sharp hours need the months they apply in (sharpMonths)' });
  });
export type TouSchedule = z.output<typeof touScheduleSchema>;

/**
 * The default time-of-use schedule. NOT from shared/domain: neither domain file gives a Chongqing
 * schedule, so this is the commonly published Chongqing industrial split (8 h each), from background
 * knowledge and unverified (tag [R]); set `touSchedule` from the current 渝发改价格 notice before
 * relying on it. No sharp (尖峰) hours, as their months and hours could not be confirmed.
 */
export const DEFAULT_TOU_SCHEDULE: TouSchedule = {
  name: 'chongqing-industrial',
  source:
    '[R] Chongqing industrial time-of-use split as commonly published, not found in shared/domain; verify against the current 渝发改价格 notice',
  peak: ['11:00-17:00', '20:00-22:00'],
  flat: ['08:00-11:00', '17:00-20:00', '22:00-24:00'],
  valley: ['00:00-08:00'],
  sharp: [],
  sharpMonths: [],
};

/** Monday to Friday, 08:00-18:00: a day-shift workshop; a plant that runs around the clock says `continuous`. */
export const DEFAULT_WORKING_HOURS: WorkingHours = {
  mon: ['08:00-18:00'],
  tue: ['08:00-18:00'],
  wed: ['08:00-18:00'],
  thu: ['08:00-18:00'],
  fri: ['08:00-18:00'],
};

/** Contract 11's anomaly rule: 3 scaled MADs from the median of the same weekday over 8 weeks. */
export const DIAGNOSIS_DEFAULTS = {
  workingHours: DEFAULT_WORKING_HOURS,
  /** Percentile of hourly mean power taken as the base load (contract 11: the 5th). */
  baseLoadPercentile: 5,
  anomaly: { thresholdMads: 3, weeks: 8, minHistoryDays: 4 },
} as const;

const anomalySchema = z
  .object({
    thresholdMads: z.number().positive().default(DIAGNOSIS_DEFAULTS.anomaly.thresholdMads),
    weeks: z.number().int().min(2).max(52).default(DIAGNOSIS_DEFAULTS.anomaly.weeks),
    /** Same-weekday days with data needed before a day is judged at all. */
    minHistoryDays: z.number().int().min(2).default(DIAGNOSIS_DEFAULTS.anomaly.minHistoryDays),
  })
  .strict()
  .superRefine((a, ctx) => {
    if (a.minHistoryDays > a.weeks)
      ctx.addIssue({ code: 'custom', path: ['minHistoryDays'], message: `minHistoryDays (${a.minHistoryDays}) must not exceed weeks (${a.weeks})` });
  });

export const diagnosisSchema = z
  .object({
    workingHours: workingHoursSchema.default(DIAGNOSIS_DEFAULTS.workingHours),
    baseLoadPercentile: z.number().gt(0).lt(100).default(DIAGNOSIS_DEFAULTS.baseLoadPercentile),
    anomaly: anomalySchema.default({ ...DIAGNOSIS_DEFAULTS.anomaly }),
  })
  .strict();
export type DiagnosisConfig = z.output<typeof diagnosisSchema>;

/** Top-level keys: `diagnosis` and `touSchedule` (contract 11 names the latter). */
export const diagnosisTopShape = {
  diagnosis: diagnosisSchema.default({ workingHours: DEFAULT_WORKING_HOURS, baseLoadPercentile: 5, anomaly: { ...DIAGNOSIS_DEFAULTS.anomaly } }),
  touSchedule: touScheduleSchema.default(DEFAULT_TOU_SCHEDULE),
};

/** Per-enterprise overrides of the two schedules. */
export const diagnosisEnterpriseShape = {
  diagnosis: z.object({ workingHours: workingHoursSchema.optional() }).strict().optional(),
  touSchedule: touScheduleSchema.optional(),
};
