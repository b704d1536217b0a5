/** GET /api/enterprises/{id}/projects?at= (contract 9.1): the energy-review projects' actual figures at t. */
import { Router } from 'express';
import { z } from 'zod';
import type { Config } from '../../../config/schema';
import type { ProjectFiguresService } from '../../figures/projectFigures';
import { assertCanSee, principalOf } from '../auth';
import { instantQuery, parseInput } from '../validate';
import { findEnterprise } from './meters';

const projectsQuery = z.object({ at: z.string().optional() }).strict();

/** Every read role; an enterprise token sees its own enterprise only (another answers 404, as for status). */
export function projectsRouter(deps: { config: Config; projects: ProjectFiguresService; now: () => number }): Router {
  const router = Router();
  const zone = deps.config.timezone;
  router.get('/:id/projects', async (req, res) => {
    assertCanSee(principalOf(res), req.params.id);
    const e = findEnterprise(deps.config, req.params.id);
    const q = parseInput(projectsQuery, req.query, 'query');
    const at = instantQuery(q.at, zone, deps.now());
    res.json((await deps.projects.projectsAt([e], at)).get(e.id));
  });
  return router;
}
