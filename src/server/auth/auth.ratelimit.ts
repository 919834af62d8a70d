import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { rateLimits } from '../../../db/schema/index.ts';
import type { Clock } from '../shared/clock.ts';
import { createErrorFactory } from '../shared/errors.ts';

export interface LimitPolicy {
  /** Attempts allowed within `windowMs` before delays start. */
  free: number;
  windowMs: number;
  /** First delay once `free` is used up; doubles with every further attempt. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const policies = {
  loginAccount: { free: 5, windowMs: 15 * 60_000, baseDelayMs: 30_000, maxDelayMs: 15 * 60_000 },
  loginIp: { free: 20, windowMs: 15 * 60_000, baseDelayMs: 30_000, maxDelayMs: 15 * 60_000 },
  mailAccount: { free: 3, windowMs: 60 * 60_000, baseDelayMs: 10 * 60_000, maxDelayMs: 60 * 60_000 },
  mailIp: { free: 10, windowMs: 60 * 60_000, baseDelayMs: 5 * 60_000, maxDelayMs: 60 * 60_000 },
  form: { free: 30, windowMs: 10 * 60_000, baseDelayMs: 10_000, maxDelayMs: 10 * 60_000 },
} satisfies Record<string, LimitPolicy>;

const tooMany = createErrorFactory({ code: 'rate_limited', message: '操作过于频繁，请稍后再试。', status: 429 });
export function createRateLimitedError(retryAfterSeconds: number) {
  const e = tooMany({ retryAfter: String(retryAfterSeconds) });
  return Object.assign(e, { message: `操作过于频繁，请在 ${formatWait(retryAfterSeconds)}后再试。` });
}

function formatWait(seconds: number): string {
  return seconds >= 60 ? `${Math.ceil(seconds / 60)} 分钟` : `${seconds} 秒`;
}

/** Seconds until `key` may try again; 0 when it may now. */
export async function retryAfter({ db, clock, key }: { db: Db; clock: Clock; key: string }): Promise<number> {
  const [row] = await db.select().from(rateLimits).where(eq(rateLimits.key, key));
  if (!row?.blockedUntil) return 0;
  return Math.max(0, Math.ceil((row.blockedUntil.getTime() - clock.now().getTime()) / 1000));
}

/**
 * Counts one attempt against `key` (a failed sign-in, a mail sent); past the
 * free allowance each further attempt blocks the key for a doubling delay.
 */
export async function recordAttempt({ db, clock, key, policy }: { db: Db; clock: Clock; key: string; policy: LimitPolicy }): Promise<void> {
  const now = clock.now();
  const [row] = await db.select().from(rateLimits).where(eq(rateLimits.key, key));
  const fresh = !row || now.getTime() - row.windowStart.getTime() > policy.windowMs && (!row.blockedUntil || row.blockedUntil < now);
  const failures = fresh ? 1 : row!.failures + 1;
  const over = failures - policy.free;
  const blockedUntil = over > 0 ? new Date(now.getTime() + Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (over - 1))) : null;
  const values = { failures, windowStart: fresh ? now : row!.windowStart, blockedUntil };
  await db.insert(rateLimits).values({ key, ...values }).onConflictDoUpdate({ target: rateLimits.key, set: values });
}

export async function clearAttempts({ db, key }: { db: Db; key: string }): Promise<void> {
  await db.delete(rateLimits).where(eq(rateLimits.key, key));
}

/** Throws 429 if any of the keys is blocked now. */
export async function assertNotLimited({ db, clock, keys }: { db: Db; clock: Clock; keys: string[] }): Promise<void> {
  let wait = 0;
  for (const key of keys) wait = Math.max(wait, await retryAfter({ db, clock, key }));
  if (wait > 0) throw createRateLimitedError(wait);
}
