/**
 * Credentials never reach a log line: the Authorization header, the token in it and cookies of a
 * request are replaced wherever they sit in what an error handler logs.
 */
import type { Request } from 'express';
import pino from 'pino';
import type { Logger } from '../core/log';

const REDACTED = '[redacted]';
const SECRET_KEYS = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|password|passwordsha256|token|secret|sha256)$/i;
const CREDENTIAL_IN_TEXT = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;

/** The credentials a request carries: its Authorization header, the token in it, its cookies. */
function credentialsOf(req: Request): string[] {
  const found = new Set<string>();
  for (const name of ['authorization', 'proxy-authorization', 'cookie']) {
    const value = req.get(name);
    if (!value) continue;
    found.add(value);
    const token = /^\S+\s+(\S+)$/.exec(value.trim())?.[1];
    if (token) found.add(token);
  }
  // Longest first, so that a header is replaced whole before the token inside it.
  return [...found].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
}

/** A deep copy with credential-named keys and every credential string replaced; never mutates. */
export function scrubCredentials(value: unknown, secrets: readonly string[], depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') {
    let text = value;
    for (const secret of secrets) text = text.split(secret).join(REDACTED);
    return text.replace(CREDENTIAL_IN_TEXT, `$1 ${REDACTED}`);
  }
  if (!value || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  if (depth >= 8) return '[truncated]';
  seen.add(value);
  if (value instanceof Error) return scrubCredentials(pino.stdSerializers.err(value), secrets, depth, seen);
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => scrubCredentials(v, secrets, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = SECRET_KEYS.test(key) ? REDACTED : scrubCredentials(v, secrets, depth + 1, seen);
  return out;
}

/** A child logger that writes no credential of this request, wherever it sits in what is logged. */
export function credentialSafeLogger(logger: Logger, req: Request): Logger {
  const secrets = credentialsOf(req);
  return logger.child({}, { formatters: { log: (obj) => scrubCredentials(obj, secrets) as Record<string, unknown> } });
}
