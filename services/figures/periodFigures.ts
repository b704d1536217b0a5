/**
 * A reporting period and the two periods it is compared with (issue 21): the previous period of the
 * same length (环比) and the same period a year earlier (同比). Periods are whole days of the site
 * zone, `to` exclusive. A period still in progress ends with today (no reading lies after now), and
 * both comparisons then cover the same number of days, so December 1-7 is compared with November
 * 1-7 and with December 1-7 of last year, not with whole months. See docs/dashboard.md "Periods".
 */
import { DateTime } from 'luxon';
import { BadRequestError } from '../core/errors';
import { isoInZone, type Every } from '../energy/time';
import type { ConsumptionService, SeriesPoint } from './consumptionService';
import { figureFields } from './precision';

export type PeriodKind = 'day' | 'month' | 'year' | 'custom';

export interface Range {
  from: number;
  to: number;
}

export interface ResolvedPeriod extends Range {
  kind: PeriodKind;
  /** Days in the period after clipping to today (the length both comparisons keep). */
  days: number;
  /** The period was cut at the end of today. */
  partial: boolean;
  /** The period includes today, whose figures are still arriving (it is compared with whole days). */
  inProgress: boolean;
  previous: Range;
  yearEarlier: Range;
}

/** Longest period one request may ask for: two years and a day (a leap year inside). */
export const MAX_PERIOD_DAYS = 732;

const UNIT = { day: 'days', month: 'months', year: 'years' } as const;

/** The kind a range of whole days has: a calendar day, month or year, or a custom range. */
function kindOf(from: DateTime, to: DateTime): PeriodKind {
  for (const kind of ['day', 'month', 'year'] as const) {
    if (from.equals(from.startOf(kind)) && to.equals(from.plus({ [UNIT[kind]]: 1 }))) return kind;
  }
  return 'custom';
}

/**
 * `from`/`to` (instants already parsed in the site zone) checked and resolved: both at midnight of
 * the site zone, `from` before `to`, `from` not after now, at most MAX_PERIOD_DAYS long.
 */
export function resolvePeriod(fromMs: number, toMs: number, now: number, zone: string): ResolvedPeriod {
  const from = DateTime.fromMillis(fromMs, { zone });
  const asked = DateTime.fromMillis(toMs, { zone });
  if (!from.equals(from.startOf('day')) || !asked.equals(asked.startOf('day')))
    throw new BadRequestError(`from and to must be dates of the site zone ${zone} (e.g. 2026-11-01), not times of day`);
  if (asked <= from) throw new BadRequestError('to must be after from');
  if (fromMs > now) throw new BadRequestError(`from ${from.toISODate() ?? ''} is in the future`);
  const askedDays = Math.round(asked.diff(from, 'days').days);
  if (askedDays > MAX_PERIOD_DAYS) throw new BadRequestError(`a period is at most ${MAX_PERIOD_DAYS} days; asked ${askedDays}`);
  const kind = kindOf(from, asked);
  const endOfToday = DateTime.fromMillis(now, { zone }).startOf('day').plus({ days: 1 });
  const to = asked > endOfToday ? endOfToday : asked;
  const days = Math.round(to.diff(from, 'days').days);
  // The previous period starts one unit earlier (a custom range: its own length earlier); a whole
  // period compares with the whole previous one (November with all 31 days of October), a period
  // cut at today with as many days of the previous one.
  const prevFrom = kind === 'custom' ? from.minus({ days }) : from.minus({ [UNIT[kind]]: 1 });
  // A year cut at today compares with the same dates a year earlier (as yearEarlier does: a leap
  // year would otherwise end the two "last years" a day apart).
  const prevTo = to >= asked ? from : kind === 'year' ? to.minus({ years: 1 }) : DateTime.min(from, prevFrom.plus({ days }));
  return {
    kind,
    from: from.toMillis(),
    to: to.toMillis(),
    days,
    partial: to < asked,
    inProgress: to.toMillis() > now,
    previous: { from: prevFrom.toMillis(), to: prevTo.toMillis() },
    yearEarlier: { from: from.minus({ years: 1 }).toMillis(), to: to.minus({ years: 1 }).toMillis() },
  };
}

export interface Piece extends Range {
  every: Every;
}

/**
 * A range as the store is asked for it: its whole calendar months by month (so monthly statistics
 * entered by hand, contract 8.3, count as in the reports and the year-to-date card), the days before
 * the first and after the last whole month by day. 1 January - 7 December: January-November by
 * month, 1-7 December by day.
 */
export function periodPieces(r: Range, zone: string): Piece[] {
  const from = DateTime.fromMillis(r.from, { zone });
  const to = DateTime.fromMillis(r.to, { zone });
  const firstMonth = from.equals(from.startOf('month')) ? from : from.startOf('month').plus({ months: 1 });
  const endMonth = to.startOf('month');
  if (firstMonth >= endMonth) return [{ from: r.from, to: r.to, every: '1d' }];
  const pieces: Piece[] = [];
  if (from < firstMonth) pieces.push({ from: r.from, to: firstMonth.toMillis(), every: '1d' });
  pieces.push({ from: firstMonth.toMillis(), to: endMonth.toMillis(), every: '1mo' });
  if (endMonth < to) pieces.push({ from: endMonth.toMillis(), to: r.to, every: '1d' });
  return pieces;
}

interface Sum {
  tce: number;
  dualControlTce: number;
  co2Kg: number;
}
type CarrierSum = Sum & { quantity: number; unit: string };

/** The figures of one range: totals, by carrier, by industry and by park, each rounded by the figure rule. */
export interface PeriodSummary extends Sum {
  from: string;
  to: string;
  /** How the range was summed: whole months by month, the rest by day (periodPieces). */
  pieces: { from: string; to: string; every: Every }[];
  byCarrier: Record<string, CarrierSum>;
  byIndustry: Record<string, Sum>;
  byPark: Record<string, Sum>;
}

export interface PeriodEnterprise {
  id: string;
  industry: string;
  park?: string | undefined;
}

function accumulate<T extends Sum>(m: Map<string, T>, key: string, fresh: () => T, p: SeriesPoint): T {
  let e = m.get(key);
  if (!e) m.set(key, (e = fresh()));
  e.tce += p.tce;
  if (p.dualControl) e.dualControlTce += p.tce;
  e.co2Kg += p.co2Kg;
  return e;
}

const sorted = <T extends object>(m: Map<string, T>): Record<string, T> =>
  Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, figureFields(v)]));

/** Sums the enterprises' consumption over `r` (see periodPieces). */
export async function summarise(
  consumption: ConsumptionService,
  enterprises: readonly PeriodEnterprise[],
  r: Range,
  zone: string,
): Promise<PeriodSummary> {
  const pieces = periodPieces(r, zone);
  const ids = enterprises.map((e) => e.id);
  const answers = await Promise.all(pieces.map((p) => consumption.series(ids, p.from, p.to, p.every)));
  const zero = (): Sum => ({ tce: 0, dualControlTce: 0, co2Kg: 0 });
  const total = new Map<string, Sum>();
  const byCarrier = new Map<string, CarrierSum>();
  const byIndustry = new Map<string, Sum>();
  const byPark = new Map<string, Sum>();
  for (const e of enterprises) {
    for (const p of answers.flatMap((a) => a.get(e.id)?.series ?? [])) {
      accumulate(total, '', zero, p);
      accumulate(byCarrier, p.carrier, () => ({ ...zero(), quantity: 0, unit: p.unit }), p).quantity += p.quantity;
      accumulate(byIndustry, e.industry, zero, p);
      if (e.park !== undefined) accumulate(byPark, e.park, zero, p);
    }
  }
  return {
    from: isoInZone(r.from, zone),
    to: isoInZone(r.to, zone),
    pieces: pieces.map((p) => ({ from: isoInZone(p.from, zone), to: isoInZone(p.to, zone), every: p.every })),
    ...figureFields(total.get('') ?? zero()),
    byCarrier: sorted(byCarrier),
    byIndustry: sorted(byIndustry),
    byPark: sorted(byPark),
  };
}

/** The overview's `period` block: the period's figures with its two comparisons. */
export async function periodBlock(consumption: ConsumptionService, enterprises: readonly PeriodEnterprise[], p: ResolvedPeriod, zone: string) {
  const [current, previous, yearEarlier] = await Promise.all([
    summarise(consumption, enterprises, p, zone),
    summarise(consumption, enterprises, p.previous, zone),
    summarise(consumption, enterprises, p.yearEarlier, zone),
  ]);
  return { kind: p.kind, days: p.days, partial: p.partial, inProgress: p.inProgress, ...current, previous, yearEarlier };
}
