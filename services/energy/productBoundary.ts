/**
 * Which meters count for a product's unit consumption (contract 10): the meters listed under the
 * enterprise's `products:` entry, else every energy meter of the enterprise that is not a sub-meter.
 * Pure: the configuration comes in as data. Decisions: docs/benchmark.md.
 */
import type { EnterpriseConfig, MeterConfig } from '../../config/schema';
import { baseCarrier, coefficientFor } from '../../config/coefficients';

/**
 * An energy meter of the default boundary: not output, not a sub-meter (its consumption is inside
 * another meter), and not a working medium made on site (compressed air: its electricity is already
 * in the boundary, counting it too would count that energy twice).
 */
export function isDefaultBoundaryMeter(m: Pick<MeterConfig, 'carrier' | 'unit' | 'kind' | 'submeter'>): boolean {
  if (m.carrier === 'product' || m.submeter) return false;
  const entry = coefficientFor(baseCarrier(m.carrier), m.kind === 'power' ? undefined : m.unit);
  return entry?.producedFrom === undefined;
}

/** The meters inside the product's boundary, in the enterprise's meter order. */
export function productBoundary(enterprise: Pick<EnterpriseConfig, 'meters' | 'products'>, product: string): MeterConfig[] {
  const listed = enterprise.products.find((p) => p.product === product)?.meters;
  if (listed === undefined) return enterprise.meters.filter(isDefaultBoundaryMeter);
  const ids = new Set(listed);
  return enterprise.meters.filter((m) => ids.has(m.id));
}

/** The product meters measuring `product` (carrier product, `product:` naming it). */
export function productMeters(enterprise: Pick<EnterpriseConfig, 'meters'>, product: string): MeterConfig[] {
  return enterprise.meters.filter((m) => m.carrier === 'product' && m.product === product);
}

/**
 * The products the enterprise is benchmarked on: those it lists under `products:`, then those a
 * product meter measures that have a level in `levelled` (default boundary), each once.
 */
export function benchmarkedProducts(enterprise: Pick<EnterpriseConfig, 'meters' | 'products'>, levelled: ReadonlySet<string>): string[] {
  const out = enterprise.products.map((p) => p.product);
  for (const m of enterprise.meters)
    if (m.carrier === 'product' && m.product !== undefined && levelled.has(m.product) && !out.includes(m.product)) out.push(m.product);
  return out;
}
