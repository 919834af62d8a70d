import { and, asc, eq, inArray, or } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../../db/client.ts';
import { trainingAssessments, trainingCheckins, trainingInvitations, trainingLessons, trainingSessions, units, users } from '../../../db/schema/index.ts';
import type { Clock } from '../shared/clock.ts';
import { createValidationError, fieldsOf } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { createTrainingStateError } from './training.errors.ts';
import { assessmentInputSchema } from './training.schemas.ts';
import type { TrainingRow } from './training.usecases.ts';

export interface Attendee {
  userId: string;
  name: string;
  email: string;
  unitName: string | null;
  invited: boolean;
  confirmedAt: Date | null;
  declinedAt: Date | null;
  /** Lesson ids signed in to, and how. */
  checkins: Map<string, 'code' | 'trainer'>;
  /** Signed in without an invitation (现场加入). */
  walkIn: boolean;
}

/** Everyone of a training: the invitees and whoever signed in to one of its lessons, by name. */
export async function attendeesOf(db: DbOrTx, sessionId: string): Promise<Attendee[]> {
  const invitations = await db.select().from(trainingInvitations).where(eq(trainingInvitations.sessionId, sessionId));
  const checkins = await db
    .select({ c: trainingCheckins })
    .from(trainingCheckins)
    .innerJoin(trainingLessons, eq(trainingLessons.id, trainingCheckins.lessonId))
    .where(eq(trainingLessons.sessionId, sessionId));
  const ids = [...new Set([...invitations.map((i) => i.userId), ...checkins.map((c) => c.c.userId)])];
  if (!ids.length) return [];
  const people = await db
    .select({ id: users.id, name: users.name, email: users.email, unitName: units.name })
    .from(users)
    .leftJoin(units, eq(units.id, users.unitId))
    .where(inArray(users.id, ids))
    .orderBy(asc(users.name), asc(users.email));
  return people.map((p) => {
    const inv = invitations.find((i) => i.userId === p.id);
    return {
      userId: p.id,
      name: p.name,
      email: p.email,
      unitName: p.unitName,
      invited: Boolean(inv),
      confirmedAt: inv?.confirmedAt ?? null,
      declinedAt: inv?.declinedAt ?? null,
      checkins: new Map(checkins.filter((c) => c.c.userId === p.id).map((c) => [c.c.lessonId, c.c.method])),
      walkIn: !inv,
    };
  });
}

/** The results recorded in one training. */
export function assessmentsOf(db: DbOrTx, sessionId: string) {
  return db.select().from(trainingAssessments).where(eq(trainingAssessments.sessionId, sessionId));
}

/**
 * Records one attendee's result (结业考核): pass or fail, a score, a note;
 * recording again replaces it. The assessment is the trainer's record (no
 * online exam): whatever the plan's method, the trainer enters the outcome.
 */
export async function recordAssessment(deps: { db: Db; clock: Clock; training: TrainingRow; actorId: string; input: unknown }): Promise<void> {
  const { db, training } = deps;
  if (training.status !== 'published' && training.status !== 'finished') throw createTrainingStateError();
  const parsed = assessmentInputSchema.safeParse(deps.input);
  if (!parsed.success) throw createValidationError(fieldsOf(parsed.error));
  const a = parsed.data;
  if (!(await attendeesOf(db, training.id)).some((p) => p.userId === a.userId)) throw createValidationError({ userId: '只能为本培训的学员录入成绩。' });
  const passScore = training.plan.passScore;
  if (a.result === 'passed' && passScore !== null && a.score !== null && a.score < passScore)
    throw createValidationError({ score: `成绩低于合格分数（${passScore} 分），不能记为合格。` });
  const values = { passed: a.result === 'passed', score: a.score, note: a.note, recordedById: deps.actorId, recordedAt: deps.clock.now() };
  await db
    .insert(trainingAssessments)
    .values({ sessionId: training.id, userId: a.userId, ...values })
    .onConflictDoUpdate({ target: [trainingAssessments.sessionId, trainingAssessments.userId], set: values });
}

/** The first training of a retake chain: a retake of a retake counts for the original. */
export const rootOf = (t: Pick<TrainingRow, 'id' | 'retakeOfId'>) => t.retakeOfId ?? t.id;

/**
 * Who of a training (with its retakes) still needs a retake: assessed in it
 * or one of its retakes, and passed in none of them. Names, by training id
 * of the original, for the list page.
 */
export async function retakesNeeded(db: DbOrTx, rootIds: string[]): Promise<Map<string, { userId: string; name: string }[]>> {
  const out = new Map<string, { userId: string; name: string }[]>(rootIds.map((id) => [id, []]));
  if (!rootIds.length) return out;
  const rows = await db
    .select({ root: trainingSessions.id, retakeOf: trainingSessions.retakeOfId, userId: trainingAssessments.userId, passed: trainingAssessments.passed, name: users.name })
    .from(trainingAssessments)
    .innerJoin(trainingSessions, eq(trainingSessions.id, trainingAssessments.sessionId))
    .innerJoin(users, eq(users.id, trainingAssessments.userId))
    .where(or(inArray(trainingSessions.id, rootIds), inArray(trainingSessions.retakeOfId, rootIds)));
  for (const root of rootIds) {
    const mine = rows.filter((r) => (r.retakeOf ?? r.root) === root);
    const passed = new Set(mine.filter((r) => r.passed).map((r) => r.userId));
    const seen = new Set<string>();
    for (const r of mine)
      if (!passed.has(r.userId) && !seen.has(r.userId)) {
        seen.add(r.userId);
        out.get(root)!.push({ userId: r.userId, name: r.name });
      }
  }
  return out;
}

/**
 * A retake training (补考) for those who still need one: a draft with the
 * original's course, trainer, form and plan, inviting exactly them; the
 * trainer adds its lessons and publishes its notice like any other.
 */
export async function createRetake(deps: { db: Db; clock: Clock; training: TrainingRow; actorId: string }): Promise<{ training: TrainingRow }> {
  const { db, training } = deps;
  const rootId = rootOf(training);
  const [root] = await db.select().from(trainingSessions).where(eq(trainingSessions.id, rootId));
  const needed = (await retakesNeeded(db, [rootId])).get(rootId) ?? [];
  if (!needed.length) throw createValidationError({ retake: '没有需要补考的学员。' });
  const now = deps.clock.now();
  const [retake] = await db
    .insert(trainingSessions)
    .values({
      id: newId(),
      title: `${root!.title}（补考）`,
      courseSlug: root!.courseSlug,
      courseVersion: root!.courseVersion,
      trainerId: root!.trainerId,
      form: root!.form,
      audience: { userIds: needed.map((n) => n.userId), unitIds: [], roles: [] },
      plan: root!.plan,
      capacity: null,
      retakeOfId: rootId,
      createdById: deps.actorId,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  return { training: retake! };
}

/** Retake trainings of an original, oldest first. */
export function retakesOf(db: DbOrTx, rootId: string) {
  return db.select().from(trainingSessions).where(and(eq(trainingSessions.retakeOfId, rootId))).orderBy(asc(trainingSessions.createdAt));
}
