import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { questionRatings } from '../../../db/schema/index.ts';
import { t } from '../../i18n/t.ts';
import { questionPeople, timeline, type QuestionRow } from './questions.queries.ts';
import { complaintsOf } from './complaints.usecases.ts';
import { latestReply } from './tracking.usecases.ts';

/** Everything the asker's page shows: the public timeline (no internal notes), who handles it, the answer to rate, the complaints. */
export async function loadAskerView({ db, question }: { db: Db; question: QuestionRow }) {
  const [entries, people, reply, complaints] = await Promise.all([
    timeline({ db, questionId: question.id, withInternal: false }),
    questionPeople({ db, question }),
    latestReply({ db, questionId: question.id }),
    complaintsOf({ db, questionId: question.id }),
  ]);
  const [rating] = reply ? await db.select().from(questionRatings).where(eq(questionRatings.replyEventId, reply.id)) : [];
  return { entries, ...people, reply: reply ? { id: reply.id } : null, rating: rating ?? null, complaints };
}

/**
 * The tracking page as JSON (`Accept: application/json`): where the question
 * stands, in words and codes, and its public timeline. Never internal notes,
 * never contact details.
 */
export function askerJson(question: QuestionRow, view: Awaited<ReturnType<typeof loadAskerView>>) {
  return {
    number: question.number,
    title: question.title,
    kind: question.kind,
    severity: question.severity,
    status: question.status,
    statusText: t(`question.status.${question.status}`),
    createdAt: question.createdAt.toISOString(),
    assignee: view.assigneeName,
    due: { firstReply: question.firstReplyDueAt?.toISOString() ?? null, resolve: question.resolveDueAt?.toISOString() ?? null },
    timeline: view.entries.map((e) => ({ kind: e.kind, at: e.at.toISOString(), actor: e.actor, body: e.body })),
  };
}
