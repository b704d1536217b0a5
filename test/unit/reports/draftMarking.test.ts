/**
 * Drafts and finalised revisions in every format (contract 8.4): a draft says `草稿 / DRAFT` with the
 * instant its data runs to on every PDF page, every XLSX sheet, every CSV row and the HTML page; a
 * finalised revision says none of it and names its reasons. The parameters used (contract 8.2) are
 * a section, a sheet and CSV rows when the report names them. Fixture: test/helpers/reportFixture.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Workbook } from 'exceljs';
import type { MonthlyReport } from '../../../services/reports/reportModel';
import { renderReport } from '../../../services/reports/render';
import { CSV_COLUMNS } from '../../../services/reports/render/csv';
import { mailText } from '../../../services/reports/reportMailer';
import { reportFixture } from '../../helpers/reportFixture';

const UNTIL = '2024-03-18T09:45:00.000+08:00';
// What a reader sees of UNTIL (site time, no ISO instant in text meant for reading; issue 21).
const UNTIL_READ = { 'zh-CN': '2024年3月18日 09:45', en: '18 March 2024, 09:45' } as const;
const finalised: MonthlyReport = { ...reportFixture(), draft: false, reasons: ['readings', 'parameters'] };
// A draft has no revision note or reasons: it has not been finalised.
const draft: MonthlyReport = { ...reportFixture(), revisionNote: undefined, reasons: undefined, revision: 0, draft: true, dataUntil: UNTIL };
const withParameters: MonthlyReport = {
  ...finalised,
  parameters: [
    { key: 'kgCO2/electricity/kWh', value: 0.5366, unit: 'kgCO2/kWh', year: 2022, source: 'MEE 2024-12-20' },
    { key: 'tariff/aluminium/threshold', value: 13450, unit: 'kWh/t', source: 'NDRC 1239' },
  ],
};

async function xlsxSheets(report: MonthlyReport, lang: 'zh-CN' | 'en'): Promise<{ name: string; cells: string[] }[]> {
  const body = (await renderReport(report, 'xlsx', lang)).body;
  const bytes = new ArrayBuffer(body.byteLength);
  new Uint8Array(bytes).set(body);
  const wb = new Workbook();
  await wb.xlsx.load(bytes);
  return wb.worksheets.map((ws) => {
    const cells: string[] = [];
    ws.eachRow((row) => row.eachCell((c) => cells.push(String(c.value))));
    return { name: ws.name, cells };
  });
}

function pdfPages(body: Buffer, dir: string): string[] {
  const file = join(dir, `r${Math.random()}.pdf`);
  writeFileSync(file, body);
  // pdftotext ends every page with a form feed.
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' })
    .split('\f')
    .filter((p) => p.trim() !== '');
}

/** CSV records by key (the English header is the keys alone). */
function csvRecords(body: Buffer): Record<string, string>[] {
  const [header, ...rows] = body.toString('utf8').slice(1).trimEnd().split('\r\n');
  const keys = header!.split(',');
  expect(keys).toEqual(CSV_COLUMNS.map(([k]) => k));
  // The fixture's only quoted fields are enterprise names and sources; split on commas outside quotes.
  return rows.map((line) => {
    const cells = line.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, ''));
    return Object.fromEntries(keys.map((k, i) => [k, cells[i] ?? '']));
  });
}

describe('draft marking', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'draft-pdf-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['zh-CN', 'en'] as const)('PDF (%s): a draft says so on every page with its data time; a finalised revision on none', async (lang) => {
    const pages = pdfPages((await renderReport(draft, 'pdf', lang)).body, dir);
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) {
      expect(page).toContain('草稿 / DRAFT');
      expect(page).toContain(UNTIL_READ[lang]);
      expect(page).not.toContain(UNTIL);
    }
    const final = pdfPages((await renderReport(finalised, 'pdf', lang)).body, dir);
    for (const page of final) expect(page).not.toContain('DRAFT');
    // The reason in words only (issue 21): no raw id in brackets after it.
    expect(final.join('\n')).toContain(lang === 'zh-CN' ? '读数补录或更正' : 'late or corrected readings');
    expect(final.join('\n')).not.toContain('(readings)');
  });

  it('XLSX: every sheet of a draft carries the mark and the data time; a finalised workbook none', async () => {
    const sheets = await xlsxSheets(draft, 'zh-CN');
    expect(sheets.map((s) => s.name)).toEqual(['汇总', '企业', '能源品种', '能效排名', '数据完整率']);
    for (const s of sheets)
      expect({ sheet: s.name, marked: s.cells.some((c) => c.includes('草稿 / DRAFT') && c.includes(UNTIL_READ['zh-CN'])) }).toEqual({
        sheet: s.name,
        marked: true,
      });
    for (const s of await xlsxSheets(finalised, 'en')) expect(s.cells.some((c) => c.includes('DRAFT'))).toBe(false);
  });

  it('XLSX: a draft table sheet keeps its header on row 2 under the mark, so the figures are still read by header', async () => {
    const body = (await renderReport(draft, 'xlsx', 'en')).body;
    const bytes = new ArrayBuffer(body.byteLength);
    new Uint8Array(bytes).set(body);
    const wb = new Workbook();
    await wb.xlsx.load(bytes);
    const ws = wb.getWorksheet('Enterprises')!;
    expect(String(ws.getCell(1, 1).value)).toContain('DRAFT');
    expect(ws.getCell(2, 4).value).toBe('Dual-control total (tce)');
    expect([ws.getCell(3, 4).value, ws.getCell(4, 4).value]).toEqual(draft.enterprises.map((e) => e.totalTce));
    expect(ws.headerFooter.oddHeader).toContain('草稿 / DRAFT');
  });

  it('HTML: a draft has the mark above the title and in the title; a finalised page names its reasons', async () => {
    const html = (await renderReport(draft, 'html', 'zh-CN')).body.toString('utf8');
    expect(html).toContain(`<div class="draft" role="note">草稿 / DRAFT`);
    expect(html).toContain(UNTIL_READ['zh-CN']);
    expect(html).not.toContain(UNTIL);
    expect(html).toMatch(/<title>\[草稿 \/ DRAFT\]/);
    const final = (await renderReport(finalised, 'html', 'en')).body.toString('utf8');
    expect(final).not.toContain('DRAFT');
    expect(final).toContain('late or corrected readings; parameters (coefficients, emission factors, thresholds)</td>');
    expect(final).not.toMatch(/\((readings|parameters)\)/);
  });

  it('CSV: every row of a draft says so with its data time; a finalised one says final and its reasons', async () => {
    const rows = csvRecords((await renderReport(draft, 'csv', 'en')).body);
    expect(rows.length).toBeGreaterThan(3);
    for (const r of rows) expect([r.status, r.data_until, r.revision]).toEqual(['草稿 / DRAFT', UNTIL, '0']);
    for (const r of csvRecords((await renderReport(finalised, 'csv', 'en')).body))
      expect([r.status, r.data_until, r.revision_reasons]).toEqual(['final', '', 'readings parameters']);
  });

  it('JSON: the draft flag and the data time are in the model', async () => {
    expect(JSON.parse((await renderReport(draft, 'json', 'en')).body.toString('utf8'))).toMatchObject({ draft: true, dataUntil: UNTIL });
  });

  it('the report mail names the revision as final and its reasons', () => {
    const text = mailText(finalised, 'zh-CN');
    expect(text).toContain('第 2 版（定稿）');
    expect(text).toMatch(/^修订原因：读数补录或更正；参数（系数、排放因子、阈值）$/m);
    expect(mailText(draft, 'en')).toContain(`revision 0 (草稿 / DRAFT, data until ${UNTIL})`);
  });
});

describe('parameters used', () => {
  it('are a section of the HTML page and absent when the report names none', async () => {
    const html = (await renderReport(withParameters, 'html', 'zh-CN')).body.toString('utf8');
    expect(html).toContain('<section id="parameters">');
    expect(html).toContain('所用参数');
    expect(html).toContain('tariff/aluminium/threshold');
    expect(html).toContain('MEE 2024-12-20');
    expect((await renderReport(finalised, 'html', 'zh-CN')).body.toString('utf8')).not.toContain('<section id="parameters">');
  });

  it('are a sheet of the workbook with the values as numbers', async () => {
    const sheets = await xlsxSheets(withParameters, 'en');
    const sheet = sheets.find((s) => s.name === 'Parameters')!;
    expect(sheet.cells).toEqual(expect.arrayContaining(['kgCO2/electricity/kWh', '0.5366', '2022', 'kWh/t', '13450', 'NDRC 1239']));
  });

  it('are CSV rows of type parameter', async () => {
    const rows = csvRecords((await renderReport(withParameters, 'csv', 'en')).body).filter((r) => r.row_type === 'parameter');
    expect(rows.map((r) => [r.parameter, Number(r.parameter_value), r.parameter_unit, r.parameter_year, r.parameter_source])).toEqual([
      ['kgCO2/electricity/kWh', 0.5366, 'kgCO2/kWh', '2022', 'MEE 2024-12-20'],
      ['tariff/aluminium/threshold', 13450, 'kWh/t', '', 'NDRC 1239'],
    ]);
  });

  it('are printed in the PDF', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'params-pdf-'));
    try {
      const text = pdfPages((await renderReport(withParameters, 'pdf', 'en')).body, dir).join('\n');
      expect(text).toContain('Parameters used');
      expect(text).toContain('tariff/aluminium/threshold');
      expect(text).toContain('13450');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
