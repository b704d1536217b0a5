/**
 * GET /healthz: each dependency's state; 503 when one the service needs is down (contract 5).
 *
 * It needs no token (load balancers, container health checks), so what it shows to anyone is only
 * what cannot identify or fingerprint the installation (issue 14): `status`, and per dependency
 * its `ok`, flags and counters (booleans and numbers: queue depths, counts, memory) and the words
 * in PUBLIC_WORDS. Strings are where host names and PIDs (the lease holder), addresses, versions
 * and error texts live; they are shown only to a staff token (admin, officer, auditor) in the
 * Authorization header, with every detail.
 */
import { Router, type Request } from 'express';

export interface DependencyStatus {
  readonly ok: boolean;
  readonly [detail: string]: unknown;
}

/** String fields safe to show anyone: which store, which instance role and shard. */
const PUBLIC_WORDS = new Set(['kind', 'role', 'shard', 'broker']);
/** Numbers that still identify a process. */
const PRIVATE_NUMBERS = new Set(['pid', 'ppid', 'port', 'uid', 'gid']);

export function healthRouter(check: () => Promise<Record<string, DependencyStatus>>, options: { showDetails: (req: Request) => boolean }): Router {
  const router = Router();
  router.get('/healthz', async (req, res) => {
    const deps = await check();
    const ok = Object.values(deps).every((d) => d.ok);
    const details = options.showDetails(req);
    const shown = details ? deps : Object.fromEntries(Object.entries(deps).map(([name, d]) => [name, publicView(d)]));
    // Never cached by a proxy: it may carry details for one caller, and it is live.
    res
      .set('Cache-Control', 'no-store')
      .status(ok ? 200 : 503)
      .json({ status: ok ? 'ok' : 'degraded', ...shown });
  });
  return router;
}

/** Booleans, finite numbers and PUBLIC_WORDS, recursively; everything else left out. */
export function publicView(value: Readonly<Record<string, unknown>>, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'boolean') out[key] = v;
    else if (typeof v === 'number' && Number.isFinite(v) && !PRIVATE_NUMBERS.has(key.toLowerCase())) out[key] = v;
    else if (typeof v === 'string' && PUBLIC_WORDS.has(key)) out[key] = v;
    else if (v && typeof v === 'object' && !Array.isArray(v) && depth < 4) out[key] = publicView(v as Record<string, unknown>, depth + 1);
  }
  return out;
}
