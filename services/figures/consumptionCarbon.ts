/**
 * CO2 by part of a consumption range (contract 9 in the consumption API, issue 20 item 1): the
 * series' own metered rows plus the monthly statistics of the months wholly inside the range, through
 * the status's arithmetic (carbonFigures.ts: one co2OfPeriod per data year, added). Decisions:
 * docs/carbon.md, "CO2 by part in the consumption API".
 */
import type { EnterpriseConfig } from '../../config/schema';
import { co2PartOf, processFactorsOf, type Co2Part } from '../energy/carbon';
import type { FactorTable } from '../energy/factors';
import type { MonthlyRecord } from '../energy/monthlyStatistics';
import type { ParameterRow } from '../energy/parameterRow';
import type { ConsumptionRow, MeterKey } from '../store/timeSeriesStore';
import { co2OfMonths, periodInputsByMonth, type TaggedProductRow } from './carbonFigures';
import { enteredCarrierRows, monthOf, monthSpan } from './enteredFigures';
import { figure } from './precision';

/** The part a series row's CO2 belongs to; null for carriers with none of their own (renewable electricity, water, product...). */
export type SeriesCo2Part = Exclude<Co2Part, 'none'> | null;

export function seriesCo2Part(carrier: string): SeriesCo2Part {
  const part = co2PartOf(carrier);
  return part === 'none' ? null : part;
}

/** Why a range's CO2 may be short of a whole-month figure. */
export type RangeCo2Note = 'partial-months';

/** The consumption answer's `co2`: CO2 by part over [from, to), t, by the figure rule. */
export interface RangeCo2 {
  readonly combustionT: number;
  readonly processT: number;
  readonly scope2T: number;
  readonly totalT: number;
  /** Green-certificate kWh entered for the months wholly inside the range. */
  readonly greenCertificatesKwh: number;
  /** Every emission-factor and process-factor row used, with its data year and source (contract 8.2). */
  readonly rows: readonly ParameterRow[];
  /** Set when a month the range cuts has entered figures that were left out. */
  readonly note?: RangeCo2Note;
  /** Those months, YYYY-MM, oldest first. */
  readonly excludedMonths?: readonly string[];
}

export interface RangeCo2Input {
  readonly enterprise: EnterpriseConfig;
  /** The range as the series answers it (bucket-aligned), epoch ms. */
  readonly from: number;
  readonly to: number;
  readonly zone: string;
  /** The series' metered rows of the enterprise, any bucket size, sub-meters excluded; product rows are ignored here. */
  readonly rows: readonly ConsumptionRow[];
  /** Metered product rows tagged with their product (productTagging says how to get them). */
  readonly productRows: readonly TaggedProductRow[];
  /** The enterprise's current monthly records of every month the range touches. */
  readonly records: readonly MonthlyRecord[];
  readonly factors: FactorTable;
}

/**
 * CO2 by part over [from, to): combustion, process (metered products x processEmissions, feedstock,
 * entered processCo2T) and scope 2 (grid electricity less green certificates, heat, steam). Entered
 * monthly figures count for the months wholly inside the range (contract 8.3 counts them whole); a
 * month the range cuts keeps only what its meters measured, and `note` names it when it had entries.
 */
export function co2OfRange(input: RangeCo2Input): RangeCo2 {
  const { enterprise: e, from, to, zone } = input;
  const own = input.records.filter((r) => r.enterprise === e.id);
  const inside = (r: MonthlyRecord) => {
    const span = monthSpan(r.month, zone);
    return span.start >= from && span.end <= to;
  };
  const whole = own.filter(inside);
  const priced = new Set(e.processEmissions.map((p) => p.product));
  const excluded = own
    .filter((r) => !inside(r) && hasCarbonEntries(r, priced))
    .map((r) => r.month)
    .sort();
  // The arithmetic works month by month and matches an entered product to metered rows by the
  // month's start, so every row moves to its month's start (its data year is unchanged).
  const atMonthStart = <T extends ConsumptionRow>(r: T): T => ({ ...r, time: monthSpan(monthOf(r.time, zone), zone).start });
  const inputs = periodInputsByMonth({
    enterprise: e,
    zone,
    at: to,
    rows: [...input.rows, ...enteredCarrierRows(whole, zone, input.factors)].map(atMonthStart),
    productRows: input.productRows.map(atMonthStart),
    records: whole,
  });
  const co2 = co2OfMonths(inputs, [...inputs.keys()], input.factors, zone, processFactorsOf(e));
  return {
    combustionT: figure(co2.combustionT),
    processT: figure(co2.processT),
    scope2T: figure(co2.scope2T),
    totalT: figure(co2.totalT),
    greenCertificatesKwh: figure(co2.greenCertificatesKwh),
    rows: co2.rows,
    ...(excluded.length > 0 && { note: 'partial-months' as const, excludedMonths: excluded }),
  };
}

/** An entry that would change a month's CO2: entered carriers, products with a process factor, process CO2 or green certificates. */
function hasCarbonEntries(r: MonthlyRecord, priced: ReadonlySet<string>): boolean {
  return (
    Object.keys(r.carriers ?? {}).length > 0 ||
    Object.keys(r.products ?? {}).some((p) => priced.has(p)) ||
    (r.processCo2T ?? 0) !== 0 ||
    (r.greenCertificatesKwh ?? 0) !== 0
  );
}

/**
 * How an enterprise's metered product rows get their product name for process CO2. The store sums
 * by carrier, so the series' product rows are one sum over the product meters: `sole` when every
 * product meter (sub-meters aside) names the same product, so the sum is that product's; `byProduct`
 * when several products are measured, each product with a process factor queried on its own meters;
 * `none` when no metered product has a process factor (no query, no metered process CO2).
 */
export type ProductTagging =
  | { readonly kind: 'none' }
  | { readonly kind: 'sole'; readonly product: string }
  | { readonly kind: 'byProduct'; readonly meters: ReadonlyMap<string, readonly MeterKey[]> };

export function productTagging(e: EnterpriseConfig): ProductTagging {
  const priced = new Set(e.processEmissions.map((p) => p.product));
  const meters = e.meters.filter((m) => m.carrier === 'product' && !m.submeter);
  const names = new Set(meters.map((m) => m.product));
  const [only] = names;
  if (!meters.some((m) => m.product !== undefined && priced.has(m.product))) return { kind: 'none' };
  if (names.size === 1 && only !== undefined) return { kind: 'sole', product: only };
  const byProduct = new Map<string, MeterKey[]>();
  for (const m of meters)
    if (m.product !== undefined && priced.has(m.product))
      byProduct.set(m.product, [...(byProduct.get(m.product) ?? []), { enterprise: e.id, meter: m.id }]);
  return { kind: 'byProduct', meters: byProduct };
}
