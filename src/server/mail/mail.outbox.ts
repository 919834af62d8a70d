import { and, asc, eq, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import { mailOutbox } from '../../../db/schema/index.ts';
import type { Jobs } from '../jobs/jobs.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import type { Logger } from '../shared/logger.ts';
import type { MailTransport } from './mail.transport.ts';

export interface MailInput {
  kind: string;
  to: string[];
  subject: string;
  text: string;
  html?: string;
  headers?: Record<string, string>;
}

/**
 * How long a worker may hold a row in `sending` before another takes it over:
 * longer than one SMTP attempt may take (the transport's timeouts), so two
 * workers never send a row at once; a row whose process died mid-send is sent
 * again by the next sweep after it (src/server/mail/mail.worker.ts).
 */
export const SENDING_LEASE_MS = 60_000;
/** Attempts (the first and eight retries) before the row is marked failed for an admin to look at. */
export const MAX_MAIL_ATTEMPTS = 9;

/** The wait after failed attempt `attempts` (1-based): 15 s, doubling, at most an hour — about an hour from first try to last. */
export const retryDelayMs = (attempts: number) => Math.min(3_600_000, 15_000 * 2 ** Math.max(0, attempts - 1));

function messageDomain(from: string): string {
  const m = /@([A-Za-z0-9.-]+)/.exec(from);
  return m?.[1] ?? 'dayi.local';
}

/** The Message-ID of the outbox row `id`: stable, so a retried message is recognisably the same one. */
export const messageIdFor = (id: string, from: string) => `<${id}@${messageDomain(from)}>`;

/**
 * Writes an outbox row inside the caller's transaction, so the mail exists if
 * and only if the change that caused it commits. The row is its own queue
 * entry: an outbox worker delivers it (src/server/mail/mail.worker.ts) — this
 * process's, woken here to look in a moment, or any process's sweep, at the
 * latest a second after commit. `id` may be chosen beforehand, when the caller
 * stores the Message-ID with its own row.
 */
export async function queueMail({
  tx,
  jobs,
  clock,
  from,
  mail,
  id = newId(),
}: {
  tx: Tx;
  jobs: Pick<Jobs, 'wakeMail'>;
  clock: Clock;
  from: string;
  mail: MailInput;
  id?: string;
}): Promise<{ id: string; messageId: string }> {
  const messageId = messageIdFor(id, from);
  await tx.insert(mailOutbox).values({
    id,
    createdAt: clock.now(),
    kind: mail.kind,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html ?? null,
    headers: mail.headers ?? null,
    messageId,
  });
  jobs.wakeMail();
  return { id, messageId };
}

/**
 * Outbox rows due for delivery, oldest first: pending ones whose retry wait is
 * over, and ones left `sending` by a worker whose lease ran out (its process
 * died mid-send). What the outbox worker sweeps for; the claim in
 * {@link deliverOutboxMail} decides which worker sends.
 */
export async function dueOutboxMail({ db, now, limit }: { db: Db; now: Date; limit: number }): Promise<string[]> {
  const rows = await db
    .select({ id: mailOutbox.id })
    .from(mailOutbox)
    .where(
      or(
        and(eq(mailOutbox.status, 'pending'), or(isNull(mailOutbox.lockedUntil), lte(mailOutbox.lockedUntil, now))),
        and(eq(mailOutbox.status, 'sending'), lt(mailOutbox.lockedUntil, now)),
      ),
    )
    .orderBy(asc(mailOutbox.createdAt))
    .limit(limit);
  return rows.map((r) => r.id);
}

/**
 * Delivers one outbox row. Idempotent: a row already sent, or being sent by
 * another worker, is left alone (`skipped`). The row is claimed first
 * (`sending`, with a lease), so of two workers only one sends. A failed attempt
 * puts it back to `pending` with the time of its next try in `lockedUntil`
 * ({@link retryDelayMs}), and throws; after {@link MAX_MAIL_ATTEMPTS} it is `failed`.
 */
export async function deliverOutboxMail({
  db,
  transport,
  clock,
  from,
  id,
  log,
}: {
  db: Db;
  transport: MailTransport;
  clock: Clock;
  from: string;
  id: string;
  log?: Logger;
}): Promise<{ status: 'sent' | 'skipped' | 'failed' }> {
  const now = clock.now();
  const [row] = await db
    .update(mailOutbox)
    .set({ status: 'sending', lockedUntil: new Date(now.getTime() + SENDING_LEASE_MS), attempts: sql`${mailOutbox.attempts} + 1` })
    .where(
      and(
        eq(mailOutbox.id, id),
        or(eq(mailOutbox.status, 'pending'), and(eq(mailOutbox.status, 'sending'), lt(mailOutbox.lockedUntil, now))),
      ),
    )
    .returning();
  // Sent already, or another worker holds the lease: should that worker die, a sweep after its lease takes the row.
  if (!row) return { status: 'skipped' };
  try {
    await transport.send({ ...row, from });
  } catch (e) {
    const failed = row.attempts >= MAX_MAIL_ATTEMPTS;
    const lastError = String((e as Error).message ?? e).slice(0, 1000);
    await db
      .update(mailOutbox)
      // While pending, lockedUntil is when the next attempt is due.
      .set({ status: failed ? 'failed' : 'pending', lockedUntil: failed ? null : new Date(clock.now().getTime() + retryDelayMs(row.attempts)), lastError })
      .where(eq(mailOutbox.id, id));
    log?.warn({ id, attempts: row.attempts, lastError }, failed ? 'mail delivery failed for good' : 'mail delivery failed, will retry');
    if (failed) return { status: 'failed' };
    throw e;
  }
  await db
    .update(mailOutbox)
    .set({ status: 'sent', sentAt: clock.now(), lockedUntil: null, lastError: null })
    .where(eq(mailOutbox.id, id));
  return { status: 'sent' };
}

/** Counts for the health endpoint and the admin view. */
export async function outboxCounts({ db }: { db: Db }): Promise<Record<'pending' | 'sending' | 'sent' | 'failed', number>> {
  const rows = await db
    .select({ status: mailOutbox.status, n: sql<number>`count(*)::int` })
    .from(mailOutbox)
    .groupBy(mailOutbox.status);
  const counts = { pending: 0, sending: 0, sent: 0, failed: 0 };
  for (const r of rows) counts[r.status] = Number(r.n);
  return counts;
}
