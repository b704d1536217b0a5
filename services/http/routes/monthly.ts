/**
 * Monthly statistics entered by hand (contract 8.3): the record of an enterprise-month with its
 * versions, the reconciliation of metered vs entered figures, and the XLSX template and import.
 * Refusals answer 422 `{"error": {"code": "unprocessable", "message", "problems": [...]}}`.
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Config } from '../../../config/schema';
import { BadRequestError } from '../../core/errors';
import type { MonthlyRecord } from '../../energy/monthlyStatistics';
import { isoInZone, monthBounds } from '../../energy/time';
import { enteredFigures, meteredFigures, reconcile, RECONCILIATION_TOLERANCE } from '../../figures/reconciliation';
import { importWorkbook, WorkbookRejected } from '../../ledger/monthlyImport';
import { parsePatch } from '../../ledger/monthlyPatchSchema';
import { MONTH_PATTERN, MonthlyStatisticsRejected, type MonthlyStatisticsService } from '../../ledger/monthlyStatisticsService';
import { buildTemplate } from '../../ledger/monthlyTemplate';
import type { TimeSeriesStore } from '../../store/timeSeriesStore';
import { assertCanSee, principalOf, requireRole } from '../auth';
import { parseInput } from '../validate';

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** A district's template is a few tens of kB; anything near this is not one. */
const MAX_IMPORT_BYTES = '2mb';

export interface MonthlyRouteDeps {
  readonly config: Config;
  readonly monthly: MonthlyStatisticsService;
  readonly store: TimeSeriesStore;
}

const monthQuery = z.object({ month: z.string().regex(MONTH_PATTERN, 'YYYY-MM') }).strict();
const outputBody = z.object({ outputValue10kYuan: z.number().finite().nonnegative() }).strict();
const getQuery = z.object({ history: z.enum(['0', '1']).optional() }).strict();

function monthParam(text: string): string {
  if (!MONTH_PATTERN.test(text)) throw new BadRequestError(`month must be YYYY-MM, got "${text}"`);
  return text;
}

export function recordView(r: MonthlyRecord, zone: string) {
  const { enterprise, month, version, recordedBy, recordedAt, ...fields } = r;
  return { enterprise, month, version, recordedBy, recordedAt: isoInZone(recordedAt, zone), ...fields };
}

/** Refusals with their list of problems: 422. */
function unprocessable(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (err instanceof MonthlyStatisticsRejected || err instanceof WorkbookRejected)
    res.status(422).json({ error: { code: err.code, message: err.message, problems: err.problems } });
  else next(err);
}

/** Mounted under /api/enterprises beside the enterprises router. */
export function enterpriseMonthlyRouter(deps: MonthlyRouteDeps): Router {
  const router = Router();
  const zone = deps.config.timezone;

  router.get('/:id/monthly/:month', async (req, res) => {
    assertCanSee(principalOf(res), String(req.params.id));
    const e = deps.monthly.enterprise(String(req.params.id));
    const month = monthParam(String(req.params.month));
    const q = parseInput(getQuery, req.query, 'query');
    if (q.history === '1') return void res.json((await deps.monthly.history(e.id, month)).map((r) => recordView(r, zone)));
    const current = await deps.monthly.current(e.id, month);
    // Nothing recorded yet: version 0, an empty record, so a form can start from it.
    res.json(current ? recordView(current, zone) : { enterprise: e.id, month, version: 0, recordedBy: null, recordedAt: null });
  });

  router.put('/:id/monthly/:month', requireRole('admin', 'officer', 'enterprise'), async (req, res) => {
    const p = principalOf(res);
    assertCanSee(p, String(req.params.id));
    const e = deps.monthly.enterprise(String(req.params.id));
    const month = monthParam(String(req.params.month));
    const parsed = parsePatch(req.body ?? {});
    if (!parsed.patch) throw new MonthlyStatisticsRejected(`monthly statistics of ${e.id} for ${month} refused`, parsed.problems);
    res.json(recordView(await deps.monthly.record(e.id, month, parsed.patch, p.name), zone));
  });

  // The shorthand for outputValue10kYuan (contract 5), versioned like any monthly statistic.
  router.put('/:id/output/:month', requireRole('admin', 'officer'), async (req, res) => {
    const e = deps.monthly.enterprise(String(req.params.id));
    const month = monthParam(String(req.params.month));
    const { outputValue10kYuan } = parseInput(outputBody, req.body, 'body');
    const by = principalOf(res).name;
    await deps.monthly.record(e.id, month, { outputValue10kYuan }, by);
    res.json({ enterprise: e.id, month, outputValue10kYuan, enteredBy: by });
  });

  router.get('/:id/reconciliation', async (req, res) => {
    assertCanSee(principalOf(res), String(req.params.id));
    const e = deps.monthly.enterprise(String(req.params.id));
    const { month } = parseInput(monthQuery, req.query, 'query');
    const span = monthBounds(month, zone);
    if (!span) throw new BadRequestError(`month must be YYYY-MM, got "${month}"`);
    const record = await deps.monthly.current(e.id, month);
    const metered = await meteredFigures(deps, e, span.start, span.end);
    res.json({
      enterprise: e.id,
      month,
      from: isoInZone(span.start, zone),
      to: isoInZone(span.end, zone),
      tolerance: RECONCILIATION_TOLERANCE,
      version: record?.version ?? 0,
      lines: reconcile(metered, record ? enteredFigures(record) : []),
    });
  });

  router.use(unprocessable);
  return router;
}

/** Mounted under /api/monthly: the XLSX template and its import. */
export function monthlyWorkbookRouter(deps: MonthlyRouteDeps): Router {
  const router = Router();

  router.get('/template', async (req, res) => {
    const p = principalOf(res);
    const { month } = parseInput(monthQuery, req.query, 'query');
    const visible = deps.config.enterprises.filter((e) => p.role !== 'enterprise' || e.id === p.enterprise);
    const records = await deps.monthly.records(
      visible.map((e) => e.id),
      month,
      month,
    );
    const file = await buildTemplate(month, visible, records);
    res.type(XLSX_MIME).set('Content-Disposition', `attachment; filename="monthly-statistics-${month}.xlsx"`).send(file);
  });

  router.post(
    '/import',
    requireRole('admin', 'officer', 'enterprise'),
    express.raw({ type: [XLSX_MIME, 'application/octet-stream'], limit: MAX_IMPORT_BYTES }),
    async (req, res) => {
      const p = principalOf(res);
      const body: unknown = req.body;
      const file = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
      const outcome = await importWorkbook(deps.monthly, file, {
        by: p.name,
        ...(p.role === 'enterprise' && { onlyEnterprise: p.enterprise ?? '' }),
      });
      res.json({ stored: outcome.stored.map((r) => recordView(r, deps.config.timezone)), unchanged: outcome.unchanged });
    },
  );

  router.use(unprocessable);
  return router;
}
