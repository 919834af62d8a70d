import { and, eq, inArray, notInArray } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { trainingCheckins, trainingInvitations, trainingLessons, trainingSessions, users } from '../../../db/schema/index.ts';
import { takeAttempt, type LimitPolicy } from '../auth/auth.ratelimit.ts';
import type { Clock } from '../shared/clock.ts';
import { createValidationError } from '../shared/errors.ts';
import { isUuid } from '../shared/ids.ts';
import { formatDateTimeZh } from '../shared/time.ts';
import { createCheckinClosedError, createTrainingStateError, createUnknownCodeError } from './training.errors.ts';
import type { LessonRow, TrainingRow } from './training.usecases.ts';

/** The room's code is accepted from this long before a lesson starts until it ends. */
export const CHECKIN_OPENS_BEFORE_MS = 30 * 60_000;

/** Sign-in attempts per user: a few typos pass, guessing a million codes does not. */
export const checkinPolicy: LimitPolicy = { free: 10, windowMs: 10 * 60_000, baseDelayMs: 60_000, maxDelayMs: 30 * 60_000 };

/** When a lesson's code is accepted. */
export const checkinWindow = (l: Pick<LessonRow, 'startsAt' | 'endsAt'>) => ({ opensAt: new Date(l.startsAt.getTime() - CHECKIN_OPENS_BEFORE_MS), closesAt: l.endsAt });

export const isCheckinOpen = (l: Pick<LessonRow, 'startsAt' | 'endsAt'>, now: Date) => {
  const w = checkinWindow(l);
  return now >= w.opensAt && now <= w.closesAt;
};

/** The QR's content: the sign-in page with the code filled in. */
export const checkinUrl = (baseUrl: string, code: string) => `${baseUrl.replace(/\/$/, '')}/training/checkin?code=${code}`;

/**
 * An attendee signs in (签到) with the six-digit code shown in the room. Only
 * while the lesson's window is open (else the window is in the message);
 * twice counts once. Anyone signed in may: someone not on the invitation list
 * is recorded as a walk-in (the list marks them), since the code is only
 * shown in the room.
 */
export async function checkInWithCode(deps: { db: Db; clock: Clock; timeZone: string; userId: string; code: unknown }): Promise<{
  lesson: LessonRow;
  training: TrainingRow;
  already: boolean;
  walkIn: boolean;
}> {
  const { db, clock } = deps;
  await takeAttempt({ db, clock, key: `training:checkin:${deps.userId}`, policy: checkinPolicy });
  const code = typeof deps.code === 'string' ? deps.code.replace(/\s/g, '') : '';
  if (!/^\d{6}$/.test(code)) throw createValidationError({ code: '请输入现场显示的 6 位数字签到码。' });
  const [found] = await db
    .select({ lesson: trainingLessons, training: trainingSessions })
    .from(trainingLessons)
    .innerJoin(trainingSessions, eq(trainingSessions.id, trainingLessons.sessionId))
    .where(eq(trainingLessons.checkinCode, code));
  if (!found || found.training.status === 'draft' || found.training.status === 'cancelled') throw createUnknownCodeError({ code: '签到码不正确。' });
  const now = clock.now();
  if (!isCheckinOpen(found.lesson, now)) {
    const w = checkinWindow(found.lesson);
    throw createCheckinClosedError(formatDateTimeZh(w.opensAt, deps.timeZone), formatDateTimeZh(w.closesAt, deps.timeZone));
  }
  const inserted = await db
    .insert(trainingCheckins)
    .values({ lessonId: found.lesson.id, userId: deps.userId, method: 'code', recordedById: null, at: now })
    .onConflictDoNothing()
    .returning({ userId: trainingCheckins.userId });
  const [invited] = await db
    .select({ userId: trainingInvitations.userId })
    .from(trainingInvitations)
    .where(and(eq(trainingInvitations.sessionId, found.training.id), eq(trainingInvitations.userId, deps.userId)));
  return { ...found, already: inserted.length === 0, walkIn: !invited };
}

/**
 * The trainer's checklist for one lesson: the ticked people are signed in
 * (method "trainer" for those not already in), the unticked ones are not.
 * Any time — the trainer may complete the list after class. Only invitees and
 * people already signed in can be ticked.
 */
export async function saveChecklist(deps: { db: Db; clock: Clock; training: TrainingRow; lessonId: string; userIds: string[]; actorId: string }): Promise<{ present: number }> {
  const { db, training } = deps;
  if (training.status !== 'published' && training.status !== 'finished') throw createTrainingStateError();
  const [lesson] = isUuid(deps.lessonId)
    ? await db.select().from(trainingLessons).where(and(eq(trainingLessons.id, deps.lessonId), eq(trainingLessons.sessionId, training.id)))
    : [];
  if (!lesson) throw createValidationError({ lessonId: '未找到该场次。' });
  const ticked = [...new Set(deps.userIds.filter(isUuid))];
  return db.transaction(async (tx) => {
    const invited = await tx.select({ id: trainingInvitations.userId }).from(trainingInvitations).where(eq(trainingInvitations.sessionId, training.id));
    const present = await tx.select({ id: trainingCheckins.userId }).from(trainingCheckins).where(eq(trainingCheckins.lessonId, lesson.id));
    const allowed = new Set([...invited, ...present].map((r) => r.id));
    if (ticked.some((id) => !allowed.has(id))) throw createValidationError({ userIds: '只能勾选受邀人员或已签到的人员。' });
    await tx.delete(trainingCheckins).where(and(eq(trainingCheckins.lessonId, lesson.id), ticked.length ? notInArray(trainingCheckins.userId, ticked) : undefined));
    if (ticked.length) {
      const active = await tx.select({ id: users.id }).from(users).where(inArray(users.id, ticked));
      await tx
        .insert(trainingCheckins)
        .values(active.map((u) => ({ lessonId: lesson.id, userId: u.id, method: 'trainer' as const, recordedById: deps.actorId, at: deps.clock.now() })))
        .onConflictDoNothing();
    }
    return { present: ticked.length };
  });
}
