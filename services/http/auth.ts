/**
 * Bearer-token authentication and the roles of contract 5. Tokens are configured as SHA-256
 * hashes; the presented token is hashed and compared in constant time. The dashboard signs in
 * with the same tokens and then authenticates with a session cookie (dashboard/sessions.ts).
 */
import type { NextFunction, Request, Response } from 'express';
import type { Config } from '../../config/schema';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../core/errors';
import { matchSecret } from '../core/security';
import { cookieValue, SESSION_COOKIE, type SessionStore } from './dashboard/sessions';

export type Role = 'admin' | 'officer' | 'auditor' | 'enterprise';

export interface Principal {
  readonly name: string;
  readonly role: Role;
  /** Set for role `enterprise`: the only enterprise it may see. */
  readonly enterprise?: string;
}

declare module 'express-serve-static-core' {
  interface Locals {
    principal?: Principal;
  }
}

/** The principal a configured token stands for, or undefined for an unknown token. */
export function principalForToken(token: string, tokens: Config['auth']['tokens']): Principal | undefined {
  const entry = matchSecret(token, tokens, (t) => t.sha256);
  return entry ? { name: entry.name, role: entry.role, ...(entry.enterprise !== undefined && { enterprise: entry.enterprise }) } : undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A bearer token in the Authorization header, or else the dashboard's session cookie. A write
 * authenticated by cookie must also carry `X-Requested-With`: a cross-site form cannot set that
 * header, so with the SameSite=Strict cookie this closes cross-site request forgery twice.
 */
export function bearerAuth(tokens: Config['auth']['tokens'], sessions?: SessionStore) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.get('authorization');
    if (header !== undefined || !sessions) {
      const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
      if (!match?.[1]) throw new UnauthorizedError();
      const principal = principalForToken(match[1], tokens);
      if (!principal) throw new UnauthorizedError('unknown or revoked token');
      res.locals.principal = principal;
      return next();
    }
    const id = cookieValue(req.get('cookie'), SESSION_COOKIE);
    const principal = id === undefined ? undefined : sessions.get(id);
    if (!principal) throw new UnauthorizedError(id === undefined ? undefined : 'the session has ended; sign in again');
    if (!SAFE_METHODS.has(req.method) && !req.get('x-requested-with'))
      throw new ForbiddenError('a write from the dashboard needs the X-Requested-With header');
    res.locals.principal = principal;
    next();
  };
}

/** The roles that see the service's internals: /metrics (METRICS=token) and /healthz's details. */
export const STAFF_ROLES: readonly Role[] = ['admin', 'officer', 'auditor'];

/** The principal of the request's bearer token, if it carries a valid one (no session cookie here). */
export function bearerPrincipal(req: Request, tokens: Config['auth']['tokens']): Principal | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
  return match?.[1] ? principalForToken(match[1], tokens) : undefined;
}

/**
 * A bearer token of one of `roles`, for routes outside /api (no session cookie: scrapers and
 * probes send a header). 401 with `WWW-Authenticate: Bearer` without a valid token, 403 for another role.
 */
export function requireBearer(tokens: Config['auth']['tokens'], roles: readonly Role[]) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const principal = bearerPrincipal(req, tokens);
    if (!principal) {
      res.set('WWW-Authenticate', 'Bearer');
      throw new UnauthorizedError(req.get('authorization') === undefined ? undefined : 'unknown or revoked token');
    }
    if (!roles.includes(principal.role)) throw new ForbiddenError(`this needs one of the roles: ${roles.join(', ')}`);
    res.locals.principal = principal;
    next();
  };
}

export function principalOf(res: Response): Principal {
  const p = res.locals.principal;
  if (!p) throw new UnauthorizedError();
  return p;
}

/** The enterprise a list is filtered to: an enterprise token's own whatever it asked for; the filter asked for otherwise. */
export function visibleEnterprise(principal: Principal, requested: string | undefined): string | undefined {
  return principal.role === 'enterprise' ? principal.enterprise : requested;
}

/** An enterprise token sees only its own enterprise; any other answers 404, as if it did not exist. */
export function assertCanSee(principal: Principal, enterpriseId: string): void {
  if (principal.role === 'enterprise' && principal.enterprise !== enterpriseId) throw new NotFoundError(`enterprise ${enterpriseId}`);
}

export function requireRole(...roles: Role[]) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    if (!roles.includes(principalOf(res).role)) throw new ForbiddenError(`this needs one of the roles: ${roles.join(', ')}`);
    next();
  };
}
