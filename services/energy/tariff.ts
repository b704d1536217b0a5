/**
 * Tiered-tariff arithmetic (contract 4 "Tiered tariff"; domain 3.1 aluminium step rule
 * 发改价格〔2021〕1239号, domain 3.2/3.3 band-style schemes). Pure: the period's totals come in.
 */
import type { TariffConfig } from '../../config/schema';
import { valueFor } from '../../config/datedParameter';
import type { ParameterRow } from './parameterRow';

export interface StepTariffParams {
  readonly threshold: number;
  readonly step: number;
  readonly markupPerStep: number;
  readonly renewableDiscount?: { readonly aboveShare: number; readonly perPoint: number };
}

export interface BandsTariffParams {
  readonly limit: number;
  readonly bands: readonly { readonly over: number; readonly markup: number }[];
}

export type TariffMetric = 'kwh_per_t' | 'kgce_per_t';

/**
 * Counts (steps, percentage points) within 1e-9 of a whole number are that number: a unit
 * consumption of exactly 13,340 computed as 13,340.000000000002 is 2 steps of 20, not 3. 1e-9 of
 * a 20 kWh/t step is 2e-8 kWh/t, far below metering resolution, so 13,300.0000001 is still 1 step.
 */
function snap(x: number): number {
  const n = Math.round(x);
  return Math.abs(x - n) <= 1e-9 ? n : x;
}

/** Markups (yuan/kWh) rounded to 1e-9 so that 3 x 0.01 reads 0.03, not 0.030000000000000002. */
function roundMarkup(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}

/**
 * Step scheme (contract 4; domain 3.1): 0 if u <= threshold, else ceil((u - threshold) / step) x
 * markupPerStep yuan/kWh ("every 20 kWh/t or part thereof"). null u (no output) gives null.
 *
 * Renewable discount (domain 3.1): each additional percentage point of renewable share reduces
 * the markup by `perPoint` (1 % in 1239号). The text read does not say from which baseline the
 * points count; we count whole points above `aboveShare` (the domain file's stated assumption):
 * factor = max(0, 1 - perPoint x floor((share - aboveShare) x 100)), only when share > aboveShare.
 * 1239号's second condition (share not below the province's previous-year incentive weight) has
 * no configuration key; the caller passes renewableShare only when that condition holds.
 */
export function stepMarkup(u: number | null, tariff: StepTariffParams, renewableShare?: number): number | null {
  if (u === null) return null;
  if (u <= tariff.threshold) return 0;
  const steps = Math.ceil(snap((u - tariff.threshold) / tariff.step));
  let markup = steps * tariff.markupPerStep;
  const discount = tariff.renewableDiscount;
  if (discount && renewableShare !== undefined && renewableShare > discount.aboveShare) {
    const points = Math.floor(snap((renewableShare - discount.aboveShare) * 100));
    markup *= Math.max(0, 1 - discount.perPoint * points);
  }
  return roundMarkup(markup);
}

/**
 * Bands scheme (contract 4): x = (u - limit) / limit; 0 when x <= 0, else the markup of the band
 * with the largest `over` such that x > over (bands may come in any order). A band edge belongs to
 * the band below it: with bands 0.0/0.1/0.2, x = 0.1 is in the 0.0 band. x is rounded to 1e-12
 * first so float noise cannot push an exact edge into the next band. If no band's `over` is below
 * x (bands starting above 0), the markup is 0.
 */
export function bandsMarkup(u: number | null, tariff: BandsTariffParams): number | null {
  if (u === null) return null;
  const x = Math.round(((u - tariff.limit) / tariff.limit) * 1e12) / 1e12;
  if (x <= 0) return 0;
  let best: { over: number; markup: number } | undefined;
  for (const band of tariff.bands) {
    if (x > band.over && (best === undefined || band.over > best.over)) best = band;
  }
  return best === undefined ? 0 : roundMarkup(best.markup);
}

interface TariffStatusCommon {
  /** Tariff-scope grid electricity (kWh) of the basis period: the surcharge base (the electricity bought at the marked-up price). */
  readonly electricityKwh: number;
  /**
   * Numerator of kwh_per_t: tariff-scope AC electricity, grid plus on-site renewable when the
   * scheme counts it (contract 4; 1239号 counts all AC consumption). Default: electricityKwh.
   */
  readonly consumptionKwh?: number;
  /** Product output (t) of the basis period; 0, negative or missing means no output. */
  readonly productT: number | null | undefined;
  /** Dual-control energy (kgce) of the basis period; required for metric kgce_per_t. */
  readonly allEnergyKgce?: number;
  /** Default kwh_per_t (the step scheme's threshold is in kWh/t). */
  readonly metric?: TariffMetric;
  /** Non-hydro renewable electricity share 0..1, for the step scheme's renewable discount. */
  readonly renewableShare?: number;
}

export type TariffStatusInput = TariffStatusCommon &
  ({ readonly scheme: 'step'; readonly tariff: StepTariffParams } | { readonly scheme: 'bands'; readonly tariff: BandsTariffParams });

export interface TariffStatus {
  readonly scheme: 'step' | 'bands';
  readonly unitConsumption: number | null;
  readonly unit: 'kWh/t' | 'kgce/t';
  readonly markupYuanPerKwh: number | null;
  readonly surchargeYuan: number | null;
  /** Contract 4: a period with no product output has no tier and carries a data-quality note. */
  readonly note?: 'no-output';
}

/**
 * Unit consumption u over the basis period and the resulting markup and estimated surcharge
 * (contract 4): surcharge = markup x tariff-scope electricity kWh of the basis period, rounded to
 * 1e-6 yuan to drop float noise (presentation rounding to fen belongs to the reports).
 */
export function tariffStatus(input: TariffStatusInput): TariffStatus {
  const metric = input.metric ?? 'kwh_per_t';
  const unit = metric === 'kgce_per_t' ? 'kgce/t' : 'kWh/t';
  const product = input.productT;
  if (product === null || product === undefined || !(product > 0)) {
    return { scheme: input.scheme, unitConsumption: null, unit, markupYuanPerKwh: null, surchargeYuan: null, note: 'no-output' };
  }
  let numerator = input.consumptionKwh ?? input.electricityKwh;
  if (metric === 'kgce_per_t') {
    if (input.allEnergyKgce === undefined) throw new TypeError('metric kgce_per_t needs allEnergyKgce');
    numerator = input.allEnergyKgce;
  }
  const u = numerator / product;
  const markup = input.scheme === 'step' ? stepMarkup(u, input.tariff, input.renewableShare) : bandsMarkup(u, input.tariff);
  const surcharge = markup === null ? null : Math.round(markup * input.electricityKwh * 1e6) / 1e6;
  return { scheme: input.scheme, unitConsumption: u, unit, markupYuanPerKwh: markup, surchargeYuan: surcharge };
}

/** A tariff's parameters in force for a data year (contract 8.2), with the threshold or limit row used. */
export type TariffParameters =
  | { readonly scheme: 'step'; readonly tariff: StepTariffParams; readonly threshold: number; readonly row: ParameterRow }
  | {
      readonly scheme: 'bands';
      readonly tariff: BandsTariffParams;
      readonly metric: TariffMetric;
      readonly limit: number;
      readonly row: ParameterRow;
    };

function tariffRow(t: TariffConfig, field: 'threshold' | 'limit', unit: string, dataYear: number): ParameterRow {
  const r = valueFor(t.scheme === 'step' ? t.threshold : t.limit, dataYear);
  return {
    key: `tariff/${t.id}/${field}`,
    value: r.value,
    unit,
    ...(r.year !== undefined && { year: r.year }),
    source: r.source ?? `configured (tariffs.${t.id}.${field})`,
  };
}

/** The threshold (step) or limit (bands) of data year `dataYear`: the site-zone year of the basis period's start. */
export function tariffParameters(t: TariffConfig, dataYear: number): TariffParameters {
  if (t.scheme === 'step') {
    const row = tariffRow(t, 'threshold', 'kWh/t', dataYear);
    const { step, markupPerStep, renewableDiscount } = t;
    return {
      scheme: 'step',
      tariff: { threshold: row.value, step, markupPerStep, ...(renewableDiscount && { renewableDiscount }) },
      threshold: row.value,
      row,
    };
  }
  const row = tariffRow(t, 'limit', t.metric === 'kgce_per_t' ? 'kgce/t' : 'kWh/t', dataYear);
  return { scheme: 'bands', tariff: { limit: row.value, bands: t.bands }, metric: t.metric, limit: row.value, row };
}
