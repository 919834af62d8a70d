import { and, arrayContains, asc, count, desc, eq, inArray, isNotNull } from 'drizzle-orm';
import type { DbOrTx } from '../../../db/client.ts';
import {
  feedbackForms,
  feedbackLinks,
  feedbackResponses,
  trainingCheckins,
  trainingInvitations,
  trainingLessons,
  trainingSessions,
  users,
} from '../../../db/schema/index.ts';
import { hashToken } from '../auth/auth.tokens.ts';
import { isUuid } from '../shared/ids.ts';

/**
 * The feedback feature's own reads of the training tables (a training's
 * title, trainer and lessons; who attended), so it does not depend on the
 * training feature's code.
 */

export type FeedbackFormRow = typeof feedbackForms.$inferSelect;
export type FeedbackResponseRow = typeof feedbackResponses.$inferSelect;

/** A training as the feedback pages need it. */
export interface TrainingRef {
  id: string;
  title: string;
  trainerId: string;
}

/** A form with the names shown beside it. */
export interface FeedbackFormView extends FeedbackFormRow {
  trainingTitle: string;
  trainingTrainerId: string;
  trainerName: string;
  lessonTopic: string | null;
  lessonStartsAt: Date | null;
}

export async function findTraining({ db, id }: { db: DbOrTx; id: string }): Promise<TrainingRef | null> {
  if (!isUuid(id)) return null;
  const [row] = await db
    .select({ id: trainingSessions.id, title: trainingSessions.title, trainerId: trainingSessions.trainerId })
    .from(trainingSessions)
    .where(eq(trainingSessions.id, id));
  return row ?? null;
}

export function lessonsOf({ db, sessionId }: { db: DbOrTx; sessionId: string }) {
  return db
    .select({ id: trainingLessons.id, topic: trainingLessons.topic, startsAt: trainingLessons.startsAt })
    .from(trainingLessons)
    .where(eq(trainingLessons.sessionId, sessionId))
    .orderBy(asc(trainingLessons.startsAt));
}

/** Active trainers, for the trainer of a form when several teach one training. */
export function activeTrainers({ db }: { db: DbOrTx }) {
  return db
    .select({ id: users.id, name: users.name })
    .from(users)
    .where(and(arrayContains(users.roles, ['trainer']), eq(users.status, 'active')))
    .orderBy(asc(users.name));
}

export async function userName({ db, id }: { db: DbOrTx; id: string }): Promise<string | null> {
  if (!isUuid(id)) return null;
  const [row] = await db.select({ name: users.name }).from(users).where(eq(users.id, id));
  return row?.name ?? null;
}

const formView = (db: DbOrTx) =>
  db
    .select({
      form: feedbackForms,
      trainingTitle: trainingSessions.title,
      trainingTrainerId: trainingSessions.trainerId,
      trainerName: users.name,
      lessonTopic: trainingLessons.topic,
      lessonStartsAt: trainingLessons.startsAt,
    })
    .from(feedbackForms)
    .innerJoin(trainingSessions, eq(trainingSessions.id, feedbackForms.sessionId))
    .innerJoin(users, eq(users.id, feedbackForms.trainerId))
    .leftJoin(trainingLessons, eq(trainingLessons.id, feedbackForms.lessonId));

type FormJoin = Awaited<ReturnType<ReturnType<typeof formView>['where']>>[number];
const toView = (r: FormJoin): FeedbackFormView => ({
  ...r.form,
  trainingTitle: r.trainingTitle,
  trainingTrainerId: r.trainingTrainerId,
  trainerName: r.trainerName,
  lessonTopic: r.lessonTopic,
  lessonStartsAt: r.lessonStartsAt,
});

export async function findForm({ db, id }: { db: DbOrTx; id: string }): Promise<FeedbackFormView | null> {
  if (!isUuid(id)) return null;
  const [row] = await formView(db).where(eq(feedbackForms.id, id));
  return row ? toView(row) : null;
}

/** A training's forms, in the order they were opened. */
export async function formsOfSession({ db, sessionId }: { db: DbOrTx; sessionId: string }): Promise<FeedbackFormView[]> {
  return (await formView(db).where(eq(feedbackForms.sessionId, sessionId)).orderBy(asc(feedbackForms.opensAt), asc(feedbackForms.id))).map(toView);
}

/** A trainer's forms across trainings, the newest first. */
export async function formsOfTrainer({ db, trainerId }: { db: DbOrTx; trainerId: string }): Promise<FeedbackFormView[]> {
  if (!isUuid(trainerId)) return [];
  return (await formView(db).where(eq(feedbackForms.trainerId, trainerId)).orderBy(desc(feedbackForms.opensAt), desc(feedbackForms.id))).map(toView);
}

/** The responses to some forms, in the order they came in. */
export async function responsesOf({ db, formIds }: { db: DbOrTx; formIds: string[] }): Promise<FeedbackResponseRow[]> {
  if (!formIds.length) return [];
  return db
    .select()
    .from(feedbackResponses)
    .where(inArray(feedbackResponses.formId, formIds))
    .orderBy(asc(feedbackResponses.submittedAt), asc(feedbackResponses.id));
}

/** Who may answer a training's forms when signed in: its invitees, and whoever signed in (签到) to one of its lessons. */
export async function isAttendee({ db, sessionId, userId }: { db: DbOrTx; sessionId: string; userId: string }): Promise<boolean> {
  const [invited] = await db
    .select({ userId: trainingInvitations.userId })
    .from(trainingInvitations)
    .where(and(eq(trainingInvitations.sessionId, sessionId), eq(trainingInvitations.userId, userId)));
  if (invited) return true;
  const [checkedIn] = await db
    .select({ userId: trainingCheckins.userId })
    .from(trainingCheckins)
    .innerJoin(trainingLessons, eq(trainingLessons.id, trainingCheckins.lessonId))
    .where(and(eq(trainingLessons.sessionId, sessionId), eq(trainingCheckins.userId, userId)))
    .limit(1);
  return Boolean(checkedIn);
}

export async function responseOfUser({ db, formId, userId }: { db: DbOrTx; formId: string; userId: string }): Promise<FeedbackResponseRow | null> {
  const [row] = await db
    .select()
    .from(feedbackResponses)
    .where(and(eq(feedbackResponses.formId, formId), eq(feedbackResponses.userId, userId)));
  return row ?? null;
}

export async function responseOfLink({ db, linkId }: { db: DbOrTx; linkId: string }): Promise<FeedbackResponseRow | null> {
  const [row] = await db.select().from(feedbackResponses).where(eq(feedbackResponses.linkId, linkId));
  return row ?? null;
}

/** A single-use link by the token in its URL (only the hash is stored). */
export async function findLinkByToken({ db, token }: { db: DbOrTx; token: string }) {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  const [row] = await db
    .select()
    .from(feedbackLinks)
    .where(eq(feedbackLinks.tokenHash, hashToken(token)));
  return row ?? null;
}

/** How many links a form has, and how many were used. */
export async function linkCounts({ db, formId }: { db: DbOrTx; formId: string }): Promise<{ issued: number; used: number }> {
  const [all] = await db.select({ n: count() }).from(feedbackLinks).where(eq(feedbackLinks.formId, formId));
  const [used] = await db
    .select({ n: count() })
    .from(feedbackLinks)
    .where(and(eq(feedbackLinks.formId, formId), isNotNull(feedbackLinks.usedAt)));
  return { issued: Number(all?.n ?? 0), used: Number(used?.n ?? 0) };
}

/** Whether a database error is a unique-constraint violation (PostgreSQL 23505), whichever driver wrapped it. */
export function isUniqueViolation(e: unknown): boolean {
  for (let cur = e as { code?: unknown; cause?: unknown } | undefined, depth = 0; cur && depth < 5; cur = cur.cause as typeof cur, depth++) {
    if (cur.code === '23505') return true;
  }
  return false;
}
