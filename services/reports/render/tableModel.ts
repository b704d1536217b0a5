/**
 * A report table as every renderer reads it: columns with their kind and unit, rows of raw values
 * from the report. Shared by the energy tables (tables.ts) and the carbon tables (carbonTables.ts).
 */
import type { CellValue, ValueKind } from './labels';

export interface Column {
  /** Stable key, the same in every language. */
  readonly key: string;
  readonly header: string;
  /** Unit shown in the header; undefined for words and for figures whose unit is in its own column. */
  readonly unit?: string;
  readonly kind: ValueKind;
}

export interface Table {
  /** One of TABLE_IDS (tables.ts). */
  readonly id: string;
  readonly title: string;
  readonly columns: readonly Column[];
  /** Raw values from the report, one array per row in column order. */
  readonly rows: readonly (readonly CellValue[])[];
  /**
   * Per-cell kinds where a column mixes units (a ranking of kWh/t beside kgce/t): row -> column ->
   * kind, undefined for the column's own kind.
   */
  readonly cellKinds?: readonly (readonly (ValueKind | undefined)[] | undefined)[];
}

/** The kind a cell is formatted with: its own when the table names one, else its column's. */
export function kindAt(t: Table, row: number, column: number): ValueKind {
  return t.cellKinds?.[row]?.[column] ?? t.columns[column]!.kind;
}

export type ColumnSpec = readonly [key: string, header: string, kind: ValueKind, unit?: string];

export function table(id: string, title: string, specs: readonly ColumnSpec[], rows: readonly (readonly CellValue[])[]): Table {
  const columns = specs.map(([key, header, kind, unit]): Column => (unit === undefined ? { key, header, kind } : { key, header, kind, unit }));
  return { id, title, columns, rows };
}
