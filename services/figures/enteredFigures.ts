/**
 * Monthly statistics entered by hand as figures (contract 8.3): an entered carrier's month is its
 * consumption (purchased + opening stock - closing stock) for that month; an entered product's month
 * is the quantity of record for that product and month. Both are whole-month figures, placed at the
 * month's start like a `1mo` bucket, and never spread over hours or days.
 */
import { DateTime } from 'luxon';
import type { EnterpriseConfig } from '../../config/schema';
import { conversionFactor } from '../../config/units';
import { enteredConsumption, type MonthlyRecord } from '../energy/monthlyStatistics';
import type { ConsumptionRow } from '../store/timeSeriesStore';

/** Where the current monthly records come from (services/store/state/monthlyStatisticsStore.ts implements it). */
export interface MonthlyRecordSource {
  /** Current versions of these enterprises' months in [fromMonth, toMonth] (YYYY-MM, inclusive). */
  records(enterprises: readonly string[], fromMonth: string, toMonth: string): readonly MonthlyRecord[];
}

/** YYYY-MM of the site-zone month containing `ms`. */
export function monthOf(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat('yyyy-MM');
}

/** Start and end (epoch ms) of the site-zone month `YYYY-MM`. */
export function monthSpan(month: string, zone: string): { start: number; end: number } {
  const dt = DateTime.fromFormat(month, 'yyyy-MM', { zone });
  if (!dt.isValid) throw new RangeError(`not a month: "${month}"`);
  return { start: dt.toMillis(), end: dt.plus({ months: 1 }).toMillis() };
}

/** Records of the months that start in [from, to) (month buckets, site zone). */
export function recordsIn(
  source: MonthlyRecordSource,
  enterprises: readonly string[],
  from: number,
  to: number,
  zone: string,
): readonly MonthlyRecord[] {
  if (to <= from || enterprises.length === 0) return [];
  const zoneRecords = source.records(enterprises, monthOf(from, zone), monthOf(to - 1, zone));
  return zoneRecords.filter((r) => {
    const { start } = monthSpan(r.month, zone);
    return start >= from && start < to;
  });
}

/** Entered carriers as consumption rows at their month's start, one per enterprise, month and carrier. */
export function enteredCarrierRows(records: readonly MonthlyRecord[], zone: string): ConsumptionRow[] {
  return records.flatMap((r) => {
    const time = monthSpan(r.month, zone).start;
    return Object.entries(r.carriers ?? {}).map(([carrier, c]) => ({
      enterprise: r.enterprise,
      carrier,
      unit: c.unit,
      time,
      quantity: enteredConsumption(c),
    }));
  });
}

/**
 * The product names an enterprise's tariff counts: those of its product meters when every one names
 * its product; otherwise (no product meter, or one without a name) every entered product counts.
 */
function countedProducts(e: EnterpriseConfig): ReadonlySet<string> | undefined {
  const meters = e.meters.filter((m) => m.carrier === 'product' && !m.submeter);
  const names = meters.flatMap((m) => (m.product === undefined ? [] : [m.product]));
  return names.length > 0 && names.length === meters.length ? new Set(names) : undefined;
}

/**
 * The product rows of the tariff basis with entered products in place of metered ones: for every
 * month that has an entered quantity of a counted product and that has ended by `at`, that month's
 * metered product rows are dropped and the entered quantities (in t) take their place. Months
 * without an entry keep their metered rows, so a basis period may mix both.
 */
export function withEnteredProducts(
  e: EnterpriseConfig,
  rows: readonly ConsumptionRow[],
  records: readonly MonthlyRecord[],
  at: number,
  zone: string,
): ConsumptionRow[] {
  const counted = countedProducts(e);
  const entered = new Map<number, ConsumptionRow[]>();
  for (const r of records) {
    if (r.enterprise !== e.id || !r.products) continue;
    const { start, end } = monthSpan(r.month, zone);
    if (end > at) continue;
    const own = Object.entries(r.products).filter(
      ([name, p]) => (counted === undefined || counted.has(name)) && conversionFactor(p.unit, 't') !== undefined,
    );
    if (own.length === 0) continue;
    entered.set(
      start,
      own.map(([, p]) => ({ enterprise: e.id, carrier: 'product', unit: p.unit, time: start, quantity: p.quantity })),
    );
  }
  const kept = rows.filter((r) => r.carrier !== 'product' || !entered.has(r.time));
  return [...kept, ...[...entered.values()].flat()];
}
