/**
 * Every report format carries the same figures (issue: "a test reads each format back and
 * compares with the JSON"): CSV parsed, XLSX read with exceljs, PDF read with poppler's pdftotext,
 * HTML and the chart SVG searched. The fixture is hand-written (test/helpers/reportFixture.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MonthlyReport } from '../../../services/reports/reportModel';
import { CjkFontNotFoundError, renderReport } from '../../../services/reports/render';
import { renderCharts } from '../../../services/reports/render/charts';
import { CSV_COLUMNS, csvField } from '../../../services/reports/render/csv';
import { renderHtml } from '../../../services/reports/render/html';
import { renderPdf } from '../../../services/reports/render/pdf';
import { CEMENT_NAME, STEEL_NAME, reportFixture } from '../../helpers/reportFixture';
import { num, parseCsv, poppler, readXlsx, sheetColumns } from '../../helpers/reportRead';

const report = reportFixture();

describe('JSON', () => {
  it('is the model, pretty-printed UTF-8', async () => {
    const out = await renderReport(report, 'json', 'zh-CN');
    expect(out).toMatchObject({ contentType: 'application/json; charset=utf-8', extension: 'json' });
    expect(out.body.toString('utf8')).toContain('\n  "month": "2024-03"');
    expect(JSON.parse(out.body.toString('utf8'))).toEqual(report);
  });
});

describe('CSV', () => {
  it.each([
    ['plain', 'plain'],
    [12.5, '12.5'],
    [null, ''],
    [true, 'true'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\r\nlines', '"two\r\nlines"'],
    [' edge', '" edge"'],
    [377.16046289999997, '377.16046289999997'],
  ] as const)('field %j is written as %j', (value, written) => {
    expect(csvField(value)).toBe(written);
  });

  it('has a BOM, CRLF lines, units in the header and re-reads every figure exactly', async () => {
    const out = await renderReport(report, 'csv', { language: 'zh-CN' });
    expect(out.contentType).toBe('text/csv; charset=utf-8');
    expect([...out.body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(out.body.toString('utf8').slice(1));
    const [header, ...data] = rows;
    expect(header).toEqual(expect.arrayContaining(['实物量 quantity', '计量单位 unit', '折标煤(tce) tce', '二氧化碳(kgCO2) co2_kg']));
    // The stable key is the last token of every header cell.
    expect(header!.map((h) => h.split(' ').pop())).toEqual(CSV_COLUMNS.map(([key]) => key));
    for (const row of data) expect(row).toHaveLength(CSV_COLUMNS.length);
    const records = data.map((row) => Object.fromEntries(CSV_COLUMNS.map(([key], i) => [key, row[i] ?? ''])));

    for (const e of report.enterprises) {
      for (const [carrier, f] of Object.entries(e.carriers)) {
        const r = records.find((x) => x.row_type === 'carrier' && x.enterprise_id === e.id && x.carrier === carrier)!;
        expect(r.enterprise_name).toBe(e.name);
        expect([num(r.quantity), r.unit, num(r.tce), num(r.tce_other_basis), num(r.co2_kg), num(r.kgce_per_unit), r.kgce_source]).toEqual([
          f.quantity,
          f.unit,
          f.tce,
          f.tceOtherBasis,
          f.co2Kg,
          f.kgcePerUnit,
          f.kgceSource,
        ]);
      }
      const total = records.find((x) => x.row_type === 'enterprise_total' && x.enterprise_id === e.id)!;
      expect([num(total.tce), num(total.co2_kg), num(total.change_from_same_month_last_year), num(total.quota_share), total.quota_level]).toEqual([
        e.totalTce,
        e.co2Kg,
        e.changeFromSameMonthLastYear,
        e.quota!.share,
        e.quota!.level,
      ]);
      expect([num(total.intensity_tce_per_10k_yuan), num(total.tariff_unit_consumption), total.tariff_note]).toEqual([
        e.intensity!.intensity,
        e.tariff!.unitConsumption,
        e.tariff!.note ?? '',
      ]);
    }
    for (const [carrier, f] of Object.entries(report.totals.byCarrier)) {
      const r = records.find((x) => x.row_type === 'district_carrier' && x.carrier === carrier)!;
      expect([num(r.quantity), r.unit, num(r.tce), num(r.co2_kg)]).toEqual([f.quantity, f.unit, f.tce, f.co2Kg]);
    }
    const district = records.find((x) => x.row_type === 'district_total')!;
    expect([num(district.tce), num(district.co2_kg), district.month, district.timezone, district.electricity_basis, district.sha256]).toEqual([
      report.totals.totalTce,
      report.totals.co2Kg,
      '2024-03',
      'Asia/Shanghai',
      'equivalent',
      report.sha256,
    ]);
    expect(records.filter((x) => x.row_type === 'industry_total').map((x) => [x.industry, num(x.tce)])).toEqual(
      Object.entries(report.totals.byIndustry).map(([code, i]) => [code, i.totalTce]),
    );
  });

  it('names columns by their key alone in English', async () => {
    const out = await renderReport(report, 'csv', 'en');
    const [header, first] = parseCsv(out.body.toString('utf8').slice(1));
    expect(header).toEqual(CSV_COLUMNS.map(([key]) => key));
    expect(first![CSV_COLUMNS.findIndex(([key]) => key === 'carrier_name')]).toBe('Electricity');
  });
});

describe('XLSX', () => {
  it('has the sheets, units in the headers and numbers equal to the JSON', async () => {
    const out = await renderReport(report, 'xlsx', 'zh-CN');
    expect(out.extension).toBe('xlsx');
    const wb = await readXlsx(out.body);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['汇总', '企业', '能源品种', '能效排名', '数据完整率']);

    const enterprises = sheetColumns(wb.getWorksheet('企业')!);
    expect(enterprises.get('企业名称')).toEqual([STEEL_NAME, CEMENT_NAME]);
    expect(enterprises.get('能耗总量（双控） (tce)')).toEqual(report.enterprises.map((e) => e.totalTce));
    // CO2 in t where people read it (issue 21): the JSON's kg / 1000.
    expect(enterprises.get('二氧化碳排放 (t CO2)')).toEqual(report.enterprises.map((e) => e.co2Kg / 1000));
    expect(enterprises.get('目标完成比例 (%)')).toEqual(report.enterprises.map((e) => e.quota!.share));
    // A missing figure is "—" as text, as the PDF prints it (issue 21); SUM skips text.
    expect(enterprises.get('能耗强度 (tce/万元)')).toEqual(['—', report.enterprises[1]!.intensity!.intensity]);
    expect(enterprises.get('说明')).toEqual(['—', '本期无产品产量，不计算单耗']);
    // Intensity names its months (contract 4): Jan-Mar and May of 2024 read as one run and one month.
    expect(enterprises.get('强度计算月份')).toEqual(['—', '2024-01 – 2024-03, 2024-05']);
    expect(wb.getWorksheet('企业')!.getCell(2, 4).numFmt).toBe('#,##0.000');

    const carriers = sheetColumns(wb.getWorksheet('能源品种')!);
    const figures = report.enterprises.flatMap((e) => Object.values(e.carriers));
    expect(carriers.get('实物量')).toEqual(figures.map((f) => f.quantity));
    expect(carriers.get('折标煤（当量值） (tce)')).toEqual(figures.map((f) => f.tce));
    expect(carriers.get('折标煤（等价值） (tce)')).toEqual(figures.map((f) => f.tceOtherBasis));
    expect(carriers.get('二氧化碳排放 (t CO2)')).toEqual(figures.map((f) => f.co2Kg / 1000));
    for (const values of carriers.values()) for (const v of values) expect(['number', 'string']).toContain(typeof v);

    const ranking = sheetColumns(wb.getWorksheet('能效排名')!);
    expect(ranking.get('数值')).toEqual(report.ranking.map((r) => r.value));
    expect(ranking.get('单位')).toEqual(report.ranking.map((r) => (r.metric === 'intensity' ? 'tce/万元' : r.unit)));

    const summary = wb.getWorksheet('汇总')!;
    const cells: unknown[] = [];
    summary.eachRow((row) => row.eachCell((cell) => cells.push(cell.value)));
    expect(cells).toEqual(
      expect.arrayContaining([
        '2024-03',
        'Asia/Shanghai',
        report.sha256,
        report.totals.totalTce,
        report.totals.co2Kg / 1000,
        '能耗总量（双控） (tce)',
      ]),
    );
    expect(cells.some((v) => typeof v === 'string' && v.includes('当量值') && v.includes('0.1229 kgce/kWh'))).toBe(true);
  });

  it('names the sheets in English', async () => {
    const wb = await readXlsx((await renderReport(report, 'xlsx', 'en')).body);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Summary', 'Enterprises', 'Carriers', 'Ranking', 'Completeness']);
    expect(sheetColumns(wb.getWorksheet('Enterprises')!).get('Dual-control total (tce)')).toEqual(report.enterprises.map((e) => e.totalTce));
  });
});

describe('PDF', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'report-pdf-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('embeds a CJK font and prints the names, the period, the basis and the figures', async () => {
    const out = await renderReport(report, 'pdf', 'zh-CN');
    expect(out.contentType).toBe('application/pdf');
    expect(out.body.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const file = join(dir, 'report.pdf');
    writeFileSync(file, out.body);
    // Units in headers are kept on one line with no-break spaces.
    const text = poppler('pdftotext', ['-layout', file, '-']).replace(/\u00a0/g, ' ');
    for (const expected of [
      STEEL_NAME,
      CEMENT_NAME,
      '2024-03',
      'Asia/Shanghai',
      // The period in plain dates: [2024-03-01, 2024-04-01) is 1 to 31 March.
      '2024年3月1日至3月31日',
      report.sha256,
      '当量值',
      '0.1229 kgce/kWh',
      '544.571',
      // District CO2 1,829,859.7337 kg = 1,829.8597 t, shown to 3 decimals.
      '1,829.860',
      '207.196',
      '337.375',
      '2,111,111.01',
      '377.160',
      '25.5%',
      '红色预警',
      '本期无产品产量',
      '62.0%',
      '(tce)',
      '(t CO2)',
    ]) {
      expect(text).toContain(expected);
    }
    expect(text).toMatch(/第 1 \/ \d+ 页/);
    const fonts = poppler('pdffonts', [file]);
    expect(fonts).toMatch(/WenQuanYiMicroHei|NotoSansCJK/);
    // Every font listed is embedded (column "emb" = yes), so the file reads the same everywhere.
    for (const line of fonts
      .split('\n')
      .slice(2)
      .filter((l) => l.trim() !== ''))
      expect(line).toMatch(/ yes /);
  });

  it('prints English words with the same figures', async () => {
    const file = join(dir, 'report-en.pdf');
    writeFileSync(file, await renderPdf(report, { language: 'en' }));
    const text = poppler('pdftotext', ['-layout', file, '-']);
    expect(text).toContain('Dual-control total');
    expect(text).toContain('544.571');
    expect(text).toMatch(/page 1 of \d+/);
  });

  it('names the package to install when no CJK font is found', async () => {
    const missing = [{ path: join(dir, 'none.ttc'), family: 'None', package: 'fonts-wqy-microhei' }];
    const failure = renderPdf(report, { language: 'zh-CN', cjkFonts: missing });
    await expect(failure).rejects.toBeInstanceOf(CjkFontNotFoundError);
    await expect(failure).rejects.toThrow(/apt-get install fonts-wqy-microhei/);
  });
});

describe('HTML', () => {
  it('is one self-contained page with the figures', async () => {
    const out = await renderReport(report, 'html', 'zh-CN');
    expect(out.contentType).toBe('text/html; charset=utf-8');
    const html = out.body.toString('utf8');
    expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="zh-CN">/);
    for (const expected of [
      '544.571',
      // District CO2 1,829,859.7337 kg = 1,829.8597 t, shown to 3 decimals.
      '1,829.860',
      '337.375',
      '2,111,111.01',
      'Asia/Shanghai',
      report.sha256,
      '当量值',
      '(tce)',
      '(t CO2)',
      CEMENT_NAME,
    ]) {
      expect(html).toContain(expected);
    }
    expect(html).toContain('江南特钢,&quot;精工&quot;有限公司');
    expect(html).toContain('<span class="light red"');
    expect(html.match(/<svg/g)).toHaveLength(2);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(html).not.toMatch(/http/i);
  });

  it('escapes user data', () => {
    const hostile: MonthlyReport = {
      ...report,
      enterprises: [{ ...report.enterprises[0]!, name: '<script>alert(1)</script>' }, report.enterprises[1]!],
    };
    const html = renderHtml(hostile, { language: 'en' });
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="en">/);
  });
});

describe('charts', () => {
  it('draw the enterprises and carriers as SVG, the same on every call', () => {
    const [bars, pie] = renderCharts(report, 'zh-CN');
    expect(bars!.svg).toMatch(/^<svg/);
    expect(bars!.svg).toContain('江南特钢,&quot;精工&quot;有限公司');
    expect(bars!.svg).toContain(CEMENT_NAME);
    expect(bars!.svg).toContain('337.375');
    expect(pie!.svg).toContain('电力');
    expect(pie!.svg).toContain('原煤');
    expect(renderCharts(report, 'zh-CN').map((c) => c.svg)).toEqual([bars!.svg, pie!.svg]);
    expect(renderCharts(report, 'en')[1]!.svg).toContain('Natural gas');
  });
});
