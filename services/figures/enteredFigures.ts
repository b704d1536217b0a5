/**
 * Monthly statistics entered by hand as figures (contract 8.3): an entered carrier's month is its
 * consumption (purchased + opening stock - closing stock) for that month; an entered product's month
 * is the quantity of record for that product and month. Both are whole-month figures, placed at the
 * month's start like a `1mo` bucket, and never spread over hours or days.
 */
import { DateTime } from 'luxon';
import type { EnterpriseConfig } from '../../config/schema';
import { conversionFactor, convert } from '../../config/units';
import type { FactorView } from '../energy/factors';
import { enteredConsumption, type MonthlyRecord } from '../energy/monthlyStatistics';
import type { ConsumptionRow } from '../store/timeSeriesStore';

/** Where the current monthly records come from (services/store/state/monthlyStatisticsStore.ts implements it). */
export interface MonthlyRecordSource {
  /** Current versions of these enterprises' months in [fromMonth, toMonth] (YYYY-MM, inclusive). */
  records(enterprises: readonly string[], fromMonth: string, toMonth: string): Promise<readonly MonthlyRecord[]>;
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
export async function recordsIn(
  source: MonthlyRecordSource,
  enterprises: readonly string[],
  from: number,
  to: number,
  zone: string,
): Promise<readonly MonthlyRecord[]> {
  if (to <= from || enterprises.length === 0) return [];
  const zoneRecords = await source.records(enterprises, monthOf(from, zone), monthOf(to - 1, zone));
  return zoneRecords.filter((r) => {
    const { start } = monthSpan(r.month, zone);
    return start >= from && start < to;
  });
}

/**
 * Entered carriers as consumption rows at their month's start, one per enterprise, month and carrier,
 * in the unit of the carrier's coefficient (100,000 kg of raw coal is 100 t at 714.3 kgce/t): the
 * rows join metered ones, which the store answers in that unit, and every figure prices a row's
 * quantity by the factor found for its carrier. An entry in a unit no coefficient converts from
 * (the service refuses those) stays as entered and is priced by no factor.
 */
export function enteredCarrierRows(records: readonly MonthlyRecord[], zone: string, factors: Pick<FactorView, 'carrier'>): ConsumptionRow[] {
  return records.flatMap((r) => {
    const time = monthSpan(r.month, zone).start;
    return Object.entries(r.carriers ?? {}).map(([carrier, c]) => {
      const quantity = enteredConsumption(c);
      const unit = factors.carrier(carrier, c.unit)?.unit;
      const scale = unit === undefined ? undefined : conversionFactor(c.unit, unit);
      return unit === undefined || scale === undefined
        ? { enterprise: r.enterprise, carrier, unit: c.unit, time, quantity }
        : { enterprise: r.enterprise, carrier, unit, time, quantity: convert(quantity, scale) };
    });
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

/** A metered product row of the tariff basis, with the product its meters measure when they name it. */
export interface ProductRow extends ConsumptionRow {
  readonly product?: string;
}

/**
 * The product rows of the tariff basis with entered products in place of metered ones: for every
 * month that has ended by `at`, each counted product entered for it replaces that product's metered
 * rows of the month (its own meters, tagged `product`); the other products' metered rows stay
 * (600 t + 400 t metered, 610 t of the first entered: 1,010 t). Rows of product meters that name no
 * product cannot be matched to an entry: they give way to any entry of their month, as the entered
 * figure is the quantity of record. Months without an entry keep their metered rows, so a basis
 * period may mix both. Rows that are not products pass unchanged.
 */
export function withEnteredProducts(
  e: EnterpriseConfig,
  rows: readonly ProductRow[],
  records: readonly MonthlyRecord[],
  at: number,
  zone: string,
): ConsumptionRow[] {
  const counted = countedProducts(e);
  const entered = new Map<number, Map<string, ConsumptionRow>>();
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
      new Map(own.map(([name, p]) => [name, { enterprise: e.id, carrier: 'product', unit: p.unit, time: start, quantity: p.quantity }])),
    );
  }
  const replaced = (r: ProductRow): boolean => {
    const month = entered.get(r.time);
    return month !== undefined && (r.product === undefined || month.has(r.product));
  };
  const kept = rows.filter((r) => r.carrier !== 'product' || !replaced(r)).map(({ product: _product, ...row }) => row);
  return [...kept, ...[...entered.values()].flatMap((m) => [...m.values()])];
}
