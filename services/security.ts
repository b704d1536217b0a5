/** Secrets are kept only as SHA-256 hashes and compared in constant time. */
import { createHash, timingSafeEqual } from 'node:crypto';

export function sha256Hex(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Returns the entry whose hash matches the secret. Every entry is compared, in constant time, so
 * the time taken does not reveal which entry (or how much of a hash) matched.
 */
export function matchSecret<T>(secret: string | Buffer, entries: readonly T[], hashOf: (entry: T) => string): T | undefined {
  const digest = createHash('sha256').update(secret).digest();
  let found: T | undefined;
  for (const entry of entries) {
    const expected = Buffer.from(hashOf(entry).toLowerCase(), 'hex');
    if (expected.length === digest.length && timingSafeEqual(expected, digest) && found === undefined) found = entry;
  }
  return found;
}

const SECRET_QUERY_KEYS = new Set(['password', 'token', 'key', 'access_token']);

/**
 * A URL safe to log: `user:pass@` is removed and the values of the query parameters `password`,
 * `token`, `key` and `access_token` become `***`. Something that is not a URL is not echoed back.
 */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return '[unparsable url]';
  }
  u.username = '';
  u.password = '';
  const secret = [...new Set(u.searchParams.keys())].filter((k) => SECRET_QUERY_KEYS.has(k.toLowerCase()));
  for (const k of secret) u.searchParams.set(k, '***');
  return u.toString().replace(/%2A%2A%2A/gi, '***');
}
