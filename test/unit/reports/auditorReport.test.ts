/**
 * The report as an auditor reads it (issue 21 item 8), each format read back, in both languages:
 * plain dates, CO2 in t, carrier shares of the stated dual-control total with feedstock listed apart
 * and zero carriers not plotted, "—" for a missing figure, rankings at the unit's precision, the
 * written summary and the signature block. Fixture: test/helpers/reportFixture.ts plus a feedstock
 * carrier and a zero carrier (below).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MonthlyReport } from '../../../services/reports/reportModel';
import { renderReport } from '../../../services/reports/render';
import { carrierTceChart } from '../../../services/reports/render/charts';
import { CSV_COLUMNS } from '../../../services/reports/render/csv';
import { summaryText } from '../../../services/reports/render/summary';
import { plainPeriod } from '../../../services/reports/render/plainDates';
import { CEMENT_NAME, STEEL_NAME, reportFixture } from '../../helpers/reportFixture';
import { parseCsv, poppler, readXlsx, sheetColumns } from '../../helpers/reportRead';

type Lang = 'zh-CN' | 'en';

// Feedstock coal (原料用能): 1,000 t x 714.3 kgce/t = 714.3 tce, outside the dual-control total
// (contract 4); water metered at 0. Neither changes the total of 544.570881399 tce.
const base = reportFixture();
const cement = base.enterprises[1]!;
const feedstock = { quantity: 1000, unit: 't', tce: 714.3, tceOtherBasis: 714.3, co2Kg: 0 };
const report: MonthlyReport = {
  ...base,
  enterprises: [
    base.enterprises[0]!,
    {
      ...cement,
      carriers: { ...cement.carriers, feedstock_coal: { ...feedstock, dualControl: false, kgcePerUnit: 714.3, kgceSource: 'GB/T 2589 [D]' } },
    },
  ],
  totals: {
    ...base.totals,
    byCarrier: { ...base.totals.byCarrier, feedstock_coal: feedstock, water: { quantity: 0, unit: 't', tce: 0, tceOtherBasis: 0, co2Kg: 0 } },
  },
};

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditor-report-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function pdfText(r: MonthlyReport, lang: Lang): Promise<string> {
  const file = join(dir, `${lang}-${Math.random()}.pdf`);
  writeFileSync(file, (await renderReport(r, 'pdf', lang)).body);
  // Units in PDF headers use no-break spaces (pdf.ts).
  return poppler('pdftotext', ['-layout', file, '-']).replace(/\u00a0/g, ' ');
}
const html = async (r: MonthlyReport, lang: Lang): Promise<string> => (await renderReport(r, 'html', lang)).body.toString('utf8');
/** Text a reader sees in the HTML page: tags and the inline SVG's markup removed. */
const visible = (page: string): string => page.replace(/<style>[\s\S]*?<\/style>/, '').replace(/<[^>]+>/g, ' ');
async function xlsxStrings(r: MonthlyReport, lang: Lang): Promise<string[]> {
  const wb = await readXlsx((await renderReport(r, 'xlsx', lang)).body);
  const out: string[] = [];
  for (const ws of wb.worksheets) ws.eachRow((row) => row.eachCell((c) => out.push(String(c.value))));
  return out;
}

const ISO_INSTANT = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const PERIOD: Record<Lang, string> = { 'zh-CN': '2024年3月1日至3月31日', en: '1-31 March 2024' };

describe('plain dates', () => {
  it.each([
    ['2026-11-01T00:00:00.000+08:00', '2026-12-01T00:00:00.000+08:00', 'zh-CN', '2026年11月1日至11月30日'],
    ['2026-11-01T00:00:00.000+08:00', '2026-12-01T00:00:00.000+08:00', 'en', '1-30 November 2026'],
    ['2024-02-01T00:00:00.000+08:00', '2024-03-01T00:00:00.000+08:00', 'en', '1-29 February 2024'],
    ['2026-12-01T00:00:00.000+08:00', '2027-01-01T00:00:00.000+08:00', 'zh-CN', '2026年12月1日至12月31日'],
    ['2026-12-15T00:00:00.000+08:00', '2027-01-15T00:00:00.000+08:00', 'en', '15 December 2026 - 14 January 2027'],
  ] as const)('%s to %s (%s) reads %s', (from, to, lang, expected) => {
    expect(plainPeriod(from, to, lang)).toBe(expected);
  });

  it.each(['zh-CN', 'en'] as const)(
    '%s: PDF, HTML and XLSX print the period as dates and no ISO instant; CSV keeps the ISO data columns',
    async (lang) => {
      const pdf = await pdfText(report, lang);
      expect(pdf).toContain(PERIOD[lang]);
      expect(pdf).not.toMatch(ISO_INSTANT);
      const page = visible(await html(report, lang));
      expect(page).toContain(PERIOD[lang]);
      expect(page).not.toMatch(ISO_INSTANT);
      const cells = await xlsxStrings(report, lang);
      expect(cells).toContain(PERIOD[lang]);
      expect(cells.filter((c) => ISO_INSTANT.test(c))).toEqual([]);
      const [header, ...rows] = parseCsv((await renderReport(report, 'csv', lang)).body.toString('utf8').slice(1));
      const from = header!.findIndex((h) => h.endsWith('period_from'));
      expect(rows.every((r) => r[from] === '2024-03-01T00:00:00.000+08:00')).toBe(true);
    },
  );
});

describe('CO2 in t', () => {
  it.each(['zh-CN', 'en'] as const)('%s: PDF and HTML print t CO2, never kg', async (lang) => {
    for (const text of [await pdfText(report, lang), visible(await html(report, lang))]) {
      // District 1,829,859.7337 kg = 1,829.8597 t; the cement plant 1,076,040.277 kg = 1,076.040 t.
      expect(text).toContain('1,829.860');
      expect(text).toContain('1,076.040');
      expect(text).toContain('(t CO2)');
      expect(text).not.toContain('kgCO2)');
      expect(text).not.toContain('1,829,860');
    }
  });

  it('XLSX stores t with the number format; JSON and CSV keep kg', async () => {
    const wb = await readXlsx((await renderReport(report, 'xlsx', 'en')).body);
    const ws = wb.getWorksheet('Enterprises')!;
    const t = sheetColumns(ws).get('CO2 emissions (t CO2)') as number[];
    // 753,819.45648 kg = 753.81945648 t; 1,076,040.277226 kg = 1,076.040277226 t.
    expect(t[0]).toBeCloseTo(753.81945648, 9);
    expect(t[1]).toBeCloseTo(1076.040277226, 9);
    expect(ws.getCell(2, 5).numFmt).toBe('#,##0.000');
    expect(JSON.parse((await renderReport(report, 'json', 'en')).body.toString('utf8')).totals.co2Kg).toBe(1829859.7337059998);
  });
});

describe('carrier shares of the dual-control total', () => {
  it.each(['zh-CN', 'en'] as const)(
    '%s: shares add up to the stated total; feedstock is listed apart; zero carriers are not plotted',
    async (lang) => {
      // Shares of 544.570881399 tce: electricity 259.455543129 -> 47.64 %, gas 55.467888270 -> 10.19 %,
      // raw coal 229.64745 -> 42.17 %; 47.6 + 10.2 + 42.2 = 100.0. Feedstock (714.3 tce) would have made
      // them shares of 1,258.871 tce.
      const page = await html(report, lang);
      const byCarrier = page.slice(page.indexOf('id="byCarrier"'), page.indexOf('id="byCarrierOutside"'));
      expect(byCarrier).toContain('47.6%');
      expect(byCarrier).toContain('10.2%');
      expect(byCarrier).toContain('42.2%');
      expect(byCarrier).not.toContain(lang === 'zh-CN' ? '原料用能' : 'Feedstock');
      const outside = page.slice(page.indexOf('id="byCarrierOutside"'));
      expect(outside).toContain(lang === 'zh-CN' ? '原料用能（coal）' : 'Feedstock (coal)');
      expect(outside).toContain('714.300');
      const pie = carrierTceChart(report, lang).svg;
      expect(pie).not.toContain(lang === 'zh-CN' ? '原料用能' : 'Feedstock');
      expect(pie).not.toMatch(lang === 'zh-CN' ? />水</ : />Water</);
      expect(pie).toContain('47.6%');
      const pdf = await pdfText(report, lang);
      expect(pdf).toContain(lang === 'zh-CN' ? '不计入能耗双控的能源' : 'Energy outside the dual-control total');
    },
  );
});

describe('"—" for a missing figure', () => {
  it('the steel works has no figure for the same month last year: "—" in PDF, HTML and XLSX, an empty CSV field', async () => {
    const wb = await readXlsx((await renderReport(report, 'xlsx', 'zh-CN')).body);
    const yoy = sheetColumns(wb.getWorksheet('企业')!).get('同比 (%)')!;
    // Steel: null -> "—" text (never 0); cement: (337.374610509 - 295.75) / 295.75 = 0.14074 stored as the fraction.
    expect(yoy).toEqual(['—', 0.14074255455283172]);
    const pdf = await pdfText(report, 'zh-CN');
    const steelRow = pdf.split('\n').find((l) => l.includes('steel-01'))!;
    expect(steelRow).toContain('—');
    const [header, ...rows] = parseCsv((await renderReport(report, 'csv', 'en')).body.toString('utf8').slice(1));
    expect(header).toEqual(CSV_COLUMNS.map(([k]) => k));
    const col = (k: string): number => header!.indexOf(k);
    const steel = rows.find((r) => r[col('row_type')] === 'enterprise_total' && r[col('enterprise_id')] === 'steel-01')!;
    expect(steel[col('change_from_same_month_last_year')]).toBe('');
  });
});

describe('rankings at the unit precision', () => {
  it('kWh/t whole, tce/10^4 yuan to 4 decimals', async () => {
    const pdf = await pdfText(report, 'en');
    const section = pdf.slice(pdf.indexOf('Efficiency ranking'));
    // 412.36106750392463 kWh/t -> 412; 0.5122765331522969 tce/10^4 yuan -> 0.5123.
    expect(section).toMatch(/\b412\s+kWh\/t/);
    expect(section).not.toContain('412.3611');
    expect(section).toContain('0.5123');
    expect(section).toContain('tce/10^4 yuan');
  });
});

describe('summary and signature block', () => {
  it('words the figures in Chinese (hand-computed)', () => {
    const text = summaryText(report, 'zh-CN');
    // Previous month 198.765 + 310.2 = 508.965 tce; (544.570881399 - 508.965) / 508.965 = 0.06996 -> 7.0 %.
    expect(text).toContain('2024年3月全区 2 家重点用能单位能耗总量（双控）544.571 tce，较上月增长 7.0%（上月 508.965 tce）');
    // The steel works has no figure for March 2023: the district is not compared year on year.
    expect(text).toContain('1 家企业无去年同月数据，不作比较');
    // Cement 337.374610509 - 310.2 = +27.175 tce (+8.8 %), steel 207.19627089 - 198.765 = +8.431 tce (+4.2 %).
    expect(text).toContain(`较上月变化最大的企业：${CEMENT_NAME}（+27.175 tce，+8.8%）、${STEEL_NAME}（+8.431 tce，+4.2%）`);
    expect(text).toContain(`月末红色预警企业 1 家：${CEMENT_NAME}（能耗总量）`);
    // Alarms: steel 1 info + 2 warning, cement 1 warning + 3 critical = 7.
    expect(text).toContain('本月产生告警 7 次（严重 3、警告 3、提示 1）');
    expect(text).toContain('定稿第 2 版');
    expect(text.replace(/tce/g, '')).not.toMatch(/[A-Za-z]{3,}/);
  });

  it('words the same figures in English, and says a draft is a draft', () => {
    const text = summaryText({ ...report, revision: 0, draft: true }, 'en');
    expect(text).toContain("In March 2024 the district's 2 enterprises used 544.571 tce (dual-control total), up 7.0% on last month (508.965 tce)");
    expect(text).toContain(`Largest changes on last month: ${CEMENT_NAME} (+27.175 tce, +8.8%); ${STEEL_NAME} (+8.431 tce, +4.2%)`);
    expect(text).toContain('7 alarms were raised in the month (3 critical, 3 warning, 1 info)');
    expect(text).toContain('This report is a draft');
    expect(text.replaceAll(CEMENT_NAME, '').replaceAll(STEEL_NAME, '')).not.toMatch(/[\u4e00-\u9fff]/);
  });

  it('does not compare a month still running, nor rank an enterprise without last month among the largest changes', () => {
    // A draft built on 7 March 2024: a week of March against whole months would read as a fall.
    const running = { ...report, revision: 0, draft: true, generatedAt: '2024-03-07T10:00:00.000+08:00' };
    const zh = summaryText(running, 'zh-CN');
    expect(zh).toContain('2024年3月全区 2 家重点用能单位截至目前能耗总量（双控）544.571 tce；本月尚未结束，不与上月、去年同月比较。');
    expect(zh).not.toContain('较上月');
    expect(summaryText(running, 'en')).toContain('the month has not ended, so it is not compared with last month or last year');
    // The steel works without a February figure: the district is not compared month on month, and
    // the steel works is not listed as a change of its whole 207.196 tce; the cement plant still is.
    const noPrevious = {
      ...report,
      enterprises: report.enterprises.map((e) => (e.name === STEEL_NAME ? { ...e, previousMonthTce: 0, changeFromPreviousMonth: null } : e)),
    };
    const text = summaryText(noPrevious, 'zh-CN');
    expect(text).toContain('1 家企业无上月数据，不作比较');
    expect(text).toContain(`较上月变化最大的企业：${CEMENT_NAME}（+27.175 tce，+8.8%）。`);
    expect(text).not.toContain(`${STEEL_NAME}（+207`);
  });

  it.each([
    ['zh-CN', '摘要', ['编制', '审核', '批准', '日期：______年____月____日']],
    ['en', 'Summary', ['Prepared by', 'Reviewed by', 'Approved by', 'Date: ____']],
  ] as const)('%s: PDF and HTML open with the summary and end with the signature block', async (lang, heading, signature) => {
    const pdf = await pdfText(report, lang);
    const pages = pdf.split('\f').filter((p) => p.trim() !== '');
    expect(pages[0]).toContain(heading);
    for (const s of signature) expect(pages[pages.length - 1]).toContain(s);
    const page = await html(report, lang);
    expect(page.indexOf('id="summary"')).toBeLessThan(page.indexOf('id="district"'));
    expect(page.indexOf('id="signatures"')).toBeGreaterThan(page.lastIndexOf('<table>'));
    for (const s of signature) expect(visible(page)).toContain(s);
    const cells = await xlsxStrings(report, lang);
    expect(cells).toContain(summaryText(report, lang));
  });
});

describe('XLSX signature block', () => {
  it.each([
    [
      'zh-CN',
      '汇总',
      '编制与审批',
      [
        ['编制', '签名：'],
        ['审核', '签名：'],
        ['批准', '签名：'],
      ],
      '日期：______年____月____日',
    ],
    [
      'en',
      'Summary',
      'Preparation and approval',
      [
        ['Prepared by', 'Signature: '],
        ['Reviewed by', 'Signature: '],
        ['Approved by', 'Signature: '],
      ],
      'Date: ____',
    ],
  ] as const)('%s: the summary sheet ends with the block the PDF prints, a row per role', async (lang, sheet, heading, roles, date) => {
    const wb = await readXlsx((await renderReport(report, 'xlsx', lang)).body);
    const ws = wb.getWorksheet(sheet)!;
    const rows: string[][] = [];
    ws.eachRow((row) => rows.push([1, 2, 3].map((c) => (row.getCell(c).value === null ? '' : String(row.getCell(c).value)))));
    const at = rows.findIndex((r) => r[0] === heading);
    expect(at).toBeGreaterThan(0);
    // The last rows of the sheet: nothing is written under the block.
    const block = rows.slice(at + 1);
    expect(block).toHaveLength(3);
    block.forEach(([role, signature, dateLine], i) => {
      expect(role).toBe(roles[i]![0]);
      expect(signature!.startsWith(roles[i]![1])).toBe(true);
      expect(signature).toMatch(/_{8,}$/);
      expect(dateLine!.startsWith(date)).toBe(true);
    });
  });
});

describe('every label in the report language', () => {
  it('an English PDF has no Chinese but proper names and configured data', async () => {
    const data = [
      STEEL_NAME,
      CEMENT_NAME,
      ...report.enterprises.map((e) => e.industryName),
      ...report.enterprises.flatMap((e) => Object.values(e.carriers).map((c) => c.kgceSource)),
      report.revisionNote!,
    ];
    let text = await pdfText(report, 'en');
    for (const d of data) text = text.replaceAll(d, '');
    // pdftotext may break a long name across lines; what is left must hold no Chinese label.
    const left = text.split('\n').filter((l) => /[\u4e00-\u9fff]/.test(l));
    const runs = left.flatMap((l) => [...l.matchAll(/[\u4e00-\u9fff]+/g)].map((m) => m[0]));
    expect(runs.filter((run) => !data.some((d) => d.includes(run)))).toEqual([]);
  });
});
