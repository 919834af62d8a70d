import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { searchLog } from '../../../db/schema/index.ts';
import type { Clock } from '../shared/clock.ts';
import { policies, takeAttempt } from '../auth/auth.ratelimit.ts';
import { isAppError } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';

/** Whose searches count together against the log's rate limit. */
export const searchLogSource = (user: { id: string } | null, ip: string | null) => (user ? `user:${user.id}` : `ip:${ip ?? 'unknown'}`);

/**
 * Records a settled search (a submitted query, or an instant one the user
 * paused on). `source` (a user or an address) is rate-limited: past the limit
 * nothing is recorded and `id` is null; the search itself goes on.
 */
export async function logSearch({
  db,
  clock,
  source,
  userId = null,
  unitId = null,
  query,
  normalized,
  hits,
  kind,
}: {
  db: Db;
  clock: Clock;
  source: string;
  userId?: string | null;
  unitId?: string | null;
  query: string;
  normalized: string;
  hits: number;
  kind: 'instant' | 'submitted';
}): Promise<{ id: string | null }> {
  try {
    await takeAttempt({ db, clock, key: `searchlog:${source}`, policy: policies.searchLog });
  } catch (e) {
    if (isAppError(e) && e.status === 429) return { id: null };
    throw e;
  }
  const id = newId();
  await db.insert(searchLog).values({ id, at: clock.now(), userId, unitId, query: query.slice(0, 200), normalized, hits, kind });
  return { id };
}

/** Records the result a user opened from a logged search (first click only). */
export async function logSearchClick({
  db,
  clock,
  id,
  url,
  position,
}: {
  db: Db;
  clock: Clock;
  id: string;
  url: string;
  position: number;
}): Promise<void> {
  await db
    .update(searchLog)
    .set({ clickedUrl: url, clickedPosition: position, clickedAt: clock.now() })
    .where(and(eq(searchLog.id, id), isNull(searchLog.clickedUrl)));
}
