/**
 * The alarm history's query (issue 21 item 7; contract 5 `GET /api/alarms` with added filters):
 * parsed from `unknown` with zod, every problem named in one 400.
 */
import { z } from 'zod';
import { ALARM_TYPES } from '../../energy/alarm';
import { parseInstant } from '../../energy/time';
import type { AlarmQuery } from '../../store/state/alarmStore';

/** Page sizes of the JSON list (rows); exports take every match up to EXPORT_MAX_ROWS instead. */
export const ALARM_PAGE_DEFAULT = 500;
export const ALARM_PAGE_MAX = 5000;
/** Rows in one CSV/XLSX export; beyond it the file says so and names the total. */
export const EXPORT_MAX_ROWS = 10_000;
/** Characters of one comment (处置意见) after trimming. */
export const COMMENT_MAX_CHARS = 1000;

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export const ALARM_STATES = ['active', 'acknowledged', 'cleared', 'open', 'all'] as const;
export const EXPORT_LANGS = ['zh-CN', 'en'] as const;
export type ExportLang = (typeof EXPORT_LANGS)[number];

/** One value, a comma-separated list, or the key repeated (`type=quota&type=silence`). */
function anyOf<T extends string>(values: readonly [T, ...T[]]) {
  return z
    .union([z.string().max(400), z.array(z.string().max(400)).max(50)])
    .transform((v) =>
      (Array.isArray(v) ? v : [v])
        .flatMap((s) => s.split(','))
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    )
    .pipe(z.array(z.enum(values)));
}

/** An ISO-8601 instant or date; without an offset it is read in the site zone (as the consumption route). */
const instantText = z.string().max(40);

const listQuery = z
  .object({
    state: z.enum(ALARM_STATES).default('active'),
    enterprise: z.string().max(64).optional(),
    type: anyOf(ALARM_TYPES).optional(),
    severity: anyOf(SEVERITIES).optional(),
    from: instantText.optional(),
    to: instantText.optional(),
    limit: z.coerce.number().int().min(1).max(ALARM_PAGE_MAX).default(ALARM_PAGE_DEFAULT),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
    format: z.enum(['json', 'csv', 'xlsx']).default('json'),
    lang: z.enum(EXPORT_LANGS).default('zh-CN'),
  })
  .strict();

export interface ParsedAlarmQuery {
  /** Without enterprise: the caller's visibility is applied by the route. */
  readonly query: Omit<AlarmQuery, 'enterprise'>;
  readonly enterprise: string | undefined;
  readonly format: 'json' | 'csv' | 'xlsx';
  readonly lang: ExportLang;
}

/** The schema with from/to turned into epoch ms in the site zone and [from, to) checked. */
export function alarmListQuery(zone: string) {
  return listQuery.transform((q, ctx): ParsedAlarmQuery => {
    const instant = (text: string | undefined, key: 'from' | 'to') => {
      if (text === undefined) return undefined;
      const ms = parseInstant(text, zone);
      if (ms === undefined)
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `an ISO-8601 instant or date such as 2026-07-01 or 2026-07-01T08:00:00+08:00, got "${text}"`,
        });
      return ms;
    };
    const fromMs = instant(q.from, 'from');
    const toMs = instant(q.to, 'to');
    if (fromMs !== undefined && toMs !== undefined && fromMs >= toMs) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    return {
      query: {
        state: q.state,
        ...(q.type && { types: q.type }),
        ...(q.severity && { severities: q.severity }),
        ...(fromMs !== undefined && { fromMs }),
        ...(toMs !== undefined && { toMs }),
        limit: q.limit,
        offset: q.offset,
      },
      enterprise: q.enterprise,
      format: q.format,
      lang: q.lang,
    };
  });
}

/** A comment: trimmed, 1..COMMENT_MAX_CHARS characters, no control characters but line breaks. */
const comment = z
  .string()
  // CRLF from Windows clients and files is a line break like LF, not a control character.
  .transform((s) => s.replace(/\r\n/g, '\n').trim())
  .pipe(
    z
      .string()
      .min(1, 'must not be empty')
      .max(COMMENT_MAX_CHARS, `at most ${COMMENT_MAX_CHARS} characters`)
      // eslint-disable-next-line no-control-regex
      .refine((s) => !/[\u0000-\u0009\u000b-\u001f\u007f]/.test(s), 'control characters are not allowed'),
  );

/** POST .../ack: the body is optional; an empty or blank comment is the same as none. */
export const ackBody = z
  .object({ comment: z.string().optional() })
  .strict()
  .transform((b) => (b.comment === undefined || b.comment.trim() === '' ? {} : { comment: b.comment }))
  .pipe(z.object({ comment: comment.optional() }));

/** POST .../notes: a comment is what the call is for. */
export const noteBody = z.object({ comment }).strict();
