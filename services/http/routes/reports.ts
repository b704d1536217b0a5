/**
 * Monthly reports (contract 5 and 6): the district report and one enterprise's, in every format,
 * every revision; auditors read only; an enterprise token gets only its own enterprise's report;
 * every download is recorded (who, what, when; not the dashboard's inline preview) and the record
 * is readable by admins.
 */
import { Router, type Response } from 'express';
import { z } from 'zod';
import { enterpriseScope } from '../../reports/monthlyReportBuilder';
import type { MonthlyReport } from '../../reports/reportModel';
import type { ReportService } from '../../reports/reportService';
import { REPORT_FORMATS, type RenderReport } from '../../reports/reportFormats';
import { ReportRenderBusyError } from '../../reports/renderPool';
import type { MonthlyReportArchive } from '../../reports/reportModel';
import { bucketStart, isoInZone, monthBounds } from '../../energy/time';
import { ForbiddenError, NotFoundError } from '../../core/errors';
import { assertCanSee, principalOf, requireRole, type Principal } from '../auth';
import { parseInput } from '../validate';

const reportQuery = z
  .object({
    month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected YYYY-MM'),
    format: z.enum(REPORT_FORMATS).default('json'),
    revision: z.coerce.number().int().min(0).optional(),
    lang: z.enum(['zh-CN', 'en']).optional(),
    // `inline` (HTML only): shown in the dashboard's preview frame instead of downloaded.
    view: z.enum(['download', 'inline']).default('download'),
  })
  .strict();

/**
 * Headers of the HTML report shown inside the dashboard (the reports page's preview): framed by
 * this origin only, its own inline CSS allowed, nothing else (the page has no script, no URL).
 */
const INLINE_HTML_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox",
  'X-Frame-Options': 'SAMEORIGIN',
} as const;

export function reportsRouter(deps: {
  reports: ReportService;
  archive: MonthlyReportArchive;
  render: RenderReport;
  zone: string;
  language: 'zh-CN' | 'en';
  enterpriseIds: ReadonlySet<string>;
  now: () => number;
}): Router {
  const router = Router();

  const send = async (res: Response, principal: Principal, report: MonthlyReport, q: z.infer<typeof reportQuery>): Promise<void> => {
    const out = await deps.render(report, q.format, q.lang ?? deps.language).catch((err: unknown) => {
      // Rendering is at its bound (renderPool.ts): 503 through the error handler, with when to come back.
      if (err instanceof ReportRenderBusyError) res.set('Retry-After', String(err.retryAfterSeconds));
      throw err;
    });
    // The dashboard's preview (HTML shown in its frame) is a view, not a file handed over: it is not
    // recorded, or the log would fill with every opening of the reports page (docs/reports.md).
    const inline = q.view === 'inline' && q.format === 'html';
    if (!inline)
      await deps.archive.recordDownload({
        at: deps.now(),
        who: principal.name,
        role: principal.role,
        scope: report.scope,
        month: report.month,
        revision: report.revision,
        format: q.format,
        sha256: report.sha256,
      });
    if (inline) res.set(INLINE_HTML_HEADERS);
    res.set({
      'Content-Type': out.contentType,
      'Content-Disposition': `${inline ? 'inline' : 'attachment'}; filename="energy-report-${report.scope}-${report.month}-r${report.revision}.${out.extension}"`,
      'X-Report-Revision': String(report.revision),
      'X-Report-SHA256': report.sha256,
    });
    res.send(out.body);
  };

  // A draft of one enterprise's report says how far that enterprise's data runs.
  const load = async (q: z.infer<typeof reportQuery>, enterprise?: string): Promise<MonthlyReport> => {
    const report = await deps.reports.report(q.month, q.revision, enterprise === undefined ? undefined : [enterprise]);
    if (!report) throw new NotFoundError(`revision ${q.revision} of the ${q.month} report`);
    return report;
  };

  router.get('/monthly', requireRole('admin', 'officer', 'auditor'), async (req, res) => {
    const q = parseInput(reportQuery, req.query, 'query');
    await send(res, principalOf(res), await load(q), q);
  });

  router.get('/monthly/:enterpriseId', async (req, res) => {
    const principal = principalOf(res);
    const id = String(req.params.enterpriseId);
    assertCanSee(principal, id);
    if (!deps.enterpriseIds.has(id)) throw new NotFoundError(`enterprise ${id}`);
    const q = parseInput(reportQuery, req.query, 'query');
    const scoped = enterpriseScope(await load(q, id), id);
    if (!scoped) throw new NotFoundError(`enterprise ${id} in the ${q.month} report`);
    await send(res, principal, scoped, q);
  });

  // Every role may list the finalised months and revisions (an enterprise then downloads its own
  // part); the district report's hash is left out for an enterprise manager, whose file differs.
  router.get('/revisions', async (req, res) => {
    const principal = principalOf(res);
    const q = parseInput(z.object({ month: reportQuery.shape.month.optional() }).strict(), req.query, 'query');
    res.json(
      (await deps.archive.revisions(q.month)).map((r) => ({
        ...r,
        createdAt: isoInZone(r.createdAt, deps.zone),
        ...(principal.role === 'enterprise' && { sha256: null }),
      })),
    );
  });

  // The reports page asks before offering 定稿: whether the month has ended in the site zone (on the
  // server's clock, the one the finalise route refuses by) and its revisions so far. Without `month`
  // it answers for the latest month that has ended, the page's default: a browser in another zone or
  // with a wrong clock must not pick the month (docs/reports.md).
  router.get('/month-state', async (req, res) => {
    const q = parseInput(z.object({ month: reportQuery.shape.month.optional() }).strict(), req.query, 'query');
    const now = deps.now();
    // The instant before this month's start lies in the previous month, in the site zone.
    const latestEnded = isoInZone(bucketStart(now, '1mo', deps.zone) - 1, deps.zone).slice(0, 7);
    const month = q.month ?? latestEnded;
    const end = monthBounds(month, deps.zone)?.end;
    if (end === undefined) throw new NotFoundError(`month ${month}`);
    res.json({
      month,
      ended: end <= now,
      endsAt: isoInZone(end, deps.zone),
      latestEnded,
      revisions: (await deps.archive.revisions(month)).length,
    });
  });

  router.post('/monthly/finalise', requireRole('admin'), async (req, res) => {
    const q = parseInput(z.object({ month: reportQuery.shape.month }).strict(), req.query, 'query');
    // Contract 8.4: a month that has not ended has no final figures yet (the service answers 409).
    const { report, created } = await deps.reports.finalise(q.month, deps.now());
    res.status(created ? 201 : 200).json({
      month: report.month,
      revision: report.revision,
      sha256: report.sha256,
      created,
      revisionNote: report.revisionNote ?? null,
      reasons: report.reasons ?? [],
    });
  });

  router.get('/downloads', async (_req, res) => {
    if (principalOf(res).role !== 'admin') throw new ForbiddenError('the download record is for admins');
    res.json((await deps.archive.downloads()).map((d) => ({ ...d, at: isoInZone(d.at, deps.zone) })));
  });

  return router;
}
