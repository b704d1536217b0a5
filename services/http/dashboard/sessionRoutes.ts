/**
 * POST /api/session (sign in with a configured token), GET (who am I, or `signedIn: false`), DELETE (sign out).
 * Mounted before the bearer check; the /api rate limit counts sign-in attempts per address.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Config } from '../../../config/schema';
import { UnauthorizedError } from '../../core/errors';
import { principalForToken, type Principal } from '../auth';
import { parseInput } from '../validate';
import { cookieValue, SESSION_COOKIE, type SessionStore } from './sessions';

const signInBody = z.object({ token: z.string().min(1).max(512) }).strict();

function view(p: Principal) {
  return { name: p.name, role: p.role, enterprise: p.enterprise ?? null };
}

export function sessionRouter(deps: { tokens: Config['auth']['tokens']; sessions: SessionStore }): Router {
  const router = Router();
  const cookieOptions = (req: Request) => ({ httpOnly: true, sameSite: 'strict' as const, secure: req.secure, path: '/' });

  router.post('/', (req, res) => {
    const { token } = parseInput(signInBody, req.body ?? {}, 'body');
    const principal = principalForToken(token.trim(), deps.tokens);
    if (!principal) throw new UnauthorizedError('unknown or revoked token');
    const previous = cookieValue(req.get('cookie'), SESSION_COOKIE);
    if (previous !== undefined) deps.sessions.delete(previous);
    const id = deps.sessions.create(principal);
    res.cookie(SESSION_COOKIE, id, { ...cookieOptions(req), maxAge: deps.sessions.cookieMaxAgeMs });
    res.json({ signedIn: true, ...view(principal) });
  });

  // Answers 200 either way: the page asks this on every load, and "not signed in" is no error.
  router.get('/', (req, res) => {
    const id = cookieValue(req.get('cookie'), SESSION_COOKIE);
    const principal = id === undefined ? undefined : deps.sessions.get(id);
    res.json(principal ? { signedIn: true, ...view(principal) } : { signedIn: false });
  });

  router.delete('/', (req: Request, res: Response) => {
    const id = cookieValue(req.get('cookie'), SESSION_COOKIE);
    if (id !== undefined) deps.sessions.delete(id);
    res.clearCookie(SESSION_COOKIE, cookieOptions(req));
    res.status(204).end();
  });

  return router;
}
