import { and, count, eq, gte, inArray } from 'drizzle-orm';
import { questionEvents, questions, type QuestionStatus } from '../../../db/schema/index.ts';
import type { Actor } from '../auth/auth.policy.ts';
import { deskCounts, OPEN_STATUSES } from '../questions/questions.queries.ts';
import { dutyNow } from '../roster/roster.page.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { localDay, startOfDayInZone } from '../shared/time.ts';
import { systemReport } from './system.usecases.ts';

/**
 * The admin's start page: what waits (open questions by state, due soon,
 * breached, unassigned), who is on duty, today's asks and answers, and what
 * needs an operator (mail and job failures, content errors, the index, disks).
 * Counts only, each an aggregate query.
 */
export async function adminHome({ runtime, viewer }: { runtime: Runtime; viewer: Actor }) {
  const db = runtime.database.db;
  const now = runtime.clock.now();
  const tz = runtime.config.appTimeZone;
  const since = startOfDayInZone(localDay(now, tz), tz);
  const byStatus = await db.select({ status: questions.status, n: count() }).from(questions).where(inArray(questions.status, OPEN_STATUSES)).groupBy(questions.status);
  const open = Object.fromEntries(OPEN_STATUSES.map((s) => [s, 0])) as Record<QuestionStatus, number>;
  for (const r of byStatus) open[r.status] = Number(r.n);
  const [asked] = await db.select({ n: count() }).from(questions).where(gte(questions.createdAt, since));
  const [answered] = await db.select({ n: count() }).from(questionEvents).where(and(eq(questionEvents.kind, 'replied'), gte(questionEvents.createdAt, since)));
  const desk = await deskCounts({ db, viewer, now });
  const system = await systemReport({ runtime });
  return {
    open,
    desk,
    today: { asked: Number(asked?.n ?? 0), answered: Number(answered?.n ?? 0) },
    duty: await dutyNow({ db, timeZone: tz, now }),
    operations: {
      mailFailed: system.mail.failed,
      mailPending: system.mail.pending + system.mail.sending,
      jobsFailed: system.queues.reduce((a, q) => a + q.failed, 0),
      contentIssues: system.contentIssues.length,
      search: system.search,
      lowDisks: system.disks.filter((d) => d.totalBytes > 0 && d.freeBytes / d.totalBytes < 0.1).map((d) => d.label),
    },
  };
}
