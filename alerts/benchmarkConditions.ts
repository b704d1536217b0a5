/**
 * Benchmark alarm condition (contract 10): one `benchmark` alarm per enterprise product, on the
 * rolling 12 complete months (what the product has when its history is shorter). A product below
 * baseline is a warning from 12 months before its retrofit deadline and critical from the deadline
 * on (overdue). Pure; the text carries sec, both levels, tier, deadline, savings, edition and source.
 */
import { benchmarkSeverity, type BenchmarkTier } from '../services/energy/benchmark';
import type { ProductBenchmarkAt } from '../services/figures/benchmarkFigures';
import { num, text, type Condition, type Language } from './conditions';

/** The alarm key's `meter` slot of a benchmark alarm: one alarm per product, never mistaken for a meter id. */
export const productAlarmKey = (product: string): string => `product:${product}`;

const TIER_WORDS: Readonly<Record<BenchmarkTier, readonly [string, string]>> = {
  benchmark: ['达到标杆水平', 'at benchmark'],
  compliant: ['达到基准水平', 'compliant (between benchmark and baseline)'],
  'below-baseline': ['低于基准水平', 'below baseline'],
};

/** "kgce/t", "kWh/t" (AC), "kgce/重量箱": the unit of sec and the levels. */
export function secUnit(p: Pick<ProductBenchmarkAt, 'metric' | 'unit'>): string {
  if (p.metric === 'kwh_ac_per_t') return `kWh/${p.unit}`;
  return p.metric === 'kgce_per_weight_box' ? 'kgce/weight box' : `kgce/${p.unit}`;
}

export function benchmarkCondition(enterprise: string, p: ProductBenchmarkAt, name: string, lang: Language, at: number, zone: string): Condition {
  const r = p.rolling12;
  const severity = benchmarkSeverity(r.tier, p.deadline, at, zone);
  const unit = secUnit(p);
  const product = text(lang, p.name, p.nameEn);
  const months = r.months.length === 0 ? '—' : `${r.months[0]} – ${r.months[r.months.length - 1]} (${r.months.length})`;
  const tier = r.tier === null ? text(lang, '无产量，无法计算单耗', 'no output: no unit consumption') : text(lang, ...TIER_WORDS[r.tier]);
  const overdue = severity === 'critical' ? text(lang, '，已逾期', ', overdue') : '';
  const co2 = r.savingsCo2T === null ? '' : text(lang, `，${num(r.savingsCo2T, 1)} t CO2`, `, ${num(r.savingsCo2T, 1)} t CO2`);
  const savings = r.savingsTce === null ? '—' : `${num(r.savingsTce, 1)} tce${co2}`;
  return {
    type: 'benchmark',
    enterprise,
    meter: productAlarmKey(p.product),
    severity,
    value: r.sec,
    threshold: p.baseline,
    unit,
    periodFrom: r.periodFrom,
    periodTo: r.periodTo,
    basis: text(
      lang,
      `${p.edition}年版标杆/基准水平（${p.source}）；${p.metric === 'kwh_ac_per_t' ? '交流电耗含自发绿电' : '综合能耗按当量值'}`,
      `${p.edition} edition benchmark/baseline levels (${p.source}); ${p.metric === 'kwh_ac_per_t' ? 'AC electricity incl. on-site renewable' : 'energy on the equivalent basis (当量值)'}`,
    ),
    message: text(
      lang,
      `${name} ${product}近12个完整月单位产品能耗 ${r.sec === null ? '—' : num(r.sec, 1)} ${unit}（${months}），标杆 ${num(p.benchmark, 1)}、基准 ${num(p.baseline, 1)} ${unit}，${tier}；改造期限 ${p.deadline}${overdue}；节能潜力 ${savings}（${p.edition}年版，${p.source}）`,
      `${name} ${product}: unit consumption over the last 12 complete months ${r.sec === null ? '—' : num(r.sec, 1)} ${unit} (${months}) against benchmark ${num(p.benchmark, 1)} and baseline ${num(p.baseline, 1)} ${unit}: ${tier}; retrofit deadline ${p.deadline}${overdue}; savings potential ${savings} (${p.edition} edition, ${p.source})`,
    ),
  };
}
