import { and, asc, eq } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../../../db/client.ts';
import { questionEvents, questions, trainingCheckins, trainingInvitations, trainingLessons, trainingQuestions, users } from '../../../db/schema/index.ts';
import type { AuthUser } from '../auth/auth.sessions.ts';
import { newToken } from '../auth/auth.tokens.ts';
import { planClocks } from '../escalation/escalation.plan.ts';
import { scheduleClocks } from '../escalation/escalation.usecases.ts';
import { messageIdFor, queueMail } from '../mail/mail.outbox.ts';
import { replyToQuestion, setQuestionStatus } from '../questions/desk.usecases.ts';
import type { QuestionRow } from '../questions/questions.queries.ts';
import { trackingUrlFor } from '../questions/questions.usecases.ts';
import { addEvent, type ChangeDeps } from '../questions/questions.workflow.ts';
import { createValidationError, fieldsOf } from '../shared/errors.ts';
import { nextHumanNumber } from '../shared/human-number.ts';
import { isUuid, newId } from '../shared/ids.ts';
import { createTrainingStateError } from './training.errors.ts';
import { classQuestionMail } from './training.mail.ts';
import { lessonsOf } from './training.notice.ts';
import { classQuestionSchema } from './training.schemas.ts';
import type { TrainingRow } from './training.usecases.ts';

/**
 * Records a trainee's question from class (培训人员问题表) as a Dayi
 * question: channel 培训, a technical consultation, assigned to the trainer,
 * its first reply and resolution due at the start of the training's next
 * lesson (the commitments: answered before the next lesson), or by the SLA
 * policy when no lesson follows. The trainee (when named) is its asker: they
 * get the receipt with the tracking link, see it under 我的问题 and hear of
 * the answer. From then on it is a question like any other — on the desk,
 * under the SLA clocks, in the FAQ clustering.
 */
export async function recordClassQuestion(deps: ChangeDeps & { training: TrainingRow; actor: AuthUser; input: unknown }): Promise<{ question: QuestionRow }> {
  const { db, clock, training } = deps;
  if (training.status !== 'published' && training.status !== 'finished') throw createTrainingStateError();
  const parsed = classQuestionSchema.safeParse(deps.input);
  if (!parsed.success) throw createValidationError(fieldsOf(parsed.error));
  const input = parsed.data;
  const lessons = await lessonsOf(db, training.id);
  const fields: Record<string, string> = {};
  const lesson = input.lessonId ? lessons.find((l) => l.id === input.lessonId) : undefined;
  if (input.lessonId && !lesson) fields.lessonId = '请选择本培训的场次。';
  let trainee: typeof users.$inferSelect | undefined;
  if (input.traineeId) {
    const [invited] = isUuid(input.traineeId)
      ? await db.select().from(trainingInvitations).where(and(eq(trainingInvitations.sessionId, training.id), eq(trainingInvitations.userId, input.traineeId)))
      : [];
    const [present] = isUuid(input.traineeId)
      ? await db
          .select({ userId: trainingCheckins.userId })
          .from(trainingCheckins)
          .innerJoin(trainingLessons, eq(trainingLessons.id, trainingCheckins.lessonId))
          .where(and(eq(trainingLessons.sessionId, training.id), eq(trainingCheckins.userId, input.traineeId)))
      : [];
    if (invited || present) [trainee] = await db.select().from(users).where(eq(users.id, input.traineeId));
    if (!trainee) fields.traineeId = '请从本培训的学员中选择提问人。';
  }
  if (Object.keys(fields).length) throw createValidationError(fields);
  const [trainer] = await db.select().from(users).where(eq(users.id, training.trainerId));
  const now = clock.now();
  const next = lessons.find((l) => l.startsAt > now);
  const plan = next
    ? { firstReplyDueAt: next.startsAt, resolveDueAt: next.startsAt, firstReplyWarnAt: warnBefore(now, next.startsAt), resolveWarnAt: warnBefore(now, next.startsAt) }
    : await planClocks(db, { timeZone: deps.timeZone, kind: 'consult', severity: null, from: now });
  const { number } = await nextHumanNumber({ db, scope: 'question', now, timeZone: deps.timeZone });
  const token = newToken();
  const contact = trainee ?? trainer!;
  const body = input.body || input.title;
  const id = await db.transaction(async (tx) => {
    const id = newId();
    const receiptId = newId();
    await tx.insert(questions).values({
      id,
      number,
      kind: 'consult',
      title: input.title,
      body,
      status: 'assigned',
      channel: 'training',
      askerId: trainee?.id ?? null,
      unitId: trainee?.unitId ?? null,
      contactName: trainee?.name ?? `${training.title} 学员`,
      contactEmail: contact.email,
      contactPhone: trainee?.phone ?? null,
      recordedById: deps.actor.id,
      assigneeId: trainer!.id,
      assignedAt: now,
      trackingToken: token,
      threadMessageId: trainee ? messageIdFor(receiptId, deps.mailFrom) : null,
      createdAt: now,
      updatedAt: now,
    });
    await addEvent(tx, now, id, { kind: 'submitted', actorId: deps.actor.id, data: { channel: 'training', training: training.title, trainingId: training.id } });
    await addEvent(tx, now, id, {
      kind: 'routed',
      data: { to: trainer!.id, toName: trainer!.name, reason: `培训“${training.title}”课堂提问，由讲师 ${trainer!.name} 在下一场次前答复` },
    });
    await scheduleClocks(tx, deps, { id, firstRepliedAt: null }, plan);
    await tx.insert(trainingQuestions).values({ questionId: id, sessionId: training.id, lessonId: lesson?.id ?? null, traineeId: trainee?.id ?? null, recordedById: deps.actor.id, createdAt: now });
    if (trainee) {
      const mail = classQuestionMail({
        question: { number, title: input.title, contactName: trainee.name, contactEmail: trainee.email },
        training,
        trainerName: trainer!.name,
        dueAt: plan.firstReplyDueAt,
        trackingUrl: trackingUrlFor(deps.baseUrl, token),
        timeZone: deps.timeZone,
      });
      await queueMail({ tx, jobs: deps.jobs, clock, from: deps.mailFrom, mail, id: receiptId });
    }
    return id;
  });
  const [question] = await db.select().from(questions).where(eq(questions.id, id));
  return { question: question! };
}

/** Warn at 75 % of the time to the next lesson, as the SLA policy does by default. */
const warnBefore = (from: Date, due: Date) => new Date(from.getTime() + (due.getTime() - from.getTime()) * 0.75);

const trainee = alias(users, 'trainee');

/** The training's class questions (培训人员问题表), oldest first, with where each stands and its latest reply. */
export async function classQuestionsOf({ db, sessionId }: { db: Db; sessionId: string }) {
  const rows = await db
    .select({ q: questions, traineeName: trainee.name, lessonId: trainingQuestions.lessonId })
    .from(trainingQuestions)
    .innerJoin(questions, eq(questions.id, trainingQuestions.questionId))
    .leftJoin(trainee, eq(trainee.id, trainingQuestions.traineeId))
    .where(eq(trainingQuestions.sessionId, sessionId))
    .orderBy(asc(trainingQuestions.createdAt), asc(questions.number));
  const out = [];
  for (const r of rows) {
    const replies = await db
      .select({ body: questionEvents.body, at: questionEvents.createdAt })
      .from(questionEvents)
      .where(and(eq(questionEvents.questionId, r.q.id), eq(questionEvents.kind, 'replied')))
      .orderBy(asc(questionEvents.createdAt));
    out.push({ question: r.q, traineeName: r.traineeName, lessonId: r.lessonId, lastReply: replies.at(-1) ?? null });
  }
  return out;
}
export type ClassQuestion = Awaited<ReturnType<typeof classQuestionsOf>>[number];

async function classQuestion(db: Db, training: TrainingRow, questionId: string): Promise<QuestionRow> {
  const [row] = isUuid(questionId)
    ? await db
        .select({ q: questions })
        .from(trainingQuestions)
        .innerJoin(questions, eq(questions.id, trainingQuestions.questionId))
        .where(and(eq(trainingQuestions.sessionId, training.id), eq(trainingQuestions.questionId, questionId)))
    : [];
  if (!row) throw createValidationError({ questionId: '未找到该问题。' });
  return row.q;
}

/**
 * The trainer answers a class question from the training archive (trainers
 * have no desk): the desk's own reply, so the asker gets the mail, the
 * timeline the event and the first-reply clock stops; optionally marked
 * resolved in the same step.
 */
export async function answerClassQuestion(
  deps: ChangeDeps & { training: TrainingRow; actor: AuthUser; questionId: string; version: number; body: unknown; resolve: boolean },
): Promise<{ question: QuestionRow }> {
  const question = await classQuestion(deps.db, deps.training, deps.questionId);
  const { question: replied } = await replyToQuestion({ ...deps, question, version: deps.version, body: deps.body });
  if (!deps.resolve || replied.status === 'resolved') return { question: replied };
  return setQuestionStatus({ ...deps, question: replied, version: replied.version, status: 'resolved' });
}
