import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { questionRatings, questions } from '../../../db/schema/index.ts';
import { t } from '../../i18n/t.ts';
import { attachmentsOf, byEvent, type AttachmentRow } from './attachments.usecases.ts';
import { questionPeople, timeline, type QuestionRow, type TimelineEntry } from './questions.queries.ts';
import { complaintsOf } from './complaints.usecases.ts';
import { latestReply } from './tracking.usecases.ts';
import { publishedFaqOf } from '../faq/faq.review.ts';

/** Everything the asker's page shows: the public timeline (no internal notes), who handles it, the answer to rate, the complaints, the FAQ entry it became part of. */
export async function loadAskerView({ db, question }: { db: Db; question: QuestionRow }) {
  const [entries, files, people, reply, complaints, faqSlug] = await Promise.all([
    timeline({ db, questionId: question.id, withInternal: false }),
    attachmentsOf({ db, questionId: question.id, withInternal: false }),
    questionPeople({ db, question }),
    latestReply({ db, questionId: question.id }),
    complaintsOf({ db, questionId: question.id }),
    publishedFaqOf({ db, questionId: question.id }),
  ]);
  const [rating] = reply ? await db.select().from(questionRatings).where(eq(questionRatings.replyEventId, reply.id)) : [];
  const followed = await loadFollowed({ db, question });
  return { entries, files: byEvent(files), followed, ...people, reply: reply ? { id: reply.id } : null, rating: rating ?? null, complaints, faqSlug };
}

/**
 * For a duplicate merged into another question: the kept question's progress
 * as its public timeline, for the duplicate's asker to follow read-only from
 * their own page (they never get the kept question's private link).
 */
export async function loadFollowed({ db, question }: { db: Db; question: QuestionRow }) {
  if (!question.mergedIntoId) return null;
  const [kept] = await db.select().from(questions).where(eq(questions.id, question.mergedIntoId));
  if (!kept) return null;
  const [entries, files, people] = await Promise.all([
    timeline({ db, questionId: kept.id, withInternal: false }),
    attachmentsOf({ db, questionId: kept.id, withInternal: false }),
    questionPeople({ db, question: kept }),
  ]);
  return { question: kept, entries, files: byEvent(files), assigneeName: people.assigneeName };
}
export type FollowedView = NonNullable<Awaited<ReturnType<typeof loadFollowed>>>;

function timelineJson(view: { entries: TimelineEntry[]; files: Map<string, AttachmentRow[]> }, fileUrl: (a: AttachmentRow) => string) {
  return view.entries.map((e) => ({
    kind: e.kind,
    at: e.at.toISOString(),
    actor: e.actor,
    body: e.body,
    attachments: (view.files.get(e.id) ?? []).map((a) => ({ name: a.fileName, size: a.size, contentType: a.contentType, url: fileUrl(a) })),
  }));
}

/**
 * The tracking page as JSON (`Accept: application/json`): where the question
 * stands, in words and codes, and its public timeline. Never internal notes,
 * never contact details.
 */
export function askerJson(question: QuestionRow, view: Awaited<ReturnType<typeof loadAskerView>>, fileUrl: (a: AttachmentRow) => string) {
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
    timeline: timelineJson(view, fileUrl),
    mergedInto: view.followed
      ? {
          number: view.followed.question.number,
          title: view.followed.question.title,
          status: view.followed.question.status,
          statusText: t(`question.status.${view.followed.question.status}`),
          assignee: view.followed.assigneeName,
          timeline: timelineJson(view.followed, fileUrl),
        }
      : null,
  };
}
