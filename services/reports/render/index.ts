/**
 * One entry point for every report format (contract 5: `format=json|csv|xlsx|pdf|html`): the body
 * as bytes with its content type and file extension. Each renderer is a pure function of the
 * report model, so every format carries the same figures.
 */
import type { ReportFormat } from '../reportFormats';
import type { MonthlyReport } from '../reportModel';
import { renderCsv } from './csv';
import { renderHtml } from './html';
import type { Language, RenderOptions } from './labels';
import type { PdfOptions } from './pdf';
import { renderPdf } from './pdf';
import { renderXlsx } from './xlsx';

export type { Language, RenderOptions } from './labels';
export { CjkFontNotFoundError, DEFAULT_CJK_FONTS, findCjkFont } from './pdf';
export type { CjkFont, PdfOptions } from './pdf';
export { renderCsv, renderHtml, renderPdf, renderXlsx };

export interface RenderedReport {
  readonly body: Buffer;
  readonly contentType: string;
  readonly extension: string;
}

export const CONTENT_TYPES: Readonly<Record<ReportFormat, string>> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
  html: 'text/html; charset=utf-8',
};

/** The model itself, pretty-printed: the reference the other formats are checked against. */
export function renderJson(report: MonthlyReport): Buffer {
  return Buffer.from(`${JSON.stringify(report, null, 2)}\n`, 'utf8');
}

/**
 * `options` is the language or an options object: the HTTP route and the report mailer pass the
 * language (reportFormats.ts RenderReport); tests pass options such as the PDF font candidates.
 */
export async function renderReport(report: MonthlyReport, format: ReportFormat, options: Language | PdfOptions = 'zh-CN'): Promise<RenderedReport> {
  const opts: PdfOptions = typeof options === 'string' ? { language: options } : options;
  const plain: RenderOptions = { language: opts.language };
  const body = await renderBody(report, format, opts, plain);
  return { body, contentType: CONTENT_TYPES[format], extension: format };
}

async function renderBody(report: MonthlyReport, format: ReportFormat, opts: PdfOptions, plain: RenderOptions): Promise<Buffer> {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'csv':
      return renderCsv(report, plain);
    case 'xlsx':
      return renderXlsx(report, plain);
    case 'pdf':
      return renderPdf(report, opts);
    case 'html':
      return Buffer.from(renderHtml(report, plain), 'utf8');
  }
}
