/**
 * Bearer-token authentication and the roles of contract 5. Tokens are configured as SHA-256
 * hashes; the presented token is hashed and compared in constant time.
 */
import type { NextFunction, Request, Response } from 'express';
import type { Config } from '../../config/schema';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../errors';
import { matchSecret } from '../security';

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

export function bearerAuth(tokens: Config['auth']['tokens']) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new UnauthorizedError();
    const entry = matchSecret(match[1], tokens, (t) => t.sha256);
    if (!entry) throw new UnauthorizedError('unknown or revoked token');
    res.locals.principal = { name: entry.name, role: entry.role, ...(entry.enterprise !== undefined && { enterprise: entry.enterprise }) };
    next();
  };
}

export function principalOf(res: Response): Principal {
  const p = res.locals.principal;
  if (!p) throw new UnauthorizedError();
  return p;
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
