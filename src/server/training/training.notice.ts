import { and, arrayOverlaps, asc, count, eq, inArray, isNotNull, or, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../../db/client.ts';
import { announcements, trainingInvitations, trainingLessons, trainingSessions, users, type TrainingAudience } from '../../../db/schema/index.ts';
import type { Jobs } from '../jobs/jobs.ts';
import { queueMail } from '../mail/mail.outbox.ts';
import type { Clock } from '../shared/clock.ts';
import { createValidationError } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { formatDateTimeZh } from '../shared/time.ts';
import { createNotInvitedError, createResponseClosedError, createTrainingFullError, createTrainingStaleError, createTrainingStateError } from './training.errors.ts';
import { noticeMail } from './training.mail.ts';
import { checkedVersion, type LessonRow, type TrainingRow } from './training.usecases.ts';

/** Confirmations close this long before the first lesson (the commitments: the final list three days before). */
export const RESPONSE_CLOSES_BEFORE_MS = 3 * 24 * 3_600_000;

export interface NoticeDeps {
  db: Db;
  clock: Clock;
  jobs: Jobs;
  mailFrom: string;
  baseUrl: string;
  timeZone: string;
}

/** A training's lessons, earliest first. */
export function lessonsOf(db: DbOrTx, sessionId: string): Promise<LessonRow[]> {
  return db.select().from(trainingLessons).where(eq(trainingLessons.sessionId, sessionId)).orderBy(asc(trainingLessons.startsAt), asc(trainingLessons.id));
}

/** Until when invitees may confirm or decline: three days before the first lesson; null without lessons. */
export const responseDeadline = (lessons: Pick<LessonRow, 'startsAt'>[]): Date | null =>
  lessons.length ? new Date(Math.min(...lessons.map((l) => l.startsAt.getTime())) - RESPONSE_CLOSES_BEFORE_MS) : null;

/** Everyone the audience names — the users, the units' users, the roles' users — active accounts only, each once. */
export async function resolveAudience(db: DbOrTx, audience: TrainingAudience): Promise<{ id: string; name: string; email: string }[]> {
  const parts = [
    audience.userIds.length ? inArray(users.id, audience.userIds) : undefined,
    audience.unitIds.length ? inArray(users.unitId, audience.unitIds) : undefined,
    audience.roles.length ? arrayOverlaps(users.roles, audience.roles) : undefined,
  ].filter((p) => p !== undefined);
  if (!parts.length) return [];
  return db
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .where(and(eq(users.status, 'active'), or(...parts)))
    .orderBy(asc(users.name));
}

/**
 * Publishes the notice (培训通知) of a draft: in one transaction the status
 * becomes published, every invitee resolved from the audience gets an
 * invitation row and one mail (through the outbox), and a training
 * announcement is written for the home page.
 */
export async function publishNotice(deps: NoticeDeps & { training: TrainingRow; version: number; authorId: string }): Promise<{ training: TrainingRow; invited: number }> {
  const { db, clock } = deps;
  if (deps.training.status !== 'draft') throw createTrainingStateError();
  const lessons = await lessonsOf(db, deps.training.id);
  if (!lessons.length) throw createValidationError({ lessons: '请先安排至少一个场次，再发布通知。' });
  return db.transaction(async (tx) => {
    const now = clock.now();
    const [training] = await tx
      .update(trainingSessions)
      .set({ status: 'published', noticeSentAt: now, updatedAt: now, version: sql`${trainingSessions.version} + 1` })
      .where(and(eq(trainingSessions.id, deps.training.id), eq(trainingSessions.version, checkedVersion(deps.version)), eq(trainingSessions.status, 'draft')))
      .returning();
    if (!training) throw createTrainingStaleError();
    const invitees = await resolveAudience(tx, training.audience);
    if (!invitees.length) throw createValidationError({ audience: '培训对象中没有在用的账号，请在方案中填写受邀人员、单位或角色。' });
    const deadline = responseDeadline(lessons)!;
    const [trainer] = await tx.select({ name: users.name }).from(users).where(eq(users.id, training.trainerId));
    const url = `${deps.baseUrl.replace(/\/$/, '')}/training/${training.id}`;
    const inserted = await tx
      .insert(trainingInvitations)
      .values(invitees.map((u) => ({ sessionId: training.id, userId: u.id, invitedAt: now })))
      .onConflictDoNothing()
      .returning({ userId: trainingInvitations.userId });
    const fresh = new Set(inserted.map((r) => r.userId));
    for (const u of invitees.filter((i) => fresh.has(i.id)))
      await queueMail({
        tx,
        jobs: deps.jobs,
        clock,
        from: deps.mailFrom,
        mail: noticeMail({ training, lessons, trainerName: trainer?.name ?? '', to: u, deadline, url, timeZone: deps.timeZone }),
      });
    const lastEnd = new Date(Math.max(...lessons.map((l) => l.endsAt.getTime())));
    await tx.insert(announcements).values({
      id: newId(),
      kind: 'training',
      title: `培训通知：${training.title}`,
      body: `${formatDateTimeZh(lessons[0]!.startsAt, deps.timeZone)} 开始，共 ${lessons.length} 个场次。受邀人员请在 ${formatDateTimeZh(deadline, deps.timeZone)} 前在[“培训”页](/training)确认是否参加。`,
      access: 'member',
      trainingSessionId: training.id,
      authorId: deps.authorId,
      publishedAt: now,
      expiresAt: lastEnd,
      createdAt: now,
      updatedAt: now,
    });
    return { training, invited: fresh.size };
  });
}

/**
 * An invitee confirms or declines, until three days before the first lesson;
 * later the server refuses with the deadline in the message. Confirming
 * respects the capacity. Answering again changes the answer.
 */
export async function respondToInvitation(deps: { db: Db; clock: Clock; timeZone: string; training: TrainingRow; userId: string; answer: 'confirm' | 'decline' }): Promise<void> {
  const { db, clock, training } = deps;
  if (training.status !== 'published') throw createTrainingStateError();
  const deadline = responseDeadline(await lessonsOf(db, training.id));
  if (deadline && clock.now() >= deadline) throw createResponseClosedError(formatDateTimeZh(deadline, deps.timeZone));
  await db.transaction(async (tx) => {
    const [invitation] = await tx
      .select()
      .from(trainingInvitations)
      .where(and(eq(trainingInvitations.sessionId, training.id), eq(trainingInvitations.userId, deps.userId)))
      .for('update');
    if (!invitation) throw createNotInvitedError();
    if (deps.answer === 'confirm' && training.capacity !== null && !invitation.confirmedAt) {
      // The session row is the lock: two last-seat confirmations queue here, and the second sees the first.
      await tx.select({ id: trainingSessions.id }).from(trainingSessions).where(eq(trainingSessions.id, training.id)).for('update');
      const [{ n } = { n: 0 }] = await tx
        .select({ n: count() })
        .from(trainingInvitations)
        .where(and(eq(trainingInvitations.sessionId, training.id), isNotNull(trainingInvitations.confirmedAt)));
      if (Number(n) >= training.capacity) throw createTrainingFullError();
    }
    const now = clock.now();
    await tx
      .update(trainingInvitations)
      .set(deps.answer === 'confirm' ? { confirmedAt: invitation.confirmedAt ?? now, declinedAt: null } : { declinedAt: now, confirmedAt: null })
      .where(and(eq(trainingInvitations.sessionId, training.id), eq(trainingInvitations.userId, deps.userId)));
  });
}
