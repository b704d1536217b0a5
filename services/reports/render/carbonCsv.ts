/**
 * The carbon rows of the CSV report (contract 9, 9.1; issue 20), beside csv.ts's rows, told apart by
 * `row_type`:
 *   enterprise_carbon  one enterprise at month end, year to date: CO2 by part (t), green certificates,
 *                      budget share, pace, level, forecast, year on year and contribution, carbon
 *                      intensity with its months, the grid factor row (value, year, source)
 *   project            one energy-review project: approved and annualised tce and CO2, shares, levels,
 *                      the window, its days and months, its grid factor rows
 *   park_total         one park's energy and CO2 of the month (like industry_total)
 *   district_carbon    the district year to date: CO2 by part, year on year, tce, intensity and its
 *                      year on year, required pace, grid factor row
 *   industry_carbon    one industry year to date, by part, year on year
 *   park_carbon        one park year to date: CO2, energy on the equivalent basis, CO2 per tce against
 *                      the zero-carbon-park line, the 10,000 tce regional-review line
 * On these rows `tce` is year to date (district_carbon, industry_carbon) or the month (park_total).
 * Numbers as JavaScript prints them, shares as fractions, as in the JSON.
 */
import type { Co2Change } from '../../figures/districtCarbonTypes';
import type { EnterpriseReport, MonthlyReport } from '../reportModel';
import type { Language } from './labels';

export type CsvValue = string | number | boolean | null | undefined;

export const CARBON_CSV_COLUMNS = [
  ['park', '园区编号'],
  ['park_name', '园区'],
  ['co2_year', '碳排放年度'],
  ['co2_from', '碳排放统计起'],
  ['co2_to', '碳排放统计止(不含)'],
  ['co2_t', '二氧化碳(tCO2)'],
  ['co2_combustion_t', '燃料燃烧(tCO2)'],
  ['co2_process_t', '工业过程(tCO2)'],
  ['co2_scope2_t', '净购入电力和热力(tCO2)'],
  ['green_certificates_kwh', '绿证电量(kWh)'],
  ['co2_budget_t', '碳排放预算(tCO2)'],
  ['co2_budget_share', '预算完成比例(比例)'],
  ['co2_pace', '碳排放进度比'],
  ['co2_level', '碳排放预警'],
  ['co2_forecast_t', '全年预测(tCO2)'],
  ['co2_previous_t', '上年同期(tCO2)'],
  ['co2_change_t', '同比增减(tCO2)'],
  ['co2_change', '碳排放同比(比例)'],
  ['co2_contribution', '对全区变化的贡献(比例)'],
  ['co2_intensity', '碳排放强度(tCO2/万元)'],
  ['co2_intensity_limit', '碳排放强度目标(tCO2/万元)'],
  ['co2_intensity_ratio', '碳排放强度比'],
  ['co2_intensity_level', '碳排放强度预警'],
  ['co2_intensity_co2_t', '强度所用二氧化碳(tCO2)'],
  ['co2_intensity_output_10k_yuan', '强度所用产值(万元)'],
  ['co2_intensity_months', '强度计算月份'],
  ['co2_intensity_previous', '上年同期碳排放强度(tCO2/万元)'],
  ['co2_intensity_change', '碳排放强度同比(比例)'],
  ['required_reduction', '要求降幅(比例)'],
  ['target_intensity', '目标强度(tCO2/万元)'],
  ['on_track', '达到要求进度'],
  ['grid_factor_kg_co2_per_kwh', '电网排放因子(kgCO2/kWh)'],
  ['grid_factor_year', '电网排放因子数据年度'],
  ['grid_factor_source', '电网排放因子来源'],
  ['tce_equivalent', '综合能耗当量值(tce)'],
  ['annual_tce_equivalent', '折全年能耗(tce/年)'],
  ['co2_per_tce', '单位能耗碳排放(tCO2/tce)'],
  ['co2_per_tce_threshold', '零碳园区指标(tCO2/tce)'],
  ['park_scale', '园区规模'],
  ['meets_threshold', '达到零碳园区指标'],
  ['regional_review_line_tce', '区域节能评价线(tce/年)'],
  ['over_regional_review_line', '达到区域节能评价线'],
  ['project', '项目编号'],
  ['project_name', '项目'],
  ['approved_tce', '审批能耗(tce/年)'],
  ['annual_tce', '实际能耗折年(tce/年)'],
  ['tce_share', '能耗占审批(比例)'],
  ['approved_co2_t', '审批碳排放(tCO2/年)'],
  ['annual_co2_t', '实际碳排放折年(tCO2/年)'],
  ['co2_share', '碳排放占审批(比例)'],
  ['project_energy_level', '能耗预警'],
  ['project_co2_level', '碳排放预警(项目)'],
  ['project_level', '项目预警'],
  ['window_from', '窗口起'],
  ['window_to', '窗口止(不含)'],
  ['window_days', '窗口天数(天)'],
  ['window_months', '窗口月份'],
  ['window_tce', '窗口能耗(tce)'],
  ['project_note', '项目说明'],
] as const;
export type CarbonCsvKey = (typeof CARBON_CSV_COLUMNS)[number][0];
/** A row of the whole CSV may set these keys and csv.ts's; the carbon rows set these and a few of csv.ts's. */
export type CarbonCsvRow = Partial<
  Record<CarbonCsvKey | 'row_type' | 'enterprise_id' | 'enterprise_name' | 'industry' | 'industry_name' | 'enterprises' | 'tce' | 'co2_kg', CsvValue>
>;

const byPart = (x: Co2Change): CarbonCsvRow => ({
  co2_t: x.totalT,
  co2_combustion_t: x.combustionT,
  co2_process_t: x.processT,
  co2_scope2_t: x.scope2T,
  co2_previous_t: x.previousT,
  co2_change_t: x.changeT,
  co2_change: x.change,
  tce: x.tce,
});

const gridFactor = (f: { value: number; year?: number | null; source: string } | null | undefined): CarbonCsvRow =>
  f ? { grid_factor_kg_co2_per_kwh: f.value, grid_factor_year: f.year ?? null, grid_factor_source: f.source } : {};

/** The carbon rows of one enterprise (its carbon and its projects), after its enterprise_total row. */
export function enterpriseCarbonRows(e: EnterpriseReport): CarbonCsvRow[] {
  const who: CarbonCsvRow = {
    enterprise_id: e.id,
    enterprise_name: e.name,
    industry: e.industry,
    industry_name: e.industryName,
    park: e.park?.id,
    park_name: e.park?.name,
  };
  const rows: CarbonCsvRow[] = [];
  const c = e.carbon;
  if (c) {
    const i = c.intensity;
    rows.push({
      row_type: 'enterprise_carbon',
      ...who,
      co2_year: c.year,
      co2_t: c.ytdT,
      co2_combustion_t: c.combustionT,
      co2_process_t: c.processT,
      co2_scope2_t: c.scope2T,
      green_certificates_kwh: c.greenCertificatesKwh,
      co2_budget_t: c.budgetT,
      co2_budget_share: c.share,
      co2_pace: c.pace,
      co2_level: c.level,
      co2_forecast_t: c.forecastT,
      co2_previous_t: c.previousT,
      co2_change_t: c.changeT,
      co2_change: c.change,
      co2_contribution: c.contribution,
      co2_intensity: i?.intensity,
      co2_intensity_limit: i?.limit,
      co2_intensity_ratio: i?.ratio,
      co2_intensity_level: i?.level,
      co2_intensity_co2_t: i?.co2T,
      co2_intensity_output_10k_yuan: i?.output10kYuan,
      co2_intensity_months: i ? i.months.join(' ') : null,
      ...gridFactor(c.gridFactor),
    });
  }
  for (const p of e.projects ?? []) {
    rows.push({
      row_type: 'project',
      ...who,
      project: p.id,
      project_name: p.name,
      approved_tce: p.approvedTce,
      annual_tce: p.annualTce,
      tce_share: p.tceShare,
      approved_co2_t: p.approvedCo2T,
      annual_co2_t: p.annualCo2T,
      co2_share: p.co2Share,
      project_energy_level: p.energyLevel,
      project_co2_level: p.co2Level,
      project_level: p.level,
      window_from: p.window.from,
      window_to: p.window.to,
      window_days: p.window.days,
      window_months: p.months.join(' '),
      window_tce: p.windowTce,
      co2_t: p.windowCo2T,
      co2_combustion_t: p.combustionT,
      co2_process_t: p.processT,
      co2_scope2_t: p.scope2T,
      project_note: p.note,
      // A window over a new year has two rows: values, years and sources each listed in the same order.
      grid_factor_kg_co2_per_kwh: p.gridFactors.map((f) => f.value).join(' ') || null,
      grid_factor_year: p.gridFactors.map((f) => f.year ?? '').join(' ') || null,
      grid_factor_source: p.gridFactors.map((f) => f.source).join(' | ') || null,
    });
  }
  return rows;
}

/** The district's carbon rows: park totals of the month, then the district carbon section. */
export function districtCarbonRows(report: MonthlyReport, lang: Language): CarbonCsvRow[] {
  const rows: CarbonCsvRow[] = Object.entries(report.totals.byPark ?? {}).map(([id, p]) => ({
    row_type: 'park_total',
    park: id,
    park_name: p.name,
    enterprises: p.enterprises,
    tce: p.totalTce,
    co2_kg: p.co2Kg,
  }));
  const c = report.carbon;
  if (!c) return rows;
  const period: CarbonCsvRow = { co2_year: c.year, co2_from: c.from, co2_to: c.to };
  const yoy = c.yearOnYear.intensity;
  rows.push({
    row_type: 'district_carbon',
    enterprise_name: lang === 'zh-CN' ? '全区' : 'district',
    enterprises: c.enterprises.length,
    ...period,
    ...byPart(c.totals),
    green_certificates_kwh: c.totals.greenCertificatesKwh,
    co2_intensity: c.intensity.intensity,
    co2_intensity_co2_t: c.intensity.co2T,
    co2_intensity_output_10k_yuan: c.intensity.output10kYuan,
    co2_intensity_previous: yoy.previous,
    co2_intensity_change: yoy.change,
    required_reduction: c.requiredPace.reduction,
    target_intensity: c.requiredPace.targetIntensity,
    on_track: c.requiredPace.onTrack,
    ...gridFactor(c.gridFactor),
  });
  for (const [code, i] of Object.entries(c.byIndustry))
    rows.push({ row_type: 'industry_carbon', industry: code, industry_name: i.name, ...period, ...byPart(i) });
  for (const p of c.byPark)
    rows.push({
      row_type: 'park_carbon',
      park: p.id,
      park_name: p.name,
      enterprises: p.enterprises.length,
      ...period,
      ...byPart(p),
      tce_equivalent: p.tceEquivalent,
      annual_tce_equivalent: p.annualTceEquivalent,
      co2_per_tce: p.co2PerTce,
      co2_per_tce_threshold: p.thresholdTPerTce,
      park_scale: p.scale,
      meets_threshold: p.meetsThreshold,
      regional_review_line_tce: p.regionalReviewLineTce,
      over_regional_review_line: p.overRegionalReviewLine,
    });
  return rows;
}
