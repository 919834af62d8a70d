import { and, asc, eq, sql } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { Db, Tx } from '../../../db/client.ts';
import { questionEvents, questions, type QuestionEventKind } from '../../../db/schema/index.ts';
import type { ReplyAddress } from '../inbound/inbound.address.ts';
import type { Jobs } from '../jobs/jobs.ts';
import { queueMail, type MailInput } from '../mail/mail.outbox.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import { withPlacedFiles } from '../uploads/uploads.store.ts';
import { saveAttachments, type AttachmentBatch } from './attachments.usecases.ts';
import { createStaleVersionError } from './questions.errors.ts';
import { followerMail, type MailQuestion } from './questions.mail.ts';
import type { QuestionRow } from './questions.queries.ts';
import { trackingUrlFor } from './questions.usecases.ts';

/** What every change to a question needs. */
export interface ChangeDeps {
  db: Db;
  clock: Clock;
  jobs: Jobs;
  mailFrom: string;
  baseUrl: string;
  /** APP_TIME_ZONE: the duty roster and the clocks count in it. */
  timeZone: string;
  /** The Reply-To of mails about a question, when Dayi receives mail (INBOUND_SMTP_PORT). */
  replyAddress?: ReplyAddress;
  /** Called after a change taught the search an "asked as" phrase, so the index catches up now. */
  searchChanged?: () => void;
}

export interface ChangeEvent {
  kind: QuestionEventKind;
  actorId?: string | null;
  actorLabel?: string | null;
  internal?: boolean;
  body?: string | null;
  data?: Record<string, unknown> | null;
}

/**
 * The one way a question changes: in one transaction, the row is updated only
 * if nobody changed it since `version` was read (else a zh-CN 409 asks to
 * reload — two engineers never overwrite each other), the event goes on the
 * timeline, and the mails it causes are queued with it.
 */
export async function changeQuestion(
  deps: ChangeDeps,
  {
    question,
    version,
    set = {},
    event,
    mails = () => [],
    alongside,
    attachments,
    followers,
  }: {
    question: QuestionRow;
    version: number;
    set?: PgUpdateSetSource<typeof questions>;
    event: ChangeEvent;
    mails?: (q: QuestionRow, ctx: { trackingUrl: string; eventId: string }) => MailInput[];
    /** More writes that belong to the same change (another question's timeline). */
    alongside?: (tx: Tx, now: Date) => Promise<void>;
    /** Files that came with the change's message, already checked; recorded with its event. */
    attachments?: AttachmentBatch;
    /** News for the askers of duplicates merged into this question (a reply, a new status): mailed to each. */
    followers?: FollowerNews;
  },
): Promise<{ question: QuestionRow; eventId: string }> {
  return withPlacedFiles(attachments?.filesDir ?? '', (placed) => deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const [updated] = await tx
      .update(questions)
      .set({ ...set, updatedAt: now, version: sql`${questions.version} + 1` })
      .where(and(eq(questions.id, question.id), eq(questions.version, version)))
      .returning();
    if (!updated) throw createStaleVersionError();
    const eventId = await addEvent(tx, now, updated.id, event);
    if (attachments) await saveAttachments(tx, attachments, placed, { questionId: updated.id, eventId, internal: event.internal ?? false, now });
    await alongside?.(tx, now);
    for (const mail of mails(updated, { trackingUrl: trackingUrlFor(deps.baseUrl, updated.trackingToken), eventId }))
      await queueMail({ tx, jobs: deps.jobs, clock: deps.clock, from: deps.mailFrom, mail });
    if (followers) await mailFollowers(tx, deps, updated, followers);
    // What the extra writes changed (clocks, due times) belongs in the row handed back.
    const [fresh] = alongside ? await tx.select().from(questions).where(eq(questions.id, updated.id)) : [updated];
    return { question: fresh ?? updated, eventId };
  }));
}

/**
 * A message that reached Dayi another way than the web page (a reply by
 * e-mail): its event says so (`data.channel`), and `record` writes the
 * receiving side's row in the same transaction as the change.
 */
export interface Received {
  channel: 'email';
  record: (tx: Tx, now: Date) => Promise<void>;
}

/** What the askers of merged duplicates are told about a change of the question they follow. */
export interface FollowerNews {
  update: string;
  markdown?: string;
}

/** One mail per asker of a duplicate merged into `kept` (each once, never its own asker again), with their own tracking link. */
async function mailFollowers(tx: Tx, deps: ChangeDeps, kept: QuestionRow, news: FollowerNews): Promise<void> {
  // Oldest first: an asker with several duplicates hears in the thread of the first.
  const dups = await tx.select().from(questions).where(eq(questions.mergedIntoId, kept.id)).orderBy(asc(questions.createdAt), asc(questions.id));
  const told = new Set([kept.contactEmail]);
  for (const dup of dups) {
    if (told.has(dup.contactEmail)) continue;
    told.add(dup.contactEmail);
    const mail = followerMail(mailQuestion(dup, deps.replyAddress), { kept, ...news, trackingUrl: trackingUrlFor(deps.baseUrl, dup.trackingToken) });
    await queueMail({ tx, jobs: deps.jobs, clock: deps.clock, from: deps.mailFrom, mail });
  }
}

export async function addEvent(tx: Db | Tx, at: Date, questionId: string, e: ChangeEvent): Promise<string> {
  const id = newId();
  await tx.insert(questionEvents).values({
    id,
    questionId,
    kind: e.kind,
    actorId: e.actorId ?? null,
    actorLabel: e.actorLabel ?? null,
    internal: e.internal ?? false,
    body: e.body ?? null,
    data: e.data ?? null,
    createdAt: at,
  });
  return id;
}

/** The fields the mail templates read; with `replyAddress` (mail is received), the question's reply address too. */
export const mailQuestion = (q: QuestionRow, replyAddress?: ReplyAddress): MailQuestion => ({
  number: q.number,
  title: q.title,
  contactName: q.contactName,
  contactEmail: q.contactEmail,
  threadMessageId: q.threadMessageId,
  replyTo: replyAddress?.(q) ?? null,
});
