import { eq, sql, type SQL } from 'drizzle-orm';
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
  /** A player reports every 15 s while a video plays: generous, but a script cannot fill the views table. */
  videoProgress: { free: 600, windowMs: 10 * 60_000, baseDelayMs: 10_000, maxDelayMs: 10 * 60_000 },
  /** Search log rows (settled searches and clicks), per user or address. */
  searchLog: { free: 300, windowMs: 10 * 60_000, baseDelayMs: 10_000, maxDelayMs: 10 * 60_000 },
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
 * Takes one attempt against `key` (a sign-in, a mail sent, a form posted)
 * before the work is done, in one atomic statement, so concurrent requests
 * cannot all slip through. `policy.free` attempts pass; the one that uses the
 * allowance up blocks the key for `baseDelayMs`, and each later attempt (once
 * the wait is over) for twice as long, up to `maxDelayMs`. A key that is
 * blocked now is refused with 429 and nothing changes. The count starts again
 * once `windowMs` has passed since the first attempt.
 */
export async function takeAttempt({ db, clock, key, policy }: { db: Db; clock: Clock; key: string; policy: LimitPolicy }): Promise<void> {
  const now = clock.now();
  const at = sql`${now.toISOString()}::timestamptz`;
  const windowFloor = sql`${new Date(now.getTime() - policy.windowMs).toISOString()}::timestamptz`;
  const expired = sql`${rateLimits.windowStart} < ${windowFloor}`;
  const count = sql`(CASE WHEN ${expired} THEN 1 ELSE ${rateLimits.failures} + 1 END)`;
  const blockFor = (n: SQL) =>
    sql`CASE WHEN ${n} >= ${policy.free} THEN ${at} + make_interval(secs => LEAST(${policy.maxDelayMs}, ${policy.baseDelayMs} * power(2, ${n} - ${policy.free})) / 1000.0) ELSE NULL END`;
  const taken = await db
    .insert(rateLimits)
    .values({ key, failures: 1, windowStart: now, blockedUntil: sql`${blockFor(sql`1`)}` })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        failures: count,
        windowStart: sql`CASE WHEN ${expired} THEN ${at} ELSE ${rateLimits.windowStart} END`,
        blockedUntil: blockFor(count),
      },
      setWhere: sql`${rateLimits.blockedUntil} IS NULL OR ${rateLimits.blockedUntil} <= ${at}`,
    })
    .returning({ failures: rateLimits.failures });
  if (taken.length === 0) throw createRateLimitedError(Math.max(1, await retryAfter({ db, clock, key })));
}

/** Takes an attempt against each key in turn; the first refusal answers 429. */
export async function takeAttempts({ db, clock, attempts }: { db: Db; clock: Clock; attempts: { key: string; policy: LimitPolicy }[] }): Promise<void> {
  for (const { key, policy } of attempts) await takeAttempt({ db, clock, key, policy });
}

/** Gives back an attempt that turned out to be fine (a successful sign-in against its address's count). */
export async function refundAttempt({ db, key, policy }: { db: Db; key: string; policy: LimitPolicy }): Promise<void> {
  await db
    .update(rateLimits)
    .set({
      failures: sql`GREATEST(${rateLimits.failures} - 1, 0)`,
      blockedUntil: sql`CASE WHEN ${rateLimits.failures} - 1 < ${policy.free} THEN NULL ELSE ${rateLimits.blockedUntil} END`,
    })
    .where(eq(rateLimits.key, key));
}

export async function clearAttempts({ db, key }: { db: Db; key: string }): Promise<void> {
  await db.delete(rateLimits).where(eq(rateLimits.key, key));
}
