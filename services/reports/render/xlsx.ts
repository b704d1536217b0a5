/**
 * The monthly report as an Excel workbook (exceljs). Figures are stored as numbers with a number
 * format, never as formatted text, so that auditors can sum and filter them; units are in the
 * header cells; shares are fractions shown with a percent format, equal to the JSON values.
 * Sheets: summary (metadata, district, industries, carriers, concentration, coefficients),
 * enterprises (one wide row each), carriers (enterprise x carrier), carbon, projects, benchmark (能效对标),
 * findings (节能诊断发现), ranking, completeness, and the
 * parameters used when the report names them. A draft (contract 8.4) says so in red on the first
 * row of every sheet (the table's header moves to row 2), in every printed page's header, and with
 * a red sheet tab. The summary sheet ends with the signature block (编制 / 审核 / 批准), as the PDF
 * and the HTML page do, so the printed sheet can be signed and filed.
 */
import { Workbook } from 'exceljs';
import type { Cell, Worksheet } from 'exceljs';
import type { MonthlyReport } from '../reportModel';
import type { CellValue, Language, RenderOptions } from './labels';
import type { ValueKind } from './labels';
import {
  DRAFT_WORDS,
  MISSING,
  NUMBER_FORMATS,
  NUMERIC_KINDS,
  draftMark,
  formatValue,
  isLevel,
  metadataRows,
  pick,
  reportTitle,
  withUnit,
} from './labels';
import type { Table } from './tables';
import { kindAt } from './tableModel';
import { signatureHeading, signatureLines, summaryHeading, summaryText } from './summary';
import { BENCHMARK_SECTIONS } from './benchmarkTables';
import { CARBON_SECTIONS } from './carbonTables';
import { buildTables, hasSection, joinByRow, type TableId } from './tables';

export interface SheetNames {
  readonly summary: string;
  readonly enterprises: string;
  readonly carriers: string;
  readonly ranking: string;
  readonly completeness: string;
  readonly parameters: string;
  readonly carbon: string;
  readonly projects: string;
  readonly benchmark: string;
  readonly findings: string;
}

export function sheetNames(lang: Language): SheetNames {
  return {
    summary: pick(lang, '汇总', 'Summary'),
    enterprises: pick(lang, '企业', 'Enterprises'),
    carriers: pick(lang, '能源品种', 'Carriers'),
    ranking: pick(lang, '能效排名', 'Ranking'),
    completeness: pick(lang, '数据完整率', 'Completeness'),
    parameters: pick(lang, '参数', 'Parameters'),
    carbon: pick(lang, '碳排放', 'Carbon'),
    projects: pick(lang, '节能审查项目', 'Projects'),
    benchmark: pick(lang, '能效对标', 'Benchmark'),
    findings: pick(lang, '节能诊断发现', 'Findings'),
  };
}

const LEVEL_FILL: Readonly<Record<'green' | 'yellow' | 'red', string>> = { green: 'FFC6EFCE', yellow: 'FFFFEB9C', red: 'FFFFC7CE' };
const HEADER_FILL = 'FFF2F3F5';

/** Display width of a text in Excel character units: CJK characters are about two wide. */
function textWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]/.test(ch) ? 2 : 1;
  return width;
}

function setValue(cell: Cell, kind: ValueKind, value: CellValue, lang: Language): void {
  if (value === null) {
    // "—" as text, as the PDF and the HTML print it (issue 21: never a 0 where the PDF says "—");
    // SUM and AVERAGE skip text, so totals over the column stay right.
    cell.value = MISSING;
    if (NUMERIC_KINDS.has(kind)) cell.alignment = { horizontal: 'right' };
    return;
  }
  if (typeof value === 'number') {
    cell.value = value;
    const fmt = NUMBER_FORMATS[kind];
    if (fmt) cell.numFmt = fmt;
    return;
  }
  cell.value = formatValue(kind, value, lang);
  if (kind === 'level' && isLevel(value)) {
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: LEVEL_FILL[value] } };
  }
}

/**
 * Writes a table from `startRow` (1-based) with an optional title row above its header; returns
 * the next free row. Column widths grow to fit what is written.
 */
function writeTable(ws: Worksheet, table: Table, startRow: number, lang: Language, withTitle: boolean, widths: number[]): number {
  let r = startRow;
  if (withTitle) {
    const title = ws.getCell(r, 1);
    title.value = table.title;
    title.font = { bold: true, size: 12 };
    r += 1;
  }
  table.columns.forEach((c, i) => {
    const cell = ws.getCell(r, i + 1);
    cell.value = withUnit(c.header, c.unit);
    cell.font = { bold: true };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: HEADER_FILL } };
    cell.alignment = { wrapText: true, vertical: 'top' };
    widths[i] = Math.max(widths[i] ?? 0, Math.min(24, textWidth(withUnit(c.header, c.unit))));
  });
  r += 1;
  table.rows.forEach((row, rowIndex) => {
    table.columns.forEach((_c, i) => {
      const value = row[i] ?? null;
      const kind = kindAt(table, rowIndex, i);
      setValue(ws.getCell(r, i + 1), kind, value, lang);
      widths[i] = Math.max(widths[i] ?? 0, Math.min(60, textWidth(formatValue(kind, value, lang)) + 2));
    });
    r += 1;
  });
  return r;
}

function applyWidths(ws: Worksheet, widths: readonly number[]): void {
  widths.forEach((w, i) => {
    ws.getColumn(i + 1).width = Math.max(8, w);
  });
}

/** Writes the draft mark on `row` of the sheet, in its printed header and on its tab; false for a finalised report. */
function markDraft(ws: Worksheet, draft: string | undefined, row: number): boolean {
  if (draft === undefined) return false;
  const cell = ws.getCell(row, 1);
  cell.value = draft;
  cell.font = { bold: true, color: { argb: 'FFE22E28' } };
  ws.headerFooter.oddHeader = `&C&"-,Bold"&KE22E28${DRAFT_WORDS}`;
  ws.properties.tabColor = { argb: 'FFE22E28' };
  return true;
}

/** A sheet holding one table with its header on row 1 (row 2 under a draft's mark), frozen and filterable. */
function tableSheet(wb: Workbook, name: string, table: Table, lang: Language, draft: string | undefined): void {
  const ws = wb.addWorksheet(name);
  const header = markDraft(ws, draft, 1) ? 2 : 1;
  ws.views = [{ state: 'frozen', ySplit: header }];
  const widths: number[] = [];
  writeTable(ws, table, header, lang, false, widths);
  applyWidths(ws, widths);
  if (table.columns.length > 0) ws.autoFilter = { from: { row: header, column: 1 }, to: { row: header, column: table.columns.length } };
}

/**
 * A sheet of titled tables, one under another as on the summary: "碳排放 / Carbon" (the district carbon
 * tables, then each enterprise's carbon at month end) and "能效对标 / Benchmark" (the district benchmark
 * tables, then each enterprise's products); absent when the report has none of them.
 */
function titledSheet(
  wb: Workbook,
  report: MonthlyReport,
  tables: ReturnType<typeof buildTables>,
  name: string,
  ids: readonly TableId[],
  lang: Language,
  draft: string | undefined,
): void {
  const shown = ids.filter((id) => hasSection(report, id));
  if (shown.length === 0) return;
  const ws = wb.addWorksheet(name);
  let r = markDraft(ws, draft, 1) ? 1 : 0;
  const widths: number[] = [];
  for (const id of shown) r = writeTable(ws, tables[id], r + 1, lang, true, widths);
  applyWidths(ws, widths);
}

/**
 * The signature block from `startRow`: its heading, then one row per role with the role, the
 * signature line and the date line in columns A to C (summary.ts, the same words as the PDF). Blank
 * on purpose: the service signs for no one.
 */
function writeSignatures(ws: Worksheet, startRow: number, lang: Language): void {
  const heading = ws.getCell(startRow, 1);
  heading.value = signatureHeading(lang);
  heading.font = { bold: true, size: 12 };
  signatureLines(lang).forEach((line, i) => {
    const row = ws.getRow(startRow + 1 + i);
    row.getCell(1).value = line.role;
    row.getCell(1).font = { bold: true };
    row.getCell(2).value = line.signature;
    row.getCell(3).value = line.date;
    // Room to sign by hand on the printed sheet.
    row.height = 30;
    row.alignment = { vertical: 'bottom' };
  });
}

export async function renderXlsx(report: MonthlyReport, opts: RenderOptions): Promise<Buffer> {
  const lang = opts.language;
  const names = sheetNames(lang);
  const tables = buildTables(report, lang);
  const wb = new Workbook();
  wb.creator = pick(lang, '能耗在线监测系统', 'energy-monitor');
  // Workbook dates from the report, not the clock: the same report gives the same properties.
  wb.created = new Date(report.generatedAt);
  wb.modified = new Date(report.generatedAt);
  wb.title = reportTitle(report, lang);

  const draft = draftMark(report, lang);
  const summary = wb.addWorksheet(names.summary);
  markDraft(summary, draft, 2);
  const widths: number[] = [];
  const titleCell = summary.getCell(1, 1);
  titleCell.value = reportTitle(report, lang);
  titleCell.font = { bold: true, size: 14 };
  let r = 3;
  for (const [label, value] of metadataRows(report, lang)) {
    summary.getCell(r, 1).value = label;
    summary.getCell(r, 1).font = { bold: true };
    summary.getCell(r, 2).value = value;
    r += 1;
  }
  // The written summary under the metadata, as at the top of the PDF and the HTML page.
  summary.getCell(r, 1).value = summaryHeading(lang);
  summary.getCell(r, 1).font = { bold: true };
  summary.getCell(r, 2).value = summaryText(report, lang);
  summary.getCell(r, 2).alignment = { wrapText: true, vertical: 'top' };
  r += 1;
  widths[0] = 16;
  const byPark = hasSection(report, 'byPark') ? [tables.byPark] : [];
  const outside = hasSection(report, 'byCarrierOutside') ? [tables.byCarrierOutside] : [];
  for (const table of [tables.district, tables.byIndustry, ...byPark, tables.byCarrier, ...outside, tables.concentration, tables.coefficients]) {
    r = writeTable(summary, table, r + 1, lang, true, widths);
  }
  writeSignatures(summary, r + 1, lang);
  applyWidths(summary, widths);
  titledSheet(wb, report, tables, names.carbon, [...CARBON_SECTIONS.district, 'enterpriseCarbon', 'enterpriseCarbonIntensity'], lang, draft);
  titledSheet(wb, report, tables, names.benchmark, [...BENCHMARK_SECTIONS.district, 'enterpriseBenchmark'], lang, draft);

  const enterprises = joinByRow(tables.enterpriseEnergy.title, tables.enterpriseEnergy, tables.dualControl, tables.tariff);
  tableSheet(wb, names.enterprises, enterprises, lang, draft);
  tableSheet(wb, names.carriers, tables.carriers, lang, draft);
  if (hasSection(report, 'projects')) tableSheet(wb, names.projects, tables.projects, lang, draft);
  if (hasSection(report, 'findings')) tableSheet(wb, names.findings, tables.findings, lang, draft);
  tableSheet(wb, names.ranking, tables.ranking, lang, draft);
  tableSheet(wb, names.completeness, tables.completeness, lang, draft);
  if (report.parameters) tableSheet(wb, names.parameters, tables.parameters, lang, draft);

  const out = await wb.xlsx.writeBuffer();
  return Buffer.from(out);
}
