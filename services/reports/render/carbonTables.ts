/**
 * The report's carbon tables (contract 9, 9.1; issue 20), defined once like tables.ts: the district
 * carbon section (totals by part, year on year with the required pace, by industry, by park against
 * the zero-carbon-park and regional-review lines, enterprise contributions), each enterprise's carbon
 * at month end with its grid factor row (value, year, source), its energy-review projects, and the
 * month's energy by park. Renderers only format these figures.
 */
import type { DistrictCarbon, DistrictCarbonPark } from '../../figures/districtCarbonTypes';
import type { EnterpriseReport, MonthlyReport, ReportProject } from '../reportModel';
import { monthsLabel } from './months';
import type { CellValue, Language } from './labels';
import { nameOf, pick, unitLabel } from './labels';
import { table, type Table } from './tableModel';

export const CARBON_TABLE_IDS = [
  'carbonDistrict',
  'carbonYearOnYear',
  'carbonByIndustry',
  'carbonByPark',
  'carbonEnterprises',
  'enterpriseCarbon',
  'enterpriseCarbonIntensity',
  'projects',
] as const;
export type CarbonTableId = (typeof CARBON_TABLE_IDS)[number];

/** Where the carbon sections stand in the HTML page and the PDF. */
export const CARBON_SECTIONS = {
  district: ['carbonDistrict', 'carbonYearOnYear', 'carbonByIndustry', 'carbonByPark', 'carbonEnterprises'],
  enterprises: ['enterpriseCarbon', 'enterpriseCarbonIntensity', 'projects'],
} as const satisfies Record<string, readonly CarbonTableId[]>;

const isCarbonTable = (id: string): id is CarbonTableId => (CARBON_TABLE_IDS as readonly string[]).includes(id);

/** Whether the report has the figures of a carbon section; true for any other table. */
export function carbonSectionShown(report: MonthlyReport, id: string): boolean {
  if (!isCarbonTable(id)) return true;
  switch (id) {
    case 'enterpriseCarbon':
    case 'enterpriseCarbonIntensity':
      return report.enterprises.some((e) => e.carbon != null);
    case 'projects':
      return report.enterprises.some((e) => (e.projects?.length ?? 0) > 0);
    case 'carbonByPark':
      return (report.carbon?.byPark.length ?? 0) > 0;
    default:
      return report.carbon !== undefined;
  }
}

/** A factor row as one line: `0.5306 kgCO2/kWh (2023, source)` (contract 8.2: value, year, source). */
export function factorText(f: { value: number; year?: number | null; source: string } | null | undefined, lang: Language): string | null {
  if (!f) return null;
  const year = f.year === undefined || f.year === null ? '' : pick(lang, `${f.year}年，`, `${f.year}, `);
  return `${f.value} kgCO2/kWh (${year}${f.source})`;
}

function scaleName(scale: DistrictCarbonPark['scale'], lang: Language): string {
  switch (scale) {
    case 'under-0.2Mtce':
      return pick(lang, '年综合能耗 20 万 tce 以下（仅作参考）', 'under 0.2 Mtce a year (for reference)');
    case '0.2-1Mtce':
      return pick(lang, '20–100 万 tce', '0.2–1 Mtce a year');
    case 'over-1Mtce':
      return pick(lang, '100 万 tce 及以上', '1 Mtce a year and more');
  }
}

function projectLevelName(level: ReportProject['level'], lang: Language): string | null {
  if (level === null) return null;
  return level === 'critical' ? pick(lang, '严重', 'critical') : pick(lang, '警告', 'warning');
}

const EMPTY: DistrictCarbon['byPark'] = [];

export function carbonTables(report: MonthlyReport, lang: Language): Readonly<Record<CarbonTableId, Table>> {
  const z = (zh: string, en: string): string => pick(lang, zh, en);
  const t = unitLabel('tCO2', lang);
  const pct = '%';
  const c = report.carbon;
  const es = report.enterprises;
  const parts = [
    ['totalT', z('二氧化碳排放', 'CO2 emissions'), 'tonnes', t],
    ['combustionT', z('化石燃料燃烧', 'Combustion'), 'tonnes', t],
    ['processT', z('工业过程', 'Process'), 'tonnes', t],
    ['scope2T', z('净购入电力和热力', 'Purchased electricity and heat'), 'tonnes', t],
  ] as const;
  const yoy = [
    ['previousT', z('上年同期', 'Same period last year'), 'tonnes', t],
    ['changeT', z('同比增减', 'Change'), 'tonnes', t],
    ['change', z('同比', 'Year on year'), 'percent', pct],
  ] as const;
  const changeCells = (x: {
    totalT: number;
    combustionT: number;
    processT: number;
    scope2T: number;
    previousT: number;
    changeT: number;
    change: number | null;
  }) => [x.totalT, x.combustionT, x.processT, x.scope2T, x.previousT, x.changeT, x.change] as CellValue[];

  return {
    carbonDistrict: table(
      'carbonDistrict',
      z('全区碳排放（年初至月末）', 'District CO2 (1 January to the month end)'),
      [
        ['year', z('年度', 'Year'), 'int'],
        ['from', z('起', 'From'), 'text'],
        ['to', z('止（不含）', 'To (exclusive)'), 'text'],
        ...parts,
        ...yoy,
        ['tce', z('能耗（双控）', 'Energy (dual control)'), 'tce', 'tce'],
        ['greenCertificatesKwh', z('绿证电量', 'Green certificates'), 'quantity', 'kWh'],
        ['gridFactor', z('电网排放因子（年度、来源）', 'Grid factor (year, source)'), 'text'],
      ],
      c ? [[c.year, c.from, c.to, ...changeCells(c.totals), c.totals.tce, c.totals.greenCertificatesKwh, factorText(c.gridFactor, lang)]] : [],
    ),

    carbonYearOnYear: table(
      'carbonYearOnYear',
      z('碳排放和碳排放强度同比（与上年同期相同月份比）', 'CO2 and CO2 intensity year on year (the same months a year earlier)'),
      [
        ['co2Current', z('本年二氧化碳', 'CO2 this year'), 'tonnes', t],
        ['co2Previous', z('上年同期二氧化碳', 'CO2 a year earlier'), 'tonnes', t],
        ['co2Change', z('二氧化碳同比', 'CO2 year on year'), 'percent', pct],
        ['intensityCurrent', z('本年碳排放强度', 'Intensity this year'), 'intensity', unitLabel('tCO2/10k-yuan', lang)],
        ['intensityPrevious', z('上年同期碳排放强度', 'Intensity a year earlier'), 'intensity', unitLabel('tCO2/10k-yuan', lang)],
        ['intensityChange', z('强度同比', 'Intensity year on year'), 'percent', pct],
        ['requiredChange', z('要求降幅', 'Required change'), 'percent', pct],
        ['targetIntensity', z('目标强度', 'Target intensity'), 'intensity', unitLabel('tCO2/10k-yuan', lang)],
        ['onTrack', z('达到要求进度', 'On track'), 'bool'],
      ],
      c
        ? [
            [
              c.yearOnYear.co2.current,
              c.yearOnYear.co2.previous,
              c.yearOnYear.co2.change,
              c.yearOnYear.intensity.current,
              c.yearOnYear.intensity.previous,
              c.yearOnYear.intensity.change,
              -c.requiredPace.reduction,
              c.requiredPace.targetIntensity,
              c.requiredPace.onTrack,
            ],
          ]
        : [],
    ),

    carbonByIndustry: table(
      'carbonByIndustry',
      z('分行业碳排放（年累计）', 'CO2 by industry (year to date)'),
      [['industry', z('行业代码', 'Industry code'), 'text'], ['industryName', z('行业', 'Industry'), 'text'], ...parts, ...yoy],
      Object.entries(c?.byIndustry ?? {}).map(([code, i]) => [code, i.name, ...changeCells(i)]),
    ),

    carbonByPark: table(
      'carbonByPark',
      z('分园区碳排放（零碳园区指标、区域节能评价线）', 'CO2 by park (zero-carbon-park indicator, regional review line)'),
      [
        ['park', z('园区', 'Park'), 'text'],
        ['enterprises', z('企业', 'Enterprises'), 'text'],
        ['totalT', z('二氧化碳排放', 'CO2 emissions'), 'tonnes', t],
        ['change', z('同比', 'Year on year'), 'percent', pct],
        ['tceEquivalent', z('综合能耗（当量值）', 'Energy (equivalent value)'), 'tce', 'tce'],
        ['annualTceEquivalent', z('折全年能耗', 'Energy a year at this pace'), 'tce', unitLabel('tce/a', lang)],
        ['co2PerTce', z('单位能耗碳排放', 'CO2 per tce'), 'intensity', unitLabel('tCO2/tce', lang)],
        ['thresholdTPerTce', z('零碳园区指标', 'Zero-carbon-park line'), 'coefficient', unitLabel('tCO2/tce', lang)],
        ['scale', z('园区规模', 'Park scale'), 'text'],
        ['meetsThreshold', z('达到指标', 'Meets the line'), 'bool'],
        ['regionalReviewLineTce', z('区域节能评价线', 'Regional review line'), 'int', unitLabel('tce/a', lang)],
        ['overRegionalReviewLine', z('达到区域节能评价线', 'At or over the review line'), 'bool'],
      ],
      (c?.byPark ?? EMPTY).map((p) => [
        p.name,
        p.enterprises.map((id) => nameOf(report, id)).join(z('、', ', ')),
        p.totalT,
        p.change,
        p.tceEquivalent,
        p.annualTceEquivalent,
        p.co2PerTce,
        p.thresholdTPerTce,
        scaleName(p.scale, lang),
        p.meetsThreshold,
        p.regionalReviewLineTce,
        p.overRegionalReviewLine,
      ]),
    ),

    carbonEnterprises: table(
      'carbonEnterprises',
      z('企业碳排放及对全区变化的贡献', "Enterprises' CO2 and contribution to the district change"),
      [
        ['name', z('企业名称', 'Enterprise'), 'text'],
        ['park', z('园区', 'Park'), 'text'],
        ['totalT', z('二氧化碳排放', 'CO2 emissions'), 'tonnes', t],
        ...yoy,
        ['contribution', z('对全区变化的贡献', 'Contribution to the district change'), 'percent', pct],
        ['budgetShare', z('碳排放预算完成比例', 'Share of the CO2 budget'), 'percent', pct],
        ['budgetLevel', z('碳排放预警', 'Budget level'), 'level'],
        ['co2Intensity', z('碳排放强度', 'CO2 intensity'), 'intensity', unitLabel('tCO2/10k-yuan', lang)],
        ['co2IntensityLimit', z('强度目标', 'Intensity limit'), 'intensity', unitLabel('tCO2/10k-yuan', lang)],
      ],
      (c?.enterprises ?? []).map((e) => [
        e.name,
        e.park === null ? null : (c?.byPark.find((p) => p.id === e.park)?.name ?? e.park),
        e.totalT,
        e.previousT,
        e.changeT,
        e.change,
        e.contribution,
        e.budget?.share ?? null,
        e.budget?.level ?? null,
        e.intensity,
        e.intensityLimit,
      ]),
    ),

    enterpriseCarbon: table(
      'enterpriseCarbon',
      z('企业碳排放（月末状态，年累计）', 'Enterprises: CO2 (status at month end, year to date)'),
      [
        ['name', z('企业名称', 'Enterprise'), 'text'],
        ['carbonYear', z('年度', 'Year'), 'int'],
        ['ytdT', z('年累计二氧化碳', 'CO2 year to date'), 'tonnes', t],
        ...parts.slice(1),
        ['greenCertificatesKwh', z('绿证电量', 'Green certificates'), 'quantity', 'kWh'],
        ['budgetT', z('碳排放预算', 'CO2 budget'), 'tonnes', t],
        ['carbonShare', z('预算完成比例', 'Share of budget'), 'percent', pct],
        ['carbonPace', z('进度比', 'Pace'), 'ratio'],
        ['carbonLevel', z('碳排放预警', 'CO2 level'), 'level'],
        ['forecastT', z('全年预测', 'Forecast for the year'), 'tonnes', t],
        ['carbonChange', z('同比', 'Year on year'), 'percent', pct],
      ],
      es.filter((e) => e.carbon != null).map((e) => enterpriseCarbonRow(e)),
    ),

    enterpriseCarbonIntensity: table(
      'enterpriseCarbonIntensity',
      z('企业碳排放强度及电网排放因子', 'Enterprises: CO2 intensity and grid factor'),
      [
        ['name', z('企业名称', 'Enterprise'), 'text'],
        ['co2Intensity', z('碳排放强度', 'CO2 intensity'), 'intensity', unitLabel('tCO2/10k-yuan', lang)],
        ['co2IntensityLimit', z('强度目标', 'Intensity limit'), 'intensity', unitLabel('tCO2/10k-yuan', lang)],
        ['co2IntensityRatio', z('强度比', 'Intensity ratio'), 'ratio'],
        ['co2IntensityLevel', z('强度预警', 'Intensity level'), 'level'],
        ['co2T', z('所用月份二氧化碳', 'CO2 of the months used'), 'tonnes', t],
        ['output10kYuan', z('所用月份产值', 'Output of the months used'), 'yuan', unitLabel('10k-yuan', lang)],
        ['months', z('强度计算月份', 'Months used'), 'text'],
        ['gridFactor', z('电网排放因子（年度、来源）', 'Grid factor (year, source)'), 'text'],
      ],
      es
        .filter((e) => e.carbon != null)
        .map((e) => {
          const i = e.carbon!.intensity;
          const note = i?.note === 'no-output' ? z('无产值月份', 'no month with output') : null;
          return [
            e.name,
            i?.intensity ?? null,
            i?.limit ?? null,
            i?.ratio ?? null,
            i?.level ?? null,
            i?.co2T ?? null,
            i?.output10kYuan ?? null,
            monthsLabel(i?.months ?? []) ?? note,
            factorText(e.carbon!.gridFactor, lang),
          ];
        }),
    ),

    projects: table(
      'projects',
      z('节能审查项目（滚动 12 个月，折年）', 'Energy-review projects (rolling 12 months, annualised)'),
      [
        ['name', z('企业名称', 'Enterprise'), 'text'],
        ['project', z('项目', 'Project'), 'text'],
        ['approvedTce', z('审批能耗', 'Approved energy'), 'tce', unitLabel('tce/a', lang)],
        ['annualTce', z('实际能耗（折年）', 'Actual energy, annualised'), 'tce', unitLabel('tce/a', lang)],
        ['tceShare', z('能耗占审批', 'Energy / approved'), 'percent', pct],
        ['approvedCo2T', z('审批碳排放', 'Approved CO2'), 'tonnes', unitLabel('tCO2/a', lang)],
        ['annualCo2T', z('实际碳排放（折年）', 'Actual CO2, annualised'), 'tonnes', unitLabel('tCO2/a', lang)],
        ['co2Share', z('碳排放占审批', 'CO2 / approved'), 'percent', pct],
        ['projectLevel', z('预警', 'Level'), 'text'],
        ['window', z('统计窗口', 'Window'), 'text'],
        ['days', z('天数', 'Days'), 'int', unitLabel('days', lang)],
        ['gridFactors', z('电网排放因子（年度、来源）', 'Grid factors (year, source)'), 'text'],
      ],
      es.flatMap((e) => (e.projects ?? []).map((p) => projectRow(e, p, lang))),
    ),
  };
}

function enterpriseCarbonRow(e: EnterpriseReport): CellValue[] {
  const c = e.carbon!;
  return [
    e.name,
    c.year,
    c.ytdT,
    c.combustionT,
    c.processT,
    c.scope2T,
    c.greenCertificatesKwh,
    c.budgetT,
    c.share,
    c.pace,
    c.level,
    c.forecastT,
    c.change,
  ];
}

function projectRow(e: EnterpriseReport, p: ReportProject, lang: Language): CellValue[] {
  const short = p.note === 'short-window' ? pick(lang, '（不足 28 天，不折年）', ' (under 28 days: not annualised)') : '';
  // Dates in the site zone (the report's time zone); the end is exclusive, as the period's. The instants are in CSV and JSON.
  const window =
    p.window.days === 0 ? pick(lang, '尚未投产', 'not operating yet') : `${p.window.from.slice(0, 10)} – ${p.window.to.slice(0, 10)}${short}`;
  return [
    e.name,
    `${p.name} (${p.id})`,
    p.approvedTce,
    p.annualTce,
    p.tceShare,
    p.approvedCo2T,
    p.annualCo2T,
    p.co2Share,
    projectLevelName(p.level, lang),
    window,
    p.window.days,
    p.gridFactors.map((f) => factorText(f, lang)).join('; ') || null,
  ];
}

/** The month's energy and CO2 by park (like byIndustry). */
export function parkTable(report: MonthlyReport, lang: Language): Table {
  const z = (zh: string, en: string): string => pick(lang, zh, en);
  return table(
    'byPark',
    z('分园区（本月）', 'By park (the month)'),
    [
      ['park', z('园区编号', 'Park ID'), 'text'],
      ['parkName', z('园区', 'Park'), 'text'],
      ['enterprises', z('企业数', 'Enterprises'), 'int'],
      ['totalTce', z('能耗总量（双控）', 'Dual-control total'), 'tce', 'tce'],
      ['co2T', z('二氧化碳排放', 'CO2 emissions'), 'tonnes', unitLabel('tCO2', lang)],
    ],
    Object.entries(report.totals.byPark ?? {}).map(([id, p]) => [id, p.name, p.enterprises, p.totalTce, p.co2Kg / 1000]),
  );
}
