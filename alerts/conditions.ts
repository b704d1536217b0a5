/**
 * From figures to alarm conditions: what each rule of issue "rules engine" says about one key
 * (type, enterprise, meter) at one instant. Pure; the rule engine gathers the figures and the alarm
 * manager turns conditions into raised, escalated and cleared alarms.
 */
import { DateTime } from 'luxon';
import type { Severity } from '../config/schema';
import type { EnterpriseStatus } from '../services/figures/statusService';
import { SEVERITY_RANK, type AlarmFigure, type AlarmType } from '../services/energy/alarm';
import { isoInZone } from '../services/energy/time';

export interface Condition extends AlarmFigure {
  readonly type: AlarmType;
  readonly enterprise: string;
  readonly meter: string | null;
  /** null: the condition does not hold (an open alarm of this key clears). */
  readonly severity: Severity | null;
  readonly message: string;
}

export type Language = 'zh-CN' | 'en';

export const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
// One formatter per precision: toLocaleString() with options builds a new one on every call,
// which was most of a 13,000-condition cycle's own CPU.
const formats = new Map<number, Intl.NumberFormat>();
export const num = (x: number, digits = 1): string => {
  let f = formats.get(digits);
  if (!f) formats.set(digits, (f = new Intl.NumberFormat('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })));
  return f.format(x);
};
export const text = (lang: Language, zh: string, en: string): string => (lang === 'zh-CN' ? zh : en);
export const LEVEL_SEVERITY = { green: null, yellow: 'warning', red: 'critical' } as const;

const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * The trouble stated beside the level (issue 21): "，预计超 11,389 tce，约 12月10日用尽" /
 * ", forecast over by 11,389 tce, runs out about 10 Dec"; "已用尽" / "already used up" once share >= 1.
 * Empty when there is nothing to state (or a status built by hand without the figures).
 */
export function troubleText(
  lang: Language,
  t: { readonly overrun?: number | null; readonly exhausted?: boolean | null; readonly exhaustionDate?: string | null },
  unit: string,
  digits: number,
): string {
  const parts: string[] = [];
  if (t.exhausted) parts.push(text(lang, '已用尽', 'already used up'));
  if (t.overrun !== undefined && t.overrun !== null && t.overrun > 0)
    parts.push(text(lang, `预计超 ${num(t.overrun, digits)} ${unit}`, `forecast over by ${num(t.overrun, digits)} ${unit}`));
  const [, m, d] = (t.exhaustionDate ?? '').split('-').map(Number);
  if (m !== undefined && d !== undefined) parts.push(text(lang, `约 ${m}月${d}日用尽`, `runs out about ${d} ${MONTHS_EN[m - 1] ?? ''}`));
  return parts.map((p) => text(lang, `，${p}`, `, ${p}`)).join('');
}

/** 能耗总量: share and pace of the annual cap (contract 4). */
/** A key whose figure cannot be computed now (no quota for the year, no output): an open alarm clears. */
function normal(type: 'quota' | 'intensity' | 'tariff', s: EnterpriseStatus, message: string): Condition {
  return { type, enterprise: s.enterprise, meter: null, severity: null, value: null, threshold: null, unit: null, message };
}

export function quotaCondition(s: EnterpriseStatus, name: string, lang: Language, basis: string): Condition {
  const q = s.quota;
  if (!q) return normal('quota', s, text(lang, `${name} 本年度未设能耗总量控制目标`, `${name}: no quota for this year`));
  const pace = q.pace === null ? '—' : pct(q.pace);
  return {
    type: 'quota',
    enterprise: s.enterprise,
    meter: null,
    severity: LEVEL_SEVERITY[q.level],
    value: q.share,
    threshold: 1,
    unit: 'share',
    periodFrom: q.periodFrom,
    periodTo: q.periodTo,
    basis,
    message: text(
      lang,
      `${name} ${q.year}年能耗总量 ${num(q.ytdTce, 2)} tce，占年度控制目标 ${num(q.totalTce, 0)} tce 的 ${pct(q.share)}，进度比 ${pace}，全年预测 ${q.forecastTce === null ? '—' : `${num(q.forecastTce, 2)} tce`}${troubleText(lang, { overrun: q.overrunTce, exhausted: q.exhausted, exhaustionDate: q.exhaustionDate }, 'tce', 0)}`,
      `${name}: ${q.year} consumption ${num(q.ytdTce, 2)} tce is ${pct(q.share)} of the ${num(q.totalTce, 0)} tce cap, pace ${pace}, year-end forecast ${q.forecastTce === null ? '—' : `${num(q.forecastTce, 2)} tce`}${troubleText(lang, { overrun: q.overrunTce, exhausted: q.exhausted, exhaustionDate: q.exhaustionDate }, 'tce', 0)}`,
    ),
  };
}

/** 能耗强度: tce per 10^4 yuan of output value against the limit. */
export function intensityCondition(s: EnterpriseStatus, name: string, lang: Language, basis: string): Condition {
  const i = s.intensity;
  if (!i || i.intensity === null)
    return normal('intensity', s, text(lang, `${name} 无产值数据或强度限额`, `${name}: no output value or intensity limit`));
  // Energy and output over the same complete months (contract 4): the alarm names them and its period is theirs.
  const months = [...i.months].sort();
  const period = monthsPeriod(months, s.timezone);
  return {
    type: 'intensity',
    enterprise: s.enterprise,
    meter: null,
    severity: LEVEL_SEVERITY[i.level],
    value: i.intensity,
    threshold: i.limit,
    unit: 'tce/10^4 yuan',
    periodFrom: period?.from ?? s.quota?.periodFrom ?? s.at,
    periodTo: period?.to ?? s.at,
    basis,
    message: text(
      lang,
      `${name} 万元产值能耗 ${num(i.intensity, 4)} tce/万元（统计月份 ${months.join('、') || '—'}），限额 ${num(i.limit, 4)}，比值 ${pct(i.ratio)}`,
      `${name}: intensity ${num(i.intensity, 4)} tce per 10^4 yuan over ${months.join(', ') || '—'} against a limit of ${num(i.limit, 4)} (${pct(i.ratio)})`,
    ),
  };
}

/** From the start of the first month to the end of the last (YYYY-MM, site zone); undefined for none. */
export function monthsPeriod(months: readonly string[], zone: string): { from: string; to: string } | undefined {
  const first = months[0];
  const last = months[months.length - 1];
  if (first === undefined || last === undefined) return undefined;
  const start = DateTime.fromFormat(first, 'yyyy-MM', { zone });
  const end = DateTime.fromFormat(last, 'yyyy-MM', { zone }).plus({ months: 1 });
  if (!start.isValid || !end.isValid) return undefined;
  return { from: isoInZone(start.toMillis(), zone), to: isoInZone(end.toMillis(), zone) };
}

/** 阶梯电价: any markup is a warning; periods without output raise no tariff alarm (see dataQualityCondition). */
export function tariffCondition(s: EnterpriseStatus, name: string, lang: Language): Condition {
  const t = s.tariff;
  if (!t || t.unitConsumption === null)
    return normal('tariff', s, text(lang, `${name} 无阶梯电价档位（无产量）`, `${name}: no tariff tier (no output)`));
  const markup = t.markupYuanPerKwh ?? 0;
  return {
    type: 'tariff',
    enterprise: s.enterprise,
    meter: null,
    severity: markup > 0 ? 'warning' : null,
    value: t.unitConsumption,
    threshold: null,
    unit: t.unit,
    periodFrom: t.periodFrom,
    periodTo: t.periodTo,
    basis: text(
      lang,
      `阶梯电价方案 ${t.tariff}（${t.basis === 'ytd' ? '年累计' : '当月'}）`,
      `tariff ${t.tariff} (${t.basis === 'ytd' ? 'year to date' : 'month'})`,
    ),
    message: text(
      lang,
      `${name} 单位产品电耗 ${num(t.unitConsumption)} ${t.unit}，加价 ${num(markup, 3)} 元/kWh，预计加收电费 ${num(t.surchargeYuan ?? 0, 0)} 元`,
      `${name}: unit consumption ${num(t.unitConsumption)} ${t.unit}, markup ${num(markup, 3)} yuan/kWh, estimated surcharge ${num(t.surchargeYuan ?? 0, 0)} yuan`,
    ),
  };
}

/** A power or interval value above its limit for forSeconds raises; it clears below limit x (1 - hysteresis). */
export interface ThresholdLimit {
  readonly above: number;
  readonly forSeconds: number;
  readonly severity: Severity;
}

/**
 * All threshold rules of one meter make one condition (one alarm key): the most severe rule whose
 * limit was exceeded by every value since `at - forSeconds` wins. An open alarm falls back only
 * when the latest value is below its own limit x (1 - hysteresis); in between it keeps its severity.
 * `values` are the meter's power, interval quantity or counter step, ascending, each with its time.
 */
export function thresholdCondition(
  input: {
    enterprise: string;
    meter: string;
    name: string;
    unit: string;
    limits: readonly ThresholdLimit[];
    hysteresis: number;
    openSeverity: Severity | null;
    at: number;
  },
  values: readonly { ts: number; value: number }[],
  lang: Language,
  zoneIso: (ms: number) => string,
): Condition {
  const latest = values[values.length - 1];
  const bySeverity = [...input.limits].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
  const breached = bySeverity.find((l) => {
    // The window starts at the last value at or before at - forSeconds: the breach lasted the whole time.
    const from = input.at - l.forSeconds * 1000;
    const startIdx = values.findLastIndex((v) => v.ts <= from);
    const window = startIdx === -1 ? [] : values.slice(startIdx);
    return window.length > 0 && window.every((v) => v.value > l.above);
  });
  // An open alarm holds the most severe level (up to its own) whose band the latest value is still in.
  const open = input.openSeverity;
  const held =
    open === null || !latest
      ? undefined
      : bySeverity.find((l) => SEVERITY_RANK[l.severity] <= SEVERITY_RANK[open] && latest.value >= l.above * (1 - input.hysteresis));
  const limit = [breached, held]
    .filter((l): l is ThresholdLimit => l !== undefined)
    .sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity])[0];
  const shown = limit ?? bySeverity[bySeverity.length - 1]!;
  return {
    type: 'threshold',
    enterprise: input.enterprise,
    meter: input.meter,
    severity: limit?.severity ?? null,
    value: latest?.value ?? null,
    threshold: shown.above,
    unit: input.unit,
    ...(latest && { periodFrom: zoneIso(input.at - shown.forSeconds * 1000), periodTo: zoneIso(latest.ts) }),
    message: text(
      lang,
      `${input.name} 计量点 ${input.meter} 读数 ${latest ? num(latest.value) : '—'} ${input.unit}，持续 ${shown.forSeconds} 秒高于限值 ${num(shown.above)} ${input.unit}`,
      `${input.name} meter ${input.meter} at ${latest ? num(latest.value) : '—'} ${input.unit}, above ${num(shown.above)} ${input.unit} for ${shown.forSeconds} s`,
    ),
  };
}

/** No data for silenceMultiple x the meter's interval. */
export function silenceCondition(
  input: {
    enterprise: string;
    meter: string;
    name: string;
    intervalSeconds: number;
    multiple: number;
    lastTs: number | undefined;
    since: number;
    now: number;
  },
  lang: Language,
  zoneIso: (ms: number) => string,
): Condition {
  const reference = input.lastTs ?? input.since;
  const silentSeconds = (input.now - reference) / 1000;
  const limit = input.multiple * input.intervalSeconds;
  return {
    type: 'silence',
    enterprise: input.enterprise,
    meter: input.meter,
    severity: silentSeconds > limit ? 'warning' : null,
    value: silentSeconds,
    threshold: limit,
    unit: 's',
    periodFrom: zoneIso(reference),
    periodTo: zoneIso(input.now),
    message: text(
      lang,
      `${input.name} 计量点 ${input.meter} 已 ${num(silentSeconds / 60, 0)} 分钟无数据（上次 ${input.lastTs === undefined ? '从未上报' : zoneIso(input.lastTs)}）`,
      `${input.name} meter ${input.meter} silent for ${num(silentSeconds / 60, 0)} min (last reading ${input.lastTs === undefined ? 'never' : zoneIso(input.lastTs)})`,
    ),
  };
}

/** Resets, rollovers, corrections (per meter) and quarantine bursts or missing output (per enterprise). */
export function dataQualityCondition(
  input: { enterprise: string; meter: string | null; name: string; counts: Readonly<Record<string, number>>; windowFrom: number; now: number },
  lang: Language,
  zoneIso: (ms: number) => string,
): Condition {
  const entries = Object.entries(input.counts).filter(([, n]) => n > 0);
  const total = entries.reduce((s, [, n]) => s + n, 0);
  const enterpriseWide = input.meter === null;
  const listing = entries.map(([k, n]) => `${k} ${n}`).join(', ');
  return {
    type: 'data-quality',
    enterprise: input.enterprise,
    meter: input.meter,
    severity: total === 0 ? null : enterpriseWide ? 'warning' : 'info',
    value: total,
    threshold: null,
    unit: 'events',
    periodFrom: zoneIso(input.windowFrom),
    periodTo: zoneIso(input.now),
    message: text(
      lang,
      `${input.name}${input.meter === null ? '' : ` 计量点 ${input.meter}`} 数据质量：${listing || '正常'}`,
      `${input.name}${input.meter === null ? '' : ` meter ${input.meter}`} data quality: ${listing || 'normal'}`,
    ),
  };
}

/** Warning this many calendar days before a calibration certificate runs out (contract 8.1). */
export const CALIBRATION_WARNING_DAYS = 30;

/**
 * The instants of a certificate valid until `validUntil` (YYYY-MM-DD, site zone, the last valid day):
 * it runs out at the start of the next day, and the warning starts CALIBRATION_WARNING_DAYS calendar
 * days before that, so the warning covers the last 30 valid days (docs/ledger/meter-events.md, API).
 */
export function calibrationDates(validUntil: string, zone: string): { warningFrom: number; expiresAt: number } {
  const day = DateTime.fromFormat(validUntil, 'yyyy-MM-dd', { zone });
  if (!day.isValid) throw new RangeError(`validUntil must be YYYY-MM-DD, got "${validUntil}"`);
  const expires = day.plus({ days: 1 });
  return { warningFrom: expires.minus({ days: CALIBRATION_WARNING_DAYS }).toMillis(), expiresAt: expires.toMillis() };
}

/**
 * 检定/校准: warning in the last 30 valid days, critical once the certificate has run out. A meter
 * without a calibration event, or decommissioned by `now`, raises nothing (an open alarm clears).
 * `value` is the calendar days of validity left counting today (1 on the last valid day, 0 on the
 * first day after it, negative later).
 */
export function calibrationCondition(
  input: {
    enterprise: string;
    meter: string;
    name: string;
    validUntil: string | undefined;
    certificate?: string | undefined;
    decommissioned: boolean;
    now: number;
    zone: string;
  },
  lang: Language,
): Condition {
  const base = { type: 'calibration' as const, enterprise: input.enterprise, meter: input.meter, unit: 'd' };
  if (input.validUntil === undefined || input.decommissioned) {
    const why = input.decommissioned ? text(lang, '已停用', 'decommissioned') : text(lang, '无检定记录', 'no calibration recorded');
    return { ...base, severity: null, value: null, threshold: null, message: `${input.name} ${input.meter}: ${why}` };
  }
  const { warningFrom, expiresAt } = calibrationDates(input.validUntil, input.zone);
  const today = DateTime.fromMillis(input.now, { zone: input.zone }).startOf('day');
  const daysLeft = Math.round(DateTime.fromMillis(expiresAt, { zone: input.zone }).diff(today, 'days').days);
  const severity: Severity | null = input.now >= expiresAt ? 'critical' : input.now >= warningFrom ? 'warning' : null;
  const cert = input.certificate === undefined ? '' : text(lang, `（证书 ${input.certificate}）`, ` (certificate ${input.certificate})`);
  const state =
    input.now >= expiresAt ? text(lang, '已过期，请送检', 'expired: recalibrate') : text(lang, `剩余 ${daysLeft} 天`, `${daysLeft} d left`);
  return {
    ...base,
    severity,
    value: daysLeft,
    threshold: CALIBRATION_WARNING_DAYS,
    periodFrom: isoInZone(warningFrom, input.zone),
    periodTo: isoInZone(expiresAt, input.zone),
    message: text(
      lang,
      `${input.name} 计量点 ${input.meter} 检定有效期至 ${input.validUntil}${cert}，${state}`,
      `${input.name} meter ${input.meter}: calibration valid until ${input.validUntil}${cert}, ${state}`,
    ),
  };
}
