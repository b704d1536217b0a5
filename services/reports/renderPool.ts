/**
 * Report rendering with a bound (issue 14, item 4): at most `concurrency` reports render at once,
 * each in a worker thread of its own, and at most `queue` more wait for a slot. Past that,
 * `tryRender` refuses at once with ReportRenderBusyError (503 with Retry-After at the HTTP
 * layer) instead of piling CPU-bound pdfkit work onto the service: eight concurrent district PDFs
 * used to render one after another on the main thread and held /healthz for seconds.
 *
 * `render` (the report mailer) waits for a slot however long the queue: internal jobs are few and
 * must not be dropped. Both share the same slots, so the bound holds for everything.
 *
 * Workers: `renderWorker.js` next to the built module (dist/, production); from the TypeScript
 * sources (Jest through SWC, `tsx`) `renderWorker.ts` with tsx's require hook. When neither can be
 * started (no built worker and no tsx) rendering falls back to this thread, still bounded by the
 * same slots; `stats().mode` and /healthz (with a token) say which. A worker idle for `idleMs`
 * ends, so the renderer modules (~80 MB) are held only while reports are being made.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ConfigError } from '../../config/load';
import { AppError, errorMessage } from '../core/errors';
import type { Logger } from '../core/log';
import type { RenderReport, ReportFormat } from './reportFormats';
import type { MonthlyReport } from './reportModel';
import type { RenderAnswer, RenderJob } from './render/renderWorker';

export type RenderMode = 'worker' | 'in-thread';

export interface RenderPoolOptions {
  /** Reports rendered at once (one worker thread each). */
  readonly concurrency: number;
  /** Requests that may wait for a slot beyond those; `tryRender` refuses the next. */
  readonly queue: number;
  /** `worker` (default) or `in-thread` (REPORT_RENDER=in-thread: no threads, same bound). */
  readonly mode?: RenderMode;
  /** An idle worker ends after this long (default 60 s). */
  readonly idleMs?: number;
  readonly logger?: Logger;
}

export interface RenderPoolStats {
  readonly mode: RenderMode;
  readonly concurrency: number;
  readonly queueLimit: number;
  /** Reports rendering now. */
  readonly active: number;
  /** Requests waiting for a slot. */
  readonly queued: number;
  /** Worker threads alive (busy or idle). */
  readonly workers: number;
  readonly rendered: number;
  /** Of `rendered`, how many in a worker thread. */
  readonly renderedInWorker: number;
  readonly refused: number;
  readonly failed: number;
}

/** Every slot busy and the queue full: come back later (maps to 503 through its `-unavailable` code). */
export class ReportRenderBusyError extends AppError {
  constructor(
    readonly retryAfterSeconds: number,
    stats: RenderPoolStats,
  ) {
    super(
      'report-rendering-unavailable',
      `${stats.active} reports are being rendered and ${stats.queued} are waiting (at most ${stats.concurrency} and ${stats.queueLimit}); retry after the time in the Retry-After header`,
      { retryable: true, context: { active: stats.active, queued: stats.queued, retryAfterSeconds } },
    );
  }
}

const DEFAULT_IDLE_MS = 60_000;
/** Until a render has been timed, a district PDF's order of magnitude (README "Benchmarks"). */
const INITIAL_RENDER_MS = 2_000;
const MAX_RETRY_AFTER_S = 120;

interface Pending {
  resolve: (answer: RenderAnswer) => void;
  reject: (err: Error) => void;
}
interface PooledWorker {
  readonly worker: Worker;
  pending?: Pending;
  idleTimer?: NodeJS.Timeout;
}

export class ReportRenderPool {
  private readonly mode: RenderMode;
  private readonly workerEntry: { file: string; execArgv?: string[] } | undefined;
  private active = 0;
  private readonly waiting: { resolve: () => void; reject: (err: Error) => void }[] = [];
  private readonly idle: PooledWorker[] = [];
  private readonly alive = new Set<PooledWorker>();
  private counts = { rendered: 0, renderedInWorker: 0, refused: 0, failed: 0 };
  private averageMs = INITIAL_RENDER_MS;
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: RenderPoolOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1)
      throw new RangeError(`report render concurrency must be an integer >= 1, got ${options.concurrency}`);
    if (!Number.isInteger(options.queue) || options.queue < 0)
      throw new RangeError(`report render queue must be an integer >= 0, got ${options.queue}`);
    this.workerEntry = options.mode === 'in-thread' ? undefined : locateWorker();
    this.mode = this.workerEntry ? 'worker' : 'in-thread';
    if (options.mode !== 'in-thread' && !this.workerEntry) {
      options.logger?.warn(
        'no report worker found (neither a built renderWorker.js nor tsx for the sources): rendering reports in the main thread, bounded by the same limits',
      );
    }
  }

  /** Waits for a slot however many are queued (internal jobs such as the report mail). */
  readonly render: RenderReport = (report, format, language) => this.run(report, format, language, false);

  /** Refuses with ReportRenderBusyError when every slot is busy and `queue` requests already wait. */
  readonly tryRender: RenderReport = (report, format, language) => this.run(report, format, language, true);

  stats(): RenderPoolStats {
    return {
      mode: this.mode,
      concurrency: this.options.concurrency,
      queueLimit: this.options.queue,
      active: this.active,
      queued: this.waiting.length,
      workers: this.alive.size,
      ...this.counts,
    };
  }

  /** Ends every worker; renders after this fail. */
  async close(): Promise<void> {
    this.closed = true;
    // Waiting renders fail too: a slot freed by a failing one must not start a fresh worker after this.
    for (const w of this.waiting.splice(0)) w.reject(stopping());
    const workers = [...this.alive];
    this.alive.clear();
    this.idle.length = 0;
    await Promise.all(
      workers.map(async (w) => {
        clearTimeout(w.idleTimer);
        w.pending?.reject(stopping());
        await w.worker.terminate();
      }),
    );
  }

  private async run(report: MonthlyReport, format: ReportFormat, language: 'zh-CN' | 'en', refuse: boolean) {
    if (this.closed) throw stopping();
    await this.acquire(refuse);
    if (this.closed) {
      this.release();
      throw stopping();
    }
    const started = performance.now();
    try {
      const out = this.workerEntry
        ? await this.inWorker(this.workerEntry, { id: this.nextId++, report, format, language })
        : await inThread(report, format, language);
      this.counts.rendered++;
      if (this.workerEntry) this.counts.renderedInWorker++;
      // Moving average of render time, for the Retry-After estimate.
      this.averageMs = 0.7 * this.averageMs + 0.3 * (performance.now() - started);
      return out;
    } catch (err) {
      this.counts.failed++;
      throw err;
    } finally {
      this.release();
    }
  }

  private acquire(refuse: boolean): Promise<void> {
    if (this.active < this.options.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    if (refuse && this.waiting.length >= this.options.queue) {
      this.counts.refused++;
      throw new ReportRenderBusyError(this.retryAfterSeconds(), this.stats());
    }
    // The slot passes straight from release() to the waiter: `active` stays as it is.
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next.resolve();
    else this.active--;
  }

  /** Time until a slot is likely free for a new request: the work ahead of it spread over the slots. */
  private retryAfterSeconds(): number {
    const ahead = this.active + this.waiting.length;
    return Math.min(MAX_RETRY_AFTER_S, Math.max(1, Math.ceil((this.averageMs * ahead) / this.options.concurrency / 1000)));
  }

  private async inWorker(entry: { file: string; execArgv?: string[] }, job: RenderJob) {
    const pooled = this.idle.pop() ?? this.spawn(entry);
    clearTimeout(pooled.idleTimer);
    pooled.worker.ref();
    let answer: RenderAnswer;
    try {
      answer = await new Promise<RenderAnswer>((resolve, reject) => {
        pooled.pending = { resolve, reject };
        pooled.worker.postMessage(job);
      });
    } finally {
      // Also when the job could not be posted (a report that cannot be cloned): the worker is free again.
      pooled.pending = undefined;
      this.parkIdle(pooled);
    }
    if (!answer.ok)
      throw new AppError(answer.code, answer.message, { retryable: answer.retryable, context: { ...answer.context, renderedIn: 'worker' } });
    return {
      body: Buffer.from(answer.body.buffer, answer.body.byteOffset, answer.body.byteLength),
      contentType: answer.contentType,
      extension: answer.extension,
    };
  }

  private spawn(entry: { file: string; execArgv?: string[] }): PooledWorker {
    const worker = new Worker(entry.file, { ...(entry.execArgv && { execArgv: entry.execArgv }) });
    const pooled: PooledWorker = { worker };
    this.alive.add(pooled);
    worker.on('message', (answer: RenderAnswer) => pooled.pending?.resolve(answer));
    const gone = (err: Error) => {
      this.alive.delete(pooled);
      const at = this.idle.indexOf(pooled);
      if (at >= 0) this.idle.splice(at, 1);
      clearTimeout(pooled.idleTimer);
      pooled.pending?.reject(err);
      pooled.pending = undefined;
    };
    // A crash fails the report being rendered; the next report starts a fresh worker.
    worker.on('error', (err) => {
      this.options.logger?.error({ err }, 'report render worker failed');
      gone(new AppError('report-render-failed', `the report render worker failed: ${errorMessage(err)}`, { cause: err }));
    });
    worker.on('exit', (code) => gone(new AppError('report-render-failed', `the report render worker exited with code ${code}`)));
    return pooled;
  }

  private parkIdle(pooled: PooledWorker): void {
    if (!this.alive.has(pooled)) return;
    if (this.closed) {
      this.alive.delete(pooled);
      void pooled.worker.terminate();
      return;
    }
    // An idle worker never keeps the process alive, and ends after a while to free its memory.
    pooled.worker.unref();
    pooled.idleTimer = setTimeout(() => {
      this.alive.delete(pooled);
      const at = this.idle.indexOf(pooled);
      if (at >= 0) this.idle.splice(at, 1);
      void pooled.worker.terminate();
    }, this.options.idleMs ?? DEFAULT_IDLE_MS);
    pooled.idleTimer.unref();
    this.idle.push(pooled);
  }
}

function stopping(): AppError {
  return new AppError('report-rendering-unavailable', 'the service is stopping', { retryable: true });
}

/** The renderers load on first use: they would add ~80 MB to every process that makes no report. */
async function inThread(report: MonthlyReport, format: ReportFormat, language: 'zh-CN' | 'en') {
  return (await import('./render')).renderReport(report, format, language);
}

/**
 * The worker's entry beside this module: renderWorker.js when built, renderWorker.ts with tsx's
 * require hook when running from the sources. Undefined when neither can run.
 */
function locateWorker(): { file: string; execArgv?: string[] } | undefined {
  const ext = path.extname(__filename);
  const file = path.join(__dirname, 'render', `renderWorker${ext}`);
  if (!existsSync(file)) return undefined;
  if (ext !== '.ts') return { file };
  try {
    return { file, execArgv: ['--require', createRequire(__filename).resolve('tsx/cjs')] };
  } catch {
    return undefined;
  }
}

/** REPORT_CONCURRENCY, REPORT_QUEUE, REPORT_RENDER (README "Security"); a bad value names its variable. */
export function renderPoolOptionsFromEnv(env: NodeJS.ProcessEnv): Pick<RenderPoolOptions, 'concurrency' | 'queue' | 'mode'> {
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    const value = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!(value >= min && value <= max))
      throw new ConfigError('(environment)', [{ path: name, message: `expected an integer from ${min} to ${max}, got "${text}"` }]);
    return value;
  };
  // Keep a core for the event loop (HTTP, MQTT): one render thread on two cores.
  const concurrency = integer('REPORT_CONCURRENCY', Math.max(1, Math.min(2, os.availableParallelism() - 1)), 1, 16);
  const queue = integer('REPORT_QUEUE', 4, 0, 1000);
  const modeText = env.REPORT_RENDER === undefined || env.REPORT_RENDER === '' ? 'worker' : env.REPORT_RENDER;
  if (modeText !== 'worker' && modeText !== 'in-thread')
    throw new ConfigError('(environment)', [{ path: 'REPORT_RENDER', message: `expected worker or in-thread, got "${modeText}"` }]);
  return { concurrency, queue, mode: modeText };
}
