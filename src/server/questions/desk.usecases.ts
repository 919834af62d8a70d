import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { questionKinds, questions, severities, users } from '../../../db/schema/index.ts';
import { t } from '../../i18n/t.ts';
import { can } from '../auth/auth.policy.ts';
import type { AuthUser } from '../auth/auth.sessions.ts';
import { createValidationError } from '../shared/errors.ts';
import { isUuid } from '../shared/ids.ts';
import type { AttachmentBatch } from './attachments.usecases.ts';
import { createQuestionStateError } from './questions.errors.ts';
import { absoluteLinks, mergedMail, replyMail, resolvedMail, statusMail } from './questions.mail.ts';
import { OPEN_STATUSES, type QuestionRow } from './questions.queries.ts';
import { BODY_MAX } from './questions.schemas.ts';
import { replanClocks } from '../escalation/escalation.plan.ts';
import { pauseClocks } from '../escalation/escalation.usecases.ts';
import { addEvent, changeQuestion, mailQuestion, type ChangeDeps, type Received } from './questions.workflow.ts';

/** An engineer's action on a question they have open at `version`. */
type DeskAction = ChangeDeps & { actor: AuthUser; question: QuestionRow; version: number };

const bodySchema = z.string().trim().min(1, '请填写内容。').max(BODY_MAX, `内容不能超过 ${BODY_MAX} 个字。`);
const isOpen = (q: QuestionRow) => OPEN_STATUSES.includes(q.status);

function requireOpen(q: QuestionRow) {
  if (!isOpen(q) || q.mergedIntoId) throw createQuestionStateError();
}

/** Takes an unassigned question: it becomes the engineer's, status 处理中. */
export async function claimQuestion(d: DeskAction) {
  requireOpen(d.question);
  if (d.question.assigneeId === d.actor.id) throw createQuestionStateError();
  return changeQuestion(d, {
    question: d.question,
    version: d.version,
    set: { assigneeId: d.actor.id, status: d.question.status === 'answered' ? 'answered' : 'assigned' },
    event: { kind: 'claimed', actorId: d.actor.id, data: { from: d.question.assigneeId } },
  });
}

/** Assigns or transfers the question to another engineer (engineers and admins only). */
export async function assignQuestion(d: DeskAction & { assigneeId: string }) {
  requireOpen(d.question);
  if (!isUuid(d.assigneeId)) throw createValidationError({ assigneeId: '请选择一位在职的值班工程师。' });
  const [to] = await d.db.select().from(users).where(and(eq(users.id, d.assigneeId), eq(users.status, 'active')));
  if (!to || !can(to, 'desk.use')) throw createValidationError({ assigneeId: '请选择一位在职的值班工程师。' });
  return changeQuestion(d, {
    question: d.question,
    version: d.version,
    set: { assigneeId: to.id, status: d.question.status === 'answered' ? 'answered' : 'assigned' },
    event: { kind: 'assigned', actorId: d.actor.id, data: { from: d.question.assigneeId, to: to.id, toName: to.name } },
  });
}

/**
 * Replies to the asker: on the timeline, mailed to them, status 已答复. The
 * first reply also takes the question if nobody had it, and stamps the time
 * the first-reply clock measures.
 */
export async function replyToQuestion(d: DeskAction & { body: unknown; attachments?: AttachmentBatch; waitForAsker?: boolean; received?: Received }) {
  const body = bodySchema.safeParse(d.body);
  if (!body.success) throw createValidationError({ body: body.error.issues[0]!.message });
  if (d.question.status === 'closed' || d.question.mergedIntoId) throw createQuestionStateError();
  // "需要用户补充信息": 等待用户补充, and the clocks stop until the asker replies.
  const waiting = Boolean(d.waitForAsker) && d.question.status !== 'resolved';
  const now = d.clock.now();
  return changeQuestion(d, {
    question: d.question,
    version: d.version,
    alongside: async (tx, at) => {
      if (waiting && !d.question.clockPausedAt) {
        await pauseClocks(tx, d.question.id, at);
        await addEvent(tx, at, d.question.id, { kind: 'clock_paused', actorId: d.actor.id });
      }
      await d.received?.record(tx, at);
    },
    set: {
      status: waiting ? 'waiting' : d.question.status === 'resolved' ? 'resolved' : 'answered',
      assigneeId: d.question.assigneeId ?? d.actor.id,
      firstRepliedAt: d.question.firstRepliedAt ?? now,
    },
    event: { kind: 'replied', actorId: d.actor.id, body: body.data, data: d.received ? { channel: d.received.channel } : null },
    attachments: d.attachments,
    followers: { update: `${d.actor.name} 回复：`, markdown: absoluteLinks(body.data, d.baseUrl) },
    mails: (q, { trackingUrl }) => [
      replyMail(mailQuestion(q, d.replyAddress), { engineer: d.actor.name, body: absoluteLinks(body.data, d.baseUrl), trackingUrl, files: d.attachments?.checked.map((a) => a.file.name) }),
    ],
  });
}

/** An internal note: on the timeline for engineers only, never shown or mailed to the asker. */
export async function addNote(d: DeskAction & { body: unknown; attachments?: AttachmentBatch; received?: Received }) {
  const body = bodySchema.safeParse(d.body);
  if (!body.success) throw createValidationError({ body: body.error.issues[0]!.message });
  return changeQuestion(d, {
    question: d.question,
    version: d.version,
    event: { kind: 'note', actorId: d.actor.id, internal: true, body: body.data, data: d.received ? { channel: d.received.channel } : null },
    attachments: d.attachments,
    alongside: d.received?.record,
  });
}

/**
 * Changes the kind and, for a fault, the severity, once the engineer knows
 * more than the asker could; on the timeline for the asker to see.
 */
export async function classifyQuestion(d: DeskAction & { kind: unknown; severity: unknown }) {
  requireOpen(d.question);
  const kind = z.enum(questionKinds).safeParse(d.kind);
  if (!kind.success) throw createValidationError({ kind: '请选择问题类型。' });
  const severity = kind.data === 'fault' ? z.enum(severities).safeParse(d.severity) : null;
  if (severity && !severity.success) throw createValidationError({ severity: '故障申告请选择故障级别。' });
  const to = { kind: kind.data, severity: severity?.data ?? null };
  const from = { kind: d.question.kind, severity: d.question.severity };
  if (to.kind === from.kind && to.severity === from.severity) throw createValidationError({ kind: '类型和级别没有变化。' });
  return changeQuestion(d, {
    question: d.question,
    version: d.version,
    set: to,
    event: { kind: 'reclassified', actorId: d.actor.id, data: { from, to } },
    // Another kind or severity, another target: counted again from the arrival.
    alongside: (tx) => replanClocks(tx, d, { ...d.question, ...to }, { from: d.question.createdAt }),
  });
}

const deskStatuses = ['resolved', 'closed', 'reopened'] as const;

/** Marks resolved (the asker is asked to rate), closes, or reopens; each is mailed to the asker. */
export async function setQuestionStatus(d: DeskAction & { status: unknown }) {
  const parsed = z.enum(deskStatuses).safeParse(d.status);
  if (!parsed.success) throw createValidationError({ status: '不支持的状态。' });
  const to = parsed.data;
  const from = d.question.status;
  const allowed = to === 'reopened' ? from === 'resolved' || from === 'closed' : to === 'resolved' ? isOpen(d.question) : from !== 'closed';
  if (!allowed || d.question.mergedIntoId) throw createQuestionStateError();
  const now = d.clock.now();
  return changeQuestion(d, {
    question: d.question,
    version: d.version,
    set: { status: to, ...(to === 'resolved' ? { resolvedAt: now } : to === 'closed' ? { closedAt: now } : { resolvedAt: null, closedAt: null }) },
    event: { kind: to === 'reopened' ? 'reopened' : to === 'resolved' ? 'resolved' : 'status_changed', actorId: d.actor.id, data: { from, to } },
    alongside: to === 'reopened' ? (tx, at) => replanClocks(tx, d, d.question, { from: at }) : undefined,
    followers: { update: `当前状态：${t(`question.status.${to}`)}。` },
    mails: (q, { trackingUrl }) =>
      to === 'resolved' ? [resolvedMail(mailQuestion(q, d.replyAddress), { trackingUrl })] : [statusMail(mailQuestion(q, d.replyAddress), { status: t(`question.status.${to}`), trackingUrl })],
  });
}

/**
 * Merges a duplicate into the question kept: the duplicate is closed and
 * points to it, its asker is told by mail with the kept question's link, and
 * both timelines say so.
 */
export async function mergeQuestion(d: DeskAction & { intoNumber: string }) {
  requireOpen(d.question);
  const [into] = await d.db.select().from(questions).where(eq(questions.number, d.intoNumber.trim()));
  if (!into || into.id === d.question.id || into.mergedIntoId) throw createValidationError({ intoNumber: '请填写另一个未被合并的问题编号。' });
  const now = d.clock.now();
  const result = await changeQuestion(d, {
    question: d.question,
    version: d.version,
    set: { status: 'closed', closedAt: now, mergedIntoId: into.id },
    event: { kind: 'merged', actorId: d.actor.id, data: { into: into.number } },
    mails: (q, { trackingUrl }) => [mergedMail(mailQuestion(q, d.replyAddress), { into, trackingUrl })],
    alongside: (tx, at) => addEvent(tx, at, into.id, { kind: 'merged', actorId: d.actor.id, internal: true, data: { from: d.question.number } }).then(() => {}),
  });
  return result;
}
