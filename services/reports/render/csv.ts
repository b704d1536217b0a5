/**
 * The monthly report as one flat CSV table (RFC 4180: CRLF line ends, fields with a comma, quote or
 * line break quoted, quotes doubled), UTF-8 with a byte-order mark so that Excel on a Chinese
 * Windows opens it as UTF-8 instead of GBK.
 *
 * Layout: one header row, then one row per figure set, told apart by `row_type`:
 *   carrier           one enterprise x one carrier: quantity, unit, tce on both bases, CO2, coefficient
 *   enterprise_total  one enterprise: dual-control total, CO2, comparisons, quota, intensity, tariff,
 *                     alarms, completeness
 *   industry_total    one industry of the district: enterprises, total, CO2
 *   district_carrier  the district's total of one carrier
 *   district_total    the district: dual-control total and CO2
 *   parameter         one parameter row the figures used (contract 8.2): key, value, unit, year, source
 *   enterprise_carbon, project, park_total, district_carbon, industry_carbon, park_carbon: the carbon
 *                     rows (carbonCsv.ts), in reports that have the carbon figures
 *   enterprise_benchmark, finding, district_benchmark, benchmark_product, benchmark_below_baseline,
 *   benchmark_leader: the benchmark rows and findings (benchmarkCsv.ts), in reports that have them
 * Every row repeats the report's context (month, time zone, period, electricity basis, revision,
 * generated at, sha256, and status: `草稿 / DRAFT` with data_until for a month not finalised,
 * contract 8.4; the reasons of a revision), so a row cut out of the file still says what it is.
 * `tce` is the carrier's standard coal on the configured electricity basis on carrier rows, and the
 * dual-control total (renewable electricity and feedstock excluded, contract 4) on total rows.
 * A cell that does not apply to the row type is empty. Numbers are written as JavaScript prints
 * them (full precision, no grouping), shares and completeness as fractions 0..1 as in the JSON, so
 * `Number(cell)` gives back the JSON value exactly. Ranking, concentration and per-meter
 * completeness are in the JSON, XLSX, PDF and HTML formats.
 *
 * Header cells: in zh-CN `中文名(单位) key`, in English `key`; the last space-separated token is
 * always the stable key below, whatever the language.
 */
import { isDraft, type EnterpriseReport, type MonthlyReport } from '../reportModel';
import { BENCHMARK_CSV_COLUMNS, districtBenchmarkRows, enterpriseBenchmarkRows } from './benchmarkCsv';
import { CARBON_CSV_COLUMNS, districtCarbonRows, enterpriseCarbonRows, type CsvValue } from './carbonCsv';
import type { RenderOptions } from './labels';
import { DRAFT_WORDS, carrierName, pick } from './labels';

export type { CsvValue } from './carbonCsv';

export const CSV_COLUMNS = [
  ['row_type', '行类型'],
  ['month', '月份'],
  ['enterprise_id', '企业编号'],
  ['enterprise_name', '企业名称'],
  ['industry', '行业代码'],
  ['industry_name', '行业'],
  ['carrier', '能源品种代码'],
  ['carrier_name', '能源品种'],
  ['quantity', '实物量'],
  ['unit', '计量单位'],
  ['tce', '折标煤(tce)'],
  ['tce_other_basis', '另一口径折标煤(tce)'],
  ['co2_kg', '二氧化碳(kgCO2)'],
  ['dual_control', '计入双控'],
  ['kgce_per_unit', '折标系数(kgce/计量单位)'],
  ['kgce_source', '系数来源'],
  ['enterprises', '企业数'],
  ['previous_month_tce', '上月(tce)'],
  ['same_month_last_year_tce', '去年同月(tce)'],
  ['change_from_previous_month', '环比(比例)'],
  ['change_from_same_month_last_year', '同比(比例)'],
  ['quota_year', '考核年度'],
  ['quota_total_tce', '年度总量目标(tce)'],
  ['quota_ytd_tce', '年累计能耗(tce)'],
  ['quota_share', '目标完成比例(比例)'],
  ['quota_pace', '进度比'],
  ['quota_level', '总量预警'],
  ['intensity_tce_per_10k_yuan', '能耗强度(tce/万元)'],
  ['intensity_limit_tce_per_10k_yuan', '强度目标(tce/万元)'],
  ['intensity_ratio', '强度比'],
  ['intensity_level', '强度预警'],
  ['output_10k_yuan', '年累计产值(万元)'],
  ['tariff', '电价政策'],
  ['tariff_unit_consumption', '单位产品能耗'],
  ['tariff_unit', '单耗单位'],
  ['tariff_markup_yuan_per_kwh', '加价标准(元/kWh)'],
  ['tariff_surcharge_yuan', '预估加价电费(元)'],
  ['tariff_note', '电价说明'],
  ['alarms_critical', '严重告警(次)'],
  ['alarms_warning', '警告告警(次)'],
  ['alarms_info', '提示告警(次)'],
  ['completeness', '数据完整率(比例)'],
  ['parameter', '参数'],
  ['parameter_value', '参数值'],
  ['parameter_unit', '参数单位'],
  ['parameter_year', '参数数据年度'],
  ['parameter_source', '参数来源'],
  ...CARBON_CSV_COLUMNS,
  ...BENCHMARK_CSV_COLUMNS,
  ['timezone', '时区'],
  ['period_from', '统计期起'],
  ['period_to', '统计期止(不含)'],
  ['electricity_basis', '电力折标口径'],
  ['revision', '版本'],
  ['generated_at', '生成时间'],
  ['sha256', 'SHA-256'],
  ['status', '状态'],
  ['data_until', '数据截至'],
  ['revision_reasons', '修订原因'],
] as const;
export type CsvKey = (typeof CSV_COLUMNS)[number][0];
export type CsvRow = Partial<Record<CsvKey, CsvValue>>;

const BOM = '\uFEFF';

/** RFC 4180 field: quoted when it holds a comma, a quote, a line break or edge spaces. */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? String(value) : typeof value === 'boolean' ? (value ? 'true' : 'false') : value;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRows(report: MonthlyReport, opts: RenderOptions): CsvRow[] {
  const lang = opts.language;
  const context: CsvRow = {
    month: report.month,
    timezone: report.timezone,
    period_from: report.periodFrom,
    period_to: report.periodTo,
    electricity_basis: report.electricityBasis,
    revision: report.revision,
    generated_at: report.generatedAt,
    sha256: report.sha256,
    status: isDraft(report) ? DRAFT_WORDS : pick(lang, '定稿', 'final'),
    data_until: isDraft(report) ? (report.dataUntil ?? null) : null,
    revision_reasons: report.reasons?.join(' ') ?? null,
  };
  const rows: CsvRow[] = [];
  for (const e of report.enterprises) {
    const who: CsvRow = { enterprise_id: e.id, enterprise_name: e.name, industry: e.industry, industry_name: e.industryName };
    for (const [carrier, f] of Object.entries(e.carriers)) {
      rows.push({
        row_type: 'carrier',
        ...who,
        carrier,
        carrier_name: carrierName(carrier, lang),
        quantity: f.quantity,
        unit: f.unit,
        tce: f.tce,
        tce_other_basis: f.tceOtherBasis,
        co2_kg: f.co2Kg,
        dual_control: f.dualControl,
        kgce_per_unit: f.kgcePerUnit,
        kgce_source: f.kgceSource,
        ...context,
      });
    }
    rows.push({ row_type: 'enterprise_total', ...who, ...enterpriseFigures(e), ...context });
    for (const r of enterpriseCarbonRows(e)) rows.push({ ...r, ...context });
    for (const r of enterpriseBenchmarkRows(e, lang)) rows.push({ ...r, ...context });
  }
  for (const [industry, i] of Object.entries(report.totals.byIndustry)) {
    rows.push({
      row_type: 'industry_total',
      industry,
      industry_name: i.name,
      enterprises: i.enterprises,
      tce: i.totalTce,
      co2_kg: i.co2Kg,
      ...context,
    });
  }
  for (const [carrier, f] of Object.entries(report.totals.byCarrier)) {
    rows.push({
      row_type: 'district_carrier',
      carrier,
      carrier_name: carrierName(carrier, lang),
      quantity: f.quantity,
      unit: f.unit,
      tce: f.tce,
      co2_kg: f.co2Kg,
      ...context,
    });
  }
  rows.push({
    row_type: 'district_total',
    enterprise_name: pick(lang, '全区', 'district'),
    enterprises: report.enterprises.length,
    tce: report.totals.totalTce,
    co2_kg: report.totals.co2Kg,
    ...context,
  });
  for (const r of districtCarbonRows(report, lang)) rows.push({ ...r, ...context });
  for (const r of districtBenchmarkRows(report, lang)) rows.push({ ...r, ...context });
  for (const p of report.parameters ?? []) {
    rows.push({
      row_type: 'parameter',
      parameter: p.key,
      parameter_value: p.value,
      parameter_unit: p.unit,
      parameter_year: p.year,
      parameter_source: p.source,
      ...context,
    });
  }
  return rows;
}

function enterpriseFigures(e: EnterpriseReport): CsvRow {
  const q = e.quota;
  const i = e.intensity;
  const tr = e.tariff;
  return {
    tce: e.totalTce,
    co2_kg: e.co2Kg,
    previous_month_tce: e.previousMonthTce,
    same_month_last_year_tce: e.sameMonthLastYearTce,
    change_from_previous_month: e.changeFromPreviousMonth,
    change_from_same_month_last_year: e.changeFromSameMonthLastYear,
    quota_year: q?.year,
    quota_total_tce: q?.totalTce,
    quota_ytd_tce: q?.ytdTce,
    quota_share: q?.share,
    quota_pace: q?.pace,
    quota_level: q?.level,
    intensity_tce_per_10k_yuan: i?.intensity,
    intensity_limit_tce_per_10k_yuan: i?.limit,
    intensity_ratio: i?.ratio,
    intensity_level: i?.level,
    output_10k_yuan: i?.output10kYuan,
    tariff: tr?.tariff,
    tariff_unit_consumption: tr?.unitConsumption,
    tariff_unit: tr?.unit,
    tariff_markup_yuan_per_kwh: tr?.markupYuanPerKwh,
    tariff_surcharge_yuan: tr?.surchargeYuan,
    tariff_note: tr?.note,
    alarms_critical: e.alarms.critical,
    alarms_warning: e.alarms.warning,
    alarms_info: e.alarms.info,
    completeness: e.completeness,
  };
}

export function csvHeader(opts: RenderOptions): string[] {
  return CSV_COLUMNS.map(([key, zh]) => (opts.language === 'zh-CN' ? `${zh} ${key}` : key));
}

export function renderCsv(report: MonthlyReport, opts: RenderOptions): Buffer {
  const lines = [csvHeader(opts).map(csvField).join(',')];
  for (const row of csvRows(report, opts)) lines.push(CSV_COLUMNS.map(([key]) => csvField(row[key])).join(','));
  return Buffer.from(BOM + lines.join('\r\n') + '\r\n', 'utf8');
}
