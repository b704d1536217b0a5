/**
 * GET /api/district/benchmark?at=&period=rolling12|ytd (contract 10): the district's products against
 * their benchmark and baseline levels, the plants below baseline with deadlines, the savings
 * potential and the efficiency-leader candidates. Every read role; an enterprise manager gets their
 * own enterprise only (contract 5), as for the overview.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { Config } from '../../../config/schema';
import type { DistrictBenchmarkService } from '../../figures/districtBenchmark';
import { principalOf } from '../auth';
import { instantQuery, parseInput } from '../validate';

const benchmarkQuery = z.object({ at: z.string().optional(), period: z.enum(['rolling12', 'ytd']).default('rolling12') }).strict();

export function districtBenchmarkRouter(deps: {
  config: Config;
  districtBenchmark: Pick<DistrictBenchmarkService, 'districtBenchmark'>;
  now: () => number;
}): Router {
  const router = Router();
  const zone = deps.config.timezone;
  router.get('/benchmark', async (req, res) => {
    const p = principalOf(res);
    const q = parseInput(benchmarkQuery, req.query, 'query');
    const at = instantQuery(q.at, zone, deps.now());
    const enterprises = deps.config.enterprises.filter((e) => p.role !== 'enterprise' || e.id === p.enterprise).map((e) => e.id);
    res.json(await deps.districtBenchmark.districtBenchmark({ enterprises, at, period: q.period }));
  });
  return router;
}
