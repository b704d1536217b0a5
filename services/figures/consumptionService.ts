/**
 * Consumption by calendar bucket in native units, tce and CO2, with the coefficient behind every
 * figure (contract 4 and 5). One store query answers any number of enterprises. Every bucket uses
 * the factors of its data year (8.2); monthly series carry the entered carriers' months (8.3), which
 * hourly and daily series leave out (an entered month is not spread over its hours or days).
 */
import type { Config } from '../../config/schema';
import { co2KgOf, tceOf, type CarrierFactors, type FactorTable } from '../energy/factors';
import { bucketStart, nextBucket, type Every } from '../energy/time';
import { submeterKeys } from '../energy/meterScope';
import type { ConsumptionRow, MeterKey, TimeSeriesStore } from '../store/timeSeriesStore';
import { enteredCarrierRows, monthOf, recordsIn, type MonthlyRecordSource } from './enteredFigures';
import { dataYear, factorsOfYear } from './factorYear';
import { figure } from './precision';
import { ParametersUsed } from './parametersUsed';
import type { ParameterRow } from '../energy/parameterRow';
import type { EnterpriseConfig } from '../../config/schema';
import type { TaggedProductRow } from './carbonFigures';
import { co2OfRange, productTagging, seriesCo2Part, type ProductTagging, type RangeCo2, type SeriesCo2Part } from './consumptionCarbon';

/** A carrier's quantity with its tce and CO2: one shape for the series and the monthly report (services/reports/reportModel.ts). */
export interface CarrierQuantity {
  readonly quantity: number;
  readonly unit: string;
  /** On the configured electricity basis. */
  readonly tce: number;
  /** On the other electricity basis (当量值 / 等价值); equal to tce for other carriers. */
  readonly tceOtherBasis: number;
  readonly co2Kg: number;
  /** Counts toward the dual-control total. */
  readonly dualControl: boolean;
}

export interface SeriesPoint extends CarrierQuantity {
  /** Bucket start, epoch ms. */
  readonly time: number;
  readonly carrier: string;
  /** The CO2 part `co2Kg` belongs to (contract 9), so rows can be grouped by part; null: no CO2 of its own. */
  readonly co2Part: SeriesCo2Part;
}

/** A coefficient used for a figure, with its sources (contract: every number can be traced). */
export type CoefficientUsed = CarrierFactors;

export interface ConsumptionSeries {
  readonly enterprise: string;
  readonly series: SeriesPoint[];
  readonly coefficients: CoefficientUsed[];
  /** Every parameter row the buckets used, each with its data year (contract 8.2). */
  readonly parameters: ParameterRow[];
  /** CO2 by part over the whole range, when asked for (`series(..., {co2: true})`). */
  readonly co2?: RangeCo2;
}

export class ConsumptionService {
  private readonly submeters: MeterKey[];
  private readonly enterprises: Map<string, { config: EnterpriseConfig; tagging: ProductTagging }>;

  /** `monthly`: the monthly statistics, whose entered carriers join `1mo` series; without it, meters only. */
  constructor(private readonly deps: { store: TimeSeriesStore; factors: FactorTable; config: Config; monthly?: MonthlyRecordSource }) {
    this.submeters = submeterKeys(deps.config);
    this.enterprises = new Map(deps.config.enterprises.map((e) => [e.id, { config: e, tagging: productTagging(e) }]));
  }

  get electricityBasis(): 'equivalent' | 'equal' {
    return this.deps.factors.electricityBasis;
  }

  get zone(): string {
    return this.deps.config.timezone;
  }

  /** Aligns [from, to) outward to whole buckets of the site zone. */
  align(from: number, to: number, every: Every): { from: number; to: number } {
    const start = bucketStart(from, every, this.zone);
    let end = bucketStart(to, every, this.zone);
    if (end < to) end = nextBucket(end, every, this.zone);
    return { from: start, to: end };
  }

  /** `co2`: also CO2 by part over [from, to) per enterprise (a few more store queries only for enterprises metering several priced products). */
  async series(
    enterprises: readonly string[],
    from: number,
    to: number,
    every: Every,
    options: { co2?: boolean } = {},
  ): Promise<Map<string, ConsumptionSeries>> {
    const [metered, byProduct] = await Promise.all([
      this.deps.store.consumption({ enterprises, from, to, every, zone: this.zone, excludeMeters: this.submeters }),
      options.co2 ? this.productRowsByProduct(enterprises, from, to, every) : Promise.resolve([]),
    ]);
    const entered =
      every === '1mo' && this.deps.monthly
        ? enteredCarrierRows(await recordsIn(this.deps.monthly, enterprises, from, to, this.zone), this.zone, this.deps.factors)
        : [];
    const rows = entered.length > 0 ? mergeRows([...metered, ...entered]) : metered;
    const out = new Map<string, { series: SeriesPoint[]; coefficients: Map<string, { time: number; f: CoefficientUsed }>; used: ParametersUsed }>();
    for (const id of enterprises) out.set(id, { series: [], coefficients: new Map(), used: new ParametersUsed() });
    for (const row of rows) {
      const entry = out.get(row.enterprise);
      const f = factorsOfYear(this.deps.factors, dataYear(row.time, this.zone)).carrier(row.carrier, row.unit);
      if (!entry || !f) continue;
      entry.series.push(point(row.time, row.quantity, f));
      entry.used.addCarrier(f);
      // One coefficient per carrier and unit: that of the newest bucket when a series spans data years
      // (a monthly report's month; its earlier comparison months are named in `parameters`).
      const k = `${f.carrier}/${f.unit}`;
      const seen = entry.coefficients.get(k);
      if (!seen || seen.time <= row.time) entry.coefficients.set(k, { time: row.time, f });
    }
    const result = new Map<string, ConsumptionSeries>();
    for (const [enterprise, v] of out) {
      v.series.sort((a, b) => a.time - b.time || a.carrier.localeCompare(b.carrier));
      const co2 = options.co2 ? await this.co2(enterprise, metered, byProduct, from, to) : undefined;
      result.set(enterprise, {
        enterprise,
        series: v.series,
        coefficients: [...v.coefficients.values()].map((c) => c.f),
        parameters: v.used.list(),
        ...(co2 && { co2 }),
      });
    }
    return result;
  }

  /** Metered product rows of the enterprises whose product meters measure several priced products, tagged per product. */
  private async productRowsByProduct(enterprises: readonly string[], from: number, to: number, every: Every): Promise<TaggedProductRow[]> {
    const queries = enterprises.flatMap((id) => {
      const tagging = this.enterprises.get(id)?.tagging;
      if (tagging?.kind !== 'byProduct') return [];
      return [...tagging.meters].map(async ([product, meters]) => {
        const rows = await this.deps.store.consumption({ enterprises: [id], from, to, every, zone: this.zone, meters });
        return rows.map((r) => ({ ...r, product }));
      });
    });
    return (await Promise.all(queries)).flat();
  }

  private async co2(
    id: string,
    metered: readonly ConsumptionRow[],
    byProduct: readonly TaggedProductRow[],
    from: number,
    to: number,
  ): Promise<RangeCo2 | undefined> {
    const e = this.enterprises.get(id);
    if (!e) return undefined;
    const rows = metered.filter((r) => r.enterprise === id);
    const { tagging } = e;
    const productRows =
      tagging.kind === 'sole'
        ? rows.filter((r) => r.carrier === 'product').map((r) => ({ ...r, product: tagging.product }))
        : byProduct.filter((r) => r.enterprise === id);
    const records = this.deps.monthly ? await this.deps.monthly.records([id], monthOf(from, this.zone), monthOf(to - 1, this.zone)) : [];
    return co2OfRange({ enterprise: e.config, from, to, zone: this.zone, rows, productRows, records, factors: this.deps.factors });
  }
}

/** A bucket's figures, rounded by the figure rule (services/figures/precision.ts) from the unrounded quantity. */
function point(time: number, quantity: number, f: CarrierFactors): SeriesPoint {
  return {
    time,
    carrier: f.carrier,
    quantity: figure(quantity),
    unit: f.unit,
    tce: figure(tceOf(quantity, f)),
    tceOtherBasis: figure(tceOf(quantity, { kgcePerUnit: f.otherBasisKgcePerUnit })),
    co2Kg: figure(co2KgOf(quantity, f)),
    dualControl: f.dualControl,
    co2Part: seriesCo2Part(f.carrier),
  };
}

/** One row per enterprise, carrier, unit and bucket (an entered month joins a metered one of the same carrier only if the configuration changed since). */
function mergeRows(rows: readonly ConsumptionRow[]): ConsumptionRow[] {
  const m = new Map<string, ConsumptionRow>();
  for (const r of rows) {
    const k = `${r.enterprise}\u0000${r.carrier}\u0000${r.unit}\u0000${r.time}`;
    const prev = m.get(k);
    m.set(k, prev ? { ...prev, quantity: prev.quantity + r.quantity } : r);
  }
  return [...m.values()];
}
