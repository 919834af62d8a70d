import { utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, mailOutbox } from '../../db/schema/index.ts';
import type { Jobs } from '../../src/server/jobs/jobs.ts';
import { keptMailFiles, listOutbox, mailKindLabel, retryMail } from '../../src/server/mail/mail.admin.ts';
import { MAX_MAIL_ATTEMPTS, outboxCounts } from '../../src/server/mail/mail.outbox.ts';
import { createFixedClock } from '../../src/server/shared/clock.ts';
import type { TestDatabase } from '../helpers/db.ts';
import { startDeliveringOutbox } from '../helpers/outbox.ts';
import { startSmtpServer } from '../helpers/smtp.ts';
import { tempDir } from '../helpers/tmp.ts';
import { waitFor } from '../helpers/wait.ts';

const from = '答疑 Dayi <dayi@help.example.cn>';
const clock = createFixedClock('2026-11-24T06:00:00Z');
const meta = { actor: null, ip: '10.0.0.9', requestId: 'req-mail-admin' };
let t: TestDatabase;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let jobs: Jobs;

let world: Awaited<ReturnType<typeof startDeliveringOutbox>>;

beforeAll(async () => {
  world = await startDeliveringOutbox({ from, clock });
  ({ t, smtp, jobs } = world);
});

afterAll(async () => {
  await world?.stop();
});

/** An outbox row written as it stands (a pending one is then the worker's to send). */
async function outboxRow(values: Partial<typeof mailOutbox.$inferInsert> = {}): Promise<string> {
  const id = crypto.randomUUID();
  await t.database.db.insert(mailOutbox).values({
    id,
    createdAt: clock.now(),
    kind: 'account.reset',
    to: ['wang.wu@unit.example.cn'],
    subject: '重置密码',
    text: '请点击链接。',
    messageId: `<${id}@help.example.cn>`,
    ...values,
  });
  return id;
}

const rowOf = async (id: string) => (await t.database.db.select().from(mailOutbox).where(eq(mailOutbox.id, id)))[0]!;

describe('retrying a mail from /admin/mail', () => {
  it('sends a mail that failed for good exactly once more, and records who asked', async () => {
    const id = await outboxRow({ status: 'failed', attempts: MAX_MAIL_ATTEMPTS, lastError: '550 mailbox unavailable' });
    await retryMail({ db: t.database.db, jobs, clock, meta, id });
    const row = await waitFor(async () => {
      const r = await rowOf(id);
      return r.status === 'sent' ? r : undefined;
    });
    expect(row).toMatchObject({ attempts: 1, lastError: null });
    expect(smtp.received.filter((m) => m.raw.includes(`<${id}@help.example.cn>`))).toHaveLength(1);
    const [event] = await t.database.db.select().from(auditEvents).where(eq(auditEvents.targetId, id));
    expect(event).toMatchObject({ action: 'mail.retried', targetType: 'mail', ip: '10.0.0.9', requestId: 'req-mail-admin' });
    expect(event!.after).toEqual({ subject: '重置密码', recipients: ['wang.wu@unit.example.cn'] });
  });

  it('refuses a mail that was sent (409, in zh-CN), and one that does not exist (404), changing nothing', async () => {
    const id = await outboxRow({ status: 'sent', attempts: 1, sentAt: clock.now() });
    await expect(retryMail({ db: t.database.db, jobs, clock, meta, id })).rejects.toMatchObject({ status: 409, code: 'mail.not_retryable', message: expect.stringMatching(/只有发送失败的邮件可以重新发送/) });
    expect(await rowOf(id)).toMatchObject({ status: 'sent', attempts: 1 });
    await expect(retryMail({ db: t.database.db, jobs, clock, meta, id: crypto.randomUUID() })).rejects.toMatchObject({ status: 404 });
    await expect(retryMail({ db: t.database.db, jobs, clock, meta, id: 'not-a-uuid' })).rejects.toMatchObject({ status: 404 });
    expect(await t.database.db.select().from(auditEvents).where(eq(auditEvents.targetId, id))).toEqual([]);
  });

  it('leaves a pending mail to the outbox worker, which sends it once', async () => {
    const id = await outboxRow({ status: 'pending', to: ['nobody.queued@unit.example.cn'] });
    await expect(retryMail({ db: t.database.db, jobs, clock, meta, id })).rejects.toMatchObject({ status: 409 });
    await waitFor(async () => ((await rowOf(id)).status === 'sent' ? true : undefined));
    expect(smtp.received.filter((m) => m.raw.includes(`<${id}@help.example.cn>`))).toHaveLength(1);
    expect(await t.database.db.select().from(auditEvents).where(eq(auditEvents.targetId, id))).toEqual([]);
  });
});

describe('listing the outbox', () => {
  it('shows the newest first, filtered by status and by recipient or subject, with the count of every status', async () => {
    const at = (minutes: number) => new Date(clock.now().getTime() + minutes * 60_000);
    const old = await outboxRow({ createdAt: at(-30), status: 'failed', to: ['list.a@filter.example.cn'], subject: '列表测试 旧', lastError: 'timeout' });
    const recent = await outboxRow({ createdAt: at(-10), status: 'failed', to: ['list.b@filter.example.cn'], subject: '列表测试 新' });
    const sent = await outboxRow({ createdAt: at(-20), status: 'sent', to: ['list.c@filter.example.cn'], subject: '列表测试 已发' });
    const db = t.database.db;

    const byDomain = await listOutbox({ db, q: 'filter.example.cn' });
    expect(byDomain.rows.map((r) => r.id)).toEqual([recent, sent, old]);
    expect(byDomain.total).toBe(3);
    expect(byDomain.counts).toEqual(await outboxCounts({ db }));

    const failed = await listOutbox({ db, status: 'failed', q: 'filter.example.cn' });
    expect(failed.rows.map((r) => r.id)).toEqual([recent, old]);
    expect(failed.rows[1]).toMatchObject({ lastError: 'timeout', to: ['list.a@filter.example.cn'] });

    expect((await listOutbox({ db, q: '已发' })).rows.map((r) => r.id)).toEqual([sent]);
    expect((await listOutbox({ db, status: 'sent', q: 'list.a@' })).rows).toEqual([]);
    // LIKE wildcards typed into the search box are text, not patterns.
    expect((await listOutbox({ db, q: '%' })).rows).toEqual([]);
    expect((await listOutbox({ db, q: 'list_a' })).rows).toEqual([]);
  });

  it('names each mail kind in zh-CN, and shows an unknown kind as it is', () => {
    expect(mailKindLabel('account.invite')).toBe('账号邀请');
    expect(mailKindLabel('question.low_rating')).toBe('低分评价提醒');
    expect(mailKindLabel('report.weekly')).toBe('report.weekly');
  });
});

describe('kept mail files', () => {
  it('lists the .eml files of the mail folder newest first, and nothing else', async () => {
    const dir = tempDir('dayi-kept');
    const a = `${crypto.randomUUID()}.eml`;
    const b = `${crypto.randomUUID()}.eml`;
    for (const [name, minutesAgo] of [[a, 5], [b, 1], ['notes.txt', 0], [`${crypto.randomUUID()}.eml.tmp`, 0]] as const) {
      writeFileSync(path.join(dir, name), 'Subject: x\n\nbody');
      const when = new Date(Date.now() - minutesAgo * 60_000);
      utimesSync(path.join(dir, name), when, when);
    }
    const { files, total } = await keptMailFiles({ dir });
    expect(files.map((f) => f.name)).toEqual([b, a]);
    expect(total).toBe(2);
    expect(files[0]!.size).toBe('Subject: x\n\nbody'.length);
  });

  it('is empty before any mail was kept', async () => {
    expect(await keptMailFiles({ dir: path.join(tempDir('dayi-kept'), 'mail') })).toEqual({ files: [], total: 0 });
  });
});
