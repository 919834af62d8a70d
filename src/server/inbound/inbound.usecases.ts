import { createHash } from 'node:crypto';
import type { InboundOutcome } from '../../../db/schema/index.ts';
import { can } from '../auth/auth.policy.ts';
import type { AttachmentSettings } from '../questions/attachments.usecases.ts';
import type { QuestionRow } from '../questions/questions.queries.ts';
import type { QuestionDeps } from '../questions/questions.usecases.ts';
import type { Logger } from '../shared/logger.ts';
import type { ReplyAddressing } from './inbound.address.ts';
import { addToQuestion, askByMail, type Routed } from './inbound.actions.ts';
import { readMail, type ReadMail } from './inbound.parse.ts';
import {
  accountEmail,
  activeUserByEmail,
  numberInSubject,
  questionByNumber,
  questionForReplyAddress,
  questionForThread,
  recordInbound,
  seenBefore,
  type InboundRecord,
} from './inbound.queries.ts';

/** What receiving mail needs: asking's dependencies, the reply addresses, the general address, the files' rules. */
export interface InboundDeps extends QuestionDeps {
  addressing: ReplyAddressing;
  /** INBOUND_NEW_ADDRESS, lower-cased: new mail there opens a question. */
  newAddress?: string;
  /** The address part of MAIL_FROM: mail from it is our own, come back. */
  ourAddress: string;
  reopenDays: number;
  attachmentSettings: AttachmentSettings;
  log: Logger;
}

export interface ReceivedResult {
  outcome: InboundOutcome;
  questionId: string | null;
  reason: string | null;
}

/** Which question a mail is for, and how that was found; `new` when it opens one. */
type Target = { question: QuestionRow; by: 'address' | 'thread' | 'subject'; to: string } | { new: true; to: string } | { none: string; to: string };

/** Whether an SMTP recipient is one we take mail for: a valid reply address, or the general address. */
export async function acceptsRecipient(deps: Pick<InboundDeps, 'db' | 'addressing' | 'newAddress'>, address: string): Promise<boolean> {
  const a = address.trim().toLowerCase();
  if (deps.newAddress && a === deps.newAddress) return true;
  return (await questionForReplyAddress(deps.db, deps.addressing, a)) !== null;
}

/**
 * Finds the question a mail is for: its reply address first; on the general
 * address, In-Reply-To / References (QQ Mail and some Outlook setups drop
 * them), then a question number in the subject — the last only from someone
 * who may write about that question (its asker or an engineer), since numbers
 * are easy to guess. Nothing found on the general address: a new question.
 */
async function findTarget(deps: InboundDeps, mail: ReadMail, recipients: string[]): Promise<Target> {
  const rcpts = recipients.map((r) => r.trim().toLowerCase());
  for (const to of rcpts) {
    const q = await questionForReplyAddress(deps.db, deps.addressing, to);
    if (q) return { question: q, by: 'address', to };
  }
  const to = rcpts.find((r) => r === deps.newAddress) ?? rcpts[0] ?? '';
  if (to !== deps.newAddress) return { none: 'not a reply address or the general address', to };
  const threaded = await questionForThread(deps.db, mail.threadIds);
  if (threaded) return { question: threaded, by: 'thread', to };
  const number = numberInSubject(mail.subject);
  const quoted = number ? await questionByNumber(deps.db, number) : null;
  if (quoted && (await mayQuote(deps, quoted, mail.from))) return { question: quoted, by: 'subject', to };
  return { new: true, to };
}

async function mayQuote(deps: InboundDeps, q: QuestionRow, from: string): Promise<boolean> {
  if (from === q.contactEmail.toLowerCase() || from === (await accountEmail(deps.db, q.askerId))) return true;
  const user = await activeUserByEmail(deps.db, from);
  return !!user && can(user, 'desk.use');
}

/**
 * Receives one mail (the SMTP DATA of an accepted message): records it in
 * `inbound_messages` with what became of it — a follow-up, a reply, a note,
 * a new question, or why nothing (a Message-ID seen before, an automatic
 * reply or a loop, a closed question). Never throws for a mail it refuses;
 * a thrown error is a failure the sending server should retry (451).
 */
export async function receiveMail(deps: InboundDeps, { envelopeFrom, recipients, raw }: { envelopeFrom: string; recipients: string[]; raw: Buffer }): Promise<ReceivedResult> {
  const mail = await readMail(raw, { envelopeFrom, ourAddress: deps.ourAddress });
  const target = await findTarget(deps, mail, recipients);
  const base = { messageId: mail.messageId, fromAddress: mail.from, toAddress: target.to, subject: mail.subject, size: raw.length };
  const record = async (r: Omit<InboundRecord, keyof typeof base> & Partial<InboundRecord>): Promise<ReceivedResult> => {
    const row = { ...base, ...r };
    await recordInbound(deps.db, row, deps.clock.now());
    deps.log.info({ outcome: row.outcome, reason: row.reason, from: row.fromAddress, questionId: row.questionId ?? null }, 'mail received');
    return { outcome: row.outcome, questionId: row.questionId ?? null, reason: row.reason ?? null };
  };
  const duplicate = () => record({ messageId: null, outcome: 'duplicate', reason: `Message-ID ${mail.messageId} seen before` });

  if (await seenBefore(deps.db, mail.messageId)) return duplicate();
  if (mail.automatic) return record({ outcome: 'auto_reply', reason: mail.automatic, questionId: 'question' in target ? target.question.id : null });
  if ('none' in target) return record({ outcome: 'rejected', reason: target.none });

  let routed: Routed;
  try {
    routed =
      'new' in target
        ? await askByMail(deps, mail, { idempotencyKey: mail.messageId ? `mail:${createHash('sha256').update(mail.messageId).digest('base64url')}` : null })
        : await addToQuestion(deps, mail, target.question, (outcome) => (tx, now) =>
            recordInbound(tx, { ...base, questionId: target.question.id, outcome, reason: `found by ${target.by}` }, now),
          );
  } catch (e) {
    // A concurrent delivery of the same message got its row in first: this one rolled back.
    if (mail.messageId && (await seenBefore(deps.db, mail.messageId))) return duplicate();
    throw e;
  }
  if (routed.replayed) return duplicate();
  if (routed.recorded) {
    deps.log.info({ outcome: routed.outcome, from: mail.from, questionId: routed.questionId, by: 'question' in target ? target.by : 'new' }, 'mail received');
    return { outcome: routed.outcome, questionId: routed.questionId, reason: null };
  }
  return record({ outcome: routed.outcome, questionId: routed.questionId, reason: routed.reason });
}

