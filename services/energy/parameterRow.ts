/**
 * A parameter row a figure used (contract 8.2): a coefficient, emission factor, equal value or
 * tariff threshold/limit, with the data year of its row and its source, so that every number a
 * user sees can be traced.
 */
export interface ParameterRow {
  /** What it is, e.g. `kgce/electricity/kWh`, `kgCO2/electricity/kWh`, `tariff/aluminium/threshold`. */
  readonly key: string;
  readonly value: number;
  /** The unit of `value`, e.g. `kgce/kWh`, `kWh/t`. */
  readonly unit: string;
  /** The `year` of the dated row used; absent for an undated value. */
  readonly year?: number;
  readonly source: string;
}
