/**
 * The carbon section (issue 20) in every format: the figures of the hand-written fixture
 * (test/helpers/carbonReportFixture.ts) read back from CSV, XLSX (exceljs), PDF (pdftotext) and HTML,
 * in zh-CN and English; a report without the carbon parts shows none of them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderReport } from '../../../services/reports/render';
import { CSV_COLUMNS } from '../../../services/reports/render/csv';
import { GRID, PARK_NAME, PROJECT_NAME, carbonReportFixture } from '../../helpers/carbonReportFixture';
import { reportFixture } from '../../helpers/reportFixture';
import { num, parseCsv, poppler, readXlsx, sheetColumns } from '../../helpers/reportRead';

const report = carbonReportFixture();
const [steel] = report.enterprises;
const carbon = report.carbon!;

async function csvRecords(lang: 'zh-CN' | 'en'): Promise<Record<string, string>[]> {
  const out = await renderReport(report, 'csv', lang);
  const [header, ...data] = parseCsv(out.body.toString('utf8').slice(1));
  expect(header!.map((h) => h.split(' ').pop())).toEqual(CSV_COLUMNS.map(([key]) => key));
  return data.map((row) => Object.fromEntries(CSV_COLUMNS.map(([key], i) => [key, row[i] ?? ''])));
}

describe('CSV carbon rows', () => {
  it('re-read every carbon figure exactly', async () => {
    const records = await csvRecords('zh-CN');
    const own = records.find((r) => r.row_type === 'enterprise_carbon' && r.enterprise_id === 'steel-01')!;
    const c = steel!.carbon!;
    expect([num(own.co2_t), num(own.co2_combustion_t), num(own.co2_process_t), num(own.co2_scope2_t)]).toEqual([
      c.ytdT,
      c.combustionT,
      c.processT,
      c.scope2T,
    ]);
    expect([
      num(own.co2_budget_share),
      num(own.co2_pace),
      own.co2_level,
      num(own.co2_forecast_t),
      num(own.co2_change),
      num(own.co2_contribution),
    ]).toEqual([0.2250625, 0.905196428571, 'green', 7241.57142857, 0.0588062334607, 2]);
    expect([num(own.grid_factor_kg_co2_per_kwh), num(own.grid_factor_year), own.grid_factor_source, own.park_name]).toEqual([
      0.5306,
      2023,
      GRID.source,
      PARK_NAME,
    ]);
    const cem = records.find((r) => r.row_type === 'enterprise_carbon' && r.enterprise_id === 'cement-02')!;
    expect([num(cem.co2_intensity), num(cem.co2_intensity_ratio), cem.co2_intensity_months, num(cem.co2_budget_t), cem.park]).toEqual([
      2.72772727273,
      0.909242424242,
      '2024-01 2024-02',
      null,
      '',
    ]);

    const project = records.find((r) => r.row_type === 'project')!;
    expect([
      project.project,
      project.project_name,
      num(project.approved_tce),
      num(project.annual_tce),
      num(project.tce_share),
      project.project_level,
    ]).toEqual(['line2', PROJECT_NAME, 1000, 927.459016393, 0.927459016393, 'warning']);
    expect([num(project.annual_co2_t), num(project.co2_share), num(project.window_days), project.window_months, project.project_co2_level]).toEqual([
      3290.98360656,
      1.09699453552,
      122,
      '2023-12 2024-01 2024-02 2024-03',
      '',
    ]);

    const district = records.find((r) => r.row_type === 'district_carbon')!;
    expect([
      num(district.co2_t),
      num(district.co2_previous_t),
      num(district.co2_change_t),
      num(district.tce),
      num(district.green_certificates_kwh),
    ]).toEqual([6801.25, 6751.25, 50, 1517.8456, 100000]);
    expect([
      num(district.co2_intensity),
      num(district.co2_intensity_previous),
      num(district.co2_intensity_change),
      num(district.required_reduction),
    ]).toEqual([2.72772727273, 2.9, -0.0594043887147, 0.038]);
    expect([num(district.target_intensity), district.on_track, district.co2_year, district.co2_from]).toEqual([2.7898, 'true', '2024', carbon.from]);
    expect(records.filter((r) => r.row_type === 'industry_carbon').map((r) => [r.industry, num(r.co2_t), num(r.co2_process_t)])).toEqual([
      ['C30', 5000.75, 2500.25],
      ['C31', 1800.5, 0],
    ]);
    const park = records.find((r) => r.row_type === 'park_carbon')!;
    expect([
      park.park,
      num(park.co2_per_tce),
      num(park.co2_per_tce_threshold),
      park.meets_threshold,
      num(park.regional_review_line_tce),
      park.over_regional_review_line,
    ]).toEqual(['baitao', 2.94033412893, 0.2, 'false', 10000, 'false']);
    const month = records.find((r) => r.row_type === 'park_total')!;
    expect([month.park_name, num(month.tce), num(month.co2_kg), num(month.enterprises)]).toEqual([PARK_NAME, 207.19627089, 753819.4564799999, 1]);
  });

  it('has no carbon rows in a report without the carbon parts', async () => {
    const out = await renderReport(reportFixture(), 'csv', 'en');
    const types = new Set(parseCsv(out.body.toString('utf8').slice(1)).map((r) => r[0]));
    for (const t of ['enterprise_carbon', 'project', 'park_total', 'district_carbon', 'industry_carbon', 'park_carbon'])
      expect(types.has(t)).toBe(false);
  });
});

describe('XLSX carbon sheet', () => {
  it('has the sheet 碳排放 with the district tables and the enterprise rows, and a projects sheet', async () => {
    const wb = await readXlsx((await renderReport(report, 'xlsx', 'zh-CN')).body);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['汇总', '碳排放', '企业', '能源品种', '节能审查项目', '能效排名', '数据完整率']);
    const cells: unknown[] = [];
    wb.getWorksheet('碳排放')!.eachRow((row) => row.eachCell((cell) => cells.push(cell.value)));
    // Numbers stored as numbers equal to the JSON; headers carry their units.
    expect(cells).toEqual(
      expect.arrayContaining([
        6801.25, 2300.75, 6751.25, 2.72772727273, -0.038, 2.7898, 2.94033412893, 0.2, 10000, 1800.5, 0.2250625, 7241.57142857, 0.909242424242,
      ]),
    );
    expect(cells).toEqual(expect.arrayContaining(['二氧化碳排放 (t CO2)', '单位能耗碳排放 (t CO2/tce)', '碳排放强度 (t CO2/万元)', PARK_NAME]));
    expect(cells).toContain(`0.5306 kgCO2/kWh (2023年，${GRID.source})`);

    const projects = sheetColumns(wb.getWorksheet('节能审查项目')!);
    expect(projects.get('项目')).toEqual([`${PROJECT_NAME} (line2)`]);
    expect(projects.get('实际能耗（折年） (tce/年)')).toEqual([927.459016393]);
    expect(projects.get('碳排放占审批 (%)')).toEqual([1.09699453552]);
    expect(projects.get('预警')).toEqual(['警告']);

    const summary: unknown[] = [];
    wb.getWorksheet('汇总')!.eachRow((row) => row.eachCell((cell) => summary.push(cell.value)));
    expect(summary).toEqual(expect.arrayContaining(['分园区（本月）', PARK_NAME, 207.19627089]));
  });

  it('names the sheets in English', async () => {
    const wb = await readXlsx((await renderReport(report, 'xlsx', 'en')).body);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Summary', 'Carbon', 'Enterprises', 'Carriers', 'Projects', 'Ranking', 'Completeness']);
    expect(sheetColumns(wb.getWorksheet('Projects')!).get('Actual CO2, annualised (t CO2/a)')).toEqual([3290.98360656]);
  });
});

describe('PDF and HTML carbon section', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'carbon-report-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Formatted as people read them: t CO2 to 3 decimals, shares to 0.1 %, intensities to 4 decimals.
  const shown = [
    '6,801.250',
    '2,300.750',
    '6,751.250',
    '50.000',
    '2.7277',
    '2.9000',
    '-5.9%',
    '-3.8%',
    '2.7898',
    '2.9403',
    '0.2',
    '1,800.500',
    '22.5%',
    '0.91',
    '7,241.571',
    '927.459',
    '92.7%',
    '3,290.984',
    '109.7%',
    '122',
  ];

  it('prints the figures, units, the grid factor row and the park in Chinese', async () => {
    const file = join(dir, 'carbon.pdf');
    writeFileSync(file, (await renderReport(report, 'pdf', 'zh-CN')).body);
    const text = poppler('pdftotext', ['-layout', file, '-']);
    for (const s of [
      ...shown,
      '全区碳排放',
      '分园区碳排放',
      '节能审查项目',
      '(t CO2)',
      '(t CO2/tce)',
      PARK_NAME,
      PROJECT_NAME,
      '0.5306 kgCO2/kWh',
      '2023年',
      '警告',
    ])
      expect(text).toContain(s);

    const html = (await renderReport(report, 'html', 'zh-CN')).body.toString('utf8');
    for (const s of [...shown, '全区碳排放', '(t CO2/万元)', `0.5306 kgCO2/kWh (2023年，${GRID.source})`, PROJECT_NAME, PARK_NAME])
      expect(html).toContain(s);
    for (const id of [
      'carbonDistrict',
      'carbonYearOnYear',
      'carbonByIndustry',
      'carbonByPark',
      'carbonEnterprises',
      'enterpriseCarbon',
      'enterpriseCarbonIntensity',
      'projects',
      'byPark',
    ])
      expect(html).toContain(`<section id="${id}">`);
  });

  it('prints them in English', async () => {
    const file = join(dir, 'carbon-en.pdf');
    writeFileSync(file, (await renderReport(report, 'pdf', 'en')).body);
    const text = poppler('pdftotext', ['-layout', file, '-']);
    for (const s of [...shown, 'District CO2', 'Energy-review projects', 'warning', `2023, ${GRID.source}`]) expect(text).toContain(s);
    const html = (await renderReport(report, 'html', 'en')).body.toString('utf8');
    for (const s of [...shown, 'CO2 by park', '(t CO2/10^4 yuan)', 'Zero-carbon-park line']) expect(html).toContain(s);
  });

  it('leaves the carbon sections out of a report without them', async () => {
    const html = (await renderReport(reportFixture(), 'html', 'en')).body.toString('utf8');
    expect(html).not.toContain('<section id="carbon');
    expect(html).not.toContain('<section id="projects"');
    expect(html).not.toContain('<section id="byPark"');
  });
});
