/**
 * Carbon figures of an enterprise year to date at an instant (contract 9): CO2 by part from the
 * status service's monthly rows, the carbon status against the CO2 budget and the carbon intensity
 * over the complete months with output. Decisions: docs/carbon.md, "Carbon figures".
 */
import { DateTime } from 'luxon';
import type { CarbonRules, EnterpriseConfig } from '../../config/schema';
import { addCo2, carbonStatus, co2OfPeriod, processFactorsOf, type Co2ByPart, type ProductQuantity } from '../energy/carbon';
import type { FactorTable } from '../energy/factors';
import type { MonthlyRecord } from '../energy/monthlyStatistics';
import type { ParameterRow } from '../energy/parameterRow';
import type { IntensityStatus, Level } from '../energy/quota';
import type { ConsumptionRow } from '../store/timeSeriesStore';
import { monthOf, monthSpan } from './enteredFigures';
import { factorsOfYear } from './factorYear';
import { intensityOverCompleteMonths } from './intensityFigures';
import { figure } from './precision';

/**
 * Carbon intensity at t, like energy intensity (services/figures/intensityFigures.ts): total CO2 over
 * `months` (the complete months of t's year with an output value) / their output value, ratio to
 * co2IntensityLimit; `intensity` and `level` null with `note: 'no-output'` when no month qualifies.
 */
export type CarbonIntensityAt = IntensityStatus & {
  readonly limit: number;
  /** Output value over `months`, 10^4 yuan; null when no month qualifies. */
  readonly output10kYuan: number | null;
  /** Total CO2 over `months`, t. */
  readonly co2T: number;
  /** The months used, YYYY-MM, oldest first. */
  readonly months: string[];
};

/**
 * `EnterpriseStatus.carbon` (contract 9). Always present (CO2 by part); the budget
 * figures (`budgetT`, `share`, `pace`, `level`) are null without `co2BudgetT`, `pace` and
 * `forecastT` also at f = 0 (1 January 00:00), `intensity` null without `co2IntensityLimit`.
 */
export interface CarbonStatusAt {
  readonly year: number;
  readonly budgetT: number | null;
  /** CO2 from 1 January to t, t; entered months counted from their end. */
  readonly ytdT: number;
  readonly share: number | null;
  readonly pace: number | null;
  /** Level against the budget by rules.carbon; null without a budget. */
  readonly level: Level | null;
  /** ytdT / f, with or without a budget (a run rate is not a budget figure); null at f = 0. */
  readonly forecastT: number | null;
  /** max(0, forecastT - budgetT); null without a budget or at f = 0. Optional for statuses built by hand; always set here. */
  readonly overrunT?: number | null;
  /** share >= 1; null without a budget. */
  readonly exhausted?: boolean | null;
  /** YYYY-MM-DD (site zone) when the budget runs out at the pace so far; null when exhausted, not within the year or no budget. */
  readonly exhaustionDate?: string | null;
  readonly combustionT: number;
  readonly processT: number;
  readonly scope2T: number;
  /** Green-certificate kWh entered for the months counted (each month's deduction capped at its own grid kWh). */
  readonly greenCertificatesKwh: number;
  /** The grid factor (kgCO2/kWh) of t's data year; null if the factor table has none. */
  readonly gridFactor: { readonly value: number; readonly year?: number; readonly source: string } | null;
  readonly intensity: CarbonIntensityAt | null;
}

/** A product quantity row at its month's start, with the product its meters measure (undefined: a meter naming none). */
export interface TaggedProductRow extends ConsumptionRow {
  readonly product?: string;
}

export interface CarbonFiguresInput {
  readonly enterprise: EnterpriseConfig;
  /** t's year (the status year; every month counted is in it). */
  readonly year: number;
  /** yearFraction(t), or the end-of-period fraction of a monthly report. */
  readonly fraction: number;
  readonly at: number;
  readonly zone: string;
  /**
   * The enterprise's carrier rows of the year at their month's start, as the status counts energy:
   * metered (sub-meters excluded), entered carriers of the months ended by t, and the part of t's
   * day after t taken off (negative rows in t's month). Product rows here are ignored.
   */
  readonly rows: readonly ConsumptionRow[];
  /** Metered product rows, tagged, with the product meters' part after t taken off (negative). */
  readonly productRows: readonly TaggedProductRow[];
  /** The enterprise's monthly records of the year up to t's month (current versions). */
  readonly records: readonly MonthlyRecord[];
  readonly factors: FactorTable;
  readonly rules: CarbonRules;
}

export interface CarbonFigures {
  readonly carbon: CarbonStatusAt | null;
  /** Every emission-factor and process-factor row the CO2 used (contract 8.2). */
  readonly parameters: readonly ParameterRow[];
  /** CO2 of some months of the status's year (YYYY-MM) taken as one period, from the same inputs (the district's intensity). */
  readonly co2Over: (months: readonly string[]) => Co2ByPart;
}

/**
 * CO2 by part year to date at t, the carbon status and carbon intensity (contract 9). A period's CO2
 * is co2OfPeriod over the period's quantities, one call per data year (its factors), so green
 * certificates are set against the period's grid electricity as the contract's formula reads
 * (max(0, kWh - certificate kWh) over the period): the year to date pools the year's certificates,
 * carbon intensity those of its months. The CO2 parts are given whenever there are figures; the
 * budget figures only with `co2BudgetT`, intensity only with `co2IntensityLimit`.
 */
export function carbonFiguresAt(input: CarbonFiguresInput): CarbonFigures {
  const { enterprise: e, year, zone, at } = input;
  const quota = e.quotas.find((q) => q.year === year);
  const monthly = periodInputsByMonth(input);
  const processFactors = processFactorsOf(e);
  const co2Over = (months: readonly string[]) => co2OfMonths(monthly, months, input.factors, zone, processFactors);
  const ytd = co2Over([...monthly.keys()]);
  const ytdT = figure(ytd.totalT);
  const budget =
    quota?.co2BudgetT === undefined
      ? null
      : carbonStatus({ year, budgetT: quota.co2BudgetT, ytdT, fraction: input.fraction, rules: input.rules, zone });
  const intensity =
    quota?.co2IntensityLimit === undefined
      ? null
      : carbonIntensity({
          co2Over: (months) => co2Over(months).totalT,
          records: input.records,
          at,
          zone,
          limit: quota.co2IntensityLimit,
          rules: input.rules,
        });
  const grid = factorsOfYear(input.factors, year).carrier('electricity', 'kWh')?.kgCo2Row;
  const carbon: CarbonStatusAt = {
    year,
    budgetT: budget?.budgetT ?? null,
    ytdT,
    share: budget?.share ?? null,
    pace: budget?.pace ?? null,
    level: budget?.level ?? null,
    forecastT: input.fraction > 0 ? figure(ytdT / input.fraction) : null,
    overrunT: budget ? figure(budget.overrunT) : null,
    exhausted: budget?.exhausted ?? null,
    exhaustionDate: budget?.exhaustionDate ?? null,
    combustionT: figure(ytd.combustionT),
    processT: figure(ytd.processT),
    scope2T: figure(ytd.scope2T),
    greenCertificatesKwh: figure(ytd.greenCertificatesKwh),
    gridFactor: grid ? { value: grid.value, ...(grid.year !== undefined && { year: grid.year }), source: grid.source } : null,
    intensity,
  };
  return { carbon, parameters: ytd.rows, co2Over };
}

const EMPTY: Co2ByPart = co2OfPeriod({ dataYear: 0, carriers: [] });

/** What a month contributes to a period: its carrier rows, products of record and entered figures. */
export interface MonthInputs {
  readonly start: number;
  readonly carriers: Map<string, ConsumptionRow>;
  readonly products: Map<string, ProductQuantity>;
  processCo2T: number;
  greenCertificatesKwh: number;
}

/** The inputs of every month (YYYY-MM) of the year to t; entered figures only for months ended by t. */
export function periodInputsByMonth(
  input: Pick<CarbonFiguresInput, 'enterprise' | 'zone' | 'at' | 'rows' | 'productRows' | 'records'>,
): Map<string, MonthInputs> {
  const { enterprise: e, zone, at } = input;
  const ended = input.records.filter((r) => r.enterprise === e.id && monthSpan(r.month, zone).end <= at);
  const months = new Map<string, MonthInputs>();
  const month = (time: number) => {
    const key = monthOf(time, zone);
    let m = months.get(key);
    if (!m) months.set(key, (m = { start: time, carriers: new Map(), products: new Map(), processCo2T: 0, greenCertificatesKwh: 0 }));
    return m;
  };
  for (const r of input.rows) {
    if (r.carrier === 'product') continue;
    const c = month(r.time).carriers;
    const k = `${r.carrier}\u0000${r.unit}`;
    c.set(k, { ...r, quantity: (c.get(k)?.quantity ?? 0) + r.quantity });
  }
  for (const p of productsOfRecord(e, input.productRows, ended, zone)) {
    const products = month(p.time).products;
    const k = `${p.product}\u0000${p.unit}`;
    products.set(k, { product: p.product, unit: p.unit, quantity: (products.get(k)?.quantity ?? 0) + p.quantity });
  }
  for (const r of ended) {
    const m = month(monthSpan(r.month, zone).start);
    m.processCo2T += r.processCo2T ?? 0;
    m.greenCertificatesKwh += r.greenCertificatesKwh ?? 0;
  }
  return months;
}

/** CO2 of `months` taken as one period: their inputs added, one co2OfPeriod per data year. */
export function co2OfMonths(
  inputs: ReadonlyMap<string, MonthInputs>,
  months: readonly string[],
  table: FactorTable,
  zone: string,
  processFactors: ReturnType<typeof processFactorsOf>,
): Co2ByPart {
  const years = new Map<
    number,
    { carriers: Map<string, ConsumptionRow>; products: Map<string, ProductQuantity>; processCo2T: number; certificates: number }
  >();
  for (const key of months) {
    const m = inputs.get(key);
    if (!m) continue;
    const dataYear = yearOf(m.start, zone);
    let y = years.get(dataYear);
    if (!y) years.set(dataYear, (y = { carriers: new Map(), products: new Map(), processCo2T: 0, certificates: 0 }));
    for (const [k, r] of m.carriers) y.carriers.set(k, { ...r, quantity: (y.carriers.get(k)?.quantity ?? 0) + r.quantity });
    for (const [k, p] of m.products) y.products.set(k, { ...p, quantity: (y.products.get(k)?.quantity ?? 0) + p.quantity });
    y.processCo2T += m.processCo2T;
    y.certificates += m.greenCertificatesKwh;
  }
  let total = EMPTY;
  for (const [dataYear, y] of [...years].sort(([a], [b]) => a - b)) {
    const factors = factorsOfYear(table, dataYear);
    const carriers = [...y.carriers.values()].flatMap((r) => {
      const f = factors.carrier(r.carrier, r.unit);
      return f ? [{ quantity: r.quantity, factors: f }] : [];
    });
    const part = co2OfPeriod({
      dataYear,
      carriers,
      products: [...y.products.values()],
      processFactors,
      processCo2T: y.processCo2T,
      greenCertificatesKwh: y.certificates,
    });
    total = addCo2(total, part);
  }
  return total;
}

/**
 * Product quantities of record by month: a product entered for a month ended by t replaces that
 * product's metered rows of the month (contract 8.3, as the tariff does); rows of meters naming no
 * product give way to any entry of their month. Unlike the tariff, every entered product counts
 * (a process factor may name a product entered only in the statistics). Rows left without a
 * product name carry no process factor and are dropped.
 */
function productsOfRecord(
  e: EnterpriseConfig,
  rows: readonly TaggedProductRow[],
  ended: readonly MonthlyRecord[],
  zone: string,
): { time: number; product: string; unit: string; quantity: number }[] {
  const entered = new Map<number, MonthlyRecord>();
  for (const r of ended) if (r.products && Object.keys(r.products).length > 0) entered.set(monthSpan(r.month, zone).start, r);
  const sole = soleProduct(e);
  const metered = rows.flatMap((r) => {
    const product = r.product ?? sole;
    const record = entered.get(r.time);
    if (product === undefined || (record && (r.product === undefined || record.products?.[product] !== undefined))) return [];
    return [{ time: r.time, product, unit: r.unit, quantity: r.quantity }];
  });
  const fromRecords = [...entered].flatMap(([time, r]) =>
    Object.entries(r.products ?? {}).map(([product, p]) => ({ time, product, unit: p.unit, quantity: p.quantity })),
  );
  return [...metered, ...fromRecords];
}

/**
 * The product of an enterprise whose product meters all measure the same one: the part of t's day
 * after t comes back untagged (per carrier, not per meter), and is that product's when there is
 * only one; with several it cannot be attributed and stays counted (at most the rest of t's day).
 */
function soleProduct(e: EnterpriseConfig): string | undefined {
  const names = new Set(e.meters.filter((m) => m.carrier === 'product').map((m) => m.product));
  const [only] = names;
  return names.size === 1 ? only : undefined;
}

function carbonIntensity(input: {
  co2Over: (months: readonly string[]) => number;
  records: readonly MonthlyRecord[];
  at: number;
  zone: string;
  limit: number;
  rules: CarbonRules;
}): CarbonIntensityAt {
  // The energy intensity's month selection and rounding, with the CO2 of those months as one period.
  const { intensityTce, ...status } = intensityOverCompleteMonths({
    tceByMonth: new Map(),
    totalOver: input.co2Over,
    records: input.records,
    at: input.at,
    zone: input.zone,
    limit: input.limit,
    thresholds: { yellow: input.rules.intensityYellow, red: input.rules.intensityRed },
  });
  return { ...status, limit: input.limit, co2T: intensityTce ?? 0 };
}

function yearOf(ms: number, zone: string): number {
  return DateTime.fromMillis(ms, { zone }).year;
}
