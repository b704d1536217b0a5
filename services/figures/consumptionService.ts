/**
 * Consumption by calendar bucket in native units, tce and CO2, with the coefficient behind every
 * figure (contract 4 and 5). One store query answers any number of enterprises.
 */
import type { Config } from '../../config/schema';
import { co2KgOf, tceOf, type CarrierFactors, type FactorTable } from '../energy/factors';
import { bucketStart, nextBucket, type Every } from '../energy/time';
import { submeterKeys } from '../energy/meterScope';
import type { MeterKey, TimeSeriesStore } from '../store/timeSeriesStore';

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
}

/** A coefficient used for a figure, with its sources (contract: every number can be traced). */
export type CoefficientUsed = CarrierFactors;

export interface ConsumptionSeries {
  readonly enterprise: string;
  readonly series: SeriesPoint[];
  readonly coefficients: CoefficientUsed[];
}

export class ConsumptionService {
  private readonly submeters: MeterKey[];

  constructor(private readonly deps: { store: TimeSeriesStore; factors: FactorTable; config: Config }) {
    this.submeters = submeterKeys(deps.config);
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

  async series(enterprises: readonly string[], from: number, to: number, every: Every): Promise<Map<string, ConsumptionSeries>> {
    const rows = await this.deps.store.consumption({ enterprises, from, to, every, zone: this.zone, excludeMeters: this.submeters });
    const out = new Map<string, { series: SeriesPoint[]; coefficients: Map<string, CoefficientUsed> }>();
    for (const id of enterprises) out.set(id, { series: [], coefficients: new Map() });
    for (const row of rows) {
      const entry = out.get(row.enterprise);
      const f = this.deps.factors.carrier(row.carrier, row.unit);
      if (!entry || !f) continue;
      entry.series.push(point(row.time, row.quantity, f));
      entry.coefficients.set(`${f.carrier}/${f.unit}`, f);
    }
    const result = new Map<string, ConsumptionSeries>();
    for (const [enterprise, v] of out) {
      v.series.sort((a, b) => a.time - b.time || a.carrier.localeCompare(b.carrier));
      result.set(enterprise, { enterprise, series: v.series, coefficients: [...v.coefficients.values()] });
    }
    return result;
  }
}

function point(time: number, quantity: number, f: CarrierFactors): SeriesPoint {
  return {
    time,
    carrier: f.carrier,
    quantity,
    unit: f.unit,
    tce: tceOf(quantity, f),
    tceOtherBasis: tceOf(quantity, { kgcePerUnit: f.otherBasisKgcePerUnit }),
    co2Kg: co2KgOf(quantity, f),
    dualControl: f.dualControl,
  };
}
