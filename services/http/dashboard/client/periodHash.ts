/**
 * The period of the overview and enterprise pages, kept in the URL hash so a view can be shared:
 * `#/?period=month&date=2026-11`, `#/enterprise/cem01?period=custom&from=2026-10-01&to=2026-11-15`.
 * Dates are plain dates of the site zone; in the hash `to` is the last day shown (inclusive, as a
 * reader types it), in API queries `to` is the day after (exclusive). No browser clock or zone
 * enters: "today" comes from the server's answer. See docs/dashboard.md "Periods".
 */
export const KINDS = ['day', 'month', 'year', 'custom'] as const;
export type Kind = (typeof KINDS)[number];

export interface Selected {
  readonly kind: Kind;
  /** day: YYYY-MM-DD, month: YYYY-MM, year: YYYY; custom: the first day. */
  readonly from: string;
  /** custom only: the last day, inclusive. */
  readonly to: string;
}

export interface Range {
  readonly from: string;
  /** Exclusive. */
  readonly to: string;
}

export interface Ranges {
  readonly kind: Kind;
  /** What the API is asked (`to` not cut at today: the server tells a calendar month from a custom range by it). */
  readonly asked: Range;
  readonly current: Range;
  readonly previous: Range;
  readonly yearEarlier: Range;
  /** The period was cut at the end of today. */
  readonly partial: boolean;
  /** The period includes today, whose figures are still arriving. */
  readonly inProgress: boolean;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const ANCHOR: Record<Exclude<Kind, 'custom'>, RegExp> = { day: DATE, month: /^\d{4}-\d{2}$/, year: /^\d{4}$/ };

/** Calendar arithmetic on plain dates (UTC fields: no zone involved). */
const parse = (date: string): Date => new Date(`${date}T00:00:00Z`);
const plain = (d: Date): string => d.toISOString().slice(0, 10);
export const addDays = (date: string, n: number): string => {
  const d = parse(date);
  d.setUTCDate(d.getUTCDate() + n);
  return plain(d);
};
/** Months or years added as luxon does: the day clamped to the month's length (29 Feb 2028 - 1 year = 28 Feb 2027). */
function addMonths(date: string, n: number): string {
  const d = parse(date);
  const day = d.getUTCDate();
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1));
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, last));
  return plain(target);
}
const daysBetween = (from: string, to: string): number => Math.round((parse(to).getTime() - parse(from).getTime()) / 86_400_000);
const valid = (date: string): boolean => DATE.test(date) && plain(parse(date)) === date;

/** The query part of the hash (after `?`). */
export function hashParams(hash: string): URLSearchParams {
  const i = hash.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : hash.slice(i + 1));
}

/** The period the hash names, or the month of `today` when it names none (or one that cannot be read). */
export function selectedFrom(params: URLSearchParams, today: string): Selected {
  const kind = KINDS.find((k) => k === params.get('period'));
  const fallback: Selected = { kind: 'month', from: today.slice(0, 7), to: '' };
  if (!kind) return fallback;
  if (kind === 'custom') {
    const from = params.get('from') ?? '';
    const to = params.get('to') ?? '';
    return valid(from) && valid(to) && from <= to && from <= today ? { kind, from, to } : fallback;
  }
  const date = params.get('date') ?? '';
  return ANCHOR[kind].test(date) && (kind !== 'day' || valid(date)) && date <= today.slice(0, date.length) ? { kind, from: date, to: '' } : fallback;
}

/** The hash of `page` (e.g. `#/` or `#/enterprise/cem01`) showing period `s`. */
export function periodHash(page: string, s: Selected): string {
  const q = new URLSearchParams({ period: s.kind });
  if (s.kind === 'custom') {
    q.set('from', s.from);
    q.set('to', s.to);
  } else q.set('date', s.from);
  return `${page}?${q.toString()}`;
}

/** The selected period `n` steps later (n < 0: earlier); a custom range moves by its own length. */
export function shifted(s: Selected, n: number): Selected {
  if (s.kind === 'custom') {
    const len = daysBetween(s.from, s.to) + 1;
    return { kind: s.kind, from: addDays(s.from, n * len), to: addDays(s.to, n * len) };
  }
  const from = s.kind === 'day' ? addDays(s.from, n) : s.kind === 'month' ? addMonths(`${s.from}-01`, n).slice(0, 7) : String(Number(s.from) + n);
  return { kind: s.kind, from, to: '' };
}

/**
 * The period and the two it is compared with, as the server's district overview computes them
 * (services/figures/periodFigures.ts): cut at the end of `today`; the previous period one unit
 * earlier (a custom range: its own length earlier), whole when the period is whole, else as many days.
 */
export function rangesOf(s: Selected, today: string): Ranges {
  const from = s.kind === 'custom' || s.kind === 'day' ? s.from : s.kind === 'month' ? `${s.from}-01` : `${s.from}-01-01`;
  const asked = s.kind === 'custom' ? addDays(s.to, 1) : s.kind === 'day' ? addDays(from, 1) : addMonths(from, s.kind === 'month' ? 1 : 12);
  const endOfToday = addDays(today, 1);
  const to = asked > endOfToday ? endOfToday : asked;
  const days = daysBetween(from, to);
  const partial = to < asked;
  const prevFrom =
    s.kind === 'custom' || s.kind === 'day' ? addDays(from, -(s.kind === 'day' ? 1 : days)) : addMonths(from, s.kind === 'month' ? -1 : -12);
  const capped = addDays(prevFrom, days);
  // A year cut at today: the same dates a year earlier, as yearEarlier (the server's rule).
  const prevTo = !partial ? from : s.kind === 'year' ? addMonths(to, -12) : capped < from ? capped : from;
  return {
    kind: s.kind,
    asked: { from, to: asked },
    current: { from, to },
    previous: { from: prevFrom, to: prevTo },
    yearEarlier: { from: addMonths(from, -12), to: addMonths(to, -12) },
    partial,
    inProgress: to > today,
  };
}

/** "2026-12-01 – 2026-12-07": a range as a reader says it, last day inclusive. */
export function rangeText(r: Range): string {
  const last = addDays(r.to, -1);
  return last === r.from ? r.from : `${r.from} – ${last}`;
}

/**
 * A range as the consumption API is asked: whole months by month (monthly statistics entered by hand
 * count, as in the reports and the overview's period), the days around them by day; the server's
 * periodPieces (services/figures/periodFigures.ts) on plain dates.
 */
export function rangePieces(r: Range): { from: string; to: string; every: '1d' | '1mo' }[] {
  const firstMonth = r.from.endsWith('-01') ? r.from : addMonths(`${r.from.slice(0, 7)}-01`, 1);
  const endMonth = `${r.to.slice(0, 7)}-01`;
  if (firstMonth >= endMonth) return [{ ...r, every: '1d' }];
  return [
    ...(r.from < firstMonth ? [{ from: r.from, to: firstMonth, every: '1d' as const }] : []),
    { from: firstMonth, to: endMonth, every: '1mo' as const },
    ...(endMonth < r.to ? [{ from: endMonth, to: r.to, every: '1d' as const }] : []),
  ];
}
