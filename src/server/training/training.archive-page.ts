import { and, arrayOverlaps, asc, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { units, users } from '../../../db/schema/index.ts';
import type { AuthUser } from '../auth/auth.sessions.ts';
import type { Clock } from '../shared/clock.ts';
import { createValidationError } from '../shared/errors.ts';
import { asString } from '../shared/forms.ts';
import { checkinUrl } from './training.checkin.ts';
import { resolveAudience, respondToInvitation } from './training.notice.ts';
import { lessonFormValues, planFormValues, postedLesson, postedPlan } from './training.page.ts';
import { myTrainings, trainingArchive } from './training.queries.ts';
import { qrSvg } from './training.qr.ts';
import type { TrainingRow } from './training.usecases.ts';

/** An invitee's answer from the training's page or the list. */
export async function archiveRespond(deps: { db: Db; clock: Clock; timeZone: string; training: TrainingRow; user: AuthUser; answer: string }) {
  if (deps.answer !== 'confirm' && deps.answer !== 'decline') throw createValidationError({ answer: '请选择参加或不参加。' });
  await respondToInvitation({ ...deps, userId: deps.user.id, answer: deps.answer });
}

/** Active units and trainers for the plan form (trainers: for an admin only). */
export async function planFormChoices({ db, user, courseware }: { db: Db; user: AuthUser; courseware: { slug: string; title: string }[] }) {
  const unitList = await db.select({ id: units.id, name: units.name }).from(units).orderBy(asc(units.name));
  const trainers = user.roles.includes('admin')
    ? await db
        .select({ id: users.id, name: users.name })
        .from(users)
        .where(and(eq(users.status, 'active'), arrayOverlaps(users.roles, ['trainer', 'admin'])))
        .orderBy(asc(users.name))
    : null;
  return { units: unitList, trainers, courses: courseware.map((c) => ({ slug: c.slug, title: c.title })) };
}

/**
 * What the archive page shows besides the training: for its manager the
 * archive, the plan form's values (as typed after a refusal), the choices,
 * the QR of every lesson; for an invitee their invitation.
 */
export async function archiveFormData({
  runtime,
  user,
  training,
  manager,
  problem,
  form,
}: {
  runtime: App.Locals['runtime'];
  user: AuthUser;
  training: TrainingRow;
  manager: boolean;
  problem: { action: string } | null;
  form: Record<string, string | string[]>;
}) {
  const db = runtime.database.db;
  const tz = runtime.config.appTimeZone;
  const invitation = (await myTrainings({ db, userId: user.id })).find((i) => i.training.id === training.id) ?? null;
  const typedQuestion = { title: '', body: '', traineeId: '', lessonId: '' };
  if (!manager) return { invitation, archive: null, plan: null, newLesson: null, units: [], trainers: null, courses: [], audienceCount: 0, qr: {}, typedQuestion };
  const archive = await trainingArchive({ db, training });
  const choices = await planFormChoices({ db, user, courseware: runtime.content.store().courseware });
  const typed = (action: string) => problem?.action === action;
  const plan = typed('plan') ? postedPlan(form) : planFormValues(training, archive.audienceUsers.map((u) => u.email));
  const newLesson = typed('addLesson') ? postedLesson(form) : lessonFormValues(null, tz);
  if (typed('question')) Object.assign(typedQuestion, { title: asString(form.title), body: asString(form.body), traineeId: asString(form.traineeId), lessonId: asString(form.lessonId) });
  const qr: Record<string, string> = {};
  for (const l of archive.lessons) qr[l.id] = await qrSvg(checkinUrl(runtime.publicBase, l.checkinCode));
  const audienceCount = (await resolveAudience(db, training.audience)).length;
  return { invitation, archive, plan, newLesson, ...choices, audienceCount, qr, typedQuestion };
}
