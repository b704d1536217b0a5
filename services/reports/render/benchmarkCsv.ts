/**
 * The benchmark rows of the CSV report (contract 10 and 11; issue 16), beside csv.ts's rows, told apart
 * by `row_type`:
 *   enterprise_benchmark      one product of an enterprise at the month end: levels with edition and
 *                             source, unit consumption and tier year to date and over the 12 months,
 *                             output, savings (tce, t CO2), deadline and alarm severity
 *   finding                   one of an enterprise's top findings: rank, kind, figure and its unit, the
 *                             energy priced, savings (tce on the equivalent basis, t CO2), definition
 *   district_benchmark        the district: savings, leader candidates and their rules, the period
 *   benchmark_product         one product of the district: levels, plants by tier, output at benchmark
 *   benchmark_below_baseline  one plant below baseline: unit consumption, deadline, severity, savings
 *   benchmark_leader          one enterprise against each efficiency-leader criterion
 * `quantity` and `unit` are the product's output and its unit on these rows; numbers as JavaScript
 * prints them, shares as fractions, as in the JSON.
 */
import type { EnterpriseReport, MonthlyReport, ReportProductBenchmark } from '../reportModel';
import type { CsvValue } from './carbonCsv';
import type { Language } from './labels';

export const BENCHMARK_CSV_COLUMNS = [
  ['product', '产品编号'],
  ['product_name', '产品'],
  ['metric', '单耗指标'],
  ['level_unit', '单耗单位'],
  ['benchmark_level', '标杆水平'],
  ['baseline_level', '基准水平'],
  ['level_edition', '水平版本'],
  ['level_source', '水平来源'],
  ['deadline', '改造期限'],
  ['benchmark_from', '对标统计期起'],
  ['benchmark_to', '对标统计期止(不含)'],
  ['ytd_sec', '年初至月末单耗'],
  ['ytd_tier', '年初至月末水平'],
  ['sec', '近12个月单耗'],
  ['tier', '近12个月水平'],
  ['benchmark_months', '有数据月份'],
  ['severity', '告警级别'],
  ['savings_tce', '节能潜力(tce)'],
  ['savings_co2_t', '减碳潜力(tCO2)'],
  ['savings_co2_complete', '减碳潜力含全部企业'],
  ['quantity_at_benchmark', '达标杆产量'],
  ['share_at_benchmark', '达标杆产能占比(比例)'],
  ['plants_at_benchmark', '达标杆企业数'],
  ['plants_compliant', '达基准企业数'],
  ['plants_below_baseline', '低于基准企业数'],
  ['plants_without_output', '无产量企业数'],
  ['leader_annual_tce', '年综合能耗(tce/年)'],
  ['non_fossil_share', '非化石电力占比(比例)'],
  ['leader_energy', '能耗达到下限'],
  ['leader_all_at_benchmark', '全部产品达标杆'],
  ['leader_non_fossil', '非化石电力达到下限'],
  ['leader_candidate', '能效领跑者候选'],
  ['leaders', '领跑者候选企业'],
  ['min_annual_tce', '领跑者能耗下限(tce/年)'],
  ['min_non_fossil_share', '领跑者非化石电力占比下限(比例)'],
  ['finding_rank', '发现序号'],
  ['finding_kind', '发现类型'],
  ['finding_figure', '发现数值'],
  ['finding_figure_unit', '发现数值单位'],
  ['finding_reference', '参考值'],
  ['finding_energy', '计价能耗'],
  ['finding_energy_unit', '计价能耗单位'],
  ['finding_definition', '定义与计算'],
] as const;
export type BenchmarkCsvKey = (typeof BENCHMARK_CSV_COLUMNS)[number][0];
export type BenchmarkCsvRow = Partial<
  Record<BenchmarkCsvKey | 'row_type' | 'enterprise_id' | 'enterprise_name' | 'enterprises' | 'quantity' | 'unit', CsvValue>
>;

const outputUnit = (unit: string): string => unit.split('/')[1] ?? unit;

type Levelled = Pick<
  ReportProductBenchmark,
  'product' | 'name' | 'nameEn' | 'metric' | 'unit' | 'benchmark' | 'baseline' | 'edition' | 'source' | 'deadline'
>;

/** A product's levels with their edition, source and deadline, the same on every row that names the product. */
const levels = (p: Levelled, lang: Language): BenchmarkCsvRow => ({
  product: p.product,
  product_name: lang === 'zh-CN' ? p.name : p.nameEn,
  metric: p.metric,
  level_unit: p.unit,
  benchmark_level: p.benchmark,
  baseline_level: p.baseline,
  level_edition: p.edition,
  level_source: p.source,
  deadline: p.deadline,
});

/** An enterprise's product rows and finding rows, after its enterprise_total row. */
export function enterpriseBenchmarkRows(e: EnterpriseReport, lang: Language): BenchmarkCsvRow[] {
  const who: BenchmarkCsvRow = { enterprise_id: e.id, enterprise_name: e.name };
  const products = (e.benchmark ?? []).map((p): BenchmarkCsvRow => ({
    row_type: 'enterprise_benchmark',
    ...who,
    ...levels(p, lang),
    benchmark_from: p.rolling12.periodFrom,
    benchmark_to: p.rolling12.periodTo,
    ytd_sec: p.ytd.sec,
    ytd_tier: p.ytd.tier,
    sec: p.rolling12.sec,
    tier: p.rolling12.tier,
    benchmark_months: p.rolling12.months.join(' '),
    quantity: p.rolling12.quantity,
    unit: outputUnit(p.unit),
    savings_tce: p.rolling12.savingsTce,
    savings_co2_t: p.rolling12.savingsCo2T,
    severity: p.severity,
  }));
  const findings = (e.findings ?? []).map((f): BenchmarkCsvRow => ({
    row_type: 'finding',
    ...who,
    product: f.subject,
    finding_rank: f.rank,
    finding_kind: f.kind,
    finding_figure: f.figure,
    finding_figure_unit: f.figureUnit,
    finding_reference: f.reference,
    finding_energy: f.energy,
    finding_energy_unit: f.energyUnit,
    savings_tce: f.savingsTce,
    savings_co2_t: f.savingsCo2T,
    finding_definition: lang === 'zh-CN' ? f.definition['zh-CN'] : f.definition.en,
  }));
  return [...products, ...findings];
}

/** The district benchmark section's rows; none in a report without it. */
export function districtBenchmarkRows(report: MonthlyReport, lang: Language): BenchmarkCsvRow[] {
  const b = report.benchmark;
  if (!b) return [];
  const period: BenchmarkCsvRow = { benchmark_from: b.from, benchmark_to: b.to };
  const rows: BenchmarkCsvRow[] = [
    {
      row_type: 'district_benchmark',
      enterprise_name: lang === 'zh-CN' ? '全区' : 'district',
      ...period,
      savings_tce: b.savingsTce,
      savings_co2_t: b.savingsCo2T,
      savings_co2_complete: b.savingsCo2Complete,
      leaders: b.leaders.join(' '),
      min_annual_tce: b.rules.minAnnualTce,
      min_non_fossil_share: b.rules.minNonFossilShare,
    },
  ];
  for (const p of b.products) {
    const product: BenchmarkCsvRow = {
      ...levels(p, lang),
      ...period,
    };
    rows.push({
      row_type: 'benchmark_product',
      ...product,
      enterprises: p.plants,
      quantity: p.quantity,
      unit: outputUnit(p.unit),
      quantity_at_benchmark: p.quantityAtBenchmark,
      share_at_benchmark: p.shareAtBenchmark,
      plants_at_benchmark: p.tiers.benchmark,
      plants_compliant: p.tiers.compliant,
      plants_below_baseline: p.tiers.belowBaseline,
      plants_without_output: p.tiers.none,
      savings_tce: p.savingsTce,
      savings_co2_t: p.savingsCo2T,
    });
    for (const x of p.belowBaseline)
      rows.push({
        row_type: 'benchmark_below_baseline',
        ...product,
        enterprise_id: x.enterprise,
        enterprise_name: x.name,
        sec: x.sec,
        tier: 'below-baseline',
        quantity: x.quantity,
        unit: outputUnit(p.unit),
        deadline: x.deadline,
        severity: x.severity,
        savings_tce: x.savingsTce,
      });
  }
  for (const l of b.leaderChecks)
    rows.push({
      row_type: 'benchmark_leader',
      enterprise_id: l.enterprise,
      enterprise_name: l.name,
      ...period,
      leader_annual_tce: l.annualTce,
      non_fossil_share: l.nonFossilShare,
      product: l.products.map((p) => p.product).join(' '),
      tier: l.products.map((p) => p.tier ?? 'none').join(' '),
      leader_energy: l.energy,
      leader_all_at_benchmark: l.allAtBenchmark,
      leader_non_fossil: l.nonFossil,
      leader_candidate: l.candidate,
    });
  return rows;
}
