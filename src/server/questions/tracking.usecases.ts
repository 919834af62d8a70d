import { and, arrayContains, desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { questionEvents, questionRatings, users } from '../../../db/schema/index.ts';
import { queueMail } from '../mail/mail.outbox.ts';
import { createErrorFactory, createValidationError, fieldsOf } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { Tx } from '../../../db/client.ts';
import { ASKED_AS_MIN_RATING, learnAskedAs, linkedPages } from '../search/search.asked.ts';
import type { AttachmentBatch } from './attachments.usecases.ts';
import { createQuestionStateError } from './questions.errors.ts';
import { lowRatingMail } from './questions.mail.ts';
import { OPEN_STATUSES, type QuestionRow } from './questions.queries.ts';
import { BODY_MAX } from './questions.schemas.ts';
import { pauseShift, replanClocks } from '../escalation/escalation.plan.ts';
import { resumeClocks } from '../escalation/escalation.usecases.ts';
import { addEvent, changeQuestion, type ChangeDeps, type Received } from './questions.workflow.ts';

/**
 * What the asker does on the tracking page: add a follow-up, confirm the
 * problem is solved, reopen it, rate an answer. The asker is whoever holds the
 * private link, or the signed-in account that asked.
 */
type AskerAction = ChangeDeps & { question: QuestionRow; version: number; reopenDays: number };

const RATING_CHANGE_DAYS = 7;
const DAY = 86_400_000;

export const ratingReasons = ['fast', 'clear', 'solved', 'friendly', 'slow', 'unsolved', 'off_topic', 'unfriendly'] as const;

const createRatingLockedError = createErrorFactory({ code: 'questions.rating_locked', message: `评价提交 ${RATING_CHANGE_DAYS} 天后不能再修改。`, status: 409 });

/** The asker as the timeline names them: their account, or the name they gave. */
const asAsker = (q: QuestionRow) => (q.askerId ? { actorId: q.askerId } : { actorLabel: q.contactName });

/**
 * A follow-up from the asker — text, files, or both (files forgotten when
 * asking are added this way): back on the engineer's desk (处理中, or 等待受理
 * when nobody has it).
 */
export async function addFollowUp(d: AskerAction & { body: unknown; attachments?: AttachmentBatch; received?: Received }) {
  const withFiles = (d.attachments?.checked.length ?? 0) > 0;
  const body = z
    .string()
    .trim()
    .min(withFiles ? 0 : 1, '请填写补充内容或选择附件。')
    .max(BODY_MAX, `内容不能超过 ${BODY_MAX} 个字。`)
    .safeParse(d.body);
  if (!body.success) throw createValidationError(fieldsOf(body.error));
  if (!OPEN_STATUSES.includes(d.question.status) || d.question.mergedIntoId) throw createQuestionStateError();
  return changeQuestion(d, {
    question: d.question,
    version: d.version,
    set: { status: d.question.assigneeId ? 'assigned' : d.question.status === 'reopened' ? 'reopened' : 'new' },
    event: { kind: 'followup', ...asAsker(d.question), body: body.data || null, data: d.received ? { channel: d.received.channel } : null },
    attachments: d.attachments,
    // The asker answered what they were asked: the clocks go on, moved by the time they waited. A mail records how it came.
    alongside:
      d.question.clockPausedAt || d.received
        ? async (tx, at) => {
            if (d.question.clockPausedAt) {
              const shift = await pauseShift(tx, { ...d.question, timeZone: d.timeZone, pausedAt: d.question.clockPausedAt, resumedAt: at });
              await resumeClocks(tx, d, d.question, shift);
              await addEvent(tx, at, d.question.id, { kind: 'clock_resumed', ...asAsker(d.question) });
            }
            await d.received?.record(tx, at);
          }
        : undefined,
  });
}

/**
 * The pages the latest public reply links become "asked as" phrases of the
 * question's title (the asker found that answer good): in the change's transaction.
 */
async function learnFromLatestReply(tx: Tx, d: AskerAction, source: 'rated' | 'resolved', replyBody?: string | null): Promise<number> {
  let body = replyBody;
  if (body === undefined) {
    const [latest] = await tx
      .select({ body: questionEvents.body })
      .from(questionEvents)
      .where(and(eq(questionEvents.questionId, d.question.id), eq(questionEvents.kind, 'replied'), eq(questionEvents.internal, false)))
      .orderBy(desc(questionEvents.createdAt))
      .limit(1);
    body = latest?.body;
  }
  return learnAskedAs(tx, { clock: d.clock, urls: linkedPages(body ?? ''), phrase: d.question.title, questionId: d.question.id, source });
}

/** The asker confirms the problem is solved; the pages the answer linked learn how the question was asked. */
export async function confirmResolved(d: AskerAction) {
  if (!OPEN_STATUSES.includes(d.question.status) || d.question.mergedIntoId) throw createQuestionStateError();
  let learnt = 0;
  const result = await changeQuestion(d, {
    question: d.question,
    version: d.version,
    set: { status: 'resolved', resolvedAt: d.clock.now() },
    event: { kind: 'resolved', ...asAsker(d.question), data: { from: d.question.status, to: 'resolved' } },
    alongside: async (tx) => {
      learnt = await learnFromLatestReply(tx, d, 'resolved');
    },
  });
  if (learnt) d.searchChanged?.();
  return result;
}

/** Whether the asker may still reopen: resolved, or closed less than REOPEN_DAYS ago. */
export function canReopen(q: QuestionRow, now: Date, reopenDays: number): boolean {
  if (q.mergedIntoId) return false;
  if (q.status === 'resolved') return true;
  return q.status === 'closed' && q.closedAt !== null && now.getTime() - q.closedAt.getTime() <= reopenDays * DAY;
}

/** Reopens a question that was not really solved. */
export async function reopenByAsker(d: AskerAction & { reason: unknown }) {
  if (!canReopen(d.question, d.clock.now(), d.reopenDays)) throw createQuestionStateError();
  const reason = z.string().trim().max(BODY_MAX).optional().safeParse(d.reason || undefined);
  return changeQuestion(d, {
    question: d.question,
    version: d.version,
    set: { status: 'reopened', resolvedAt: null, closedAt: null },
    event: { kind: 'reopened', ...asAsker(d.question), body: reason.success ? (reason.data ?? null) : null, data: { from: d.question.status } },
    // Reopened: the resolution clock starts again from now.
    alongside: (tx, at) => replanClocks(tx, d, d.question, { from: at }),
  });
}

const score = z.coerce.number({ error: '请打分（1–5 分）。' }).int('请打分（1–5 分）。').min(1, '请打分（1–5 分）。').max(5, '请打分（1–5 分）。');
export const ratingSchema = z.strictObject({
  replyEventId: z.uuid('请选择要评价的答复。'),
  overall: score,
  attitude: score,
  business: score,
  technical: score,
  reasons: z.array(z.enum(ratingReasons)).max(ratingReasons.length).default([]),
  comment: z.string().trim().max(500, '评价意见不能超过 500 字。').optional(),
});

/**
 * Rates one answer (a reply on the timeline): overall and the three
 * dimensions, 1–5, preset reasons and a comment. One rating per answer,
 * changeable for 7 days; it belongs to the engineer who answered. A rating of
 * 2 or less is mailed to every admin at once.
 */
export async function rateAnswer(d: AskerAction & { input: unknown; deskUrl: string }) {
  const parsed = ratingSchema.safeParse(d.input);
  if (!parsed.success) throw createValidationError(fieldsOf(parsed.error));
  const r = parsed.data;
  const { db, clock } = d;
  const [reply] = await db.select().from(questionEvents).where(and(eq(questionEvents.id, r.replyEventId), eq(questionEvents.questionId, d.question.id), eq(questionEvents.kind, 'replied')));
  if (!reply) throw createValidationError({ replyEventId: '请选择要评价的答复。' });
  const [earlier] = await db.select().from(questionRatings).where(eq(questionRatings.replyEventId, reply.id));
  const now = clock.now();
  if (earlier && now.getTime() - earlier.createdAt.getTime() > RATING_CHANGE_DAYS * DAY) throw createRatingLockedError();
  const admins = r.overall <= 2 ? await db.select({ email: users.email }).from(users).where(and(arrayContains(users.roles, ['admin']), eq(users.status, 'active'))) : [];
  const values = { overall: r.overall, attitude: r.attitude, business: r.business, technical: r.technical, reasons: r.reasons, comment: r.comment || null, updatedAt: now };
  let learnt = 0;
  const result = await changeQuestion(d, {
    question: d.question,
    version: d.version,
    event: { kind: 'rated', ...asAsker(d.question), data: { overall: r.overall, changed: Boolean(earlier) } },
    alongside: async (tx) => {
      if (earlier) await tx.update(questionRatings).set(values).where(eq(questionRatings.id, earlier.id));
      else await tx.insert(questionRatings).values({ id: newId(), questionId: d.question.id, replyEventId: reply.id, engineerId: reply.actorId, createdAt: now, ...values });
      if (admins.length)
        await queueMail({ tx, jobs: d.jobs, clock, from: d.mailFrom, mail: lowRatingMail(d.question, { to: admins.map((a) => a.email), overall: r.overall, comment: values.comment, deskUrl: d.deskUrl }) });
      // A well-rated answer: the pages it links learn how this question was asked.
      if (r.overall >= ASKED_AS_MIN_RATING) learnt = await learnFromLatestReply(tx, d, 'rated', reply.body);
    },
  });
  if (learnt) d.searchChanged?.();
  return result;
}

/** The latest answer, the one the rating form rates by default. */
export async function latestReply({ db, questionId }: Pick<ChangeDeps, 'db'> & { questionId: string }) {
  const [row] = await db.select().from(questionEvents).where(and(eq(questionEvents.questionId, questionId), eq(questionEvents.kind, 'replied'))).orderBy(desc(questionEvents.createdAt)).limit(1);
  return row ?? null;
}
