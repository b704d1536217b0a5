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
