/**
 * Reads a filled monthly statistics workbook back (contract 8.3): all or nothing. Every cell is
 * checked first (shape, then the same rules as the PUT route); one problem anywhere refuses the
 * whole file and names each problem's sheet, row and column. A valid file stores one new version
 * per enterprise-month that changes, in one transaction, recorded by the importing token.
 */
import ExcelJS from 'exceljs';
import { conversionFactor } from '../../config/units';
import { AppError } from '../core/errors';
import type { EnteredCarrier, EnteredProduct, MonthlyFields, MonthlyPatch, MonthlyRecord } from '../energy/monthlyStatistics';
import { columnOfKey, keyText, type Column } from './monthlyColumns';
import { parsePatch } from './monthlyPatchSchema';
import { MONTH_PATTERN, type MonthlyEntry, type MonthlyStatisticsService } from './monthlyStatisticsService';
import { FIRST_DATA_ROW, KEY_ROW, SHEET_NAME } from './monthlyTemplate';
import { zipInflationProblem } from './zipInflationGuard';

/** More data rows than any district has enterprise-months in a file. */
export const MAX_IMPORT_ROWS = 5000;
/** What an uploaded workbook may unpack to: a filled template of 5,000 rows is a few MiB. */
export const MAX_IMPORT_INFLATED_BYTES = 64 * 1_048_576;

export interface CellProblem {
  readonly sheet: string | null;
  readonly row: number | null;
  /** Column letter, e.g. `D`. */
  readonly column: string | null;
  /** The column's key, e.g. `carriers.raw_coal.closingStock`. */
  readonly field: string | null;
  /** What was expected, and what the cell held. */
  readonly message: string;
}

export class WorkbookRejected extends AppError {
  constructor(readonly problems: readonly CellProblem[]) {
    const where = (p: CellProblem) => (p.sheet === null ? '' : `${p.sheet}!${p.column ?? ''}${p.row ?? ''}: `);
    const shown = problems.slice(0, 20).map((p) => `${where(p)}${p.message}`);
    super('unprocessable', `workbook refused, nothing stored (${problems.length} problem(s)): ${shown.join('; ')}`, { context: { problems } });
  }
}

export interface ImportOutcome {
  /** The versions stored, one per changed enterprise-month. */
  readonly stored: readonly MonthlyRecord[];
  /** Rows read that changed nothing. */
  readonly unchanged: number;
}

type Plain = number | string | boolean | Date | undefined;

interface ParsedRow {
  readonly row: number;
  readonly enterprise: string;
  readonly month: string;
  /** Column -> value of the row's non-key cells (undefined: empty). */
  readonly cells: ReadonlyMap<Column, number | string | undefined>;
}

export async function importWorkbook(
  service: MonthlyStatisticsService,
  file: Buffer,
  who: { by: string; onlyEnterprise?: string },
): Promise<ImportOutcome> {
  const inflation = zipInflationProblem(file, MAX_IMPORT_INFLATED_BYTES);
  if (inflation !== undefined)
    throw new WorkbookRejected([{ sheet: null, row: null, column: null, field: null, message: `expected an XLSX workbook: ${inflation}` }]);
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(file as unknown as ArrayBuffer);
  } catch (err) {
    throw new WorkbookRejected([{ sheet: null, row: null, column: null, field: null, message: `expected an XLSX workbook: ${String(err)}` }]);
  }
  const ws = wb.getWorksheet(SHEET_NAME) ?? wb.worksheets.find((s) => String(s.getCell(KEY_ROW, 1).value ?? '') === 'enterprise');
  if (!ws) throw new WorkbookRejected([{ sheet: null, row: null, column: null, field: null, message: `expected a sheet named ${SHEET_NAME}` }]);
  const problems: CellProblem[] = [];
  const at = (row: number | null, col: number | null, field: string | null, message: string) =>
    problems.push({ sheet: ws.name, row, column: col === null ? null : ws.getColumn(col).letter, field, message });

  const columns = readKeyRow(ws, at);
  const colOf = new Map([...columns].map(([i, c]) => [c, i]));
  const rows = readRows(ws, columns, service, who.onlyEnterprise, at);
  if (problems.length > 0) throw new WorkbookRejected(problems);

  const entries: MonthlyEntry[] = [];
  for (const r of rows) {
    const patch = rowPatch(r, (await service.current(r.enterprise, r.month)) ?? {});
    const shape = parsePatch(patch);
    const found = [...shape.problems, ...service.problems(r.enterprise, r.month, patch)];
    for (const p of found) {
      // A field names a column, or a carrier/product group: the group's first column.
      const column = [...colOf].find(([c]) => c.key === p.field || c.key.startsWith(`${p.field}.`));
      at(r.row, column?.[1] ?? null, column?.[0].key ?? p.field, p.message);
    }
    entries.push({ enterprise: r.enterprise, month: r.month, patch });
  }
  if (problems.length > 0) throw new WorkbookRejected(problems);
  const stored = await service.recordAll(entries, who.by);
  return { stored, unchanged: entries.length - stored.length };
}

type At = (row: number | null, col: number | null, field: string | null, message: string) => void;

function readKeyRow(ws: ExcelJS.Worksheet, at: At): Map<number, Column> {
  const columns = new Map<number, Column>();
  const seen = new Set<string>();
  ws.getRow(KEY_ROW).eachCell((cell, col) => {
    const text = plain(cell.value);
    if (text === undefined || text === '') return;
    const column = typeof text === 'string' ? columnOfKey(text) : undefined;
    if (!column) return void at(KEY_ROW, col, null, `expected a field key such as outputValue10kYuan, got "${String(text)}"`);
    if (seen.has(column.key)) return void at(KEY_ROW, col, column.key, `the key ${keyText(column)} appears twice`);
    seen.add(column.key);
    columns.set(col, column);
  });
  for (const required of ['enterprise', 'month'])
    if (!seen.has(required)) at(KEY_ROW, null, required, `expected a column with the key ${required} in row ${KEY_ROW}`);
  return columns;
}

function readRows(
  ws: ExcelJS.Worksheet,
  columns: ReadonlyMap<number, Column>,
  service: MonthlyStatisticsService,
  only: string | undefined,
  at: At,
): ParsedRow[] {
  const rows: ParsedRow[] = [];
  const seen = new Set<string>();
  const last = ws.actualRowCount === 0 ? 0 : ws.rowCount;
  if (last - FIRST_DATA_ROW + 1 > MAX_IMPORT_ROWS) {
    at(null, null, null, `expected at most ${MAX_IMPORT_ROWS} data rows`);
    return rows;
  }
  for (let n = FIRST_DATA_ROW; n <= last; n++) {
    const row = ws.getRow(n);
    const raw = new Map([...columns].map(([col, c]) => [c, { col, value: plain(row.getCell(col).value) }]));
    if ([...raw.values()].every((v) => v.value === undefined || v.value === '')) continue;
    let enterprise = '';
    let month = '';
    const cells = new Map<Column, number | string | undefined>();
    for (const [c, { col, value }] of raw) {
      const bad = (expected: string) => at(n, col, c.key, `expected ${expected}, got ${describe(value)}`);
      if (c.kind === 'enterprise') {
        enterprise = typeof value === 'string' ? value.trim() : '';
        if (!service.knows(enterprise)) bad('the id of a configured enterprise');
        else if (only !== undefined && enterprise !== only) bad(`${only} (this token may import only its own enterprise's rows)`);
      } else if (c.kind === 'month') {
        month = monthText(value) ?? '';
        if (!MONTH_PATTERN.test(month)) bad('a month as text YYYY-MM');
      } else if (c.kind === 'name') {
        continue;
      } else if (c.kind === 'note') {
        cells.set(c, value === undefined || value === '' ? undefined : value instanceof Date ? value.toISOString() : String(value));
      } else if (value === undefined || value === '') {
        cells.set(c, undefined);
      } else if (typeof value !== 'number' || !Number.isFinite(value)) {
        bad('a number (not text)');
      } else if (value < 0) {
        bad('a number >= 0');
      } else cells.set(c, value);
    }
    const id = `${enterprise} ${month}`;
    if (enterprise && month && seen.has(id)) at(n, null, null, `${enterprise} ${month} appears in more than one row`);
    seen.add(id);
    rows.push({ row: n, enterprise, month, cells });
  }
  return rows;
}

/** The patch a row stands for: every column of the row replaces its field (empty clears); other products and carriers stay. */
function rowPatch(r: ParsedRow, current: MonthlyFields): MonthlyPatch {
  const patch: Record<string, unknown> = {};
  const products = new Map<string, EnteredProduct>(Object.entries(current.products ?? {}));
  const carriers = new Map<string, EnteredCarrier>(Object.entries(current.carriers ?? {}));
  const carrierParts = new Map<string, { unit: string; parts: Record<string, number | undefined> }>();
  let touchedProducts = false;
  for (const [c, value] of r.cells) {
    if (c.kind === 'scalar' || c.kind === 'note') patch[c.key] = value ?? null;
    else if (c.kind === 'product') {
      touchedProducts = true;
      if (typeof value === 'number') products.set(c.product, { quantity: value, unit: c.unit });
      // An empty cell clears, unless what is stored is in a unit this column cannot show (it was not shown).
      else if (shownIn(products.get(c.product)?.unit, c.unit)) products.delete(c.product);
    } else if (c.kind === 'carrier') {
      const entry = carrierParts.get(c.carrier) ?? { unit: c.unit, parts: {} };
      entry.parts[c.part] = typeof value === 'number' ? value : undefined;
      carrierParts.set(c.carrier, entry);
    }
  }
  for (const [carrier, { unit, parts }] of carrierParts) {
    const { purchased, openingStock, closingStock } = parts;
    if (purchased === undefined && openingStock === undefined && closingStock === undefined) {
      if (shownIn(carriers.get(carrier)?.unit, unit)) carriers.delete(carrier);
    }
    // A partly filled carrier counts the empty parts as 0: a delivery with no stock kept is common.
    else carriers.set(carrier, { unit, purchased: purchased ?? 0, openingStock: openingStock ?? 0, closingStock: closingStock ?? 0 });
  }
  if (touchedProducts) patch.products = products.size > 0 ? Object.fromEntries(products) : null;
  if (carrierParts.size > 0) patch.carriers = carriers.size > 0 ? Object.fromEntries(carriers) : null;
  return patch as MonthlyPatch;
}

function shownIn(stored: string | undefined, column: string): boolean {
  return stored === undefined || conversionFactor(stored, column) !== undefined;
}

/** A cell's value without exceljs' wrappers (formulas give their result, rich text its text). */
function plain(v: ExcelJS.CellValue): Plain {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' || v instanceof Date) return v;
  if ('result' in v) return plain(v.result as ExcelJS.CellValue);
  if ('richText' in v) return v.richText.map((t) => t.text).join('');
  if ('text' in v && typeof v.text === 'string') return v.text;
  if ('error' in v) return `#${String(v.error)}`;
  return undefined;
}

/** Excel turns a typed 2026-10 into a date: read it back as that month. */
function monthText(v: Plain): string | undefined {
  if (typeof v === 'string') return v.trim();
  if (v instanceof Date) return v.toISOString().slice(0, 7);
  return undefined;
}

function describe(v: Plain): string {
  if (v === undefined || v === '') return 'an empty cell';
  if (typeof v === 'string') return `text "${v.length > 40 ? `${v.slice(0, 40)}...` : v}"`;
  if (v instanceof Date) return `a date ${v.toISOString().slice(0, 10)}`;
  return String(v);
}
