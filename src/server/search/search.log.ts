import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { searchLog } from '../../../db/schema/index.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';

/** Records a settled search (a submitted query, or an instant one the user paused on). */
export async function logSearch({
  db,
  clock,
  userId = null,
  unitId = null,
  query,
  normalized,
  hits,
  kind,
}: {
  db: Db;
  clock: Clock;
  userId?: string | null;
  unitId?: string | null;
  query: string;
  normalized: string;
  hits: number;
  kind: 'instant' | 'submitted';
}): Promise<{ id: string }> {
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
