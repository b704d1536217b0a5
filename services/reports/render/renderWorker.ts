/**
 * Entry of a report-rendering worker thread (renderPool.ts): renders one report at a time with
 * the same `renderReport` as the main thread, so pdfkit's and exceljs's CPU time never blocks the
 * service's event loop (/healthz, the API, MQTT acknowledgements).
 *
 * Built to dist/ it runs as plain JavaScript; from the TypeScript sources (tests, `tsx`) the pool
 * starts it with tsx's require hook.
 */
import { parentPort } from 'node:worker_threads';
import { AppError, errorMessage } from '../../core/errors';
import type { ReportFormat } from '../reportFormats';
import type { MonthlyReport } from '../reportModel';
import { renderReport } from './index';

export interface RenderJob {
  readonly id: number;
  readonly report: MonthlyReport;
  readonly format: ReportFormat;
  readonly language: 'zh-CN' | 'en';
}

export type RenderAnswer =
  | { readonly id: number; readonly ok: true; readonly body: Uint8Array; readonly contentType: string; readonly extension: string }
  | {
      readonly id: number;
      readonly ok: false;
      readonly code: string;
      readonly message: string;
      readonly retryable: boolean;
      readonly context: Readonly<Record<string, unknown>>;
    };

const port = parentPort;
if (!port) throw new Error('renderWorker.ts runs only as a worker thread (services/reports/renderPool.ts starts it)');

port.on('message', (job: RenderJob) => {
  renderReport(job.report, job.format, job.language).then(
    (out) => {
      // The buffer may be a view on a shared pool: copy into its own ArrayBuffer to transfer it.
      const body = new Uint8Array(out.body);
      const answer: RenderAnswer = { id: job.id, ok: true, body, contentType: out.contentType, extension: out.extension };
      port.postMessage(answer, [body.buffer]);
    },
    (err: unknown) => {
      // Typed errors keep their code (e.g. cjk-font-missing) across the thread boundary.
      const answer: RenderAnswer =
        err instanceof AppError
          ? { id: job.id, ok: false, code: err.code, message: err.message, retryable: err.retryable, context: structuredSafe(err.context) }
          : { id: job.id, ok: false, code: 'report-render-failed', message: errorMessage(err), retryable: false, context: {} };
      port.postMessage(answer);
    },
  );
});

/** The context as plain JSON data, so that posting it cannot fail on a function or a class. */
function structuredSafe(context: Readonly<Record<string, unknown>>): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify(context)) as Record<string, unknown>;
  } catch {
    return {};
  }
}
