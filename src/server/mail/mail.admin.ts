/**
 * The outbox as admins see it at /admin/mail: every mail with its status and
 * last error, a retry for one that failed for good, and (without SMTP_URL)
 * the `.eml` files kept instead of sending.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { and, count, desc, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { mailOutbox } from '../../../db/schema/index.ts';
import { t } from '../../i18n/t.ts';
import { zhCN, type MessageKey } from '../../i18n/zh-CN.ts';
import { auditRequest, type RequestMeta } from '../audit/audit.usecases.ts';
import type { Jobs } from '../jobs/jobs.ts';
import type { Clock } from '../shared/clock.ts';
import { createErrorFactory, createNotFoundError } from '../shared/errors.ts';
import { isUuid } from '../shared/ids.ts';
import { outboxCounts } from './mail.outbox.ts';

export const MAIL_PAGE_SIZE = 50;
/** The statuses in the order the admin page shows them, failures first. */
export const MAIL_STATUSES = ['failed', 'pending', 'sending', 'sent'] as const;
export type MailStatus = (typeof MAIL_STATUSES)[number];
/** A kept mail's file name: the outbox row id (a uuid) and `.eml`. Nothing else is listed or served. */
export const KEPT_MAIL_NAME = /^[0-9a-f-]{36}\.eml$/;
/** Kept files listed at most; the rest stay on disk and are counted. */
export const KEPT_MAIL_SHOWN = 100;

export const createMailNotRetryableError = createErrorFactory({
  code: 'mail.not_retryable',
  message: '只有发送失败的邮件可以重新发送。这封邮件的状态已经变化，请刷新页面查看。',
  status: 409,
});

/** Whether `value` is one of the outbox statuses (a query parameter, say). */
export const isMailStatus = (value: string | null): value is MailStatus => MAIL_STATUSES.includes(value as MailStatus);

/** The zh-CN name of a mail kind (template); a kind without one is shown as it is. */
export function mailKindLabel(kind: string): string {
  const key = `admin.mail.kind.${kind}`;
  return Object.hasOwn(zhCN, key) ? t(key as MessageKey) : kind;
}

/**
 * One page of the outbox, newest first, filtered by status and by a text found
 * in the subject or a recipient; with the count of every status (unfiltered),
 * for the tabs.
 */
export async function listOutbox({ db, status, q = '', page = 1 }: { db: Db; status?: MailStatus; q?: string; page?: number }) {
  const conditions: SQL[] = [];
  if (status) conditions.push(eq(mailOutbox.status, status));
  const text = q.trim().slice(0, 100);
  if (text) {
    const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(or(ilike(mailOutbox.subject, pattern), sql`array_to_string(${mailOutbox.to}, ',') ilike ${pattern}`)!);
  }
  const where = conditions.length ? and(...conditions) : undefined;
  const rows = await db
    .select({
      id: mailOutbox.id,
      createdAt: mailOutbox.createdAt,
      kind: mailOutbox.kind,
      to: mailOutbox.to,
      subject: mailOutbox.subject,
      status: mailOutbox.status,
      attempts: mailOutbox.attempts,
      lastError: mailOutbox.lastError,
      sentAt: mailOutbox.sentAt,
    })
    .from(mailOutbox)
    .where(where)
    .orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id))
    .limit(MAIL_PAGE_SIZE)
    .offset((page - 1) * MAIL_PAGE_SIZE);
  const [{ n } = { n: 0 }] = await db.select({ n: count() }).from(mailOutbox).where(where);
  const total = Number(n);
  return { rows, total, page, pages: Math.max(1, Math.ceil(total / MAIL_PAGE_SIZE)), counts: await outboxCounts({ db }) };
}

/**
 * Sends a mail that failed for good once more: back to `pending`, due now,
 * with its attempts reset (the last error stays until the next try), and an
 * audit event, in one transaction; the outbox worker then delivers it. Only a
 * `failed` row: one pending or being sent is on its way already, and a sent
 * one must not go twice.
 */
export async function retryMail({ db, jobs, clock, meta, id }: { db: Db; jobs: Pick<Jobs, 'wakeMail'>; clock: Clock; meta: RequestMeta; id: string }): Promise<{ id: string }> {
  if (!isUuid(id)) throw createNotFoundError();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(mailOutbox)
      .set({ status: 'pending', attempts: 0, lockedUntil: null })
      .where(and(eq(mailOutbox.id, id), eq(mailOutbox.status, 'failed')))
      .returning({ subject: mailOutbox.subject, to: mailOutbox.to });
    if (!row) {
      const [exists] = await tx.select({ id: mailOutbox.id }).from(mailOutbox).where(eq(mailOutbox.id, id));
      throw exists ? createMailNotRetryableError() : createNotFoundError();
    }
    await auditRequest({
      db: tx,
      clock,
      meta,
      event: { action: 'mail.retried', targetType: 'mail', targetId: id, after: { subject: row.subject, recipients: row.to } },
    });
    jobs.wakeMail();
    return { id };
  });
}

export interface KeptMailFile {
  name: string;
  size: number;
  mtime: Date;
}

/**
 * The `.eml` files kept in `dir` (mail without SMTP_URL), newest first: at
 * most {@link KEPT_MAIL_SHOWN}, with how many there are. A missing folder
 * (nothing sent yet) is an empty list.
 */
export async function keptMailFiles({ dir }: { dir: string }): Promise<{ files: KeptMailFile[]; total: number }> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => KEPT_MAIL_NAME.test(n));
  const stats = await Promise.all(
    names.map(async (name) => {
      // A file removed between listing and stat is simply left out.
      const s = await stat(path.join(dir, name)).catch(() => null);
      return s?.isFile() ? { name, size: s.size, mtime: s.mtime } : null;
    }),
  );
  const files = stats.filter((f): f is KeptMailFile => f !== null).sort((a, b) => b.mtime.getTime() - a.mtime.getTime() || b.name.localeCompare(a.name));
  return { files: files.slice(0, KEPT_MAIL_SHOWN), total: files.length };
}
