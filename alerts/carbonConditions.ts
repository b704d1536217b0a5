/**
 * Carbon alarm conditions (contract 9 and 9.1): `carbon` and `carbon-intensity` behave like `quota`
 * and `intensity` (alerts/conditions.ts) on EnterpriseStatus.carbon; `project` is one alarm per
 * energy-review project on its annualised figures. Pure; the texts carry the figures, the grid
 * factor row (value, year, source) and the months, so a mail can be checked without the dashboard.
 */
import { DateTime } from 'luxon';
import type { EnterpriseStatus } from '../services/figures/statusService';
import type { FactorRowAt, ProjectAt } from '../services/figures/projectFigures';
import { isoInZone } from '../services/energy/time';
import { LEVEL_SEVERITY, monthsPeriod, num, pct, text, troubleText, type Condition, type Language } from './conditions';

type CarbonType = 'carbon' | 'carbon-intensity';
type StatusPart = Pick<EnterpriseStatus, 'enterprise' | 'at' | 'timezone' | 'carbon' | 'quota'>;

function normal(type: CarbonType, s: StatusPart, message: string): Condition {
  return { type, enterprise: s.enterprise, meter: null, severity: null, value: null, threshold: null, unit: null, message };
}

/** "电网排放因子 0.5366 kgCO2/kWh（2026年，source）" / "grid factor 0.5366 kgCO2/kWh (2026, source)". */
export function gridFactorText(rows: readonly FactorRowAt[], lang: Language): string {
  if (rows.length === 0) return text(lang, '无外购电', 'no grid electricity');
  const one = (r: FactorRowAt) =>
    text(
      lang,
      `${num(r.value, 4)} kgCO2/kWh（${r.year === undefined ? '' : `${r.year}年，`}${r.source}）`,
      `${num(r.value, 4)} kgCO2/kWh (${r.year === undefined ? '' : `${r.year}, `}${r.source})`,
    );
  return text(lang, `电网排放因子 ${rows.map(one).join('；')}`, `grid factor ${rows.map(one).join('; ')}`);
}

const gridRows = (s: StatusPart): FactorRowAt[] => (s.carbon?.gridFactor ? [s.carbon.gridFactor] : []);

/** 碳排放总量: share and pace of the annual CO2 budget, like quotaCondition. No budget: an open alarm clears. */
export function carbonCondition(s: StatusPart, name: string, lang: Language): Condition {
  const c = s.carbon;
  if (!c || c.level === null || c.budgetT === null || c.share === null)
    return normal('carbon', s, text(lang, `${name} 本年度未设碳排放预算`, `${name}: no CO2 budget for this year`));
  const pace = c.pace === null ? '—' : pct(c.pace);
  const forecast = `${c.forecastT === null ? '—' : `${num(c.forecastT, 1)} t`}${troubleText(lang, { overrun: c.overrunT, exhausted: c.exhausted, exhaustionDate: c.exhaustionDate }, 't', 0)}`;
  const grid = gridFactorText(gridRows(s), lang);
  const yearStart = DateTime.fromObject({ year: c.year }, { zone: s.timezone }).toMillis();
  return {
    type: 'carbon',
    enterprise: s.enterprise,
    meter: null,
    severity: LEVEL_SEVERITY[c.level],
    value: c.share,
    threshold: 1,
    unit: 'share',
    periodFrom: s.quota?.periodFrom ?? isoInZone(yearStart, s.timezone),
    periodTo: s.at,
    basis: grid,
    message: text(
      lang,
      `${name} ${c.year}年二氧化碳排放 ${num(c.ytdT, 1)} t，占年度碳排放预算 ${num(c.budgetT, 0)} t 的 ${pct(c.share)}，进度比 ${pace}，全年预测 ${forecast}（燃烧 ${num(c.combustionT, 1)} t，过程 ${num(c.processT, 1)} t，外购电热 ${num(c.scope2T, 1)} t；${grid}）`,
      `${name}: ${c.year} CO2 ${num(c.ytdT, 1)} t is ${pct(c.share)} of the ${num(c.budgetT, 0)} t budget, pace ${pace}, year-end forecast ${forecast} (combustion ${num(c.combustionT, 1)} t, process ${num(c.processT, 1)} t, purchased electricity and heat ${num(c.scope2T, 1)} t; ${grid})`,
    ),
  };
}

/** 碳排放强度: t CO2 per 10^4 yuan over the complete months with output, like intensityCondition. */
export function carbonIntensityCondition(s: StatusPart, name: string, lang: Language): Condition {
  const i = s.carbon?.intensity;
  if (!i || i.intensity === null || i.level === null)
    return normal('carbon-intensity', s, text(lang, `${name} 无产值数据或碳排放强度限额`, `${name}: no output value or CO2 intensity limit`));
  const months = [...i.months].sort();
  const period = monthsPeriod(months, s.timezone);
  const grid = gridFactorText(gridRows(s), lang);
  return {
    type: 'carbon-intensity',
    enterprise: s.enterprise,
    meter: null,
    severity: LEVEL_SEVERITY[i.level],
    value: i.intensity,
    threshold: i.limit,
    unit: 't CO2/10^4 yuan',
    periodFrom: period?.from ?? s.at,
    periodTo: period?.to ?? s.at,
    basis: grid,
    message: text(
      lang,
      `${name} 万元产值二氧化碳排放 ${num(i.intensity, 4)} t/万元（统计月份 ${months.join('、') || '—'}，${num(i.co2T, 1)} t / ${num(i.output10kYuan ?? 0, 1)} 万元），限额 ${num(i.limit, 4)}，比值 ${pct(i.ratio)}；${grid}`,
      `${name}: CO2 intensity ${num(i.intensity, 4)} t per 10^4 yuan over ${months.join(', ') || '—'} (${num(i.co2T, 1)} t / ${num(i.output10kYuan ?? 0, 1)} x 10^4 yuan) against a limit of ${num(i.limit, 4)} (${pct(i.ratio)}); ${grid}`,
    ),
  };
}

/** The alarm key's `meter` slot of a project alarm: one alarm per project, never mistaken for a meter id. */
export const projectAlarmKey = (projectId: string): string => `project:${projectId}`;

/**
 * 节能审查/碳排放评价: the project's annualised energy and CO2 against the review opinion (contract
 * 9.1). The alarm's figure is the one that set its level: CO2 when the CO2 level is critical (the
 * re-review trigger), else energy. Under 28 days of window, no figure and no alarm.
 */
export function projectCondition(enterprise: string, project: ProjectAt, name: string, lang: Language): Condition {
  const p = project;
  const byCo2 = p.co2Level === 'critical';
  const months = p.months.join(text(lang, '、', ', ')) || '—';
  const grid = gridFactorText(p.gridFactors, lang);
  const tce = p.annualTce === null ? '—' : `${num(p.annualTce, 1)} tce`;
  const co2 = p.annualCo2T === null ? '—' : `${num(p.annualCo2T, 1)} t`;
  const tceShare = p.tceShare === null ? '—' : pct(p.tceShare);
  const co2Against =
    p.approvedCo2T === null
      ? text(lang, '未核定碳排放量', 'no approved CO2')
      : text(
          lang,
          `核定 ${num(p.approvedCo2T, 0)} t 的 ${p.co2Share === null ? '—' : pct(p.co2Share)}`,
          `${p.co2Share === null ? '—' : pct(p.co2Share)} of the approved ${num(p.approvedCo2T, 0)} t`,
        );
  const short = p.note === 'short-window' ? text(lang, `（运行不足 28 天，不折算年值）`, ` (under 28 days of operation: no annual figure)`) : '';
  return {
    type: 'project',
    enterprise,
    meter: projectAlarmKey(p.id),
    severity: p.level,
    value: byCo2 ? p.annualCo2T : p.annualTce,
    threshold: byCo2 ? p.approvedCo2T : p.approvedTce,
    unit: byCo2 ? 't CO2/a' : 'tce/a',
    periodFrom: p.window.from,
    periodTo: p.window.to,
    basis: text(lang, `当量值；${grid}`, `equivalent value (当量值); ${grid}`),
    message: text(
      lang,
      `${name} 项目 ${p.name}（${p.id}）年化综合能耗 ${tce}，为节能审查核定 ${num(p.approvedTce, 0)} tce 的 ${tceShare}；年化二氧化碳 ${co2}，${co2Against}（${p.window.days} 天，月份 ${months}；${grid}）${short}`,
      `${name} project ${p.name} (${p.id}): annualised energy ${tce} is ${tceShare} of the approved ${num(p.approvedTce, 0)} tce; annualised CO2 ${co2}, ${co2Against} (${p.window.days} days, months ${months}; ${grid})${short}`,
    ),
  };
}
