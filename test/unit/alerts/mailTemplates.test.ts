import type { Alarm, AlarmTransition } from '../../../services/energy/alarm';
import {
  escapeHtml,
  formatFigure,
  formatNumber,
  renderDigest,
  renderTransition,
  type Language,
  type TemplateContext,
} from '../../../alerts/notify/mailTemplates';

const NAMES: Record<string, string> = {
  alu01: '重庆示例铝业有限公司',
  steel01: '渝北特钢有限公司',
  cem01: '两江水泥有限公司',
  evil: '<b>A&B "Co"</b>',
};
const ms = (iso: string): number => Date.parse(iso);

/** `null`: no dashboard configured, so no links. */
function ctx(language: Language, dashboardUrl: string | null = 'https://energy.example.org/'): TemplateContext {
  return { language, zone: 'Asia/Shanghai', ...(dashboardUrl !== null && { dashboardUrl }), enterpriseName: (id) => NAMES[id] ?? id };
}

function alarm(over: Partial<Alarm>): Alarm {
  return {
    id: 1,
    type: 'quota',
    enterprise: 'alu01',
    meter: null,
    severity: 'critical',
    state: 'active',
    value: 52340.5,
    threshold: 52000,
    unit: 'tce',
    raisedAt: ms('2026-11-28T08:00:00+08:00'),
    updatedAt: ms('2026-11-28T08:00:00+08:00'),
    clearedAt: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    message: '',
    ...over,
  };
}

const quotaRaised: AlarmTransition = {
  kind: 'raised',
  at: ms('2026-11-28T08:00:00+08:00'),
  alarm: alarm({
    periodFrom: '2026-01-01T00:00:00+08:00',
    periodTo: '2026-11-28T08:00:00+08:00',
    basis: 'electricity 0.1229 kgce/kWh (当量值, GB/T 2589-2020)',
    message: '年度能耗总量已达配额的 100.7%',
  }),
};

const tariffEscalated: AlarmTransition = {
  kind: 'escalated',
  previousSeverity: 'warning',
  at: ms('2026-11-28T09:15:30+08:00'),
  // Period given in UTC: the mail shows it in the site zone.
  alarm: alarm({
    id: 2,
    type: 'tariff',
    enterprise: 'steel01',
    value: 13340,
    threshold: 13300,
    unit: 'kWh/t',
    periodFrom: '2025-12-31T16:00:00Z',
    periodTo: '2026-11-30T16:00:00Z',
  }),
};

const thresholdCleared: AlarmTransition = {
  kind: 'cleared',
  at: ms('2026-11-28T10:00:00+08:00'),
  alarm: alarm({
    id: 3,
    type: 'threshold',
    meter: 'e-main',
    severity: 'warning',
    state: 'cleared',
    value: 41000,
    threshold: 42000,
    unit: 'kW',
    clearedAt: ms('2026-11-28T10:00:00+08:00'),
  }),
};

const lines = (...l: string[]): string => `${l.join('\n')}\n`;

describe('formatNumber / formatFigure', () => {
  it.each([
    [52340.5, '52,340.5'],
    [13340, '13,340'],
    [93.5, '93.5'],
    [0, '0'],
    [1.8, '1.8'],
    [1.234, '1.23'],
    [0.01, '0.01'],
    [0.012345, '0.0123'],
    [-1234.56, '-1,234.6'],
    [1234567.891, '1,234,567.9'],
  ])('%p -> %s', (value, expected) => {
    expect(formatNumber(value)).toBe(expected);
  });

  it.each([
    [52340.5, 'tce', '52,340.5 tce'],
    [13340, 'kWh/t', '13,340 kWh/t'],
    [93.5, '%', '93.5 %'],
    [1.007, 'share', '100.7 %'],
    [0.935, 'share', '93.5 %'],
    [1, 'share', '100 %'],
    [null, 'kW', '—'],
    [0.8123, null, '0.812'],
  ] as const)('%p %p -> %s', (value, unit, expected) => {
    expect(formatFigure(value, unit)).toBe(expected);
  });
});

describe('renderTransition', () => {
  const cases: [string, AlarmTransition, TemplateContext, string, string][] = [
    [
      'zh-CN raised quota',
      quotaRaised,
      ctx('zh-CN'),
      '[严重] 重庆示例铝业有限公司 能耗总量告警',
      lines(
        '重庆示例铝业有限公司（alu01）能耗总量告警',
        '',
        '级别：严重',
        '当前值：52,340.5 tce',
        '阈值：52,000 tce',
        '统计期：2026-01-01 00:00 至 2026-11-28 08:00（Asia/Shanghai）',
        '折标依据：electricity 0.1229 kgce/kWh (当量值, GB/T 2589-2020)',
        '告警时间：2026-11-28 08:00:00（Asia/Shanghai）',
        '说明：年度能耗总量已达配额的 100.7%',
        '企业详情：https://energy.example.org/enterprises/alu01',
        '告警列表：https://energy.example.org/alarms',
        '',
        '本邮件由能耗在线监测系统自动发送，请勿直接回复。',
      ),
    ],
    [
      'en raised quota',
      quotaRaised,
      ctx('en'),
      '[CRITICAL] 重庆示例铝业有限公司: Energy quota alarm raised',
      lines(
        '重庆示例铝业有限公司 (alu01): Energy quota alarm raised',
        '',
        'Severity: CRITICAL',
        'Value: 52,340.5 tce',
        'Threshold: 52,000 tce',
        'Period: 2026-01-01 00:00 to 2026-11-28 08:00 (Asia/Shanghai)',
        'Basis: electricity 0.1229 kgce/kWh (当量值, GB/T 2589-2020)',
        'Raised at: 2026-11-28 08:00:00 (Asia/Shanghai)',
        'Message: 年度能耗总量已达配额的 100.7%',
        'Enterprise: https://energy.example.org/enterprises/alu01',
        'Alarms: https://energy.example.org/alarms',
        '',
        'This message was sent automatically by the energy monitoring service; please do not reply.',
      ),
    ],
    [
      'zh-CN escalated tariff',
      tariffEscalated,
      ctx('zh-CN'),
      '[严重] 渝北特钢有限公司 阶梯电价告警升级（警告→严重）',
      lines(
        '渝北特钢有限公司（steel01）阶梯电价告警升级',
        '',
        '级别：严重',
        '原级别：警告',
        '当前值：13,340 kWh/t',
        '阈值：13,300 kWh/t',
        '统计期：2026-01-01 00:00 至 2026-12-01 00:00（Asia/Shanghai）',
        '告警时间：2026-11-28 08:00:00（Asia/Shanghai）',
        '升级时间：2026-11-28 09:15:30（Asia/Shanghai）',
        '企业详情：https://energy.example.org/enterprises/steel01',
        '告警列表：https://energy.example.org/alarms',
        '',
        '本邮件由能耗在线监测系统自动发送，请勿直接回复。',
      ),
    ],
    [
      'en escalated tariff',
      tariffEscalated,
      ctx('en'),
      '[CRITICAL] 渝北特钢有限公司: Tiered tariff alarm escalated (WARNING → CRITICAL)',
      lines(
        '渝北特钢有限公司 (steel01): Tiered tariff alarm escalated',
        '',
        'Severity: CRITICAL',
        'Previous severity: WARNING',
        'Value: 13,340 kWh/t',
        'Threshold: 13,300 kWh/t',
        'Period: 2026-01-01 00:00 to 2026-12-01 00:00 (Asia/Shanghai)',
        'Raised at: 2026-11-28 08:00:00 (Asia/Shanghai)',
        'Escalated at: 2026-11-28 09:15:30 (Asia/Shanghai)',
        'Enterprise: https://energy.example.org/enterprises/steel01',
        'Alarms: https://energy.example.org/alarms',
        '',
        'This message was sent automatically by the energy monitoring service; please do not reply.',
      ),
    ],
    [
      'zh-CN cleared threshold, no dashboard',
      thresholdCleared,
      ctx('zh-CN', null),
      '[警告] 重庆示例铝业有限公司 e-main 越限告警解除',
      lines(
        '重庆示例铝业有限公司（alu01）越限告警解除',
        '',
        '级别：警告',
        '计量器具：e-main',
        '当前值：41,000 kW',
        '阈值：42,000 kW',
        '告警时间：2026-11-28 08:00:00（Asia/Shanghai）',
        '解除时间：2026-11-28 10:00:00（Asia/Shanghai）',
        '',
        '本邮件由能耗在线监测系统自动发送，请勿直接回复。',
      ),
    ],
    [
      'en cleared threshold, no dashboard',
      thresholdCleared,
      ctx('en', null),
      '[WARNING] 重庆示例铝业有限公司 / e-main: Threshold alarm cleared',
      lines(
        '重庆示例铝业有限公司 (alu01): Threshold alarm cleared',
        '',
        'Severity: WARNING',
        'Meter: e-main',
        'Value: 41,000 kW',
        'Threshold: 42,000 kW',
        'Raised at: 2026-11-28 08:00:00 (Asia/Shanghai)',
        'Cleared at: 2026-11-28 10:00:00 (Asia/Shanghai)',
        '',
        'This message was sent automatically by the energy monitoring service; please do not reply.',
      ),
    ],
  ];

  it.each(cases)('%s', (_name, transition, context, subject, text) => {
    const mail = renderTransition(transition, context);
    expect(mail.subject).toBe(subject);
    expect(mail.text).toBe(text);
  });

  it('html carries the same figures and links', () => {
    const { html } = renderTransition(quotaRaised, ctx('zh-CN'));
    expect(html).toContain(
      '<th style="padding:4px 8px;border:1px solid #ccc;text-align:left">当前值</th><td style="padding:4px 8px;border:1px solid #ccc;text-align:left">52,340.5 tce</td>',
    );
    expect(html).toContain('<a href="https://energy.example.org/enterprises/alu01">https://energy.example.org/enterprises/alu01</a>');
    expect(html).toContain('<a href="https://energy.example.org/alarms">');
  });

  it('escapes user data in html, keeps subjects on one line, shows unknown figures as —', () => {
    const silence: AlarmTransition = {
      kind: 'raised',
      at: ms('2026-11-28T08:00:00+08:00'),
      alarm: alarm({
        id: 9,
        type: 'silence',
        enterprise: 'evil',
        meter: 'gas<1>',
        severity: 'warning',
        value: null,
        threshold: null,
        unit: null,
        message: 'x <script>',
      }),
    };
    const mail = renderTransition(silence, { ...ctx('zh-CN'), enterpriseName: () => 'Evil\r\nBcc: x@y <b>A&B "Co"</b>' });
    expect(mail.subject).toBe('[警告] Evil Bcc: x@y <b>A&B "Co"</b> gas<1> 数据中断告警');
    expect(mail.html).toContain('Evil Bcc: x@y &lt;b&gt;A&amp;B &quot;Co&quot;&lt;/b&gt;');
    expect(mail.html).toContain('gas&lt;1&gt;');
    expect(mail.html).toContain('x &lt;script&gt;');
    expect(mail.html).not.toMatch(/<b>|<script>/);
    expect(mail.text).toContain('当前值：—\n阈值：—\n');
    expect(escapeHtml(`<'&">`)).toBe('&lt;&#39;&amp;&quot;&gt;');
  });

  it('falls back to the id when the name lookup fails', () => {
    const mail = renderTransition(quotaRaised, {
      ...ctx('en'),
      enterpriseName: () => {
        throw new Error('no such enterprise');
      },
    });
    expect(mail.subject).toBe('[CRITICAL] alu01: Energy quota alarm raised');
  });

  it('names the calibration alarm in zh-CN and English', () => {
    const t: AlarmTransition = {
      kind: 'raised',
      at: ms('2027-09-12T00:01:00+08:00'),
      alarm: alarm({ type: 'calibration', meter: 'e-main', severity: 'warning', value: 30, threshold: 30, unit: 'd', message: 'x' }),
    };
    expect(renderTransition(t, ctx('zh-CN')).subject).toBe('[警告] 重庆示例铝业有限公司 e-main 计量器具检定告警');
    expect(renderTransition(t, ctx('en')).subject).toBe('[WARNING] 重庆示例铝业有限公司 / e-main: Meter calibration alarm raised');
    expect(renderTransition(t, ctx('en')).text).toContain('Value: 30 d\nThreshold: 30 d\n');
  });
});

describe('renderDigest', () => {
  const burst = [quotaRaised, thresholdCleared, tariffEscalated];

  it.each<[Language, string, string]>([
    [
      'zh-CN',
      '[严重] 能耗告警汇总：3 条（重庆示例铝业有限公司、渝北特钢有限公司）',
      lines(
        '汇总窗口内共有 3 条告警通知（时间为 Asia/Shanghai 时区）：',
        '',
        '1. [严重] 告警 | 重庆示例铝业有限公司 | 能耗总量 52,340.5 tce（阈值 52,000 tce） | 2026-11-28 08:00:00',
        '2. [警告] 解除 | 重庆示例铝业有限公司 e-main | 越限 41,000 kW（阈值 42,000 kW） | 2026-11-28 10:00:00',
        '3. [严重] 升级 | 渝北特钢有限公司 | 阶梯电价 13,340 kWh/t（阈值 13,300 kWh/t） | 2026-11-28 09:15:30',
        '',
        '告警列表：https://energy.example.org/alarms',
        '',
        '本邮件由能耗在线监测系统自动发送，请勿直接回复。',
      ),
    ],
    [
      'en',
      '[CRITICAL] Alarm digest: 3 notifications (重庆示例铝业有限公司, 渝北特钢有限公司)',
      lines(
        '3 alarm notifications in this digest (times in Asia/Shanghai):',
        '',
        '1. [CRITICAL] raised | 重庆示例铝业有限公司 | Energy quota 52,340.5 tce (threshold 52,000 tce) | 2026-11-28 08:00:00',
        '2. [WARNING] cleared | 重庆示例铝业有限公司 e-main | Threshold 41,000 kW (threshold 42,000 kW) | 2026-11-28 10:00:00',
        '3. [CRITICAL] escalated | 渝北特钢有限公司 | Tiered tariff 13,340 kWh/t (threshold 13,300 kWh/t) | 2026-11-28 09:15:30',
        '',
        'Alarms: https://energy.example.org/alarms',
        '',
        'This message was sent automatically by the energy monitoring service; please do not reply.',
      ),
    ],
  ])('%s', (language, subject, text) => {
    const mail = renderDigest(burst, ctx(language));
    expect(mail.subject).toBe(subject);
    expect(mail.text).toBe(text);
    expect(mail.html.match(/<tr>/g)).toHaveLength(4);
    expect(mail.html).toContain('<a href="https://energy.example.org/enterprises/steel01">渝北特钢有限公司</a>');
  });

  it('names two enterprises and counts the rest; severity is the highest', () => {
    const cement: AlarmTransition = { ...thresholdCleared, alarm: alarm({ id: 4, enterprise: 'cem01', severity: 'info', type: 'data-quality' }) };
    const warningsOnly = [thresholdCleared, { ...cement, alarm: { ...cement.alarm, enterprise: 'evil' } }, cement, tariffEscalated];
    expect(renderDigest(warningsOnly.slice(0, 3), ctx('zh-CN')).subject).toBe(
      '[警告] 能耗告警汇总：3 条（重庆示例铝业有限公司、<b>A&B "Co"</b> 等 3 家企业）',
    );
    expect(renderDigest(warningsOnly, ctx('en')).subject).toBe(
      '[CRITICAL] Alarm digest: 4 notifications (重庆示例铝业有限公司, <b>A&B "Co"</b> and 2 more)',
    );
    expect(renderDigest(warningsOnly, ctx('en')).html).toContain('&lt;b&gt;A&amp;B &quot;Co&quot;&lt;/b&gt;');
  });
});
