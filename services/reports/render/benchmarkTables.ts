/**
 * The report's benchmark tables (contract 10 and 11; issue 16), defined once like tables.ts: the district
 * benchmark section (summary, per product, plants below baseline, efficiency-leader candidates with
 * every criterion), each enterprise's benchmarked products, and each enterprise's top findings with
 * their savings. Levels carry their edition and source. Renderers only format these figures.
 */
import type { BenchmarkTier } from '../../energy/benchmark';
import type { MonthlyReport, ReportFinding, ReportProductBenchmark } from '../reportModel';
import type { CellValue, Language } from './labels';
import { formatValue, nameOf, pick, unitLabel } from './labels';
import { table, type Table } from './tableModel';

export const BENCHMARK_TABLE_IDS = [
  'benchmarkDistrict',
  'benchmarkProducts',
  'benchmarkBelowBaseline',
  'benchmarkLeaders',
  'enterpriseBenchmark',
  'findings',
] as const;
export type BenchmarkTableId = (typeof BENCHMARK_TABLE_IDS)[number];

/** Where the sections stand in the HTML page and the PDF, and what the XLSX benchmark sheet holds. */
export const BENCHMARK_SECTIONS = {
  district: ['benchmarkDistrict', 'benchmarkProducts', 'benchmarkBelowBaseline', 'benchmarkLeaders'],
  enterprises: ['enterpriseBenchmark', 'findings'],
} as const satisfies Record<string, readonly BenchmarkTableId[]>;

const isBenchmarkTable = (id: string): id is BenchmarkTableId => (BENCHMARK_TABLE_IDS as readonly string[]).includes(id);

/** Whether the report has the figures of a benchmark section; true for any other table. */
export function benchmarkSectionShown(report: MonthlyReport, id: string): boolean {
  if (!isBenchmarkTable(id)) return true;
  if (id === 'enterpriseBenchmark') return report.enterprises.some((e) => (e.benchmark?.length ?? 0) > 0);
  if (id === 'findings') return report.enterprises.some((e) => e.findings !== undefined);
  return report.benchmark !== undefined;
}

export function tierName(tier: BenchmarkTier | null, lang: Language): string | null {
  switch (tier) {
    case 'benchmark':
      return pick(lang, '达到标杆水平', 'at benchmark');
    case 'compliant':
      return pick(lang, '达到基准水平', 'compliant (at baseline)');
    case 'below-baseline':
      return pick(lang, '低于基准水平', 'below baseline');
    default:
      return null;
  }
}

export function severityName(severity: 'info' | 'warning' | 'critical' | null, lang: Language): string | null {
  if (severity === null) return null;
  if (severity === 'critical') return pick(lang, '严重（已过改造期限）', 'critical (deadline passed)');
  return severity === 'warning' ? pick(lang, '警告（期限前 12 个月内）', 'warning (within 12 months of the deadline)') : pick(lang, '提示', 'info');
}

const KIND_NAMES: Readonly<Record<ReportFinding['kind'], readonly [string, string]>> = {
  product: ['产品单耗高于标杆', 'Product above benchmark'],
  'anomalous-days': ['异常高耗能日', 'Anomalous days above normal'],
  'base-load': ['基础负荷偏高', 'High base load'],
  'off-hours': ['非工作时间用能', 'Consumption outside working hours'],
};

/** The finding's figure with its unit, as every format shows it (the number itself is in JSON and CSV). */
export function findingFigureText(f: Pick<ReportFinding, 'figure' | 'figureUnit'>, lang: Language): string {
  if (f.figureUnit === 'fraction') return formatValue('percent', f.figure, lang);
  if (f.figureUnit === 'days') return `${f.figure} ${unitLabel('days', lang)}`;
  return `${formatValue('unitConsumption', f.figure, lang)} ${f.figureUnit}`;
}

function findingName(f: ReportFinding, products: readonly ReportProductBenchmark[], lang: Language): string {
  const [zh, en] = KIND_NAMES[f.kind];
  const p = f.subject === null ? undefined : products.find((x) => x.product === f.subject);
  const what = p ? pick(lang, `（${p.name}）`, ` (${p.nameEn})`) : '';
  return pick(lang, zh, en) + what;
}

/** The product's unit of output: the part of the level's unit after the slash (kgce/t -> t). */
const outputUnit = (unit: string): string => unit.split('/')[1] ?? unit;

export function benchmarkTables(report: MonthlyReport, lang: Language): Readonly<Record<BenchmarkTableId, Table>> {
  const z = (zh: string, en: string): string => pick(lang, zh, en);
  const b = report.benchmark;
  const t = unitLabel('tCO2', lang);
  const levelText = (p: { edition: string; source: string }) => `${p.edition}; ${p.source}`;
  const period = b ? `${b.from.slice(0, 10)} – ${b.to.slice(0, 10)}` : null;
  const savings = [
    ['savingsTce', z('节能潜力', 'Savings potential'), 'tce', 'tce'],
    ['savingsCo2T', z('减碳潜力', 'CO2 savings potential'), 'tonnes', t],
  ] as const;

  return {
    benchmarkDistrict: table(
      'benchmarkDistrict',
      z('全区能效对标（近 12 个月，至月末）', 'District benchmark (the 12 months to the month end)'),
      [
        ['period', z('统计期（不含止日）', 'Period (end exclusive)'), 'text'],
        ...savings,
        ['savingsCo2Complete', z('减碳潜力含全部企业', 'CO2 covers every plant'), 'bool'],
        ['leaders', z('能效领跑者候选', 'Efficiency-leader candidates'), 'text'],
        ['minAnnualTce', z('领跑者年综合能耗下限', 'Leader minimum annual energy'), 'int', unitLabel('tce/a', lang)],
        ['minNonFossilShare', z('领跑者非化石电力占比下限', 'Leader minimum non-fossil share of electricity'), 'percent', '%'],
      ],
      b
        ? [
            [
              period,
              b.savingsTce,
              b.savingsCo2T,
              b.savingsCo2Complete,
              b.leaders.map((id) => nameOf(report, id)).join(z('、', ', ')) || z('无', 'none'),
              b.rules.minAnnualTce,
              b.rules.minNonFossilShare,
            ],
          ]
        : [],
    ),

    benchmarkProducts: table(
      'benchmarkProducts',
      z('分产品对标（标杆/基准水平）', 'By product (benchmark and baseline levels)'),
      [
        ['product', z('产品', 'Product'), 'text'],
        ['unit', z('单耗单位', 'Unit of consumption'), 'text'],
        ['benchmark', z('标杆水平', 'Benchmark level'), 'unitConsumption'],
        ['baseline', z('基准水平', 'Baseline level'), 'unitConsumption'],
        ['deadline', z('改造期限', 'Retrofit deadline'), 'text'],
        ['plants', z('企业数', 'Plants'), 'int'],
        ['quantity', z('产量', 'Output'), 'quantity'],
        ['quantityAtBenchmark', z('达标杆产量', 'Output at benchmark'), 'quantity'],
        ['outputUnit', z('产量单位', 'Output unit'), 'text'],
        ['shareAtBenchmark', z('达标杆产能占比', 'Share of output at benchmark'), 'percent', '%'],
        ['atBenchmark', z('达标杆企业', 'Plants at benchmark'), 'int'],
        ['compliant', z('达基准企业', 'Plants compliant'), 'int'],
        ['belowBaseline', z('低于基准企业', 'Plants below baseline'), 'int'],
        ['none', z('无产量企业', 'Plants without output'), 'int'],
        ...savings,
        ['level', z('版本与来源', 'Edition and source'), 'text'],
      ],
      (b?.products ?? []).map((p) => [
        z(p.name, p.nameEn),
        p.unit,
        p.benchmark,
        p.baseline,
        p.deadline,
        p.plants,
        p.quantity,
        p.quantityAtBenchmark,
        outputUnit(p.unit),
        p.shareAtBenchmark,
        p.tiers.benchmark,
        p.tiers.compliant,
        p.tiers.belowBaseline,
        p.tiers.none,
        p.savingsTce,
        p.savingsCo2T,
        levelText(p),
      ]),
    ),

    benchmarkBelowBaseline: table(
      'benchmarkBelowBaseline',
      z('低于基准水平的企业（须在期限前改造或退出）', 'Plants below baseline (retrofit or exit by the deadline)'),
      [
        ['name', z('企业名称', 'Enterprise'), 'text'],
        ['product', z('产品', 'Product'), 'text'],
        ['sec', z('单位产品能耗', 'Unit consumption'), 'unitConsumption'],
        ['unit', z('单耗单位', 'Unit of consumption'), 'text'],
        ['baseline', z('基准水平', 'Baseline level'), 'unitConsumption'],
        ['quantity', z('产量', 'Output'), 'quantity'],
        ['deadline', z('改造期限', 'Retrofit deadline'), 'text'],
        ['severity', z('告警', 'Alarm'), 'text'],
        ['savingsTce', z('节能潜力', 'Savings potential'), 'tce', 'tce'],
      ],
      (b?.products ?? []).flatMap((p) =>
        p.belowBaseline.map((x) => [
          x.name,
          z(p.name, p.nameEn),
          x.sec,
          p.unit,
          p.baseline,
          x.quantity,
          x.deadline,
          severityName(x.severity, lang),
          x.savingsTce,
        ]),
      ),
    ),

    benchmarkLeaders: table(
      'benchmarkLeaders',
      z('能效领跑者候选（逐项条件）', 'Efficiency-leader candidates (each criterion)'),
      [
        ['name', z('企业名称', 'Enterprise'), 'text'],
        ['annualTce', z('年综合能耗', 'Annual energy'), 'tce', unitLabel('tce/a', lang)],
        ['nonFossilShare', z('非化石电力占比', 'Non-fossil share of electricity'), 'percent', '%'],
        ['products', z('产品对标', 'Products'), 'text'],
        ['energy', z('能耗达到下限', 'Energy at the minimum'), 'bool'],
        ['allAtBenchmark', z('全部产品达标杆', 'Every product at benchmark'), 'bool'],
        ['nonFossil', z('非化石电力达到下限', 'Non-fossil share at the minimum'), 'bool'],
        ['candidate', z('候选', 'Candidate'), 'bool'],
      ],
      (b?.leaderChecks ?? []).map((l) => [
        l.name,
        l.annualTce,
        l.nonFossilShare,
        l.products.map((p) => `${p.product}: ${tierName(p.tier, lang) ?? z('无产量', 'no output')}`).join('; '),
        l.energy,
        l.allAtBenchmark,
        l.nonFossil,
        l.candidate,
      ]),
    ),

    enterpriseBenchmark: table(
      'enterpriseBenchmark',
      z('企业产品能效对标（月末）', 'Enterprises: products against the levels (at the month end)'),
      [
        ['name', z('企业名称', 'Enterprise'), 'text'],
        ['product', z('产品', 'Product'), 'text'],
        ['unit', z('单耗单位', 'Unit of consumption'), 'text'],
        ['benchmark', z('标杆水平', 'Benchmark level'), 'unitConsumption'],
        ['baseline', z('基准水平', 'Baseline level'), 'unitConsumption'],
        ['ytdSec', z('年初至月末单耗', 'Unit consumption, year to date'), 'unitConsumption'],
        ['ytdTier', z('年初至月末水平', 'Tier, year to date'), 'text'],
        ['sec', z('近 12 个月单耗', 'Unit consumption, 12 months'), 'unitConsumption'],
        ['tier', z('近 12 个月水平', 'Tier, 12 months'), 'text'],
        ['quantity', z('近 12 个月产量', 'Output, 12 months'), 'quantity'],
        ['outputUnit', z('产量单位', 'Output unit'), 'text'],
        ['savingsTce', z('节能潜力（12 个月）', 'Savings potential (12 months)'), 'tce', 'tce'],
        ['savingsCo2T', z('减碳潜力（12 个月）', 'CO2 savings potential (12 months)'), 'tonnes', t],
        ['deadline', z('改造期限', 'Retrofit deadline'), 'text'],
        ['severity', z('告警', 'Alarm'), 'text'],
        ['level', z('版本与来源', 'Edition and source'), 'text'],
      ],
      report.enterprises.flatMap((e) =>
        (e.benchmark ?? []).map((p): CellValue[] => [
          e.name,
          z(p.name, p.nameEn),
          p.unit,
          p.benchmark,
          p.baseline,
          p.ytd.sec,
          tierName(p.ytd.tier, lang),
          p.rolling12.sec,
          tierName(p.rolling12.tier, lang),
          p.rolling12.quantity,
          outputUnit(p.unit),
          p.rolling12.savingsTce,
          p.rolling12.savingsCo2T,
          p.deadline,
          severityName(p.severity, lang),
          levelText(p),
        ]),
      ),
    ),

    findings: table(
      'findings',
      z('节能诊断主要发现（按节能潜力排序，每企业前 3 项）', 'Energy-saving findings (largest savings first, top 3 per enterprise)'),
      [
        ['name', z('企业名称', 'Enterprise'), 'text'],
        ['rank', z('序号', 'Rank'), 'int'],
        ['finding', z('发现', 'Finding'), 'text'],
        ['figure', z('数值', 'Figure'), 'text'],
        ['energy', z('计价能耗', 'Energy priced'), 'quantity'],
        ['energyUnit', z('单位', 'Unit'), 'text'],
        ['savingsTce', z('节能潜力（当量值）', 'Savings potential (equivalent value)'), 'tce', 'tce'],
        ['savingsCo2T', z('减碳潜力', 'CO2 savings potential'), 'tonnes', t],
        ['definition', z('定义与计算', 'Definition and pricing'), 'text'],
      ],
      report.enterprises.flatMap((e) =>
        (e.findings ?? []).map((f): CellValue[] => [
          e.name,
          f.rank,
          findingName(f, e.benchmark ?? [], lang),
          findingFigureText(f, lang),
          f.energy,
          f.energyUnit,
          f.savingsTce,
          f.savingsCo2T,
          lang === 'zh-CN' ? f.definition['zh-CN'] : f.definition.en,
        ]),
      ),
    ),
  };
}
