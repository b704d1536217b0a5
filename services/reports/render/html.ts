/**
 * The monthly report as one self-contained, printable HTML page: inline CSS, charts as inline SVG
 * (charts.ts, the same pictures as the PDF), no script and no external asset, so the page can be
 * archived, mailed or opened offline and prints the same everywhere. All user data (enterprise
 * names, sources, notes) is escaped.
 */
import type { MonthlyReport } from '../reportModel';
import { renderCharts, type ChartSvg } from './charts';
import {
  DRAFT_WORDS,
  draftMark,
  formatValue,
  isLevel,
  metadataRows,
  NUMERIC_KINDS,
  pick,
  reportTitle,
  withUnit,
  type CellValue,
  type Language,
  type RenderOptions,
  type ValueKind,
} from './labels';
import { SECTION_ORDER, buildTables, hasSection, type Table } from './tables';
import { kindAt } from './tableModel';
import { signatureHeading, signatureLines, summaryHeading, summaryText } from './summary';

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

// Print-first styling: A4 landscape, tables that do not break a row across pages, a header row
// repeated on each printed page (thead), and traffic lights that also carry their word so the
// level survives a black-and-white printer.
const CSS = `
@page { size: A4 landscape; margin: 12mm; }
* { box-sizing: border-box; }
body { font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; font-size: 12px; color: #1f2329; margin: 16px; }
h1 { font-size: 20px; margin: 0 0 8px; }
h2 { font-size: 15px; margin: 20px 0 6px; border-left: 4px solid #3370ff; padding-left: 6px; break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin-bottom: 8px; }
th, td { border: 1px solid #d0d3d6; padding: 3px 6px; vertical-align: top; }
th { background: #f2f3f5; font-weight: 600; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr { break-inside: avoid; }
thead { display: table-header-group; }
table.meta { width: auto; }
table.meta th { width: 9em; }
.light { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 4px; vertical-align: -1px; border: 1px solid #00000033; }
.light.green { background: #2ea121; } .light.yellow { background: #f5c400; } .light.red { background: #e22e28; }
figure { margin: 8px 0; break-inside: avoid; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-weight: 600; margin-bottom: 4px; }
p.summary { font-size: 13px; line-height: 1.7; max-width: 70em; }
table.sign { width: 100%; margin-top: 12px; break-inside: avoid; }
table.sign td { border: none; padding: 18px 12px 6px 0; width: 33%; }
footer { margin-top: 16px; color: #646a73; font-size: 11px; }
.draft { border: 2px solid #e22e28; color: #e22e28; font-weight: 700; padding: 4px 8px; margin: 0 0 8px; }
@media print { .draft { position: fixed; top: 0; left: 0; right: 0; margin: 0; background: #fff; } body { padding-top: 28px; } }
`;

function cellHtml(kind: ValueKind, value: CellValue, lang: Language): string {
  const text = escapeHtml(formatValue(kind, value, lang));
  if (kind === 'level' && isLevel(value)) return `<td><span class="light ${value}" aria-hidden="true"></span>${text}</td>`;
  return NUMERIC_KINDS.has(kind) ? `<td class="num">${text}</td>` : `<td>${text}</td>`;
}

export function tableHtml(table: Table, lang: Language): string {
  const head = table.columns.map((c) => `<th scope="col">${escapeHtml(withUnit(c.header, c.unit))}</th>`).join('');
  const body =
    table.rows.length === 0
      ? `<tr><td colspan="${table.columns.length}">${escapeHtml(pick(lang, '无数据', 'no data'))}</td></tr>`
      : table.rows
          .map((row, r) => `<tr>${table.columns.map((_c, i) => cellHtml(kindAt(table, r, i), row[i] ?? null, lang)).join('')}</tr>`)
          .join('\n');
  return `<section id="${table.id}">\n<h2>${escapeHtml(table.title)}</h2>\n<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>\n</section>`;
}

/**
 * ECharts' SVG is output of our own code, but the enterprise names in it come from the
 * configuration: ECharts escapes text content, and a script element is refused here in case.
 */
function chartHtml(chart: ChartSvg): string {
  if (/<script/i.test(chart.svg)) throw new Error(`chart ${chart.id}: unexpected <script> in SVG`);
  // The HTML parser puts inline <svg> in the SVG namespace by itself; dropping the xmlns
  // declarations leaves the page without a single URL.
  const svg = chart.svg.replace(/\s+xmlns(:xlink)?="[^"]*"/g, '');
  return `<figure id="chart-${chart.id}">\n<figcaption>${escapeHtml(chart.title)}</figcaption>\n${svg}\n</figure>`;
}

/** 编制 / 审核 / 批准: a name line and a date line each, to sign on paper. */
function signatureHtml(lang: Language): string {
  const cells = signatureLines(lang)
    .map((l) => `<td><strong>${escapeHtml(l.role)}</strong><br>${escapeHtml(l.signature)}<br>${escapeHtml(l.date)}</td>`)
    .join('');
  return `<section id="signatures"><h2>${escapeHtml(signatureHeading(lang))}</h2><table class="sign"><tr>${cells}</tr></table></section>`;
}

export function renderHtml(report: MonthlyReport, opts: RenderOptions): string {
  const lang = opts.language;
  const tables = buildTables(report, lang);
  const [enterpriseChart, carrierChart] = renderCharts(report, lang);
  const meta = metadataRows(report, lang)
    .map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('\n');
  const sections: string[] = [];
  for (const id of SECTION_ORDER) {
    if (!hasSection(report, id)) continue;
    sections.push(tableHtml(tables[id], lang));
    // Charts right after the tables they picture.
    if (id === 'byCarrier' && carrierChart) sections.push(chartHtml(carrierChart));
    if (id === 'enterpriseEnergy' && enterpriseChart) sections.push(chartHtml(enterpriseChart));
  }
  // A draft (contract 8.4) says so above the title and, printed, at the top of every page (position: fixed repeats).
  const draft = draftMark(report, lang);
  const title = draft ? `[${DRAFT_WORDS}] ${reportTitle(report, lang)}` : reportTitle(report, lang);
  const footer = pick(
    lang,
    `本报告由能耗在线监测系统生成。能耗总量为能耗双控口径（不含可再生能源电力和原料用能）。SHA-256：${report.sha256}`,
    `Generated by the energy-consumption monitoring service. Totals are dual-control totals (renewable electricity and feedstock excluded). SHA-256: ${report.sha256}`,
  );
  return [
    '<!DOCTYPE html>',
    `<html lang="${lang}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    ...(draft ? [`<div class="draft" role="note">${escapeHtml(draft)}</div>`] : []),
    `<h1>${escapeHtml(title)}</h1>`,
    `<table class="meta">\n${meta}\n</table>`,
    `<section id="summary"><h2>${escapeHtml(summaryHeading(lang))}</h2><p class="summary">${escapeHtml(summaryText(report, lang))}</p></section>`,
    ...sections,
    signatureHtml(lang),
    `<footer>${escapeHtml(footer)}</footer>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
