import type { Tx } from '../../../db/client.ts';
import type { InboundOutcome } from '../../../db/schema/index.ts';
import { can } from '../auth/auth.policy.ts';
import type { AuthUser } from '../auth/auth.sessions.ts';
import { queueMail } from '../mail/mail.outbox.ts';
import { askerAttachmentCount } from '../questions/attachments.usecases.ts';
import { addNote, replyToQuestion } from '../questions/desk.usecases.ts';
import type { QuestionRow } from '../questions/questions.queries.ts';
import { BODY_MAX, TITLE_MAX } from '../questions/questions.schemas.ts';
import { createQuestion, trackingUrlFor } from '../questions/questions.usecases.ts';
import { changeQuestion, mailQuestion, type Received } from '../questions/questions.workflow.ts';
import { addFollowUp } from '../questions/tracking.usecases.ts';
import { isAppError, type AppError } from '../shared/errors.ts';
import { receiveMailFiles } from './inbound.attachments.ts';
import { mailNotAddedMail } from './inbound.mail.ts';
import type { ReadMail } from './inbound.parse.ts';
import { accountEmail, activeUserByEmail, questionById } from './inbound.queries.ts';
import type { InboundDeps } from './inbound.usecases.ts';

/** What became of a mail for a question; `recorded` when its inbound row was written with the change. */
export interface Routed {
  outcome: InboundOutcome;
  questionId: string | null;
  reason: string | null;
  recorded: boolean;
  replayed?: boolean;
}

/** The inbound row of a mail that changes a question, written in the change's transaction. */
export type RecordAs = (outcome: InboundOutcome) => (tx: Tx, now: Date) => Promise<void>;

type Sender = { kind: 'asker' } | { kind: 'assignee'; user: AuthUser } | { kind: 'engineer'; user: AuthUser } | { kind: 'other'; label: string };

/** The asker (the question's contact e-mail or account), its engineer, another engineer, or someone else. */
async function senderOf(deps: InboundDeps, q: QuestionRow, mail: ReadMail): Promise<Sender> {
  if (mail.from === q.contactEmail.toLowerCase() || mail.from === (await accountEmail(deps.db, q.askerId))) return { kind: 'asker' };
  const user = await activeUserByEmail(deps.db, mail.from);
  if (user && can(user, 'desk.use')) return user.id === q.assigneeId ? { kind: 'assignee', user } : { kind: 'engineer', user };
  return { kind: 'other', label: mail.fromName ? `${mail.fromName.slice(0, 60)} <${mail.from}>` : mail.from };
}

const OUTCOME: Record<Sender['kind'], InboundOutcome> = { asker: 'followup', assignee: 'reply', engineer: 'note', other: 'note' };

/** Runs a change at the question's current version; if someone changed it in between, once more on a fresh row. */
async function atCurrentVersion<T>(deps: InboundDeps, q: QuestionRow, change: (q: QuestionRow) => Promise<T>): Promise<T> {
  try {
    return await change(q);
  } catch (e) {
    if (!isAppError(e) || e.code !== 'questions.stale') throw e;
    return change((await questionById(deps.db, q.id)) ?? q);
  }
}

const rejectedReason = (e: AppError) => (e.fields ? `${e.code}: ${Object.values(e.fields).join(' ')}` : e.code);

/**
 * Adds a mail to its question as its sender may: the asker's is a follow-up
 * (which resumes a paused clock), the assigned engineer's a reply sent on to
 * the asker, anyone else's an internal note for the engineer to review. A
 * closed or merged question refuses a follow-up: the asker is told by mail
 * how to reopen it.
 */
export async function addToQuestion(deps: InboundDeps, mail: ReadMail, question: QuestionRow, recordAs: RecordAs): Promise<Routed> {
  const sender = await senderOf(deps, question, mail);
  const fromAsker = sender.kind === 'asker';
  const files = await receiveMailFiles(mail.files, deps.attachmentSettings, { already: fromAsker ? await askerAttachmentCount(deps.db, question.id) : 0, fromAsker });
  const outcome = OUTCOME[sender.kind];
  try {
    const text = mail.text.slice(0, BODY_MAX);
    const body = text || (files.batch ? '（见附件）' : '');
    if (!body) return { outcome: 'rejected', questionId: question.id, reason: 'empty: no text and no file', recorded: false };
    const received: Received = { channel: 'email', record: recordAs(outcome) };
    const attachments = files.batch;
    const changed = await atCurrentVersion(deps, question, (q) => {
      const at = { ...deps, question: q, version: q.version, attachments, received };
      switch (sender.kind) {
        case 'asker':
          return addFollowUp({ ...at, reopenDays: deps.reopenDays, body: text });
        case 'assignee':
          return replyToQuestion({ ...at, actor: sender.user, body });
        case 'engineer':
          return addNote({ ...at, actor: sender.user, body });
        case 'other':
          return changeQuestion(deps, {
            question: q,
            version: q.version,
            event: { kind: 'email_received', actorLabel: sender.label, internal: true, body, data: { channel: 'email', from: mail.from } },
            attachments,
            alongside: received.record,
          });
      }
    });
    if (files.refused.length) await noteRefusedFiles(deps, changed.question, mail.from, files.refused);
    return { outcome, questionId: question.id, reason: null, recorded: true };
  } catch (e) {
    if (!isAppError(e) || e.status >= 500 || e.status === 429) throw e;
    if (fromAsker && e.code === 'questions.state') await tellAskerNotAdded(deps, question);
    return { outcome: 'rejected', questionId: question.id, reason: e.code === 'questions.state' ? `question is ${question.mergedIntoId ? 'merged' : question.status}` : rejectedReason(e), recorded: false };
  } finally {
    await files.cleanup();
  }
}

/** A subject as a question's title: without Re:/回复: prefixes; the text's first line when the subject says too little. */
export function titleFrom(subject: string, text: string): string {
  const bare = subject.replace(/^\s*((re|fw|fwd|aw|答复|回复|转发)\s*[:：]\s*)+/i, '').trim();
  const title = bare.length >= 4 ? bare : `${bare} ${text.split('\n').find((l) => l.trim()) ?? ''}`.trim();
  return (title.length >= 4 ? title : `邮件提问：${title}`.trim()).slice(0, TITLE_MAX);
}

/**
 * New mail to the general address opens a question (channel 邮件, a
 * consultation): titled by the subject, the stripped text as its description,
 * the sender as its contact — as an account holder when they have one, else
 * anonymously, which ASK_ANONYMOUS=false refuses. The Message-ID is the
 * idempotency key, so a redelivered mail never opens a second question.
 */
export async function askByMail(deps: InboundDeps, mail: ReadMail, { idempotencyKey }: { idempotencyKey: string | null }): Promise<Routed> {
  const user = await activeUserByEmail(deps.db, mail.from);
  const files = await receiveMailFiles(mail.files, deps.attachmentSettings, { already: 0, fromAsker: true });
  const text = mail.text.slice(0, BODY_MAX);
  const input = {
    kind: 'consult',
    title: titleFrom(mail.subject, text),
    body: text.length >= 10 ? text : `${mail.subject}\n\n${text}`.trim(),
    email: mail.from,
    ...(mail.fromName ? { name: mail.fromName.slice(0, 50) } : {}),
  };
  try {
    const { question, replayed } = await createQuestion({
      ...deps,
      input,
      asker: user ? { kind: 'user', user } : { kind: 'anonymous' },
      channel: 'email',
      clientIp: null,
      idempotencyKey,
      attachments: files.batch ? { upload: { files: files.batch.checked.map((c) => c.file), problems: [] }, settings: deps.attachmentSettings } : undefined,
    });
    if (replayed) return { outcome: 'duplicate', questionId: question.id, reason: null, recorded: false, replayed: true };
    const row = await questionById(deps.db, question.id);
    if (files.refused.length && row) await noteRefusedFiles(deps, row, mail.from, files.refused);
    return { outcome: 'question', questionId: question.id, reason: null, recorded: false };
  } catch (e) {
    if (!isAppError(e) || e.status >= 500) throw e;
    return { outcome: 'rejected', questionId: null, reason: e.code === 'questions.sign_in_required' ? 'anonymous asking is off and the sender has no account' : rejectedReason(e), recorded: false };
  } finally {
    await files.cleanup();
  }
}

/** An internal note naming the files of a mail that were refused, and why. */
async function noteRefusedFiles(deps: InboundDeps, question: QuestionRow, from: string, refused: string[]): Promise<void> {
  const body = `${from} 的邮件中有附件未能保存：\n\n${refused.map((r) => `- ${r}`).join('\n')}`;
  await atCurrentVersion(deps, question, (q) =>
    changeQuestion(deps, { question: q, version: q.version, event: { kind: 'note', actorLabel: '邮件接收', internal: true, body, data: { channel: 'email' } } }),
  );
}

/** The asker's mail could not be added (the question is closed or merged): a short reply says how to go on. */
async function tellAskerNotAdded(deps: InboundDeps, question: QuestionRow): Promise<void> {
  const mail = mailNotAddedMail(mailQuestion(question), { trackingUrl: trackingUrlFor(deps.baseUrl, question.trackingToken), merged: !!question.mergedIntoId });
  await deps.db.transaction((tx) => queueMail({ tx, jobs: deps.jobs, clock: deps.clock, from: deps.mailFrom, mail }).then(() => undefined));
}
