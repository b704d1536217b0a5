/**
 * GET /api/district/carbon?year=YYYY&at= (contract 9, "District"): CO2 by part, industry and park,
 * the district's carbon intensity with its year-on-year change and the required pace, and each
 * enterprise's contribution. Every read role; an enterprise manager gets the figures of their own
 * enterprise only (contract 5), as for the overview.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { Config } from '../../../config/schema';
import { BadRequestError } from '../../core/errors';
import { yearBounds } from '../../energy/time';
import type { DistrictCarbonSource } from '../../figures/districtCarbonTypes';
import { principalOf } from '../auth';
import { instantQuery, parseInput } from '../validate';

const carbonQuery = z
  .object({
    year: z
      .string()
      .regex(/^\d{4}$/, 'year must be YYYY')
      .transform(Number)
      .optional(),
    at: z.string().optional(),
  })
  .strict();

export function districtCarbonRouter(deps: { config: Config; districtCarbon: DistrictCarbonSource; now: () => number }): Router {
  const router = Router();
  const zone = deps.config.timezone;
  router.get('/carbon', async (req, res) => {
    const p = principalOf(res);
    const q = parseInput(carbonQuery, req.query, 'query');
    const at = instantQuery(q.at, zone, deps.now());
    const atYear = yearBounds(at, zone).year;
    const year = q.year ?? atYear;
    if (year > atYear) throw new BadRequestError(`year ${year} has no figures at ${q.at ?? 'now'}: it begins after it`);
    // A year before the first data the store can hold still answers (zeros): the figures say so, no error is needed.
    const enterprises = deps.config.enterprises.filter((e) => p.role !== 'enterprise' || e.id === p.enterprise).map((e) => e.id);
    res.json(await deps.districtCarbon.districtCarbon({ enterprises, year, at }));
  });
  return router;
}
