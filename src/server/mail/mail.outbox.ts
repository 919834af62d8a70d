import { and, eq, lt, or, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import { mailOutbox } from '../../../db/schema/index.ts';
import { queues, type Jobs } from '../jobs/jobs.ts';
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
 * longer than one SMTP attempt may take (the transport's timeouts), shorter
 * than the job's expiry, so the retry of a job whose process died finds the
 * lease over and sends.
 */
export const SENDING_LEASE_MS = 60_000;
/** After the queue's last retry the row is marked failed for an admin to look at. */
export const MAX_MAIL_ATTEMPTS = queues['mail.deliver'].retryLimit + 1;

function messageDomain(from: string): string {
  const m = /@([A-Za-z0-9.-]+)/.exec(from);
  return m?.[1] ?? 'dayi.local';
}

/** The Message-ID of the outbox row `id`: stable, so a retried message is recognisably the same one. */
export const messageIdFor = (id: string, from: string) => `<${id}@${messageDomain(from)}>`;

/**
 * Writes an outbox row and its delivery job inside the caller's transaction,
 * so the mail exists if and only if the change that caused it commits. `id`
 * may be chosen beforehand, when the caller stores the Message-ID with its own row.
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
  jobs: Jobs;
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
  await jobs.send('mail.deliver', { id }, { tx });
  return { id, messageId };
}

/**
 * Delivers one outbox row (the `mail.deliver` job). Idempotent: a row already
 * sent, or being sent by another worker, is left alone. Throws on a failed
 * attempt so the queue retries with backoff.
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
  if (!row) {
    const [current] = await db.select({ status: mailOutbox.status }).from(mailOutbox).where(eq(mailOutbox.id, id));
    // Another worker holds the row now: retry later (it may die before it finishes), never drop the job.
    if (current?.status === 'sending') throw new Error('mail is being sent by another worker; retrying later');
    return { status: 'skipped' };
  }
  try {
    await transport.send({ ...row, from });
  } catch (e) {
    const failed = row.attempts >= MAX_MAIL_ATTEMPTS;
    const lastError = String((e as Error).message ?? e).slice(0, 1000);
    await db
      .update(mailOutbox)
      .set({ status: failed ? 'failed' : 'pending', lockedUntil: null, lastError })
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
