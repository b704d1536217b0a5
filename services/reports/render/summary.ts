/**
 * The written summary at the top of the report and the signature block at its end (issue 21: an
 * auditor reads a paragraph first and signs the last page). The paragraph is worded from the
 * report's own figures, so it never says what the tables do not; it is presentation only and is not
 * part of the model (the content hash stays that of the figures, reportHash.ts).
 */
import type { EnterpriseReport, MonthlyReport } from '../reportModel';
import { isDraft } from '../reportModel';
import { formatValue, nameOf, pick, type Language } from './labels';
import { plainMonth } from './plainDates';

/** How many enterprises the paragraph names as the largest changes on last month. */
export const LARGEST_CHANGES = 3;

const tce = (value: number, lang: Language): string => `${formatValue('tce', value, lang)} tce`;
const signedPercent = (fraction: number, lang: Language): string => `${fraction > 0 ? '+' : ''}${formatValue('percent', fraction, lang)}`;

/**
 * `较上月增长 4.2%（上月 198.765 tce）`, or why there is no comparison: a district sum with some
 * enterprises missing their earlier figure would show a change that is only the missing data, so it
 * is not compared (`missing` enterprises without the earlier figure).
 */
function comparison(now: number, before: number, missing: number, lang: Language, zhWhen: string, enWhen: string): string {
  if (before <= 0) return pick(lang, `${zhWhen}无可比数据`, `no figure for ${enWhen} to compare with`);
  if (missing > 0)
    return pick(
      lang,
      `${missing} 家企业无${zhWhen}数据，不作比较`,
      `not compared with ${enWhen}: ${missing} ${missing === 1 ? 'enterprise has' : 'enterprises have'} no figure for it`,
    );
  const change = (now - before) / before;
  const zhVerb = change > 0 ? '增长' : change < 0 ? '下降' : '持平';
  const enVerb = change > 0 ? 'up' : change < 0 ? 'down' : 'unchanged';
  const pct = formatValue('percent', Math.abs(change), lang);
  return pick(
    lang,
    change === 0 ? `与${zhWhen}持平（${tce(before, lang)}）` : `较${zhWhen}${zhVerb} ${pct}（${zhWhen} ${tce(before, lang)}）`,
    change === 0 ? `unchanged on ${enWhen} (${tce(before, lang)})` : `${enVerb} ${pct} on ${enWhen} (${tce(before, lang)})`,
  );
}

/** The kinds of red light an enterprise shows at the month's end: dual-control quota, intensity, carbon. */
export function redLights(e: EnterpriseReport): readonly ('quota' | 'intensity' | 'carbon')[] {
  const out: ('quota' | 'intensity' | 'carbon')[] = [];
  if (e.quota?.level === 'red') out.push('quota');
  if (e.intensity?.level === 'red') out.push('intensity');
  if (e.carbon?.level === 'red' || e.carbon?.intensity?.level === 'red') out.push('carbon');
  return out;
}

const RED_NAMES = { quota: ['能耗总量', 'energy quota'], intensity: ['能耗强度', 'energy intensity'], carbon: ['碳排放', 'carbon'] } as const;

function largestChanges(report: MonthlyReport, lang: Language): string | null {
  // An enterprise without last month's figure is not compared (as the district sentence says), not ranked by its whole total.
  const moved = report.enterprises
    .filter((e) => e.previousMonthTce > 0)
    .map((e) => ({ e, delta: e.totalTce - e.previousMonthTce }))
    .filter((x) => x.delta !== 0)
    .sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta))
    .slice(0, LARGEST_CHANGES);
  if (moved.length === 0) return null;
  const items = moved.map(({ e, delta }) => {
    const figures = [`${delta > 0 ? '+' : ''}${tce(delta, lang)}`];
    if (e.changeFromPreviousMonth !== null) figures.push(signedPercent(e.changeFromPreviousMonth, lang));
    return pick(lang, `${e.name}（${figures.join('，')}）`, `${e.name} (${figures.join(', ')})`);
  });
  const list = items.join(pick(lang, '、', '; '));
  return pick(lang, `较上月变化最大的企业：${list}。`, `Largest changes on last month: ${list}.`);
}

function reds(report: MonthlyReport, lang: Language): string {
  const red = report.enterprises.map((e) => ({ e, kinds: redLights(e) })).filter((x) => x.kinds.length > 0);
  if (red.length === 0) return pick(lang, '月末无红色预警企业。', 'No enterprise shows a red light at the month’s end.');
  const items = red.map(({ e, kinds }) => {
    const what = kinds.map((k) => pick(lang, RED_NAMES[k][0], RED_NAMES[k][1])).join(pick(lang, '、', ', '));
    return pick(lang, `${e.name}（${what}）`, `${e.name} (${what})`);
  });
  return pick(
    lang,
    `月末红色预警企业 ${red.length} 家：${items.join('、')}。`,
    `${red.length} ${red.length === 1 ? 'enterprise shows' : 'enterprises show'} a red light at the month’s end: ${items.join('; ')}.`,
  );
}

function alarms(report: MonthlyReport, lang: Language): string {
  const sum = (k: 'critical' | 'warning' | 'info'): number => report.enterprises.reduce((s, e) => s + e.alarms[k], 0);
  const [critical, warning, info] = [sum('critical'), sum('warning'), sum('info')];
  const total = critical + warning + info;
  if (total === 0) return pick(lang, '本月未产生告警。', 'No alarm was raised in the month.');
  return pick(
    lang,
    `本月产生告警 ${total} 次（严重 ${critical}、警告 ${warning}、提示 ${info}）。`,
    `${total} ${total === 1 ? 'alarm was' : 'alarms were'} raised in the month (${critical} critical, ${warning} warning, ${info} info).`,
  );
}

/** The summary paragraph, in the report's language, from the report's figures. */
export function summaryText(report: MonthlyReport, lang: Language): string {
  const district = report.scope === 'district';
  const who = district
    ? pick(lang, `全区 ${report.enterprises.length} 家重点用能单位`, `the district's ${report.enterprises.length} enterprises`)
    : nameOf(report, report.scope);
  const total = report.totals.totalTce;
  const sum = (f: (e: EnterpriseReport) => number): number => report.enterprises.reduce((s, e) => s + f(e), 0);
  const count = (f: (e: EnterpriseReport) => number): number => report.enterprises.filter((e) => f(e) <= 0).length;
  const previous = comparison(
    total,
    sum((e) => e.previousMonthTce),
    count((e) => e.previousMonthTce),
    lang,
    '上月',
    'last month',
  );
  const lastYear = comparison(
    total,
    sum((e) => e.sameMonthLastYearTce),
    count((e) => e.sameMonthLastYearTce),
    lang,
    '去年同月',
    'the same month last year',
  );
  const month = plainMonth(report.month, lang);
  // A draft built before the month ended holds part of it: compared with whole months it would read as a fall.
  const running = Date.parse(report.generatedAt) < Date.parse(report.periodTo);
  const status = isDraft(report)
    ? pick(lang, '本报告为草稿，月份未定稿，数字仍可能变化。', 'This report is a draft: the month is not finalised and the figures may change.')
    : pick(lang, `本报告为定稿第 ${report.revision} 版。`, `This report is final, revision ${report.revision}.`);
  const parts = [
    running
      ? pick(
          lang,
          `${month}${who}截至目前能耗总量（双控）${tce(total, lang)}；本月尚未结束，不与上月、去年同月比较。`,
          `In ${month} so far ${who} used ${tce(total, lang)} (dual-control total); the month has not ended, so it is not compared with last month or last year.`,
        )
      : pick(
          lang,
          `${month}${who}能耗总量（双控）${tce(total, lang)}，${previous}，${lastYear}。`,
          `In ${month} ${who} used ${tce(total, lang)} (dual-control total), ${previous}, ${lastYear}.`,
        ),
    ...(district && report.enterprises.length > 1 && !running ? [largestChanges(report, lang)] : []),
    reds(report, lang),
    alarms(report, lang),
    status,
  ];
  return parts.filter((p): p is string => p !== null).join(pick(lang, '', ' '));
}

export interface SignatureLine {
  readonly role: string;
  readonly signature: string;
  readonly date: string;
}

/** 编制 / 审核 / 批准 with blank lines for the name and the date, in the report's language. */
export function signatureLines(lang: Language): readonly SignatureLine[] {
  const blank = '________________';
  const date = pick(lang, '日期：______年____月____日', 'Date: ________________');
  return [
    { role: pick(lang, '编制', 'Prepared by'), signature: pick(lang, `签名：${blank}`, `Signature: ${blank}`), date },
    { role: pick(lang, '审核', 'Reviewed by'), signature: pick(lang, `签名：${blank}`, `Signature: ${blank}`), date },
    { role: pick(lang, '批准', 'Approved by'), signature: pick(lang, `签名：${blank}`, `Signature: ${blank}`), date },
  ];
}

export const summaryHeading = (lang: Language): string => pick(lang, '摘要', 'Summary');
export const signatureHeading = (lang: Language): string => pick(lang, '编制与审批', 'Preparation and approval');
