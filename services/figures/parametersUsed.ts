/**
 * The parameter rows a figure used (contract 8.2: status answers and monthly reports name every row
 * used, with value, year and source), collected once per answer and listed without repeats.
 */
import type { CarrierFactors } from '../energy/factors';
import type { ParameterRow } from '../energy/parameterRow';

/** The kgce and kgCO2 rows behind a carrier's figures; none for products (no energy). */
export function carrierParameterRows(f: CarrierFactors): ParameterRow[] {
  if (f.carrier === 'product') return [];
  return [f.kgceRow, ...(f.otherBasisKgceRow ? [f.otherBasisKgceRow] : []), f.kgCo2Row];
}

/** Rows in the order first used, one per key and year. */
export class ParametersUsed {
  private readonly rows = new Map<string, ParameterRow>();

  add(rows: readonly ParameterRow[]): void {
    for (const r of rows) {
      const k = `${r.key}@${r.year ?? ''}`;
      if (!this.rows.has(k)) this.rows.set(k, r);
    }
  }

  addCarrier(f: CarrierFactors): void {
    this.add(carrierParameterRows(f));
  }

  /** Sorted by key, then year, so equal figures give equal JSON (the report's hash). */
  list(): ParameterRow[] {
    return [...this.rows.values()].sort((a, b) => a.key.localeCompare(b.key) || (a.year ?? 0) - (b.year ?? 0));
  }
}
