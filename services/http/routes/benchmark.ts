/** GET /api/enterprises/{id}/benchmark?at= (contract 10): unit consumption per product against the benchmark and baseline levels. */
import { Router } from 'express';
import { z } from 'zod';
import type { Config } from '../../../config/schema';
import type { BenchmarkFiguresService } from '../../figures/benchmarkFigures';
import { assertCanSee, principalOf } from '../auth';
import { instantQuery, parseInput } from '../validate';
import { findEnterprise } from './meters';

const benchmarkQuery = z.object({ at: z.string().optional() }).strict();

/** Every read role; an enterprise token sees its own enterprise only (another answers 404, as for status). */
export function benchmarkRouter(deps: { config: Config; benchmark: BenchmarkFiguresService; now: () => number }): Router {
  const router = Router();
  const zone = deps.config.timezone;
  router.get('/:id/benchmark', async (req, res) => {
    assertCanSee(principalOf(res), req.params.id);
    const e = findEnterprise(deps.config, req.params.id);
    const q = parseInput(benchmarkQuery, req.query, 'query');
    const at = instantQuery(q.at, zone, deps.now());
    res.json(await deps.benchmark.benchmarkAt(e, at));
  });
  return router;
}
