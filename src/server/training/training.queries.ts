import { and, asc, desc, eq, inArray, or } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { trainingAssessments, trainingCheckins, trainingInvitations, trainingLessons, trainingSessions, users } from '../../../db/schema/index.ts';
import type { Actor } from '../auth/auth.policy.ts';
import { assessmentsOf, attendeesOf, retakesNeeded, retakesOf, rootOf } from './training.assessment.ts';
import { classQuestionsOf } from './training.questions.ts';
import { lessonsOf, responseDeadline } from './training.notice.ts';
import type { LessonRow, TrainingRow } from './training.usecases.ts';

/** `/training` for trainers and admins: an admin sees every training, a trainer the ones they teach; newest first, with who still needs a retake. */
export async function listTrainings({ db, viewer }: { db: Db; viewer: Actor }) {
  const where = viewer.roles.includes('admin') ? undefined : eq(trainingSessions.trainerId, viewer.id);
  const rows = await db
    .select({ t: trainingSessions, trainerName: users.name })
    .from(trainingSessions)
    .innerJoin(users, eq(users.id, trainingSessions.trainerId))
    .where(where)
    .orderBy(desc(trainingSessions.createdAt));
  const ids = rows.map((r) => r.t.id);
  const lessons = ids.length ? await db.select().from(trainingLessons).where(inArray(trainingLessons.sessionId, ids)).orderBy(asc(trainingLessons.startsAt)) : [];
  const invitations = ids.length ? await db.select().from(trainingInvitations).where(inArray(trainingInvitations.sessionId, ids)) : [];
  const retakes = await retakesNeeded(db, [...new Set(rows.map((r) => rootOf(r.t)))]);
  return rows.map(({ t, trainerName }) => {
    const own = lessons.filter((l) => l.sessionId === t.id);
    const inv = invitations.filter((i) => i.sessionId === t.id);
    return {
      training: t,
      trainerName,
      firstLesson: own[0] ?? null,
      lessonCount: own.length,
      invited: inv.length,
      confirmed: inv.filter((i) => i.confirmedAt).length,
      // Shown on the original only, so a name appears once however many retakes there were.
      needsRetake: t.retakeOfId ? [] : (retakes.get(t.id) ?? []),
    };
  });
}

/** "我的培训": the trainings a user is invited to (notice out), with lessons, their answer and deadline, their sign-ins and result. */
export async function myTrainings({ db, userId }: { db: Db; userId: string }) {
  const rows = await db
    .select({ t: trainingSessions, inv: trainingInvitations, trainerName: users.name })
    .from(trainingInvitations)
    .innerJoin(trainingSessions, eq(trainingSessions.id, trainingInvitations.sessionId))
    .innerJoin(users, eq(users.id, trainingSessions.trainerId))
    .where(and(eq(trainingInvitations.userId, userId), inArray(trainingSessions.status, ['published', 'finished', 'cancelled'])))
    .orderBy(desc(trainingSessions.createdAt));
  const out = [];
  for (const r of rows) {
    const lessons = await lessonsOf(db, r.t.id);
    const signed = lessons.length
      ? await db.select({ lessonId: trainingCheckins.lessonId }).from(trainingCheckins).where(and(eq(trainingCheckins.userId, userId), inArray(trainingCheckins.lessonId, lessons.map((l) => l.id))))
      : [];
    const [result] = await db.select().from(trainingAssessments).where(and(eq(trainingAssessments.sessionId, r.t.id), eq(trainingAssessments.userId, userId)));
    out.push({ training: r.t, invitation: r.inv, trainerName: r.trainerName, lessons, deadline: responseDeadline(lessons), signedIn: new Set(signed.map((s) => s.lessonId)), result: result ?? null });
  }
  return out;
}

/** Everything the archive (档案) shows of one training. */
export async function trainingArchive({ db, training }: { db: Db; training: TrainingRow }) {
  const [trainer] = await db.select({ id: users.id, name: users.name, email: users.email }).from(users).where(eq(users.id, training.trainerId));
  const lessons = await lessonsOf(db, training.id);
  const attendees = await attendeesOf(db, training.id);
  const assessments = await assessmentsOf(db, training.id);
  const rootId = rootOf(training);
  const needsRetake = (await retakesNeeded(db, [rootId])).get(rootId) ?? [];
  const retakes = await retakesOf(db, rootId);
  const [root] = training.retakeOfId ? await db.select().from(trainingSessions).where(eq(trainingSessions.id, training.retakeOfId)) : [];
  const questions = await classQuestionsOf({ db, sessionId: training.id });
  const audienceUsers = training.audience.userIds.length
    ? await db.select({ id: users.id, email: users.email, name: users.name }).from(users).where(inArray(users.id, training.audience.userIds))
    : [];
  return { trainer: trainer!, lessons, attendees, assessments, needsRetake, retakes, retakeOf: root ?? null, questions, audienceUsers, deadline: responseDeadline(lessons) };
}
export type TrainingArchive = Awaited<ReturnType<typeof trainingArchive>>;

const pct = (n: number, of: number) => (of ? Math.round((n / of) * 1000) / 10 : null);

/**
 * The figures of the registration record (培训实施登记表) and the summary
 * report (培训总结报告书). Headcount: everyone who signed in to at least one
 * lesson. Attendance rate: of the invitees who did not decline, how many
 * signed in at least once (walk-ins count as present, not as expected).
 * Pass rate (incl. retakes): of those assessed in the original, how many
 * passed there or in a retake.
 */
export function trainingFigures(training: TrainingRow, a: TrainingArchive, family: { passedAnywhere: Set<string> }) {
  const present = a.attendees.filter((p) => p.checkins.size > 0);
  const expected = a.attendees.filter((p) => p.invited && !p.declinedAt);
  const attendedExpected = expected.filter((p) => p.checkins.size > 0).length;
  const passedHere = a.assessments.filter((r) => r.passed).length;
  const passedWithRetakes = a.assessments.filter((r) => r.passed || family.passedAnywhere.has(r.userId)).length;
  const perLesson = a.lessons.map((l: LessonRow) => ({ lesson: l, present: a.attendees.filter((p) => p.checkins.has(l.id)).length }));
  const answered = a.questions.filter((q) => q.question.firstRepliedAt).length;
  const onTime = a.questions.filter((q) => q.question.firstRepliedAt && (!q.question.firstReplyDueAt || q.question.firstRepliedAt <= q.question.firstReplyDueAt)).length;
  return {
    headcount: present.length,
    walkIns: present.filter((p) => p.walkIn).length,
    invited: a.attendees.filter((p) => p.invited).length,
    confirmed: a.attendees.filter((p) => p.confirmedAt).length,
    declined: a.attendees.filter((p) => p.declinedAt).length,
    expected: expected.length,
    attendanceRate: pct(attendedExpected, expected.length),
    perLesson,
    hours: Math.round(a.lessons.reduce((s, l) => s + l.hours, 0) * 10) / 10,
    places: [...new Set(a.lessons.flatMap((l) => [l.place, l.onlineUrl ?? ''].filter(Boolean)))],
    assessed: a.assessments.length,
    passed: passedHere,
    passRate: pct(passedHere, a.assessments.length),
    passRateWithRetakes: training.retakeOfId ? null : pct(passedWithRetakes, a.assessments.length),
    questions: a.questions.length,
    answered,
    answeredOnTime: onTime,
    resolved: a.questions.filter((q) => q.question.status === 'resolved' || q.question.status === 'closed').length,
  };
}

/** Who passed in any retake of the original `rootId`. */
export async function passedInRetakes(db: Db, rootId: string): Promise<Set<string>> {
  const rows = await db
    .select({ userId: trainingAssessments.userId })
    .from(trainingAssessments)
    .innerJoin(trainingSessions, eq(trainingSessions.id, trainingAssessments.sessionId))
    .where(and(eq(trainingAssessments.passed, true), or(eq(trainingSessions.retakeOfId, rootId))));
  return new Set(rows.map((r) => r.userId));
}
