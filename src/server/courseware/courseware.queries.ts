import { and, count, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { coursewareDownloads, coursewareFollows, coursewareSeen } from '../../../db/schema/index.ts';
import type { Courseware } from '../content/content.loader.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';

/**
 * The courses whose current version differs from the one `userId` last looked
 * at (the list's "已更新" badge): one query for the whole list. A course the
 * user never opened has no "last look" to compare with and gets no badge.
 */
export async function updatedSinceSeen({ db, userId, courses }: { db: Db; userId: string; courses: Courseware[] }): Promise<Set<string>> {
  const withVersions = courses.filter((c) => c.versions.length > 0);
  if (!withVersions.length) return new Set();
  const rows = await db
    .select({ slug: coursewareSeen.slug, version: coursewareSeen.version })
    .from(coursewareSeen)
    .where(and(eq(coursewareSeen.userId, userId), inArray(coursewareSeen.slug, withVersions.map((c) => c.slug))));
  const seen = new Map(rows.map((r) => [r.slug, r.version]));
  return new Set(
    withVersions
      .filter((c) => {
        const last = seen.get(c.slug);
        return last !== undefined && last !== c.versions[0]!.version;
      })
      .map((c) => c.slug),
  );
}

/** Records that `userId` has seen a course at its current version (viewing its page). */
export async function markSeen({ db, clock, userId, course }: { db: Db; clock: Clock; userId: string; course: Courseware }): Promise<void> {
  const current = course.versions[0];
  if (!current) return;
  const now = clock.now();
  await db
    .insert(coursewareSeen)
    .values({ userId, slug: course.slug, version: current.version, seenAt: now })
    .onConflictDoUpdate({ target: [coursewareSeen.userId, coursewareSeen.slug], set: { version: current.version, seenAt: now } });
}

export async function isFollowing({ db, userId, slug }: { db: Db; userId: string; slug: string }): Promise<boolean> {
  const [row] = await db.select({ slug: coursewareFollows.slug }).from(coursewareFollows).where(and(eq(coursewareFollows.userId, userId), eq(coursewareFollows.slug, slug)));
  return Boolean(row);
}

/** Follows (a mail at each new version) or stops following a course; doing it twice is the same as once. */
export async function setFollowing({ db, clock, userId, slug, follow }: { db: Db; clock: Clock; userId: string; slug: string; follow: boolean }): Promise<void> {
  if (follow) await db.insert(coursewareFollows).values({ userId, slug, createdAt: clock.now() }).onConflictDoNothing();
  else await db.delete(coursewareFollows).where(and(eq(coursewareFollows.userId, userId), eq(coursewareFollows.slug, slug)));
}

/** Counts one download of a version (a whole file, or the first piece of a ranged one). */
export async function countDownload({ db, clock, slug, version, userId }: { db: Db; clock: Clock; slug: string; version: string; userId: string | null }): Promise<void> {
  await db.insert(coursewareDownloads).values({ id: newId(), slug, version, userId, downloadedAt: clock.now() });
}

/** Downloads of each version of a course, for the trainers' view of the page. */
export async function downloadCounts({ db, slug }: { db: Db; slug: string }): Promise<Map<string, number>> {
  const rows = await db
    .select({ version: coursewareDownloads.version, n: count() })
    .from(coursewareDownloads)
    .where(eq(coursewareDownloads.slug, slug))
    .groupBy(coursewareDownloads.version);
  return new Map(rows.map((r) => [r.version, r.n]));
}
