/** GET /api/enterprises/{id}/diagnosis?month=YYYY-MM[&meter=] (contract 11): the month's energy-saving diagnosis. */
import { Router } from 'express';
import { z } from 'zod';
import type { Config } from '../../../config/schema';
import { BadRequestError, NotFoundError } from '../../core/errors';
import { monthBounds } from '../../energy/time';
import type { DiagnosisFiguresService } from '../../figures/diagnosisFigures';
import { assertCanSee, principalOf } from '../auth';
import { parseInput } from '../validate';
import { findEnterprise } from './meters';

const diagnosisQuery = z
  .object({
    month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected YYYY-MM'),
    meter: z.string().min(1).optional(),
  })
  .strict();

/** Every read role; an enterprise token sees its own enterprise only (another answers 404, as for status). */
export function diagnosisRouter(deps: { config: Config; diagnosis: DiagnosisFiguresService; now: () => number }): Router {
  const router = Router();
  router.get('/:id/diagnosis', async (req, res) => {
    assertCanSee(principalOf(res), req.params.id);
    const e = findEnterprise(deps.config, req.params.id);
    const q = parseInput(diagnosisQuery, req.query, 'query');
    const bounds = monthBounds(q.month, deps.config.timezone);
    if (!bounds) throw new BadRequestError(`month must be YYYY-MM, got "${q.month}"`);
    const now = deps.now();
    // The running month is answered up to now; a month that has not begun has no figures.
    if (bounds.start > now) throw new BadRequestError(`month ${q.month} is in the future`);
    const meter = q.meter === undefined ? undefined : e.meters.find((m) => m.id === q.meter);
    if (q.meter !== undefined && !meter) throw new NotFoundError(`meter ${q.meter} of enterprise ${e.id}`);
    res.json(await deps.diagnosis.diagnosis(e, q.month, { ...(meter && { meter }), now }));
  });
  return router;
}
