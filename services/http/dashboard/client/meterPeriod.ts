/**
 * The meter page's period, kept in the URL (`#/enterprise/{id}/meter/{meterId}/{kind}/{anchor}`):
 * a day or week by hour, a month by day, a year by month. Anchors are plain dates of the site zone
 * (the server reads `from`/`to` without an offset in its zone), so no browser clock or zone enters.
 */
export const PERIOD_KINDS = ['day', 'week', 'month', 'year'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

export interface MeterPeriod {
  readonly kind: PeriodKind;
  /** YYYY-MM-DD (day; week: any day of it), YYYY-MM (month), YYYY (year); '' = the current one. */
  readonly anchor: string;
}

const ANCHOR: Record<PeriodKind, RegExp> = { day: /^\d{4}-\d{2}-\d{2}$/, week: /^\d{4}-\d{2}-\d{2}$/, month: /^\d{4}-\d{2}$/, year: /^\d{4}$/ };
export const PERIOD_EVERY: Record<PeriodKind, '1h' | '1d' | '1mo'> = { day: '1h', week: '1h', month: '1d', year: '1mo' };

export function periodFromParams(kind: string | undefined, anchor: string | undefined): MeterPeriod {
  const k = PERIOD_KINDS.find((p) => p === kind) ?? 'day';
  return { kind: k, anchor: anchor !== undefined && ANCHOR[k].test(anchor) ? anchor : '' };
}

/** Calendar arithmetic on plain dates (UTC fields, no zone involved). */
const plain = (d: Date): string => d.toISOString().slice(0, 10);
const parse = (date: string): Date => new Date(`${date}T00:00:00Z`);
const addDays = (date: string, n: number): string => {
  const d = parse(date);
  d.setUTCDate(d.getUTCDate() + n);
  return plain(d);
};
/** Monday of the week of `date` (weeks start on Monday, GB/T 7408). */
const monday = (date: string): string => addDays(date, -((parse(date).getUTCDay() + 6) % 7));
const addMonths = (month: string, n: number): string => {
  const d = parse(`${month}-01`);
  d.setUTCMonth(d.getUTCMonth() + n);
  return plain(d).slice(0, 7);
};

/** The anchor of the period that contains the site-zone date `today` (YYYY-MM-DD). */
export function currentAnchor(kind: PeriodKind, today: string): string {
  return kind === 'day' ? today : kind === 'week' ? monday(today) : kind === 'month' ? today.slice(0, 7) : today.slice(0, 4);
}

/** The API query of a period: plain dates read in the site zone, `to` exclusive. */
export function periodQuery(p: MeterPeriod, today: string): { from: string; to: string; every: '1h' | '1d' | '1mo' } {
  const a = p.anchor || currentAnchor(p.kind, today);
  const every = PERIOD_EVERY[p.kind];
  if (p.kind === 'day') return { from: a, to: addDays(a, 1), every };
  if (p.kind === 'week') return { from: monday(a), to: addDays(monday(a), 7), every };
  if (p.kind === 'month') return { from: `${a}-01`, to: `${addMonths(a, 1)}-01`, every };
  return { from: `${a}-01-01`, to: `${Number(a) + 1}-01-01`, every };
}

/** The anchor `n` periods after (or before, n < 0) `anchor`. */
export function shiftAnchor(kind: PeriodKind, anchor: string, n: number): string {
  if (kind === 'day') return addDays(anchor, n);
  if (kind === 'week') return addDays(monday(anchor), 7 * n);
  if (kind === 'month') return addMonths(anchor, n);
  return String(Number(anchor) + n);
}

/** The anchor of a new kind keeping the date the reader was looking at. */
export function convertAnchor(kind: PeriodKind, from: string): string {
  return currentAnchor(kind, from);
}
