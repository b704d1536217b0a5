/**
 * The energy and product quantity of a product's meter boundary (contract 10), shared by the
 * benchmark figures (months and years) and the diagnosis (days), so the two definitions cannot drift:
 * boundary energy = every carrier in the boundary except the product, feedstock included, in kgce on
 * the equivalent basis (当量值) with the factors of the row's data year, plus AC kWh (grid and on-site
 * renewable); quantity = the main product meters, else the sub-meters when only those measure it.
 */
import type { EnterpriseConfig, MeterConfig } from '../../config/schema';
import { conversionFactor, convert } from '../../config/units';
import type { CarrierFactors, FactorTable } from '../energy/factors';
import { productMeters } from '../energy/productBoundary';
import type { ConsumptionRow } from '../store/timeSeriesStore';
import { dataYear, factorsOfYear } from './factorYear';

const ELECTRIC = new Set(['electricity', 'renewable_electricity']);

/** One row's part of the boundary energy, with the factor row that priced it. */
export interface BoundaryEnergyPart {
  readonly kgce: number;
  readonly acKwh: number;
  readonly factor: CarrierFactors;
}

/** A boundary row's energy; undefined for a product row or a carrier without a factor (not energy). */
export function boundaryEnergyOf(r: ConsumptionRow, factors: FactorTable, zone: string): BoundaryEnergyPart | undefined {
  if (r.carrier === 'product') return undefined;
  const f = factorsOfYear(factors, dataYear(r.time, zone)).carrier(r.carrier, r.unit);
  if (!f) return undefined;
  return { kgce: r.quantity * f.equivalentKgcePerUnit, acKwh: ELECTRIC.has(r.carrier) ? r.quantity : 0, factor: f };
}

/** The product meters counting the output: the main ones, or the sub-meters when only those measure it (a line's product). */
export function quantityMeters(e: Pick<EnterpriseConfig, 'meters'>, product: string): MeterConfig[] {
  const all = productMeters(e, product);
  const main = all.filter((m) => !m.submeter);
  return main.length > 0 ? main : all;
}

/**
 * Product quantities summed per bucket in `unit` (kt and t meters added as t when `unit` is t);
 * rows in a unit that does not convert are left out and their units returned in `skippedUnits`.
 */
export function quantitiesIn(rows: readonly ConsumptionRow[], unit: string): { byTime: Map<number, number>; skippedUnits: string[] } {
  const byTime = new Map<number, number>();
  const skipped = new Set<string>();
  for (const r of rows) {
    const scale = conversionFactor(r.unit, unit);
    if (scale === undefined) {
      skipped.add(r.unit);
      continue;
    }
    byTime.set(r.time, (byTime.get(r.time) ?? 0) + convert(r.quantity, scale));
  }
  return { byTime, skippedUnits: [...skipped].sort() };
}
