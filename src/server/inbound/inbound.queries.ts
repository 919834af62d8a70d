import { and, eq, inArray } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import { inboundMessages, mailOutbox, questions, users, type InboundOutcome } from '../../../db/schema/index.ts';
import type { AuthUser } from '../auth/auth.sessions.ts';
import { newId } from '../shared/ids.ts';
import type { QuestionRow } from '../questions/questions.queries.ts';
import { parseReplyAddress, tokenMatches, type ReplyAddressing } from './inbound.address.ts';

/** The question whose signed reply address `address` is, or null for a forged, malformed or unknown one. */
export async function questionForReplyAddress(db: Db, addressing: ReplyAddressing, address: string): Promise<QuestionRow | null> {
  const parts = parseReplyAddress(addressing.domain, address);
  if (!parts) return null;
  const [q] = await db.select().from(questions).where(eq(questions.number, parts.number));
  return q && tokenMatches(addressing.secret, q.id, parts.token) ? q : null;
}

/**
 * The question a reply's In-Reply-To / References point at: its receipt's
 * Message-ID (the thread root), or the Message-ID of any later mail of ours
 * about it (those reply to the root, so the outbox row's In-Reply-To names it).
 */
export async function questionForThread(db: Db, ids: string[]): Promise<QuestionRow | null> {
  if (!ids.length) return null;
  const ours = await db.select({ headers: mailOutbox.headers }).from(mailOutbox).where(inArray(mailOutbox.messageId, ids));
  const roots = [...new Set([...ids, ...ours.map((o) => o.headers?.['In-Reply-To']).filter((v): v is string => !!v)])];
  const found = await db.select().from(questions).where(inArray(questions.threadMessageId, roots));
  // The newest reference that names a question wins (References lists oldest first).
  for (const id of [...roots].reverse()) {
    const q = found.find((f) => f.threadMessageId === id);
    if (q) return q;
  }
  return null;
}

/** A question number quoted in a subject: `[答疑 20261125-0007]`, or the bare number. */
export function numberInSubject(subject: string): string | null {
  return /\[答疑\s*(\d{8}-\d{4,})\]/.exec(subject)?.[1] ?? /(?<![\d-])(\d{8}-\d{4,})(?![\d-])/.exec(subject)?.[1] ?? null;
}

export async function questionByNumber(db: Db, number: string): Promise<QuestionRow | null> {
  const [q] = await db.select().from(questions).where(eq(questions.number, number));
  return q ?? null;
}

export async function questionById(db: Db, id: string): Promise<QuestionRow | null> {
  const [q] = await db.select().from(questions).where(eq(questions.id, id));
  return q ?? null;
}

/** The active account with this e-mail address, if any. */
export async function activeUserByEmail(db: Db, email: string): Promise<AuthUser | null> {
  const [u] = await db.select().from(users).where(and(eq(users.email, email.toLowerCase()), eq(users.status, 'active')));
  if (!u) return null;
  return { id: u.id, name: u.name, email: u.email, roles: u.roles, engineerTier: u.engineerTier, isUnitContact: u.isUnitContact, unitId: u.unitId, status: u.status };
}

export async function accountEmail(db: Db, userId: string | null): Promise<string | null> {
  if (!userId) return null;
  const [u] = await db.select({ email: users.email }).from(users).where(eq(users.id, userId));
  return u?.email ?? null;
}

/** Whether a message with this Message-ID has been received before. */
export async function seenBefore(db: Db, messageId: string | null): Promise<boolean> {
  if (!messageId) return false;
  const [row] = await db.select({ id: inboundMessages.id }).from(inboundMessages).where(eq(inboundMessages.messageId, messageId));
  return !!row;
}

/** One received mail and what became of it. */
export interface InboundRecord {
  messageId: string | null;
  fromAddress: string;
  toAddress: string;
  subject: string;
  size: number;
  questionId?: string | null;
  outcome: InboundOutcome;
  reason?: string | null;
}

export async function recordInbound(db: Db | Tx, r: InboundRecord, at: Date): Promise<void> {
  await db.insert(inboundMessages).values({
    id: newId(),
    messageId: r.messageId,
    fromAddress: r.fromAddress.slice(0, 320),
    toAddress: r.toAddress.slice(0, 320),
    subject: r.subject.slice(0, 500),
    size: r.size,
    questionId: r.questionId ?? null,
    outcome: r.outcome,
    reason: r.reason?.slice(0, 1000) ?? null,
    receivedAt: at,
  });
}
