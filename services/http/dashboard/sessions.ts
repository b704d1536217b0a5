/**
 * Dashboard sign-in: a person pastes a bearer token of the configuration once; the server keeps
 * the principal in memory under a random session id sent back as an httpOnly, SameSite=Strict
 * cookie, so the token itself never lives in the browser's script-readable storage.
 * Sessions end on sign-out, after `idleMs` without use, after `maxAgeMs` in all, and on restart
 * (they are in memory on purpose: a token revoked in the configuration takes effect on restart).
 */
import { randomBytes } from 'node:crypto';
import type { Principal } from '../auth';

export const SESSION_COOKIE = 'em_session';

interface Session {
  readonly principal: Principal;
  readonly createdAt: number;
  lastSeen: number;
}

export interface SessionOptions {
  /** Ends a session unused this long (default 8 h, a working day). */
  readonly idleMs?: number;
  /** Ends any session this old (default 12 h). */
  readonly maxAgeMs?: number;
  /** Most sessions kept; the least recently used goes first (default 10,000). */
  readonly maxSessions?: number;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly idleMs: number;
  private readonly maxAgeMs: number;
  private readonly maxSessions: number;

  constructor(
    options: SessionOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.idleMs = options.idleMs ?? 8 * 3_600_000;
    this.maxAgeMs = options.maxAgeMs ?? 12 * 3_600_000;
    this.maxSessions = options.maxSessions ?? 10_000;
  }

  /** Milliseconds the cookie may live: the absolute bound (the idle bound is enforced here). */
  get cookieMaxAgeMs(): number {
    return this.maxAgeMs;
  }

  create(principal: Principal): string {
    const id = randomBytes(32).toString('base64url');
    const at = this.now();
    if (this.sessions.size >= this.maxSessions) {
      // Map keeps insertion order and `get` re-inserts on use: the first key is the least recently used.
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    this.sessions.set(id, { principal, createdAt: at, lastSeen: at });
    return id;
  }

  get(id: string): Principal | undefined {
    const s = this.sessions.get(id);
    if (!s) return undefined;
    const at = this.now();
    if (at - s.lastSeen > this.idleMs || at - s.createdAt > this.maxAgeMs) {
      this.sessions.delete(id);
      return undefined;
    }
    s.lastSeen = at;
    this.sessions.delete(id);
    this.sessions.set(id, s);
    return s.principal;
  }

  delete(id: string): void {
    this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }
}

/** The value of one cookie in a Cookie header, if present and well-formed. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{1,128}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}
