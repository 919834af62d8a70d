import { and, isNotNull, isNull, lt, or } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { authTokens, idempotencyKeys, rateLimits, sessions } from '../../../db/schema/index.ts';
import type { Clock } from '../shared/clock.ts';

const DAY = 86_400_000;

/**
 * The nightly clean-up (`maintenance.prune`): expired sessions, one-time links
 * used or expired more than 30 days ago, rate-limit counters idle for a day, and
 * idempotency keys older than a day (a client retries within minutes).
 * Idempotent; returns how many rows each step removed.
 */
export async function pruneExpired({ db, clock }: { db: Db; clock: Clock }): Promise<{ sessions: number; tokens: number; rateLimits: number; idempotencyKeys: number }> {
  const now = clock.now();
  const s = await db.delete(sessions).where(lt(sessions.expiresAt, now)).returning({ id: sessions.id });
  const monthAgo = new Date(now.getTime() - 30 * DAY);
  const t = await db
    .delete(authTokens)
    .where(or(lt(authTokens.expiresAt, monthAgo), and(isNotNull(authTokens.usedAt), lt(authTokens.usedAt, monthAgo))))
    .returning({ id: authTokens.id });
  const dayAgo = new Date(now.getTime() - DAY);
  const r = await db
    .delete(rateLimits)
    .where(and(lt(rateLimits.windowStart, dayAgo), or(isNull(rateLimits.blockedUntil), lt(rateLimits.blockedUntil, now))))
    .returning({ key: rateLimits.key });
  const k = await db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, dayAgo)).returning({ key: idempotencyKeys.key });
  return { sessions: s.length, tokens: t.length, rateLimits: r.length, idempotencyKeys: k.length };
}

