import { and, eq, isNull } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import { authTokens, users } from '../../../db/schema/index.ts';
import type { Clock } from '../shared/clock.ts';
import { createErrorFactory } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { hashToken, newToken } from './auth.tokens.ts';

/** One-time links: invites to set a first password, and password resets. The database keeps only their hashes. */
export const INVITE_HOURS = 72;
export const RESET_MINUTES = 30;

export const createInvalidTokenError = createErrorFactory({ code: 'auth.invalid_token', message: '链接无效或已过期，请重新申请。', status: 400 });

/** Creates a link token for `userId`, valid for `ttlMs`; returns the token to put in the link. */
export async function issueToken(tx: Db | Tx, clock: Clock, userId: string, kind: 'invite' | 'reset', ttlMs: number): Promise<string> {
  const token = newToken();
  const now = clock.now();
  await tx.insert(authTokens).values({ id: newId(), userId, kind, tokenHash: hashToken(token), expiresAt: new Date(now.getTime() + ttlMs), createdAt: now });
  return token;
}

/** The address of a set-password link, on the runtime's fixed base (never a request's Host). */
export const linkFor = (baseUrl: string, token: string) => `${baseUrl.replace(/\/$/, '')}/password/set?token=${token}`;

/** Looks up an unused, unexpired one-time link; null when it is not valid. */
export async function findValidToken({ db, clock, token }: { db: Db; clock: Clock; token: string }) {
  if (!token || token.length > 100) return null;
  const [row] = await db.select().from(authTokens).innerJoin(users, eq(authTokens.userId, users.id)).where(eq(authTokens.tokenHash, hashToken(token)));
  if (!row || row.auth_tokens.usedAt || row.auth_tokens.expiresAt <= clock.now() || row.users.status === 'disabled') return null;
  return { token: row.auth_tokens, user: row.users };
}

/** Once a password is set, no link issued before may set it again: every unused invite and reset link of the user ends. */
export async function endOutstandingLinks(tx: Db | Tx, userId: string, now: Date): Promise<void> {
  await tx.update(authTokens).set({ usedAt: now }).where(and(eq(authTokens.userId, userId), isNull(authTokens.usedAt)));
}
