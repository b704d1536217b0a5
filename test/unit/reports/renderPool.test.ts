/**
 * The bounded report renderer (issue 14, item 4): at most `concurrency` renders at once and
 * `queue` waiting, the rest refused with a retry time; internal renders wait instead; worker
 * threads render the same bytes as this thread.
 */
import { ConfigError } from '../../../config/load';
import { renderReport } from '../../../services/reports/render';
import { ReportRenderBusyError, ReportRenderPool, renderPoolOptionsFromEnv } from '../../../services/reports/renderPool';
import { reportFixture } from '../../helpers/reportFixture';

const report = reportFixture();

describe('ReportRenderPool', () => {
  it('renders `concurrency` at once, queues `queue` more and refuses the rest with a retry time', async () => {
    const pool = new ReportRenderPool({ concurrency: 1, queue: 1, mode: 'in-thread' });
    try {
      // Slots are taken when the call is made: the first renders, the second waits, the third is refused.
      const calls = [pool.tryRender(report, 'csv', 'zh-CN'), pool.tryRender(report, 'csv', 'zh-CN'), pool.tryRender(report, 'csv', 'zh-CN')];
      expect(pool.stats()).toMatchObject({ active: 1, queued: 1, refused: 1 });
      const settled = await Promise.allSettled(calls);
      expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
      const refusal = (settled[2] as PromiseRejectedResult).reason as unknown;
      expect(refusal).toBeInstanceOf(ReportRenderBusyError);
      expect((refusal as ReportRenderBusyError).code).toBe('report-rendering-unavailable');
      expect((refusal as ReportRenderBusyError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(pool.stats()).toMatchObject({ active: 0, queued: 0, rendered: 2, refused: 1, failed: 0, mode: 'in-thread' });
      // Free again afterwards.
      await expect(pool.tryRender(report, 'csv', 'en')).resolves.toMatchObject({ extension: 'csv' });
    } finally {
      await pool.close();
    }
  });

  it('lets internal renders (the report mail) wait however long the queue, within the same bound', async () => {
    const pool = new ReportRenderPool({ concurrency: 1, queue: 0, mode: 'in-thread' });
    try {
      const calls = [1, 2, 3, 4].map(() => pool.render(report, 'csv', 'zh-CN'));
      expect(pool.stats()).toMatchObject({ active: 1, queued: 3 });
      // A download meanwhile is refused: the queue of 0 is full with the waiting mail renders.
      await expect(pool.tryRender(report, 'csv', 'zh-CN')).rejects.toBeInstanceOf(ReportRenderBusyError);
      const outs = await Promise.all(calls);
      expect(outs).toHaveLength(4);
      expect(pool.stats()).toMatchObject({ rendered: 4, refused: 1, active: 0, queued: 0 });
    } finally {
      await pool.close();
    }
  });

  it('renders in a worker thread (from the TypeScript sources here) the same bytes as in this thread', async () => {
    const pool = new ReportRenderPool({ concurrency: 2, queue: 2 });
    try {
      expect(pool.stats().mode).toBe('worker');
      const [csv, pdf] = await Promise.all([pool.tryRender(report, 'csv', 'zh-CN'), pool.tryRender(report, 'pdf', 'en')]);
      expect(csv.body.equals((await renderReport(report, 'csv', 'zh-CN')).body)).toBe(true);
      expect(csv.contentType).toBe('text/csv; charset=utf-8');
      expect(pdf.body.subarray(0, 5).toString()).toBe('%PDF-');
      expect(pdf.body.subarray(-6).toString()).toMatch(/%%EOF/);
      expect(pool.stats()).toMatchObject({ rendered: 2, renderedInWorker: 2, workers: 2 });
    } finally {
      await pool.close();
    }
    expect(pool.stats().workers).toBe(0);
    await expect(pool.render(report, 'csv', 'zh-CN')).rejects.toMatchObject({ code: 'report-rendering-unavailable' });
  });

  it('close() fails the renders still waiting and leaves no worker behind', async () => {
    const pool = new ReportRenderPool({ concurrency: 1, queue: 2 });
    const running = pool.render(report, 'pdf', 'zh-CN');
    const waiting = [pool.render(report, 'csv', 'zh-CN'), pool.tryRender(report, 'csv', 'en')];
    expect(pool.stats()).toMatchObject({ active: 1, queued: 2 });
    await pool.close();
    const settled = await Promise.allSettled([running, ...waiting]);
    expect(settled.map((s) => (s.status === 'rejected' ? (s.reason as { code?: string }).code : 'fulfilled'))).toEqual([
      'report-rendering-unavailable',
      'report-rendering-unavailable',
      'report-rendering-unavailable',
    ]);
    expect(pool.stats()).toMatchObject({ workers: 0, queued: 0 });
  });

  it('reads REPORT_CONCURRENCY, REPORT_QUEUE and REPORT_RENDER, naming a bad one', () => {
    expect(renderPoolOptionsFromEnv({ REPORT_CONCURRENCY: '3', REPORT_QUEUE: '0', REPORT_RENDER: 'in-thread' })).toEqual({
      concurrency: 3,
      queue: 0,
      mode: 'in-thread',
    });
    const defaults = renderPoolOptionsFromEnv({});
    expect(defaults.queue).toBe(4);
    expect(defaults.mode).toBe('worker');
    expect([1, 2]).toContain(defaults.concurrency);
    for (const [name, value] of [
      ['REPORT_CONCURRENCY', '0'],
      ['REPORT_CONCURRENCY', '1.5'],
      ['REPORT_QUEUE', '-1'],
      ['REPORT_QUEUE', 'many'],
      ['REPORT_RENDER', 'fork'],
    ] as const) {
      expect(() => renderPoolOptionsFromEnv({ [name]: value })).toThrow(ConfigError);
      expect(() => renderPoolOptionsFromEnv({ [name]: value })).toThrow(name);
    }
  });
});
