/** zh-CN by default, English on request; the choice is remembered in this browser. */
export type Lang = 'zh-CN' | 'en';

const zh = {
  appTitle: '工业能耗监测', skip: '跳到主要内容', overview: '辖区总览', alarms: '告警', reports: '月报', data: '数据质量',
  signIn: '登录', signOut: '退出', tokenLabel: '访问令牌', tokenHint: '使用管理员发放的令牌登录；令牌只发送一次，之后由会话 Cookie 保持登录。',
  signInFailed: '令牌无效或已停用', language: 'English', languageLabel: '切换到英文', live: '实时', offline: '离线', loading: '加载中…',
  asOf: '截至', timezone: '时区', basis: '电力折标', equivalent: '当量值', equal: '等价值',
  today: '今日累计', raisedToday: '今日新告警', monthToDate: '本月累计', yearToDate: '年度累计', quotaTotal: '配额合计', shareOfQuota: '占年度配额', co2: '二氧化碳排放', openAlarms: '未关闭告警',
  byCarrier: '按能源品种', byIndustry: '按行业', month: '本月', ytd: '年累计',
  enterprises: '重点用能单位', enterprise: '企业', industry: '行业', dualControl: '能耗双控', quota: '年度配额', share: '占比', pace: '进度',
  intensity: '能耗强度', tariff: '阶梯电价', markup: '加价', surcharge: '估算加价电费', none: '—', noOutput: '缺产量/产值数据',
  green: '绿', yellow: '黄', red: '红', sortBy: '排序', forecast: '全年预测',
  hourly: '逐时能耗（今日，tce）', daily: '逐日能耗（本月，tce）', ytdVsPace: '年累计能耗与配额进度线（tce）', unitVsThreshold: '单位产品电耗与阶梯电价门槛',
  ytdLine: '年累计', paceLine: '配额进度线', quotaLine: '年度配额', threshold: '门槛', limit: '限额', unitConsumption: '单位产品能耗',
  meters: '计量点', meter: '计量点', carrier: '品种', lastReading: '最新读数', lastTime: '读数时间', completenessToday: '今日完整率', completenessMonth: '本月完整率',
  silence: '静默', silent: '静默', reporting: '正常', never: '从未上报', minutes: '分钟',
  state: '状态', active: '未确认', acknowledged: '已确认', cleared: '已解除', all: '全部', severity: '级别', type: '类型', message: '内容',
  value: '数值', raisedAt: '发生时间', acknowledge: '确认', acknowledgedBy: '确认人', ackDone: '告警已确认', newAlarm: '新告警', noAlarms: '没有符合条件的告警',
  info: '提示', warning: '警告', critical: '严重',
  type_quota: '配额', type_intensity: '强度', type_tariff: '阶梯电价', type_threshold: '限值', type_silence: '静默', 'type_data-quality': '数据质量',
  revisions: '已定稿月报', revision: '版本', createdAt: '生成时间', note: '说明', download: '下载', noReports: '尚无定稿月报',
  anyMonth: '任意月份（当前版本或草稿）', monthLabel: '月份', finalise: '定稿', finalised: '已定稿',
  quarantine: '隔离区', reason: '原因', topic: '主题', payload: '内容', receivedAt: '接收时间', detail: '说明', replayAll: '全部重放', replay: '重放',
  replayResult: '已重放 {replayed} 条，仍被拒绝 {rejected} 条', emptyQuarantine: '隔离区为空', openByReason: '按原因统计', pageRange: '第 {from}–{to} 条，共 {total} 条（最新在前）', newer: '较新', older: '较早',
  error: '出错了', retry: '重试', notFound: '未找到该页面', coefficients: '折标系数', source: '来源', role: '角色',
  role_admin: '管理员', role_officer: '节能科', role_auditor: '审计', role_enterprise: '企业能源管理',
  carrier_electricity: '电力', carrier_natural_gas: '天然气', carrier_raw_coal: '原煤', carrier_steam: '蒸汽', carrier_diesel: '柴油', carrier_product: '产品',
  carrier_renewable_electricity: '可再生电力', carrier_heat: '热力', carrier_coke: '焦炭', carrier_fuel_oil: '燃料油', carrier_lpg: '液化石油气', carrier_feedstock_natural_gas: '原料天然气', carrier_water: '水',
  period: '统计期', tce: 'tce', back: '返回总览',
};
type Key = keyof typeof zh;

const en: Record<Key, string> = {
  appTitle: 'Industrial energy monitor', skip: 'Skip to main content', overview: 'District overview', alarms: 'Alarms', reports: 'Reports', data: 'Data quality',
  signIn: 'Sign in', signOut: 'Sign out', tokenLabel: 'Access token', tokenHint: 'Sign in with the token your administrator issued; it is sent once, then a session cookie keeps you signed in.',
  signInFailed: 'Unknown or revoked token', language: '中文', languageLabel: 'Switch to Chinese', live: 'Live', offline: 'Offline', loading: 'Loading…',
  asOf: 'As of', timezone: 'Time zone', basis: 'Electricity basis', equivalent: 'equivalent', equal: 'equal-value',
  today: 'Today so far', raisedToday: 'Raised today', monthToDate: 'Month to date', yearToDate: 'Year to date', quotaTotal: 'Sum of quotas', shareOfQuota: 'Share of annual quota', co2: 'CO₂ emissions', openAlarms: 'Open alarms',
  byCarrier: 'By energy carrier', byIndustry: 'By industry', month: 'This month', ytd: 'Year to date',
  enterprises: 'Key energy-consuming enterprises', enterprise: 'Enterprise', industry: 'Industry', dualControl: 'Dual control', quota: 'Annual quota', share: 'Share', pace: 'Pace',
  intensity: 'Intensity', tariff: 'Tiered tariff', markup: 'Markup', surcharge: 'Estimated surcharge', none: '—', noOutput: 'no output data',
  green: 'green', yellow: 'yellow', red: 'red', sortBy: 'Sort by', forecast: 'Year forecast',
  hourly: 'Hourly consumption (today, tce)', daily: 'Daily consumption (this month, tce)', ytdVsPace: 'Year-to-date consumption against the quota pace (tce)', unitVsThreshold: 'Unit consumption against the tariff threshold',
  ytdLine: 'Year to date', paceLine: 'Quota pace', quotaLine: 'Annual quota', threshold: 'Threshold', limit: 'Limit', unitConsumption: 'Unit consumption',
  meters: 'Meters', meter: 'Meter', carrier: 'Carrier', lastReading: 'Last reading', lastTime: 'Reading time', completenessToday: 'Complete today', completenessMonth: 'Complete this month',
  silence: 'Silence', silent: 'silent', reporting: 'reporting', never: 'never reported', minutes: 'min',
  state: 'State', active: 'Active', acknowledged: 'Acknowledged', cleared: 'Cleared', all: 'All', severity: 'Severity', type: 'Type', message: 'Message',
  value: 'Value', raisedAt: 'Raised', acknowledge: 'Acknowledge', acknowledgedBy: 'Acknowledged by', ackDone: 'Alarm acknowledged', newAlarm: 'New alarm', noAlarms: 'No alarms match',
  info: 'info', warning: 'warning', critical: 'critical',
  type_quota: 'quota', type_intensity: 'intensity', type_tariff: 'tariff', type_threshold: 'threshold', type_silence: 'silence', 'type_data-quality': 'data quality',
  revisions: 'Finalised monthly reports', revision: 'Revision', createdAt: 'Created', note: 'Note', download: 'Download', noReports: 'No finalised report yet',
  anyMonth: 'Any month (current revision or draft)', monthLabel: 'Month', finalise: 'Finalise', finalised: 'Finalised',
  quarantine: 'Quarantine', reason: 'Reason', topic: 'Topic', payload: 'Payload', receivedAt: 'Received', detail: 'Detail', replayAll: 'Replay all', replay: 'Replay',
  replayResult: 'Replayed {replayed}, still rejected {rejected}', emptyQuarantine: 'The quarantine is empty', openByReason: 'Open by reason', pageRange: '{from}–{to} of {total} (newest first)', newer: 'Newer', older: 'Older',
  error: 'Something went wrong', retry: 'Retry', notFound: 'No such page', coefficients: 'Coefficients', source: 'Source', role: 'Role',
  role_admin: 'administrator', role_officer: 'energy officer', role_auditor: 'auditor', role_enterprise: 'enterprise energy manager',
  carrier_electricity: 'electricity', carrier_natural_gas: 'natural gas', carrier_raw_coal: 'raw coal', carrier_steam: 'steam', carrier_diesel: 'diesel', carrier_product: 'product',
  carrier_renewable_electricity: 'renewable electricity', carrier_heat: 'heat', carrier_coke: 'coke', carrier_fuel_oil: 'fuel oil', carrier_lpg: 'LPG', carrier_feedstock_natural_gas: 'feedstock natural gas', carrier_water: 'water',
  period: 'Period', tce: 'tce', back: 'Back to overview',
};

const STORAGE_KEY = 'energy-monitor.lang';
let current: Lang = localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh-CN';

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  current = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
}

export function t(key: Key, vars: Record<string, string | number> = {}): string {
  const text = (current === 'en' ? en : zh)[key];
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ''));
}

/** A translation for a key built from data (carrier, alarm type, role); the raw value if none. */
export function tOr(key: string, fallback: string): string {
  const table: Record<string, string> = current === 'en' ? en : zh;
  return table[key] ?? fallback;
}

export type { Key as MessageKey };
