import { and, count, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../../db/client.ts';
import { videoPositions, videoViews } from '../../../db/schema/index.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';

/** A view counts as watched to the end (看完) once this share of the video was played. */
export const COMPLETION_SHARE = 0.9;

/** What the player reports every few seconds and when the viewer leaves. */
export interface ProgressReport {
  /** The view this page started; null for the first report (a new view is made). */
  view: string | null;
  /** Seconds from the start where playback is now. */
  position: number;
  /** Distinct seconds played in this view so far (seeking ahead does not add to it). */
  watched: number;
  /** The length the player found, used when the video's own (from ffprobe) is unknown. */
  duration: number;
}

/**
 * Records a viewer's progress: a new view on the first report, the view's
 * watched seconds (never less than before, never more than the video is long),
 * its completion once ≥ 90 % was played, and for a signed-in viewer where they
 * are, so the next visit resumes there. A view id that is not this viewer's
 * view of this video starts a new view instead of touching someone else's.
 */
export async function recordProgress({
  db,
  clock,
  slug,
  userId,
  knownDuration,
  report,
}: {
  db: Db;
  clock: Clock;
  slug: string;
  userId: string | null;
  knownDuration: number | undefined;
  report: ProgressReport;
}): Promise<{ view: string; completed: boolean }> {
  const now = clock.now();
  const duration = knownDuration ?? report.duration;
  const watched = Math.floor(Math.min(report.watched, duration));
  const complete = duration > 0 && watched >= COMPLETION_SHARE * duration;
  return db.transaction(async (tx) => {
    const owner = userId === null ? isNull(videoViews.userId) : eq(videoViews.userId, userId);
    let result: { view: string; completed: boolean } | null = null;
    if (report.view) {
      const [updated] = await tx
        .update(videoViews)
        .set({
          watchedSeconds: sql`greatest(${videoViews.watchedSeconds}, ${watched})`,
          completedAt: complete ? sql`coalesce(${videoViews.completedAt}, ${now.toISOString()}::timestamptz)` : videoViews.completedAt,
          updatedAt: now,
        })
        .where(and(eq(videoViews.id, report.view), eq(videoViews.slug, slug), owner))
        .returning({ completedAt: videoViews.completedAt });
      if (updated) result = { view: report.view, completed: updated.completedAt !== null };
    }
    if (!result) {
      result = { view: newId(), completed: complete };
      await tx.insert(videoViews).values({ id: result.view, slug, userId, startedAt: now, watchedSeconds: watched, completedAt: complete ? now : null, updatedAt: now });
    }
    if (userId) await savePosition(tx, { userId, slug, position: report.position, now });
    return result;
  });
}

async function savePosition(db: DbOrTx, { userId, slug, position, now }: { userId: string; slug: string; position: number; now: Date }): Promise<void> {
  await db
    .insert(videoPositions)
    .values({ userId, slug, position, updatedAt: now })
    .onConflictDoUpdate({ target: [videoPositions.userId, videoPositions.slug], set: { position, updatedAt: now } });
}

/** Where `userId` left the video, in seconds; null when they never watched it. */
export async function positionOf({ db, userId, slug }: { db: Db; userId: string; slug: string }): Promise<number | null> {
  const [row] = await db
    .select({ position: videoPositions.position })
    .from(videoPositions)
    .where(and(eq(videoPositions.userId, userId), eq(videoPositions.slug, slug)));
  return row?.position ?? null;
}

/** Views and completed views (看完) of one video, for its publishers. */
export async function viewCounts({ db, slug }: { db: Db; slug: string }): Promise<{ views: number; completed: number }> {
  const [views] = await db.select({ n: count() }).from(videoViews).where(eq(videoViews.slug, slug));
  const [completed] = await db.select({ n: count() }).from(videoViews).where(and(eq(videoViews.slug, slug), isNotNull(videoViews.completedAt)));
  return { views: views?.n ?? 0, completed: completed?.n ?? 0 };
}
