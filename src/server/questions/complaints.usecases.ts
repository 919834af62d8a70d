import { and, arrayContains, asc, count, desc, eq, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { questionComplaints, questions, users, type ComplaintStatus } from '../../../db/schema/index.ts';
import { can, type Actor } from '../auth/auth.policy.ts';
import { policies, takeAttempt } from '../auth/auth.ratelimit.ts';
import { queueMail } from '../mail/mail.outbox.ts';
import { createErrorFactory, createValidationError } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { complaintAnsweredMail, complaintMail } from './questions.mail.ts';
import { PAGE_SIZE, type QuestionRow } from './questions.queries.ts';
import { BODY_MAX } from './questions.schemas.ts';
import { trackingUrlFor } from './questions.usecases.ts';
import { addEvent, mailQuestion, type ChangeDeps } from './questions.workflow.ts';

/**
 * Complaints (投诉) about how a question was handled: the asker files one from
 * the tracking page, every admin is mailed, and it stays open until an admin
 * answers it; the answer is mailed to the asker and shown on their timeline.
 */
export type ComplaintRow = typeof questionComplaints.$inferSelect;

export const COMPLAINT_MIN = 10;
export const COMPLAINT_MAX = 2000;

const createComplaintOpenError = createErrorFactory({ code: 'complaints.already_open', message: '您对该问题的投诉正在处理中，管理员答复后才能再次投诉。', status: 409 });
const createComplaintAnsweredError = createErrorFactory({ code: 'complaints.already_answered', message: '该投诉已经答复过了，请刷新页面查看。', status: 409 });
const createComplaintNotFoundError = createErrorFactory({ code: 'complaints.not_found', message: '未找到该投诉。', status: 404 });
const createComplaintForbiddenError = createErrorFactory({ code: 'complaints.forbidden', message: '只有管理员可以答复投诉。', status: 403 });

const complaintSchema = z
  .string()
  .trim()
  .min(COMPLAINT_MIN, `请具体说明投诉的原因（至少 ${COMPLAINT_MIN} 个字）。`)
  .max(COMPLAINT_MAX, `投诉内容不能超过 ${COMPLAINT_MAX} 个字。`);
const answerSchema = z.string().trim().min(1, '请填写答复内容。').max(BODY_MAX, `答复不能超过 ${BODY_MAX} 个字。`);

const base = (url: string) => url.replace(/\/$/, '');

/**
 * The asker complains about how the question was handled. Allowed at any
 * status; one open complaint per question at a time (409 otherwise). The
 * complaint, an internal timeline event and a mail to every active admin
 * commit together.
 */
export async function fileComplaint(d: ChangeDeps & { question: QuestionRow; body: unknown }): Promise<{ complaint: ComplaintRow }> {
  const body = complaintSchema.safeParse(d.body);
  if (!body.success) throw createValidationError({ body: body.error.issues[0]!.message });
  const { db, clock, question: q } = d;
  await takeAttempt({ db, clock, key: `complaint:${q.id}`, policy: policies.form });
  const admins = await db.select({ email: users.email }).from(users).where(and(arrayContains(users.roles, ['admin']), eq(users.status, 'active')));
  return db.transaction(async (tx) => {
    const now = clock.now();
    // The partial unique index on open complaints decides between two filed at once.
    const [complaint] = await tx
      .insert(questionComplaints)
      .values({ id: newId(), questionId: q.id, body: body.data, status: 'open', createdAt: now })
      .onConflictDoNothing()
      .returning();
    if (!complaint) throw createComplaintOpenError();
    await addEvent(tx, now, q.id, {
      kind: 'complained',
      ...(q.askerId ? { actorId: q.askerId } : { actorLabel: q.contactName }),
      internal: true,
      body: body.data,
      data: { complaintId: complaint.id },
    });
    if (admins.length) {
      const mail = complaintMail(mailQuestion(q), {
        to: admins.map((a) => a.email),
        body: body.data,
        deskUrl: `${base(d.baseUrl)}/desk/${q.number}`,
        adminUrl: `${base(d.baseUrl)}/admin/complaints`,
      });
      await queueMail({ tx, jobs: d.jobs, clock, from: d.mailFrom, mail });
    }
    return { complaint };
  });
}

/**
 * An admin answers an open complaint: it is closed as answered, the answer
 * goes on the asker's timeline and is mailed to them in the question's thread.
 */
export async function answerComplaint(d: ChangeDeps & { actor: Actor; complaintId: string; answer: unknown }): Promise<{ complaint: ComplaintRow }> {
  if (!can(d.actor, 'admin.complaints')) throw createComplaintForbiddenError();
  const answer = answerSchema.safeParse(d.answer);
  if (!answer.success) throw createValidationError({ answer: answer.error.issues[0]!.message });
  if (!z.uuid().safeParse(d.complaintId).success) throw createComplaintNotFoundError();
  const { db, clock } = d;
  return db.transaction(async (tx) => {
    const now = clock.now();
    const [complaint] = await tx
      .update(questionComplaints)
      .set({ status: 'answered', answer: answer.data, answeredById: d.actor.id, answeredAt: now })
      .where(and(eq(questionComplaints.id, d.complaintId), eq(questionComplaints.status, 'open')))
      .returning();
    if (!complaint) {
      const [exists] = await tx.select({ id: questionComplaints.id }).from(questionComplaints).where(eq(questionComplaints.id, d.complaintId));
      throw exists ? createComplaintAnsweredError() : createComplaintNotFoundError();
    }
    const [q] = await tx.select().from(questions).where(eq(questions.id, complaint.questionId));
    await addEvent(tx, now, q!.id, { kind: 'complaint_answered', actorId: d.actor.id, body: answer.data, data: { complaintId: complaint.id } });
    const mail = complaintAnsweredMail(mailQuestion(q!, d.replyAddress), { answer: answer.data, trackingUrl: trackingUrlFor(d.baseUrl, q!.trackingToken) });
    await queueMail({ tx, jobs: d.jobs, clock, from: d.mailFrom, mail });
    return { complaint };
  });
}

/** A question's complaints, newest first: what the asker's page and the desk show. */
export function complaintsOf({ db, questionId }: { db: Db; questionId: string }): Promise<ComplaintRow[]> {
  return db.select().from(questionComplaints).where(eq(questionComplaints.questionId, questionId)).orderBy(desc(questionComplaints.createdAt));
}

const answeredBy = alias(users, 'answered_by');

/**
 * Complaints for the admins' list: open ones first (who waits longest on top),
 * then answered ones, latest answer first; `status` narrows to one kind. Paged.
 */
export async function listComplaints({ db, status, page = 1 }: { db: Db; status?: ComplaintStatus; page?: number }) {
  const where = status ? eq(questionComplaints.status, status) : undefined;
  const isOpen = sql`${questionComplaints.status} = 'open'`;
  const rows = await db
    .select({
      id: questionComplaints.id,
      body: questionComplaints.body,
      status: questionComplaints.status,
      answer: questionComplaints.answer,
      createdAt: questionComplaints.createdAt,
      answeredAt: questionComplaints.answeredAt,
      answeredByName: answeredBy.name,
      number: questions.number,
      title: questions.title,
      askerName: sql<string>`coalesce(${users.name}, ${questions.contactName})`,
    })
    .from(questionComplaints)
    .innerJoin(questions, eq(questionComplaints.questionId, questions.id))
    .leftJoin(users, eq(questions.askerId, users.id))
    .leftJoin(answeredBy, eq(questionComplaints.answeredById, answeredBy.id))
    .where(where)
    .orderBy(desc(isOpen), asc(sql`CASE WHEN ${isOpen} THEN ${questionComplaints.createdAt} END`), desc(questionComplaints.answeredAt), desc(questionComplaints.id))
    .limit(PAGE_SIZE)
    .offset((page - 1) * PAGE_SIZE);
  const [{ n } = { n: 0 }] = await db.select({ n: count() }).from(questionComplaints).where(where);
  return { rows, total: Number(n), page, pages: Math.max(1, Math.ceil(Number(n) / PAGE_SIZE)) };
}
