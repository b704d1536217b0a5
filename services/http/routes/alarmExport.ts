/**
 * The alarm history as CSV or XLSX (issue 21 item 7): the filtered alarms, newest first, with times
 * in the site zone, type and severity in words, and the comments (处置意见). zh-CN by default.
 */
import ExcelJS from 'exceljs';
import { formatTime, words } from '../../../alerts/notify/mailTemplates';
import type { Alarm, Severity } from '../../energy/alarm';
import type { AlarmNote } from '../../store/state/alarmStore';
import type { ExportLang } from './alarmQuery';

export interface AlarmExportInput {
  readonly alarms: readonly Alarm[];
  readonly notes: ReadonlyMap<number, readonly AlarmNote[]>;
  /** Alarms matching the filters; more than `alarms.length` when the export was capped. */
  readonly total: number;
  readonly lang: ExportLang;
  readonly zone: string;
  readonly enterpriseName: (id: string) => string;
}

const STATE_WORDS: Readonly<Record<ExportLang, Readonly<Record<Alarm['state'], string>>>> = {
  'zh-CN': { active: '未确认', acknowledged: '已确认', cleared: '已解除' },
  en: { active: 'active', acknowledged: 'acknowledged', cleared: 'cleared' },
};
// Lower case in English: a table column, not a mail subject (whose words say CRITICAL).
const SEVERITY_WORDS: Readonly<Record<ExportLang, Readonly<Record<Severity, string>>>> = {
  'zh-CN': { info: '提示', warning: '警告', critical: '严重' },
  en: { info: 'info', warning: 'warning', critical: 'critical' },
};

const HEADERS: Readonly<Record<ExportLang, readonly string[]>> = {
  'zh-CN': [
    '编号',
    '级别',
    '类型',
    '企业',
    '企业代码',
    '计量器具',
    '状态',
    '数值',
    '阈值',
    '单位',
    '说明',
    '发生时间',
    '解除时间',
    '确认人',
    '确认时间',
    '处置意见',
  ],
  en: [
    'ID',
    'Severity',
    'Type',
    'Enterprise',
    'Enterprise ID',
    'Meter',
    'State',
    'Value',
    'Threshold',
    'Unit',
    'Message',
    'Raised at',
    'Cleared at',
    'Acknowledged by',
    'Acknowledged at',
    'Comments',
  ],
};

function headers(lang: ExportLang, zone: string): string[] {
  // The time columns name the zone, so that a reader abroad knows what the times are.
  const timed = new Set([11, 12, 14]);
  return HEADERS[lang].map((h, i) => (timed.has(i) ? `${h} (${zone})` : h));
}

/** The capped-export sentence, or undefined when every match is in the file. */
export function truncationNote(shown: number, total: number, lang: ExportLang): string | undefined {
  if (shown >= total) return undefined;
  return lang === 'en'
    ? `Only the newest ${shown} of ${total} matching alarms are exported; narrow the filters (dates, severity, type) to export the rest.`
    : `仅导出最新的 ${shown} 条，共 ${total} 条符合条件；请缩小筛选范围（日期、级别、类型）后分批导出。`;
}

/** null: an empty cell (no meter, not acknowledged, not cleared). */
type Cell = string | number | null;

function rows(input: AlarmExportInput): Cell[][] {
  const w = words(input.lang);
  const t = (ms: number | null) => (ms === null ? null : formatTime(ms, input.zone));
  return input.alarms.map((a) => [
    a.id,
    SEVERITY_WORDS[input.lang][a.severity],
    w.type[a.type] ?? a.type,
    input.enterpriseName(a.enterprise),
    a.enterprise,
    a.meter,
    STATE_WORDS[input.lang][a.state],
    a.value,
    a.threshold,
    a.unit,
    a.message,
    t(a.raisedAt),
    t(a.clearedAt),
    a.acknowledgedBy,
    t(a.acknowledgedAt),
    // One cell for every comment, oldest first: "2026-07-02 12:00:00 officer: text".
    (input.notes.get(a.id) ?? []).map((n) => `${formatTime(n.at, input.zone)} ${n.by}: ${n.text}`).join('\n') || null,
  ]);
}

/** RFC 4180: quote a field holding a comma, quote, or line break; double the quotes. */
function csvField(v: Cell): string {
  const s = v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** UTF-8 with a byte-order mark, so that Excel opens the Chinese text as such; CRLF line ends. */
export function alarmsCsv(input: AlarmExportInput): Buffer {
  const lines = [headers(input.lang, input.zone), ...rows(input)].map((r) => r.map(csvField).join(','));
  const note = truncationNote(input.alarms.length, input.total, input.lang);
  if (note) lines.push('', csvField(note));
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
}

export async function alarmsXlsx(input: AlarmExportInput): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(input.lang === 'en' ? 'Alarms' : '告警', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.addRow(headers(input.lang, input.zone)).font = { bold: true };
  for (const r of rows(input)) ws.addRow(r).alignment = { vertical: 'top', wrapText: true };
  const widths = [8, 8, 14, 24, 10, 12, 10, 12, 12, 10, 40, 20, 20, 14, 20, 48];
  widths.forEach((width, i) => (ws.getColumn(i + 1).width = width));
  const note = truncationNote(input.alarms.length, input.total, input.lang);
  if (note) {
    ws.addRow([]);
    ws.addRow([note]).font = { bold: true, color: { argb: 'FFC00000' } };
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
