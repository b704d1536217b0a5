/** The formats a monthly report is served in (contract 5), and the renderer's shape. */
import type { MonthlyReport } from './reportModel';

export const REPORT_FORMATS = ['json', 'csv', 'xlsx', 'pdf', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
export type RenderReport = (
  report: MonthlyReport,
  format: ReportFormat,
  language: 'zh-CN' | 'en',
) => Promise<{ body: Buffer; contentType: string; extension: string }>;
