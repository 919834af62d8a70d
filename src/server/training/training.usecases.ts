import { randomInt } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { trainingLessons, trainingSessions, units, users, type TrainingAudience, type TrainingPlan } from '../../../db/schema/index.ts';
import { can, type Actor } from '../auth/auth.policy.ts';
import type { Clock } from '../shared/clock.ts';
import { createValidationError, fieldsOf } from '../shared/errors.ts';
import { isUuid, newId } from '../shared/ids.ts';
import { parseLocalDateTime } from '../shared/time.ts';
import { createTrainingStaleError, createTrainingStateError } from './training.errors.ts';
import { lessonInputSchema, planInputSchema, type PlanInput } from './training.schemas.ts';

export type TrainingRow = typeof trainingSessions.$inferSelect;
export type LessonRow = typeof trainingLessons.$inferSelect;

/** What writing a training's plan needs. */
export interface PlanDeps {
  db: Db;
  clock: Clock;
  timeZone: string;
}

/** The training with this id, or null (a malformed id is simply unknown). */
export async function findTraining({ db, id }: { db: Db; id: string }): Promise<TrainingRow | null> {
  if (!isUuid(id)) return null;
  const [row] = await db.select().from(trainingSessions).where(eq(trainingSessions.id, id));
  return row ?? null;
}

/** The posted plan, parsed; e-mail addresses become active accounts, unit ids known units; every problem at once. */
async function parsePlan(db: Db, actor: Actor, input: unknown): Promise<{ plan: PlanInput; audience: TrainingAudience; trainerId: string }> {
  const parsed = planInputSchema.safeParse(input);
  if (!parsed.success) throw createValidationError(fieldsOf(parsed.error));
  const p = parsed.data;
  const fields: Record<string, string> = {};
  const emails = [...new Set(p.audienceEmails.split(/[\s,;，；、]+/).map((e) => e.trim().toLowerCase()).filter(Boolean))];
  const found = emails.length ? await db.select({ id: users.id, email: users.email }).from(users).where(and(inArray(users.email, emails), eq(users.status, 'active'))) : [];
  const missing = emails.filter((e) => !found.some((u) => u.email === e));
  if (missing.length) fields.audienceEmails = `以下邮箱没有对应的在用账号：${missing.slice(0, 5).join('、')}${missing.length > 5 ? ' 等' : ''}。`;
  const unitIds = [...new Set(p.audienceUnitIds.filter(isUuid))];
  const knownUnits = unitIds.length ? await db.select({ id: units.id }).from(units).where(inArray(units.id, unitIds)) : [];
  if (knownUnits.length !== unitIds.length || unitIds.length !== p.audienceUnitIds.length) fields.audienceUnitIds = '请从列表中选择成员单位。';
  // A trainer plans their own trainings; an admin may name any trainer.
  let trainerId = actor.id;
  if (p.trainerId && p.trainerId !== actor.id) {
    const [t] = isUuid(p.trainerId) && actor.roles.includes('admin') ? await db.select().from(users).where(and(eq(users.id, p.trainerId), eq(users.status, 'active'))) : [];
    if (!t || !can(t, 'training.create')) fields.trainerId = '请选择一位在用的培训讲师。';
    else trainerId = t.id;
  }
  if (Object.keys(fields).length) throw createValidationError(fields);
  return { plan: p, audience: { userIds: found.map((u) => u.id), unitIds, roles: p.audienceRoles }, trainerId };
}

/** A version a form sent that cannot be a saved one reads as out of date (and never reaches a query). */
export function checkedVersion(version: number): number {
  if (!Number.isInteger(version) || version < 1 || version > 2_147_483_647) throw createTrainingStaleError();
  return version;
}

const planOf = (p: PlanInput): TrainingPlan => ({
  audienceKind: p.audienceKind,
  goals: p.goals,
  content: p.content,
  organizer: p.organizer,
  assessment: p.assessment,
  passScore: p.passScore,
  notes: p.notes,
});

/** A new training in draft, planned by `actor` (a trainer for themselves, an admin for any trainer). */
export async function createTraining(deps: PlanDeps & { actor: Actor; input: unknown; retakeOfId?: string | null }): Promise<{ training: TrainingRow }> {
  const { plan, audience, trainerId } = await parsePlan(deps.db, deps.actor, deps.input);
  const now = deps.clock.now();
  const [training] = await deps.db
    .insert(trainingSessions)
    .values({
      id: newId(),
      title: plan.title,
      courseSlug: plan.courseSlug || null,
      courseVersion: plan.courseVersion || null,
      trainerId,
      form: plan.form,
      audience,
      plan: planOf(plan),
      capacity: plan.capacity,
      retakeOfId: deps.retakeOfId ?? null,
      createdById: deps.actor.id,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  return { training: training! };
}

/**
 * Saves the plan of a draft, if nobody saved it since `version` was read (two
 * trainers editing at once never overwrite each other: the second gets a 409).
 */
export async function updatePlan(deps: PlanDeps & { actor: Actor; training: TrainingRow; version: number; input: unknown }): Promise<{ training: TrainingRow }> {
  if (deps.training.status !== 'draft') throw createTrainingStateError();
  const { plan, audience, trainerId } = await parsePlan(deps.db, deps.actor, deps.input);
  const [training] = await deps.db
    .update(trainingSessions)
    .set({
      title: plan.title,
      courseSlug: plan.courseSlug || null,
      courseVersion: plan.courseVersion || null,
      // Only an admin changes who teaches; a trainer keeps the one it had.
      trainerId: deps.actor.roles.includes('admin') ? trainerId : deps.training.trainerId,
      form: plan.form,
      audience,
      plan: planOf(plan),
      capacity: plan.capacity,
      updatedAt: deps.clock.now(),
      version: sql`${trainingSessions.version} + 1`,
    })
    .where(and(eq(trainingSessions.id, deps.training.id), eq(trainingSessions.version, checkedVersion(deps.version)), eq(trainingSessions.status, 'draft')))
    .returning();
  if (!training) throw createTrainingStaleError();
  return { training };
}

/** The trainer's closing words for the summary report (培训总结报告书), with the same version check. */
export async function saveSummary(deps: PlanDeps & { training: TrainingRow; version: number; summary: unknown }): Promise<{ training: TrainingRow }> {
  const text = typeof deps.summary === 'string' ? deps.summary.trim() : '';
  if (text.length > 10_000) throw createValidationError({ summary: '总结不能超过 10000 个字。' });
  const [training] = await deps.db
    .update(trainingSessions)
    .set({ summary: text, updatedAt: deps.clock.now(), version: sql`${trainingSessions.version} + 1` })
    .where(and(eq(trainingSessions.id, deps.training.id), eq(trainingSessions.version, checkedVersion(deps.version))))
    .returning();
  if (!training) throw createTrainingStaleError();
  return { training };
}

/** Cancels (any time before it is finished) or finishes (once published) a training. */
export async function setTrainingStatus(deps: PlanDeps & { training: TrainingRow; version: number; status: 'cancelled' | 'finished' }): Promise<{ training: TrainingRow }> {
  const from = deps.training.status;
  const allowed = deps.status === 'cancelled' ? from === 'draft' || from === 'published' : from === 'published';
  if (!allowed) throw createTrainingStateError();
  const [training] = await deps.db
    .update(trainingSessions)
    .set({ status: deps.status, updatedAt: deps.clock.now(), version: sql`${trainingSessions.version} + 1` })
    .where(and(eq(trainingSessions.id, deps.training.id), eq(trainingSessions.version, checkedVersion(deps.version))))
    .returning();
  if (!training) throw createTrainingStaleError();
  return { training };
}

function parseLesson(input: unknown, timeZone: string) {
  const parsed = lessonInputSchema.safeParse(input);
  if (!parsed.success) throw createValidationError(fieldsOf(parsed.error));
  const l = parsed.data;
  const startsAt = parseLocalDateTime(l.startsAt, timeZone);
  const endsAt = parseLocalDateTime(l.endsAt, timeZone);
  const fields: Record<string, string> = {};
  if (!startsAt) fields.startsAt = '开始时间格式不正确。';
  if (!endsAt) fields.endsAt = '结束时间格式不正确。';
  else if (startsAt && endsAt <= startsAt) fields.endsAt = '结束时间须晚于开始时间。';
  if (!l.place && !l.onlineUrl) fields.place = '请填写地点或线上链接。';
  if (Object.keys(fields).length) throw createValidationError(fields);
  const hours = l.hours ?? Math.round(((endsAt!.getTime() - startsAt!.getTime()) / 3_600_000) * 10) / 10;
  return { topic: l.topic, startsAt: startsAt!, endsAt: endsAt!, place: l.place, onlineUrl: l.onlineUrl || null, hours };
}

const editable = (t: TrainingRow) => t.status === 'draft' || t.status === 'published';

/** A six-digit sign-in code no other lesson has (the unique index settles a race; we try again then). */
async function insertWithCode(db: Db, values: Omit<LessonRow, 'checkinCode'>): Promise<LessonRow> {
  for (let attempt = 0; ; attempt++) {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const [row] = await db.insert(trainingLessons).values({ ...values, checkinCode: code }).onConflictDoNothing().returning();
    if (row) return row;
    if (attempt > 20) throw new Error('no free check-in code');
  }
}

/** Adds a lesson (场次) with its own sign-in code, while the training is a draft or published. */
export async function addLesson(deps: PlanDeps & { training: TrainingRow; input: unknown }): Promise<{ lesson: LessonRow }> {
  if (!editable(deps.training)) throw createTrainingStateError();
  const values = parseLesson(deps.input, deps.timeZone);
  return { lesson: await insertWithCode(deps.db, { id: newId(), sessionId: deps.training.id, ...values }) };
}

/** Changes a lesson's time, place or topic; its sign-in code stays. */
export async function updateLesson(deps: PlanDeps & { training: TrainingRow; lessonId: string; input: unknown }): Promise<{ lesson: LessonRow }> {
  if (!editable(deps.training)) throw createTrainingStateError();
  const values = parseLesson(deps.input, deps.timeZone);
  const [lesson] = isUuid(deps.lessonId)
    ? await deps.db.update(trainingLessons).set(values).where(and(eq(trainingLessons.id, deps.lessonId), eq(trainingLessons.sessionId, deps.training.id))).returning()
    : [];
  if (!lesson) throw createValidationError({ lessonId: '未找到该场次。' });
  return { lesson };
}

/** Removes a lesson of a draft (nobody can have signed in to it yet). */
export async function removeLesson(deps: PlanDeps & { training: TrainingRow; lessonId: string }): Promise<void> {
  if (deps.training.status !== 'draft') throw createTrainingStateError();
  if (!isUuid(deps.lessonId)) throw createValidationError({ lessonId: '未找到该场次。' });
  await deps.db.delete(trainingLessons).where(and(eq(trainingLessons.id, deps.lessonId), eq(trainingLessons.sessionId, deps.training.id)));
}
