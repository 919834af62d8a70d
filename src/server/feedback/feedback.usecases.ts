import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { feedbackForms, feedbackLinks, feedbackResponses } from '../../../db/schema/index.ts';
import { hashToken, newToken } from '../auth/auth.tokens.ts';
import { auditRequest, type RequestMeta } from '../audit/audit.usecases.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import {
  createFeedbackAlreadySubmittedError,
  createFeedbackClosedError,
  createFeedbackLinkUsedError,
  createFeedbackNotAttendeeError,
  createFeedbackNotOpenError,
} from './feedback.errors.ts';
import { feedbackScore } from './feedback.items.ts';
import { isAttendee, isUniqueViolation, type FeedbackFormRow, type FeedbackResponseRow, type TrainingRef } from './feedback.queries.ts';
import { parseFeedbackAnswer, type FormOpening } from './feedback.schemas.ts';

export type FormState = 'pending' | 'open' | 'closed';

/** Whether a form takes answers at `now`: not before it opens, not from its closing time on. */
export function formState(form: Pick<FeedbackFormRow, 'opensAt' | 'closedAt'>, now: Date): FormState {
  if (form.closedAt && form.closedAt <= now) return 'closed';
  if (form.opensAt > now) return 'pending';
  return 'open';
}

/** Opens a feedback form for a training (the caller checked `training.manage`); a training may open several. */
export async function openFeedbackForm({
  db,
  clock,
  training,
  opening,
  meta,
}: {
  db: Db;
  clock: Clock;
  training: TrainingRef;
  opening: FormOpening;
  meta: RequestMeta & { actor: { id: string } };
}) {
  const now = clock.now();
  return db.transaction(async (tx) => {
    const [form] = await tx
      .insert(feedbackForms)
      .values({
        id: newId(),
        sessionId: training.id,
        lessonId: opening.lessonId,
        stage: opening.stage,
        trainerId: opening.trainerId,
        opensAt: opening.opensAt ?? now,
        closedAt: opening.closesAt,
        createdById: meta.actor.id,
        createdAt: now,
      })
      .returning();
    await auditRequest({
      db: tx,
      clock,
      meta,
      event: {
        action: 'feedback.form_opened',
        targetType: 'feedback_form',
        targetId: form!.id,
        after: {
          sessionId: training.id,
          stage: opening.stage,
          trainerId: opening.trainerId,
        },
      },
    });
    return { form: form! };
  });
}

/** Closes a form now (a form already closed keeps its closing time). */
export async function closeFeedbackForm({ db, clock, form, meta }: { db: Db; clock: Clock; form: FeedbackFormRow; meta: RequestMeta }) {
  if (formState(form, clock.now()) === 'closed') return { form };
  return db.transaction(async (tx) => {
    const [closed] = await tx.update(feedbackForms).set({ closedAt: clock.now() }).where(eq(feedbackForms.id, form.id)).returning();
    await auditRequest({
      db: tx,
      clock,
      meta,
      event: {
        action: 'feedback.form_closed',
        targetType: 'feedback_form',
        targetId: form.id,
      },
    });
    return { form: closed! };
  });
}

/** Makes `count` single-use links to a form; the tokens are returned this once and only their hashes are kept. */
export async function createFeedbackLinks({ db, clock, form, count, meta }: { db: Db; clock: Clock; form: FeedbackFormRow; count: number; meta: RequestMeta }) {
  const now = clock.now();
  const tokens = Array.from({ length: count }, () => newToken());
  await db.transaction(async (tx) => {
    await tx.insert(feedbackLinks).values(
      tokens.map((token) => ({
        id: newId(),
        formId: form.id,
        tokenHash: hashToken(token),
        createdAt: now,
      })),
    );
    await auditRequest({
      db: tx,
      clock,
      meta,
      event: {
        action: 'feedback.links_created',
        targetType: 'feedback_form',
        targetId: form.id,
        after: { count },
      },
    });
  });
  return { tokens };
}

/** Who answers: a signed-in attendee, or the holder of a single-use link. */
export type Respondent = { kind: 'user'; userId: string } | { kind: 'link'; linkId: string };

/**
 * Stores one filled-in form: all 13 items rated 1–7, the score (sum × 100 /
 * 91), the optional name and the comments. One response per attendee per form
 * and one per link; a second submit — even at the same moment — is refused,
 * because the database's unique indexes (and, for a link, the conditional
 * update that spends it) decide, not a read before the write.
 */
export async function submitFeedback({
  db,
  clock,
  form,
  respondent,
  input,
}: {
  db: Db;
  clock: Clock;
  form: FeedbackFormRow;
  respondent: Respondent;
  input: Record<string, string>;
}): Promise<{ response: FeedbackResponseRow }> {
  const now = clock.now();
  const state = formState(form, now);
  if (state === 'pending') throw createFeedbackNotOpenError();
  if (state === 'closed') throw createFeedbackClosedError();
  if (
    respondent.kind === 'user' &&
    !(await isAttendee({
      db,
      sessionId: form.sessionId,
      userId: respondent.userId,
    }))
  )
    throw createFeedbackNotAttendeeError();
  const answer = parseFeedbackAnswer(input);
  const values = {
    id: newId(),
    formId: form.id,
    userId: respondent.kind === 'user' ? respondent.userId : null,
    linkId: respondent.kind === 'link' ? respondent.linkId : null,
    ratings: answer.ratings,
    score: feedbackScore(answer.ratings),
    name: answer.name,
    comments: answer.comments,
    submittedAt: now,
  };
  try {
    const response = await db.transaction(async (tx) => {
      if (respondent.kind === 'link') {
        const spent = await tx
          .update(feedbackLinks)
          .set({ usedAt: now })
          .where(and(eq(feedbackLinks.id, respondent.linkId), eq(feedbackLinks.formId, form.id), isNull(feedbackLinks.usedAt)))
          .returning({ id: feedbackLinks.id });
        if (!spent.length) throw createFeedbackLinkUsedError();
      }
      const [row] = await tx.insert(feedbackResponses).values(values).returning();
      return row!;
    });
    return { response };
  } catch (e) {
    if (isUniqueViolation(e)) throw respondent.kind === 'link' ? createFeedbackLinkUsedError() : createFeedbackAlreadySubmittedError();
    throw e;
  }
}
