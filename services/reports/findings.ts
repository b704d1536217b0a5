/**
 * The monthly report's energy-saving findings (contract 11: "the monthly report carries each
 * enterprise's top findings with their savings potential"): each diagnosis figure that points at
 * waste becomes a finding priced in tce on the equivalent basis (当量值, as benchmark savings are) and
 * in t CO2, and the largest three are kept. Pure: the diagnosis answer, the enterprise's benchmark
 * rows and the factors come in. The rules, in words: docs/diagnosis.md "Findings in the monthly report".
 */
import { DateTime } from 'luxon';
import { isWorkingHour, localHour } from '../energy/diagnosis';
import type { AnomalousDay, DiagnosisAnswer, DiagnosisBaseLoad, DiagnosisOffHours } from '../figures/diagnosisTypes';
import { figure } from '../figures/precision';
import type { FindingKind, ReportFinding, ReportProductBenchmark } from './reportModel';

/** The rules' constants (not configurable yet; docs/diagnosis.md says why these values). */
export const FINDING_RULES = {
  /** Standby that a plant working to a schedule may keep outside it: this fraction of the month's mean load. */
  standbyShareOfMeanLoad: 0.3,
  /** Findings kept per enterprise. */
  top: 3,
} as const;

/** Electricity on the equivalent basis and the grid factor of the month's data year, with their sources. */
export interface ElectricityPricing {
  readonly kgcePerKwh: number;
  readonly kgceSource: string;
  /** null when the grid factor is unknown: electric findings then have no CO2 figure. */
  readonly kgCo2PerKwh: { readonly value: number; readonly year: number | null; readonly source: string } | null;
}

/** The parts of the diagnosis answer the findings read. */
export type FindingDiagnosis = Pick<DiagnosisAnswer, 'timezone' | 'from' | 'to' | 'electricityBasis'> & {
  readonly baseLoad: Pick<DiagnosisBaseLoad, 'baseLoad' | 'meanLoad' | 'ratio' | 'hoursWithData' | 'hoursInPeriod'>;
  readonly offHours: Pick<DiagnosisOffHours, 'share' | 'offHoursQuantity' | 'continuous' | 'schedule'>;
  readonly anomalies: {
    readonly rule: DiagnosisAnswer['anomalies']['rule'];
    readonly days: readonly Pick<AnomalousDay, 'direction' | 'excessTce' | 'excessTceOtherBasis'>[];
  };
};

export interface FindingInputs {
  /** The enterprise's diagnosis of the month; undefined without one. */
  readonly diagnosis: FindingDiagnosis | undefined;
  readonly products: readonly ReportProductBenchmark[];
  readonly electricity: ElectricityPricing | undefined;
  /** The enterprise's t CO2 per tce (equivalent) of the month, for anomalous days; null when unknown. */
  readonly co2TPerTce: number | null;
}

type Unranked = Omit<ReportFinding, 'rank'>;
const ORDER: readonly FindingKind[] = ['product', 'anomalous-days', 'base-load', 'off-hours'];

/** The top findings, largest savings first (ties: product, anomalous days, base load, off-hours); none with 0 savings. */
export function topFindings(input: FindingInputs): ReportFinding[] {
  const all = [...electricFindings(input), ...anomalyFindings(input), ...productFindings(input)];
  return all
    .filter((f) => f.savingsTce > 0)
    .sort((a, b) => b.savingsTce - a.savingsTce || ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind))
    .slice(0, FINDING_RULES.top)
    .map((f, i) => ({ rank: i + 1, ...f }));
}

/**
 * Hours of [from, to) outside the working schedule, scaled by the share of hours with data (a month
 * with missing hours has its base load priced over the hours it can speak for).
 */
export function offScheduleHours(d: FindingDiagnosis): { hours: number; effective: number } {
  const zone = d.timezone;
  const schedule = d.offHours.schedule;
  let hours = 0;
  const end = DateTime.fromISO(d.to, { zone }).toMillis();
  for (let t = DateTime.fromISO(d.from, { zone }).toMillis(); t < end; t += 3_600_000) if (!isWorkingHour(schedule, localHour(t, zone))) hours++;
  const b = d.baseLoad;
  return { hours, effective: b.hoursInPeriod > 0 ? (hours * b.hoursWithData) / b.hoursInPeriod : 0 };
}

/** Base load above the standby reference and off-hours consumption above the base load, both over the off-schedule hours. */
function electricFindings({ diagnosis: d, electricity: e }: FindingInputs): Unranked[] {
  if (!d || !e || d.offHours.continuous) return [];
  const { baseLoad: base, meanLoad: mean, ratio } = d.baseLoad;
  if (base === null || mean === null || ratio === null) return [];
  const { hours, effective } = offScheduleHours(d);
  const r = FINDING_RULES.standbyShareOfMeanLoad;
  const priced = (kWh: number) => ({
    energy: figure(kWh),
    energyUnit: 'kWh' as const,
    savingsTce: figure((kWh * e.kgcePerKwh) / 1000),
    savingsCo2T: e.kgCo2PerKwh ? figure((kWh * e.kgCo2PerKwh.value) / 1000) : null,
  });
  const coeff = `${e.kgcePerKwh} kgce/kWh (${e.kgceSource})`;
  const grid = e.kgCo2PerKwh ? `${e.kgCo2PerKwh.value} kgCO2/kWh (${e.kgCo2PerKwh.year ?? ''} ${e.kgCo2PerKwh.source})` : '—';
  const hoursZh = `非工作时间 ${hours} 小时 × 有数据小时比例 ${d.baseLoad.hoursWithData}/${d.baseLoad.hoursInPeriod}`;
  const hoursEn = `the ${hours} off-schedule hours x the share of hours with data ${d.baseLoad.hoursWithData}/${d.baseLoad.hoursInPeriod}`;
  const out: Unranked[] = [];
  if (ratio > r)
    out.push({
      kind: 'base-load',
      subject: null,
      figure: ratio,
      figureUnit: 'fraction',
      reference: r,
      ...priced(Math.max(0, base - r * mean) * effective),
      definition: {
        'zh-CN': `基础负荷/平均负荷超过 ${r}（按工作时间表生产的企业，非工作时间的待机负荷以平均负荷的 ${r} 为参考）。节能量 = (基础负荷 − ${r} × 平均负荷) kW × ${hoursZh}，电力按 ${coeff} 折标，按 ${grid} 计二氧化碳。`,
        en: `Base load / mean load above ${r} (a plant working to a schedule may keep a standby of ${r} x its mean load outside it). Savings = (base load - ${r} x mean load) kW x ${hoursEn}, electricity at ${coeff}, CO2 at ${grid}.`,
      },
    });
  const above = d.offHours.offHoursQuantity - base * effective;
  if (d.offHours.share !== null && above > 0)
    out.push({
      kind: 'off-hours',
      subject: null,
      figure: d.offHours.share,
      figureUnit: 'fraction',
      reference: null,
      ...priced(above),
      definition: {
        'zh-CN': `非工作时间用电中超出基础负荷的部分（设备在非工作时间仍在运行）。节能量 = 非工作时间用电量 kWh − 基础负荷 kW × ${hoursZh}，电力按 ${coeff} 折标，按 ${grid} 计二氧化碳。数值为非工作时间用电占比。`,
        en: `Electricity used outside working hours above the base load (equipment left running). Savings = off-hours kWh - base load kW x ${hoursEn}, electricity at ${coeff}, CO2 at ${grid}. The figure is the off-hours share.`,
      },
    });
  return out;
}

/** The days above normal: their excess over the same weekdays' median, tce on the equivalent basis. */
function anomalyFindings({ diagnosis: d, co2TPerTce }: FindingInputs): Unranked[] {
  if (!d) return [];
  const equivalent = d.electricityBasis === 'equivalent';
  const days = d.anomalies.days.filter((x) => x.direction === 'above');
  const excess = days.reduce((s, x) => s + Math.max(0, (equivalent ? x.excessTce : x.excessTceOtherBasis) ?? 0), 0);
  if (days.length === 0) return [];
  const rule = d.anomalies.rule;
  return [
    {
      kind: 'anomalous-days',
      subject: null,
      figure: days.length,
      figureUnit: 'days',
      reference: null,
      energy: figure(excess),
      energyUnit: 'tce',
      savingsTce: figure(excess),
      savingsCo2T: co2TPerTce === null ? null : figure(excess * co2TPerTce),
      definition: {
        'zh-CN': `高于正常的异常日（与前 ${rule.weeks} 周同一星期几中位数相差超过 ${rule.thresholdMads} 倍标度 MAD）。节能量 = 各异常日超出中位数的能耗之和（tce，当量值）；二氧化碳按企业当月单位能耗碳排放（全部二氧化碳 / 全部用能当量值，与能效对标相同）计。`,
        en: `Days above normal (more than ${rule.thresholdMads} scaled MADs from the median of the same weekday over the previous ${rule.weeks} weeks). Savings = the sum of those days' excess over the median (tce, equivalent value); CO2 at the enterprise's CO2 per tce of the month (the month's CO2 / its energy on the equivalent value).`,
      },
    },
  ];
}

/** A product above benchmark: a month's part of its rolling-12-month savings potential. */
function productFindings({ products }: FindingInputs): Unranked[] {
  return products.flatMap((p): Unranked[] => {
    const r = p.rolling12;
    const months = r.months.length;
    if (r.sec === null || r.savingsTce === null || r.savingsTce <= 0 || months === 0) return [];
    return [
      {
        kind: 'product',
        subject: p.product,
        figure: r.sec,
        figureUnit: p.unit,
        reference: p.benchmark,
        energy: figure(r.savingsTce / months),
        energyUnit: 'tce',
        savingsTce: figure(r.savingsTce / months),
        savingsCo2T: r.savingsCo2T === null ? null : figure(r.savingsCo2T / months),
        definition: {
          'zh-CN': `${p.name}单位产品能耗高于标杆水平 ${p.benchmark} ${p.unit}（基准水平 ${p.baseline}，${p.edition}，${p.source}）。节能量 = 近 12 个月节能潜力 max(0, 单耗 − 标杆) × 产量 ÷ 有数据的月数 ${months}，即一个月的份额（tce，当量值）；二氧化碳按企业单位能耗碳排放计（合同第 10 节）。`,
          en: `${p.nameEn}: unit consumption above the benchmark level ${p.benchmark} ${p.unit} (baseline ${p.baseline}, ${p.edition}, ${p.source}). Savings = the rolling-12-month potential max(0, sec - benchmark) x output / its ${months} months with data: one month's part (tce, equivalent value); CO2 at the enterprise's CO2 per tce (contract 10).`,
        },
      },
    ];
  });
}
