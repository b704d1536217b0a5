/** Reading a rendered report back (CSV, XLSX, PDF) in the renderer tests. */
import { execFileSync } from 'node:child_process';
import { Workbook } from 'exceljs';
import type { Worksheet } from 'exceljs';

/** RFC 4180 reader: quoted fields with doubled quotes, commas and line breaks inside. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 1;
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

export async function readXlsx(body: Buffer): Promise<Workbook> {
  const wb = new Workbook();
  // exceljs types its input as ArrayBuffer: copy the bytes into one.
  const bytes = new ArrayBuffer(body.byteLength);
  new Uint8Array(bytes).set(body);
  await wb.xlsx.load(bytes);
  return wb;
}

/** pdftotext and pdffonts come from Debian's poppler-utils (.ci/run installs it). */
export function poppler(tool: 'pdftotext' | 'pdffonts', args: string[]): string {
  try {
    return execFileSync(tool, args, { encoding: 'utf8' });
  } catch (err) {
    throw new Error(`${tool} failed (apt-get install poppler-utils): ${String(err)}`, { cause: err });
  }
}

/** A number cell re-read from CSV: empty is null, as in the JSON. */
export const num = (cell: string | undefined): number | null => (cell === undefined || cell === '' ? null : Number(cell));

/** Header text -> values of the data rows below it, read from a sheet with its header on row 1. */
export function sheetColumns(ws: Worksheet): Map<string, unknown[]> {
  const columns = new Map<string, unknown[]>();
  for (let c = 1; c <= ws.columnCount; c += 1) {
    const values: unknown[] = [];
    for (let r = 2; r <= ws.rowCount; r += 1) values.push(ws.getCell(r, c).value);
    columns.set(String(ws.getCell(1, c).value), values);
  }
  return columns;
}
