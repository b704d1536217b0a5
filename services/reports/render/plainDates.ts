/**
 * Dates as people read them in a report (issue 21: no raw ISO instants in text meant for reading).
 * The model's instants are ISO-8601 with the site offset, so their date and clock digits already are
 * the site's local ones: they are read from the text, never through the server's time zone. The
 * JSON and the CSV data columns keep the ISO instants (machine-readable); only the wording changes.
 */
import type { Language } from './labels';

const EN_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

interface LocalDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?/;

function dateOf(iso: string): LocalDate | null {
  const m = ISO.exec(iso);
  return m ? { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) } : null;
}

/** The calendar day before `d` (the last day of a period whose end is exclusive). */
function dayBefore(d: LocalDate): LocalDate {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day - 1));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

const zhDate = (d: LocalDate, withYear: boolean): string => `${withYear ? `${d.year}年` : ''}${d.month}月${d.day}日`;
const enDate = (d: LocalDate, withMonth: boolean, withYear: boolean): string =>
  [String(d.day), withMonth ? EN_MONTHS[d.month - 1]! : '', withYear ? String(d.year) : ''].filter((s) => s !== '').join(' ');

/**
 * A period [from, to) as its first and last day: `2026年11月1日至11月30日` / `1-30 November 2026`.
 * Text that is not an ISO date is returned as it is, so nothing is hidden.
 */
export function plainPeriod(fromIso: string, toIso: string, lang: Language): string {
  const from = dateOf(fromIso);
  const end = dateOf(toIso);
  if (!from || !end) return `${fromIso} – ${toIso}`;
  const to = dayBefore(end);
  const sameYear = from.year === to.year;
  const sameMonth = sameYear && from.month === to.month;
  if (lang === 'zh-CN') return `${zhDate(from, true)}至${zhDate(to, !sameYear)}`;
  if (sameMonth) return `${from.day}-${enDate(to, true, true)}`;
  return `${enDate(from, true, !sameYear)} - ${enDate(to, true, true)}`;
}

/** An instant as a date and a clock time, site time: `2026年12月1日 02:00` / `1 December 2026, 02:00`. */
export function plainInstant(iso: string, lang: Language): string {
  const d = dateOf(iso);
  const m = ISO.exec(iso);
  if (!d || !m) return iso;
  const clock = m[4] !== undefined ? `${m[4]}:${m[5]}` : '';
  if (lang === 'zh-CN') return `${zhDate(d, true)}${clock ? ` ${clock}` : ''}`;
  return `${enDate(d, true, true)}${clock ? `, ${clock}` : ''}`;
}

/** A day as people write it: `2026年12月1日` / `1 December 2026` (the signature block's date line uses the shape). */
export function plainDay(iso: string, lang: Language): string {
  const d = dateOf(iso);
  if (!d) return iso;
  return lang === 'zh-CN' ? zhDate(d, true) : enDate(d, true, true);
}

/** A report month `YYYY-MM` as words: `2026年11月` / `November 2026`. */
export function plainMonth(month: string, lang: Language): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) return month;
  return lang === 'zh-CN' ? `${Number(m[1])}年${Number(m[2])}月` : `${EN_MONTHS[Number(m[2]) - 1]!} ${m[1]!}`;
}
