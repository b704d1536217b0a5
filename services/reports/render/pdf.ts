/**
 * The monthly report as PDF (pdfkit): the metadata block, the same tables as the HTML page
 * (tables.ts) and the same ECharts SVG charts (drawn with svg-to-pdfkit), page numbers on every
 * page. Chinese text needs a CJK font embedded in the file; it is looked up at run time among the
 * Debian font packages, because bundling one would add megabytes to the repository.
 */
import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import SVGtoPDF from 'svg-to-pdfkit';
import { AppError } from '../../core/errors';
import type { MonthlyReport } from '../reportModel';
import type { ChartSvg } from './charts';
import { renderCharts } from './charts';
import type { CellValue, Language, RenderOptions } from './labels';
import { draftMark, formatValue, isLevel, metadataRows, NUMERIC_KINDS, pick, reportTitle, withUnit } from './labels';
import type { Table } from './tables';
import { SECTION_ORDER, buildTables, hasSection } from './tables';
import { kindAt } from './tableModel';
import { signatureHeading, signatureLines, summaryHeading, summaryText } from './summary';

export interface CjkFont {
  readonly path: string;
  /** PostScript name of the face inside a TrueType/OpenType collection (.ttc). */
  readonly family: string;
  /** Debian package that installs it, named in the error when none is found. */
  readonly package: string;
}

/**
 * Searched in order. Both were checked with pdfkit's fontkit: WenQuanYi Micro Hei embeds as a
 * CID TrueType subset, Noto Sans CJK (CFF outlines) as a CID Type 0C subset; pdftotext reads both.
 */
export const DEFAULT_CJK_FONTS: readonly CjkFont[] = [
  { path: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', family: 'WenQuanYiMicroHei', package: 'fonts-wqy-microhei' },
  { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKsc-Regular', package: 'fonts-noto-cjk' },
];

/** No CJK font on this machine: an installation problem, retrying does not help. */
export class CjkFontNotFoundError extends AppError {
  constructor(searched: readonly CjkFont[]) {
    const packages = [...new Set(searched.map((f) => f.package))];
    super(
      'cjk-font-missing',
      `no CJK font found for the PDF report (looked for ${searched.map((f) => f.path).join(', ') || 'nothing'}); ` +
        `install the Debian package ${packages[0] ?? 'fonts-wqy-microhei'} (apt-get install ${packages[0] ?? 'fonts-wqy-microhei'})` +
        (packages.length > 1 ? ` or ${packages.slice(1).join(' or ')}` : ''),
      { retryable: false, context: { searched: searched.map((f) => f.path), packages } },
    );
  }
}

export function findCjkFont(candidates: readonly CjkFont[] = DEFAULT_CJK_FONTS, exists: (path: string) => boolean = existsSync): CjkFont {
  const found = candidates.find((f) => exists(f.path));
  if (!found) throw new CjkFontNotFoundError(candidates);
  return found;
}

export interface PdfOptions extends RenderOptions {
  /** Where to look for the CJK font (default DEFAULT_CJK_FONTS). */
  readonly cjkFonts?: readonly CjkFont[];
}

// A4 landscape in pt: the enterprise tables have up to 13 columns.
const MARGIN = 36;
const FONT = 'cjk';
const TEXT_SIZE = 7.5;
const PAD = 2.5;
const SLACK = 1.5;
const GRID = '#c9cdd4';
const HEAD_FILL = '#f2f3f5';
const LIGHTS: Readonly<Record<'green' | 'yellow' | 'red', string>> = { green: '#2ea121', yellow: '#f5c400', red: '#e22e28' };

type Doc = PDFKit.PDFDocument;

const bottom = (doc: Doc): number => doc.page.height - doc.page.margins.bottom;
const usableWidth = (doc: Doc): number => doc.page.width - doc.page.margins.left - doc.page.margins.right;

function ensureSpace(doc: Doc, height: number): void {
  if (doc.y + height > bottom(doc)) doc.addPage();
}

/**
 * Column widths: numbers keep their natural width (a figure is never wrapped), text columns share
 * what is left in proportion to their natural width, and everything shrinks if that is not enough.
 */
function columnWidths(doc: Doc, table: Table, texts: readonly (readonly string[])[], headers: readonly string[]): number[] {
  const natural = table.columns.map((c, i) => {
    // A header may wrap at its spaces (`能耗总量（双控） (tce)` on two lines), never inside a word.
    const header = headers[i]!;
    const longestWord = Math.max(...header.split(/\s+/).map((w) => doc.widthOfString(w)));
    const headerWidth = Math.max(longestWord, Math.min(doc.widthOfString(header), 60));
    const cells = Math.max(0, ...texts.map((row) => doc.widthOfString(row[i] ?? '')));
    const level = c.kind === 'level' ? 10 : 0;
    // SLACK: pdfkit wraps a text measured at exactly the box width because of rounding.
    return Math.max(headerWidth, Math.min(cells + level, NUMERIC_KINDS.has(c.kind) ? Infinity : 220)) + 2 * PAD + SLACK;
  });
  const available = usableWidth(doc);
  const numericTotal = natural.reduce((s, w, i) => s + (NUMERIC_KINDS.has(table.columns[i]!.kind) ? w : 0), 0);
  const textTotal = natural.reduce((s, w) => s + w, 0) - numericTotal;
  let widths = natural;
  if (numericTotal + textTotal > available && textTotal > 0 && numericTotal < available) {
    const scale = (available - numericTotal) / textTotal;
    widths = natural.map((w, i) => (NUMERIC_KINDS.has(table.columns[i]!.kind) ? w : Math.max(36, w * scale)));
  }
  const total = widths.reduce((s, w) => s + w, 0);
  return total > available ? widths.map((w) => (w * available) / total) : widths;
}

function rowHeight(doc: Doc, cells: readonly string[], widths: readonly number[]): number {
  return Math.max(...cells.map((text, i) => doc.heightOfString(text || ' ', { width: widths[i]! - 2 * PAD }))) + 2 * PAD;
}

function drawRow(
  doc: Doc,
  table: Table,
  cells: readonly string[],
  raw: readonly CellValue[] | null,
  widths: readonly number[],
  height: number,
): void {
  const top = doc.y;
  let x = doc.page.margins.left;
  cells.forEach((text, i) => {
    const w = widths[i]!;
    const column = table.columns[i]!;
    if (raw === null) doc.rect(x, top, w, height).fill(HEAD_FILL);
    doc.rect(x, top, w, height).lineWidth(0.5).stroke(GRID);
    let textX = x + PAD;
    let textW = w - 2 * PAD;
    const value = raw?.[i] ?? null;
    if (raw !== null && column.kind === 'level' && isLevel(value)) {
      doc.circle(textX + 3.5, top + PAD + TEXT_SIZE / 2 + 0.5, 3).fill(LIGHTS[value]);
      textX += 10;
      textW -= 10;
    }
    const align = raw !== null && NUMERIC_KINDS.has(column.kind) ? 'right' : 'left';
    doc.fillColor('#1f2329').text(text, textX, top + PAD, { width: textW, align, lineGap: 0 });
    x += w;
  });
  doc.x = doc.page.margins.left;
  doc.y = top + height;
}

function drawTable(doc: Doc, table: Table, lang: Language): void {
  doc.fontSize(TEXT_SIZE);
  // A unit is one word (`t CO2` never breaks into `(t` and `CO2)`): its spaces do not break.
  const headers = table.columns.map((c) => withUnit(c.header, c.unit?.replace(/ /g, '\u00a0')));
  const texts = table.rows.map((row, r) => table.columns.map((_c, i) => formatValue(kindAt(table, r, i), row[i] ?? null, lang)));
  const widths = columnWidths(doc, table, texts, headers);
  const headHeight = rowHeight(doc, headers, widths);
  const firstHeight = texts[0] ? rowHeight(doc, texts[0], widths) : 0;
  // The title, the header and the first row stay together.
  ensureSpace(doc, 24 + headHeight + firstHeight);
  doc.fontSize(11).fillColor('#1f2329').text(table.title, doc.page.margins.left, doc.y);
  doc.moveDown(0.2).fontSize(TEXT_SIZE);
  drawRow(doc, table, headers, null, widths, headHeight);
  if (table.rows.length === 0) {
    doc.text(pick(lang, '无数据', 'no data'), doc.page.margins.left + PAD, doc.y + PAD);
  }
  table.rows.forEach((raw, r) => {
    const cells = texts[r]!;
    const height = rowHeight(doc, cells, widths);
    if (doc.y + height > bottom(doc)) {
      doc.addPage();
      drawRow(doc, table, headers, null, widths, headHeight); // the header again on the new page
    }
    drawRow(doc, table, cells, raw, widths, height);
  });
  doc.moveDown(0.8);
}

function drawChart(doc: Doc, chart: ChartSvg): void {
  const scale = Math.min(1, usableWidth(doc) / chart.width);
  const height = chart.height * scale;
  ensureSpace(doc, height + 20);
  doc.fontSize(11).fillColor('#1f2329').text(chart.title, doc.page.margins.left, doc.y);
  const top = doc.y + 4;
  // Every SVG text is drawn with the embedded CJK font, whatever family ECharts named.
  SVGtoPDF(doc, chart.svg, doc.page.margins.left, top, {
    width: chart.width * scale,
    height,
    assumePt: true,
    fontCallback: () => FONT,
    warningCallback: () => undefined,
  });
  doc.x = doc.page.margins.left;
  doc.y = top + height + 12;
}

function drawMetadata(doc: Doc, report: MonthlyReport, lang: Language): void {
  doc.fontSize(16).fillColor('#1f2329').text(reportTitle(report, lang));
  doc.moveDown(0.4).fontSize(8.5);
  for (const [label, value] of metadataRows(report, lang)) {
    doc
      .fillColor('#646a73')
      .text(`${label}${pick(lang, '：', ': ')}`, { continued: true })
      .fillColor('#1f2329')
      .text(value);
  }
  doc.moveDown(0.6);
  doc.fontSize(11).fillColor('#1f2329').text(summaryHeading(lang));
  doc
    .moveDown(0.2)
    .fontSize(9)
    .text(summaryText(report, lang), { width: usableWidth(doc), lineGap: 2 });
  doc.moveDown(0.8);
}

/** 编制 / 审核 / 批准 side by side at the end, kept together on one page. */
function drawSignatures(doc: Doc, lang: Language): void {
  const lines = signatureLines(lang);
  ensureSpace(doc, 90);
  doc.moveDown(0.6).fontSize(11).fillColor('#1f2329').text(signatureHeading(lang), doc.page.margins.left, doc.y);
  const top = doc.y + 14;
  const width = usableWidth(doc) / lines.length;
  lines.forEach((l, i) => {
    const x = doc.page.margins.left + i * width;
    doc
      .fontSize(10)
      .fillColor('#1f2329')
      .text(l.role, x, top, { width: width - 12 });
    doc.fontSize(9).text(l.signature, x, top + 22, { width: width - 12 });
    doc.text(l.date, x, top + 44, { width: width - 12 });
  });
  doc.x = doc.page.margins.left;
  doc.y = top + 64;
}

function drawPageNumbers(doc: Doc, report: MonthlyReport, lang: Language): void {
  const range = doc.bufferedPageRange();
  const draft = draftMark(report, lang);
  for (let i = range.start; i < range.start + range.count; i += 1) {
    doc.switchToPage(i);
    // Writing inside the bottom margin would make pdfkit start a new page; lift the margin first.
    const margin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const label = pick(
      lang,
      `${report.month} 能耗月报 · 版本 ${report.revision} · 第 ${i + 1} / ${range.count} 页`,
      `${report.month} energy report · revision ${report.revision} · page ${i + 1} of ${range.count}`,
    );
    doc
      .fontSize(7.5)
      .fillColor('#646a73')
      .text(label, MARGIN, doc.page.height - MARGIN + 12, { width: usableWidth(doc), align: 'center', lineBreak: false });
    // A draft (contract 8.4) says so at the top of every page, inside the top margin.
    if (draft)
      doc
        .fontSize(9)
        .fillColor('#e22e28')
        .text(draft, MARGIN, MARGIN / 2 - 4, { width: usableWidth(doc), align: 'center', lineBreak: false });
    doc.page.margins.bottom = margin;
  }
}

export async function renderPdf(report: MonthlyReport, opts: PdfOptions): Promise<Buffer> {
  const lang = opts.language;
  const font = findCjkFont(opts.cjkFonts);
  const tables = buildTables(report, lang);
  const [enterpriseChart, carrierChart] = renderCharts(report, lang);
  return await new Promise<Buffer>((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      layout: 'landscape',
      margin: MARGIN,
      bufferPages: true,
      lang,
      displayTitle: true,
      // Dates from the report, not the clock, so the same report gives the same metadata.
      info: {
        Title: reportTitle(report, lang),
        Author: pick(lang, '能耗在线监测系统', 'energy-monitor'),
        CreationDate: new Date(report.generatedAt),
      },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    try {
      doc.registerFont(FONT, font.path, font.family);
      doc.font(FONT);
      drawMetadata(doc, report, lang);
      for (const id of SECTION_ORDER) {
        if (!hasSection(report, id)) continue;
        drawTable(doc, tables[id], lang);
        if (id === 'byCarrier' && carrierChart) drawChart(doc, carrierChart);
        if (id === 'enterpriseEnergy' && enterpriseChart) drawChart(doc, enterpriseChart);
      }
      drawSignatures(doc, lang);
      drawPageNumbers(doc, report, lang);
      doc.end();
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
