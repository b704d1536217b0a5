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

/**
 * A URL safe to log or show: the password becomes `***` (the user name stays, it tells which
 * account), and so does the value of every query parameter, since robot webhooks carry their
 * secret under names of their own (`key`, `access_token`, `sign` ...). Something that is not a URL
 * is not echoed back. One policy for logs, the delivery log and the dashboard.
 */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return '[unparsable url]';
  }
  if (u.password) u.password = '***';
  for (const k of [...new Set(u.searchParams.keys())]) u.searchParams.set(k, '***');
  return u.toString().replace(/%2A%2A%2A/gi, '***');
}
