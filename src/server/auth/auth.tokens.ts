import { createHash, randomBytes } from 'node:crypto';

/** A random, URL-safe secret (cookie values, one-time links). */
export function newToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** What the database keeps instead of a token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
