/**
 * Alert mail texts (contract 7): pure functions from alarm transitions to `{subject, text, html}`.
 * Contract 7 asks for a subject carrying severity, enterprise name and alarm type, and a body with
 * the figures, the threshold and a link to the dashboard, in zh-CN by default or English. The same
 * words are reused by the webhook robots so that a mail and a WeCom/DingTalk message say the same.
 */
import { DateTime } from 'luxon';
import type { AlarmTransition, AlarmType, Severity, TransitionKind } from '../../services/energy/alarm';
import { SEVERITY_RANK } from '../../services/energy/alarm';

export type Language = 'zh-CN' | 'en';

export interface RenderedMail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface TemplateContext {
  readonly language: Language;
  /** Site time zone (config `timezone`); every time in a mail is shown in it and named. */
  readonly zone: string;
  /** Base URL of the dashboard; without it the mail carries no links. */
  readonly dashboardUrl?: string;
  /** Enterprise id -> configured name; names are user data and are escaped in HTML. */
  readonly enterpriseName: (id: string) => string;
}

interface Words {
  readonly severity: Readonly<Record<Severity, string>>;
  readonly type: Readonly<Record<AlarmType, string>>;
  /** Subject suffix after the type, e.g. 能耗总量 + 告警升级. */
  readonly kindSubject: Readonly<Record<TransitionKind, string>>;
  /** Short word for a digest row. */
  readonly kindShort: Readonly<Record<TransitionKind, string>>;
  readonly labels: {
    readonly severity: string;
    readonly meter: string;
    readonly value: string;
    readonly threshold: string;
    readonly period: string;
    readonly basis: string;
    readonly raisedAt: string;
    readonly escalatedAt: string;
    readonly clearedAt: string;
    readonly previous: string;
    readonly message: string;
    readonly enterpriseLink: string;
    readonly alarmsLink: string;
    readonly enterprise: string;
    readonly type: string;
    readonly kind: string;
    readonly time: string;
  };
  readonly periodJoin: string;
  readonly zone: (zone: string) => string;
  readonly colon: string;
  readonly footer: string;
  readonly digestSubject: (count: number, names: string) => string;
  readonly digestIntro: (count: number, zone: string) => string;
  readonly moreNames: (shown: string[], more: number) => string;
  readonly thresholdInRow: (figure: string) => string;
}

const WORDS: Readonly<Record<Language, Words>> = {
  'zh-CN': {
    severity: { critical: '严重', warning: '警告', info: '提示' },
    type: {
      quota: '能耗总量',
      intensity: '能耗强度',
      tariff: '阶梯电价',
      threshold: '越限',
      silence: '数据中断',
      'data-quality': '数据质量',
      calibration: '计量器具检定',
      carbon: '碳排放总量',
      'carbon-intensity': '碳排放强度',
      project: '节能审查项目',
      benchmark: '能效标杆/基准',
    },
    kindSubject: { raised: '告警', escalated: '告警升级', cleared: '告警解除' },
    kindShort: { raised: '告警', escalated: '升级', cleared: '解除' },
    labels: {
      severity: '级别',
      meter: '计量器具',
      value: '当前值',
      threshold: '阈值',
      period: '统计期',
      basis: '折标依据',
      raisedAt: '告警时间',
      escalatedAt: '升级时间',
      clearedAt: '解除时间',
      previous: '原级别',
      message: '说明',
      enterpriseLink: '企业详情',
      alarmsLink: '告警列表',
      enterprise: '企业',
      type: '类型',
      kind: '状态',
      time: '时间',
    },
    periodJoin: ' 至 ',
    zone: (zone) => `（${zone}）`,
    colon: '：',
    footer: '本邮件由能耗在线监测系统自动发送，请勿直接回复。',
    digestSubject: (count, names) => `能耗告警汇总：${count} 条（${names}）`,
    digestIntro: (count, zone) => `汇总窗口内共有 ${count} 条告警通知（时间为 ${zone} 时区）：`,
    moreNames: (shown, more) => shown.join('、') + (more > 0 ? ` 等 ${shown.length + more} 家企业` : ''),
    thresholdInRow: (figure) => `（阈值 ${figure}）`,
  },
  en: {
    severity: { critical: 'CRITICAL', warning: 'WARNING', info: 'INFO' },
    type: {
      quota: 'Energy quota',
      intensity: 'Energy intensity',
      tariff: 'Tiered tariff',
      threshold: 'Threshold',
      silence: 'Data silence',
      'data-quality': 'Data quality',
      calibration: 'Meter calibration',
      carbon: 'CO2 budget',
      'carbon-intensity': 'CO2 intensity',
      project: 'Energy-review project',
      benchmark: 'Benchmark level',
    },
    kindSubject: { raised: 'alarm raised', escalated: 'alarm escalated', cleared: 'alarm cleared' },
    kindShort: { raised: 'raised', escalated: 'escalated', cleared: 'cleared' },
    labels: {
      severity: 'Severity',
      meter: 'Meter',
      value: 'Value',
      threshold: 'Threshold',
      period: 'Period',
      basis: 'Basis',
      raisedAt: 'Raised at',
      escalatedAt: 'Escalated at',
      clearedAt: 'Cleared at',
      previous: 'Previous severity',
      message: 'Message',
      enterpriseLink: 'Enterprise',
      alarmsLink: 'Alarms',
      enterprise: 'Enterprise',
      type: 'Type',
      kind: 'Event',
      time: 'Time',
    },
    periodJoin: ' to ',
    zone: (zone) => ` (${zone})`,
    colon: ': ',
    footer: 'This message was sent automatically by the energy monitoring service; please do not reply.',
    digestSubject: (count, names) => `Alarm digest: ${count} notifications (${names})`,
    digestIntro: (count, zone) => `${count} alarm notifications in this digest (times in ${zone}):`,
    moreNames: (shown, more) => shown.join(', ') + (more > 0 ? ` and ${more} more` : ''),
    thresholdInRow: (figure) => ` (threshold ${figure})`,
  },
};

export function words(language: Language): Words {
  return WORDS[language];
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** Header values must stay on one line whatever an operator typed into a name (header injection). */
function oneLine(s: string): string {
  return s.replace(/[\r\n\t]+/g, ' ').trim();
}

const FMT_LARGE = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const FMT_MEDIUM = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const FMT_SMALL = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 });

/**
 * Thousands separators as in Chinese statistical tables (52,340.5); one decimal from 100 up, two
 * from 1 up, three significant digits below (markups of 0.01 yuan/kWh, intensities of 0.8 tce/10^4 yuan).
 */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const fmt = abs >= 100 ? FMT_LARGE : abs >= 1 || abs === 0 ? FMT_MEDIUM : FMT_SMALL;
  return fmt.format(value);
}

/**
 * `52,340.5 tce`, `93.5 %`; `—` when the figure is unknown (a silent meter has none). The quota
 * rule reports its share of the annual cap with unit `share` (1.007): officers read it in percent.
 */
export function formatFigure(value: number | null, unit: string | null): string {
  if (value === null) return '—';
  if (unit === 'share') return `${formatNumber(value * 100)} %`;
  return unit ? `${formatNumber(value)} ${unit}` : formatNumber(value);
}

export function formatTime(ms: number, zone: string, withSeconds = true): string {
  return DateTime.fromMillis(ms, { zone }).toFormat(withSeconds ? 'yyyy-MM-dd HH:mm:ss' : 'yyyy-MM-dd HH:mm');
}

function formatIso(iso: string, zone: string): string {
  const dt = DateTime.fromISO(iso, { setZone: true });
  return dt.isValid ? dt.setZone(zone).toFormat('yyyy-MM-dd HH:mm') : iso;
}

/** `2026-01-01 00:00 至 2026-11-28 08:00（Asia/Shanghai）`, or undefined when the alarm has no period. */
export function formatPeriod(from: string | undefined, to: string | undefined, zone: string, language: Language): string | undefined {
  if (from === undefined && to === undefined) return undefined;
  const w = WORDS[language];
  const parts = [from, to].map((p) => (p === undefined ? '…' : formatIso(p, zone)));
  return `${parts.join(w.periodJoin)}${w.zone(zone)}`;
}

/** The lookup is user configuration; an unknown id or a failing lookup still yields a usable name. */
export function nameOf(id: string, lookup: (id: string) => string): string {
  try {
    const name = lookup(id);
    return typeof name === 'string' && name.trim() !== '' ? oneLine(name) : id;
  } catch {
    return id;
  }
}

function baseUrl(dashboardUrl: string | undefined): string | undefined {
  const trimmed = dashboardUrl?.trim().replace(/\/+$/, '');
  return trimmed ? trimmed : undefined;
}

export function enterpriseUrl(dashboardUrl: string | undefined, enterprise: string): string | undefined {
  const base = baseUrl(dashboardUrl);
  return base && `${base}/enterprises/${encodeURIComponent(enterprise)}`;
}

export function alarmsUrl(dashboardUrl: string | undefined): string | undefined {
  const base = baseUrl(dashboardUrl);
  return base && `${base}/alarms`;
}

/** `[严重] 重庆示例铝业有限公司 e-main 越限告警`: severity, enterprise name, type and kind (contract 7). */
export function transitionSubject(t: AlarmTransition, ctx: TemplateContext): string {
  const w = WORDS[ctx.language];
  const a = t.alarm;
  const who = nameOf(a.enterprise, ctx.enterpriseName) + (a.meter ? `${ctx.language === 'en' ? ' / ' : ' '}${oneLine(a.meter)}` : '');
  const change =
    t.kind === 'escalated' && t.previousSeverity
      ? ctx.language === 'en'
        ? ` (${w.severity[t.previousSeverity]} → ${w.severity[a.severity]})`
        : `（${w.severity[t.previousSeverity]}→${w.severity[a.severity]}）`
      : '';
  const what = ctx.language === 'en' ? `${who}: ${w.type[a.type]} ${w.kindSubject[t.kind]}` : `${who} ${w.type[a.type]}${w.kindSubject[t.kind]}`;
  return oneLine(`[${w.severity[a.severity]}] ${what}${change}`);
}

export type Field = readonly [label: string, text: string, href?: string];

/** The rows of a single-transition body, shared by the text and HTML mail and the robot messages. */
export function transitionFields(t: AlarmTransition, ctx: TemplateContext): Field[] {
  const w = WORDS[ctx.language];
  const l = w.labels;
  const a = t.alarm;
  const fields: Field[] = [[l.severity, w.severity[a.severity]]];
  if (t.kind === 'escalated' && t.previousSeverity) fields.push([l.previous, w.severity[t.previousSeverity]]);
  if (a.meter) fields.push([l.meter, a.meter]);
  fields.push([l.value, formatFigure(a.value, a.unit)], [l.threshold, formatFigure(a.threshold, a.unit)]);
  const period = formatPeriod(a.periodFrom, a.periodTo, ctx.zone, ctx.language);
  if (period) fields.push([l.period, period]);
  if (a.basis) fields.push([l.basis, a.basis]);
  fields.push([l.raisedAt, formatTime(a.raisedAt, ctx.zone) + w.zone(ctx.zone)]);
  if (t.kind === 'escalated') fields.push([l.escalatedAt, formatTime(t.at, ctx.zone) + w.zone(ctx.zone)]);
  if (t.kind === 'cleared') fields.push([l.clearedAt, formatTime(a.clearedAt ?? t.at, ctx.zone) + w.zone(ctx.zone)]);
  if (a.message) fields.push([l.message, a.message]);
  const entUrl = enterpriseUrl(ctx.dashboardUrl, a.enterprise);
  const listUrl = alarmsUrl(ctx.dashboardUrl);
  if (entUrl) fields.push([l.enterpriseLink, entUrl, entUrl]);
  if (listUrl) fields.push([l.alarmsLink, listUrl, listUrl]);
  return fields;
}

const HTML_HEAD = '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="font-family:sans-serif;font-size:14px">';
const CELL = 'style="padding:4px 8px;border:1px solid #ccc;text-align:left"';

function link(href: string, text: string): string {
  return `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;
}

export function renderTransition(t: AlarmTransition, ctx: TemplateContext): RenderedMail {
  const w = WORDS[ctx.language];
  const a = t.alarm;
  const name = nameOf(a.enterprise, ctx.enterpriseName);
  const heading =
    ctx.language === 'en'
      ? `${name} (${a.enterprise}): ${w.type[a.type]} ${w.kindSubject[t.kind]}`
      : `${name}（${a.enterprise}）${w.type[a.type]}${w.kindSubject[t.kind]}`;
  const fields = transitionFields(t, ctx);
  const text = [heading, '', ...fields.map(([label, value]) => `${label}${w.colon}${value}`), '', w.footer, ''].join('\n');
  const rows = fields.map(
    ([label, value, href]) => `<tr><th ${CELL}>${escapeHtml(label)}</th><td ${CELL}>${href ? link(href, value) : escapeHtml(value)}</td></tr>`,
  );
  const html =
    `${HTML_HEAD}<h2>${escapeHtml(heading)}</h2><table style="border-collapse:collapse">${rows.join('')}</table>` +
    `<p style="color:#666">${escapeHtml(w.footer)}</p></body></html>`;
  return { subject: transitionSubject(t, ctx), text, html };
}

/** The highest severity among the transitions: the digest subject shows the worst news. */
export function highestSeverity(transitions: readonly AlarmTransition[]): Severity {
  let worst: Severity = 'info';
  for (const t of transitions) if (SEVERITY_RANK[t.alarm.severity] > SEVERITY_RANK[worst]) worst = t.alarm.severity;
  return worst;
}

/** Distinct enterprise names in order of appearance, at most `max` shown. */
export function enterpriseNames(transitions: readonly AlarmTransition[], ctx: TemplateContext, max = 2): string {
  const ids = [...new Set(transitions.map((t) => t.alarm.enterprise))];
  return WORDS[ctx.language].moreNames(
    ids.slice(0, max).map((id) => nameOf(id, ctx.enterpriseName)),
    Math.max(0, ids.length - max),
  );
}

/** One line of a digest or of a robot message: `[严重] 告警 | 重庆示例铝业有限公司 | 能耗总量 52,340.5 tce（阈值 52,000 tce） | 2026-11-28 08:00:00`. */
export function transitionRow(t: AlarmTransition, ctx: TemplateContext): string {
  const w = WORDS[ctx.language];
  const a = t.alarm;
  const who = nameOf(a.enterprise, ctx.enterpriseName) + (a.meter ? ` ${oneLine(a.meter)}` : '');
  const figure = formatFigure(a.value, a.unit) + (a.threshold === null ? '' : w.thresholdInRow(formatFigure(a.threshold, a.unit)));
  return `[${w.severity[a.severity]}] ${w.kindShort[t.kind]} | ${who} | ${w.type[a.type]} ${figure} | ${formatTime(t.at, ctx.zone)}`;
}

/** Several transitions for one recipient as one mail (contract 7: a burst is grouped into one digest). */
export function renderDigest(transitions: readonly AlarmTransition[], ctx: TemplateContext): RenderedMail {
  const w = WORDS[ctx.language];
  const l = w.labels;
  const subject = oneLine(`[${w.severity[highestSeverity(transitions)]}] ${w.digestSubject(transitions.length, enterpriseNames(transitions, ctx))}`);
  const intro = w.digestIntro(transitions.length, ctx.zone);
  const listUrl = alarmsUrl(ctx.dashboardUrl);
  const textRows = transitions.map((t, i) => `${i + 1}. ${transitionRow(t, ctx)}`);
  const text = [intro, '', ...textRows, '', ...(listUrl ? [`${l.alarmsLink}${w.colon}${listUrl}`, ''] : []), w.footer, ''].join('\n');
  const head = [l.time, l.severity, l.kind, l.enterprise, l.meter, l.type, l.value, l.threshold]
    .map((h) => `<th ${CELL}>${escapeHtml(h)}</th>`)
    .join('');
  const rows = transitions.map((t) => {
    const a = t.alarm;
    const name = nameOf(a.enterprise, ctx.enterpriseName);
    const entUrl = enterpriseUrl(ctx.dashboardUrl, a.enterprise);
    const cells = [
      escapeHtml(formatTime(t.at, ctx.zone)),
      escapeHtml(w.severity[a.severity]),
      escapeHtml(w.kindShort[t.kind]),
      entUrl ? link(entUrl, name) : escapeHtml(name),
      escapeHtml(a.meter ?? '—'),
      escapeHtml(w.type[a.type]),
      escapeHtml(formatFigure(a.value, a.unit)),
      escapeHtml(formatFigure(a.threshold, a.unit)),
    ];
    return `<tr>${cells.map((c) => `<td ${CELL}>${c}</td>`).join('')}</tr>`;
  });
  const html =
    `${HTML_HEAD}<p>${escapeHtml(intro)}</p><table style="border-collapse:collapse"><tr>${head}</tr>${rows.join('')}</table>` +
    (listUrl ? `<p>${escapeHtml(l.alarmsLink)}${escapeHtml(w.colon)}${link(listUrl, listUrl)}</p>` : '') +
    `<p style="color:#666">${escapeHtml(w.footer)}</p></body></html>`;
  return { subject, text, html };
}
