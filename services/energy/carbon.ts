/**
 * CO2 of a period by part, carbon status and carbon intensity (contract 9; domain 2.6 and 5).
 * Pure: quantities, factors of the period's data year (contract 8.2) and entered figures come in as
 * data. Project windows are in projectWindow.ts. Decisions the contract leaves open: docs/carbon.md.
 */
import type { CarbonRules, EnterpriseConfig } from '../../config/schema';
import { valueFor, type DatedValue } from '../../config/datedParameter';
import { conversionFactor, convert } from '../../config/units';
import type { CarrierFactors } from './factors';
import type { ParameterRow } from './parameterRow';
import { intensityStatus, quotaStatus, type IntensityStatus, type Level } from './quota';

/** The part of CO2 a carrier counts in (contract 9); `none`: no CO2 of its own. */
export type Co2Part = 'combustion' | 'process' | 'scope2' | 'none';

/**
 * Contract 9: scope 2 is grid electricity, heat and steam; feedstock is process CO2; renewable
 * electricity counts 0 and water and compressed air carry no CO2 of their own (their emission sits
 * in the electricity that made them); product is output. Every other carrier is a fuel.
 */
export function co2PartOf(carrier: string): Co2Part {
  if (carrier.startsWith('feedstock_')) return 'process';
  if (carrier === 'electricity' || carrier === 'heat' || carrier === 'steam') return 'scope2';
  if (carrier === 'renewable_electricity' || carrier === 'water' || carrier === 'compressed_air' || carrier === 'product') return 'none';
  return 'combustion';
}

export interface CarrierQuantity {
  /** In `factors.unit`, the unit of the carrier's coefficient (metered and entered quantities alike). */
  readonly quantity: number;
  /** The factors of the period's data year (FactorTable.forYear). */
  readonly factors: CarrierFactors;
}

export interface ProductQuantity {
  readonly product: string;
  readonly quantity: number;
  readonly unit: string;
}

/** A process-emission factor with the unit it is per resolved (config/carbonReferences.ts guarantees one). */
export interface ProcessFactor {
  readonly product: string;
  readonly tCo2PerUnit: DatedValue;
  readonly unit: string;
  readonly source: string;
}

/** The enterprise's process factors; a factor without `unit` is per unit of the meter measuring its product. */
export function processFactorsOf(enterprise: Pick<EnterpriseConfig, 'id' | 'meters' | 'processEmissions'>): ProcessFactor[] {
  return enterprise.processEmissions.map((p) => {
    const unit = p.unit ?? enterprise.meters.find((m) => m.carrier === 'product' && m.product === p.product)?.unit;
    if (unit === undefined) throw new RangeError(`process emission of ${enterprise.id}/${p.product} has no unit and no product meter`);
    return { product: p.product, tCo2PerUnit: p.tCo2PerUnit, unit, source: p.source };
  });
}

export interface Co2Input {
  /** The period's data year (site-zone year of its start): the row of dated process factors. */
  readonly dataYear: number;
  readonly carriers: readonly CarrierQuantity[];
  readonly products?: readonly ProductQuantity[];
  readonly processFactors?: readonly ProcessFactor[];
  /** Entered process CO2 of the period, t (monthly statistics). */
  readonly processCo2T?: number;
  /** Entered green-certificate kWh of the period (monthly statistics). */
  readonly greenCertificatesKwh?: number;
}

export interface Co2ByPart {
  readonly combustionT: number;
  /** enteredProcessT + productProcessT + feedstockT. */
  readonly processT: number;
  readonly scope2T: number;
  readonly totalT: number;
  readonly enteredProcessT: number;
  readonly productProcessT: number;
  readonly feedstockT: number;
  /** Grid electricity of the period, kWh. */
  readonly gridKwh: number;
  readonly greenCertificatesKwh: number;
  /** The certificate kWh that reduced scope 2: min(certificates, grid kWh); a surplus is not carried anywhere. */
  readonly certifiedKwh: number;
  /** Factor rows used, one per key and year, in the order first used. */
  readonly rows: readonly ParameterRow[];
  /** Products with a process factor whose unit does not convert to the factor's: left out of processT (a data-quality note). */
  readonly unpriced: readonly ProductQuantity[];
}

function addRow(rows: Map<string, ParameterRow>, row: ParameterRow): void {
  const k = `${row.key}@${row.year ?? ''}`;
  if (!rows.has(k)) rows.set(k, row);
}

/**
 * Grid electricity less green certificates (contract 9: max(0, kWh − certificate kWh) x grid
 * factor). The deduction is priced at the grid factor, so the electricity of one call must share
 * one factor: a period spanning two data years is computed per year and added (addCo2).
 */
function gridScope2(electricity: readonly CarrierQuantity[], certificatesKwh: number): { t: number; kwh: number; certifiedKwh: number } {
  const kwh = electricity.reduce((s, c) => s + c.quantity, 0);
  const first = electricity[0];
  if (first === undefined) return { t: 0, kwh: 0, certifiedKwh: 0 };
  const factor = first.factors.kgCo2PerUnit;
  if (electricity.some((c) => c.factors.kgCo2PerUnit !== factor))
    throw new RangeError('electricity with two grid factors in one period: compute each data year apart and add them');
  const certifiedKwh = Math.min(Math.max(0, certificatesKwh), Math.max(0, kwh));
  return { t: ((kwh - certifiedKwh) * factor) / 1000, kwh, certifiedKwh };
}

function productProcess(input: Co2Input, rows: Map<string, ParameterRow>): { t: number; unpriced: ProductQuantity[] } {
  let t = 0;
  const unpriced: ProductQuantity[] = [];
  for (const p of input.products ?? []) {
    const f = input.processFactors?.find((x) => x.product === p.product);
    if (f === undefined) continue;
    const scale = conversionFactor(p.unit, f.unit);
    if (scale === undefined) {
      unpriced.push(p);
      continue;
    }
    const resolved = valueFor(f.tCo2PerUnit, input.dataYear);
    t += convert(p.quantity, scale) * resolved.value;
    addRow(rows, {
      key: `tCO2/process/${p.product}/${f.unit}`,
      value: resolved.value,
      unit: `tCO2/${f.unit}`,
      ...(resolved.year !== undefined && { year: resolved.year }),
      source: resolved.source ?? f.source,
    });
  }
  return { t, unpriced };
}

/**
 * CO2 of one period by part (contract 9): combustionT = fuels x factor; processT = entered
 * processCo2T + product x tCo2PerUnit + feedstock x factor; scope2T = max(0, grid kWh − green
 * certificates) x grid factor + heat and steam x factor; totalT their sum. Factors are kg per unit.
 */
export function co2OfPeriod(input: Co2Input): Co2ByPart {
  const rows = new Map<string, ParameterRow>();
  let combustionKg = 0;
  let feedstockKg = 0;
  let heatKg = 0;
  const electricity: CarrierQuantity[] = [];
  for (const c of input.carriers) {
    const part = co2PartOf(c.factors.carrier);
    if (part === 'none') continue;
    addRow(rows, c.factors.kgCo2Row);
    const kg = c.quantity * c.factors.kgCo2PerUnit;
    if (part === 'combustion') combustionKg += kg;
    else if (part === 'process') feedstockKg += kg;
    else if (c.factors.carrier === 'electricity') electricity.push(c);
    else heatKg += kg;
  }
  const grid = gridScope2(electricity, input.greenCertificatesKwh ?? 0);
  const products = productProcess(input, rows);
  const enteredProcessT = input.processCo2T ?? 0;
  const feedstockT = feedstockKg / 1000;
  const combustionT = combustionKg / 1000;
  const processT = enteredProcessT + products.t + feedstockT;
  const scope2T = grid.t + heatKg / 1000;
  return {
    combustionT,
    processT,
    scope2T,
    totalT: combustionT + processT + scope2T,
    enteredProcessT,
    productProcessT: products.t,
    feedstockT,
    gridKwh: grid.kwh,
    greenCertificatesKwh: input.greenCertificatesKwh ?? 0,
    certifiedKwh: grid.certifiedKwh,
    rows: [...rows.values()],
    unpriced: products.unpriced,
  };
}

/** Two periods' CO2 added part by part (e.g. the data years of a window); each was clamped in its own period. */
export function addCo2(a: Co2ByPart, b: Co2ByPart): Co2ByPart {
  const rows = new Map<string, ParameterRow>();
  for (const r of [...a.rows, ...b.rows]) addRow(rows, r);
  const sum = (k: keyof Omit<Co2ByPart, 'rows' | 'unpriced'>) => a[k] + b[k];
  return {
    combustionT: sum('combustionT'),
    processT: sum('processT'),
    scope2T: sum('scope2T'),
    totalT: sum('totalT'),
    enteredProcessT: sum('enteredProcessT'),
    productProcessT: sum('productProcessT'),
    feedstockT: sum('feedstockT'),
    gridKwh: sum('gridKwh'),
    greenCertificatesKwh: sum('greenCertificatesKwh'),
    certifiedKwh: sum('certifiedKwh'),
    rows: [...rows.values()],
    unpriced: [...a.unpriced, ...b.unpriced],
  };
}

export interface CarbonStatusInput {
  readonly year: number;
  readonly budgetT: number;
  /** CO2 from 1 January to t, entered months counted from their end. */
  readonly ytdT: number;
  /** yearFraction(t). */
  readonly fraction: number;
  readonly rules: Pick<CarbonRules, 'paceYellow' | 'paceRed' | 'shareYellow' | 'shareRed'>;
  /** Site zone, to date the exhaustion in; default as quotaStatus's. */
  readonly zone?: string;
}

export interface CarbonStatus {
  readonly year: number;
  readonly budgetT: number;
  readonly ytdT: number;
  readonly share: number;
  /** null at f = 0, as for the energy quota. */
  readonly pace: number | null;
  readonly level: Level;
  /** ytdT / f; null at f = 0. */
  readonly forecastT: number | null;
  /** max(0, forecastT - budgetT); null at f = 0. */
  readonly overrunT: number | null;
  /** share >= 1. */
  readonly exhausted: boolean;
  /** YYYY-MM-DD when the budget runs out at the pace so far, as the quota's exhaustionDate. */
  readonly exhaustionDate: string | null;
}

/**
 * Contract 9 "like quota status": the energy quota's arithmetic (share, pace, the same level rule
 * and ratio rounding) applied to t CO2 and the CO2 budget with the rules.carbon thresholds.
 */
export function carbonStatus(input: CarbonStatusInput): CarbonStatus {
  const q = quotaStatus({
    year: input.year,
    totalTce: input.budgetT,
    ytdTce: input.ytdT,
    fraction: input.fraction,
    thresholds: input.rules,
    ...(input.zone !== undefined && { zone: input.zone }),
  });
  return {
    year: q.year,
    budgetT: q.totalTce,
    ytdT: q.ytdTce,
    share: q.share,
    pace: q.pace,
    level: q.level,
    forecastT: q.forecastTce,
    overrunT: q.overrunTce,
    exhausted: q.exhausted,
    exhaustionDate: q.exhaustionDate,
  };
}

export interface CarbonIntensityInput {
  /** Total CO2 over the complete months with output (the same months as energy intensity), t. */
  readonly co2T: number;
  /** Output value over the same months, 10^4 yuan; null when no month qualifies. */
  readonly output10kYuan: number | null;
  /** co2IntensityLimit, t CO2 per 10^4 yuan. */
  readonly limit: number;
  readonly rules: Pick<CarbonRules, 'intensityYellow' | 'intensityRed'>;
}

/** Contract 9: carbon intensity as energy intensity: CO2 / output value, ratio to the limit, levels by rules.carbon. */
export function carbonIntensityStatus(input: CarbonIntensityInput): IntensityStatus {
  return intensityStatus({
    ytdTce: input.co2T,
    ytdOutput10kYuan: input.output10kYuan,
    limit: input.limit,
    thresholds: { yellow: input.rules.intensityYellow, red: input.rules.intensityRed },
  });
}
