/** GET /healthz: each dependency's state; 503 when one the service needs is down (contract 5). */
import { Router } from 'express';

export interface DependencyStatus { readonly ok: boolean; readonly [detail: string]: unknown }

export function healthRouter(check: () => Promise<Record<string, DependencyStatus>>): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    const deps = await check();
    const ok = Object.values(deps).every((d) => d.ok);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded', ...deps });
  });
  return router;
}
