import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailOutbox } from '../../db/schema/index.ts';
import type { Jobs } from '../../src/server/jobs/jobs.ts';
import { deliverOutboxMail, MAX_MAIL_ATTEMPTS, outboxCounts, queueMail, retryDelayMs } from '../../src/server/mail/mail.outbox.ts';
import { createMailTransport, type MailTransport } from '../../src/server/mail/mail.transport.ts';
import { createFixedClock } from '../../src/server/shared/clock.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { startDeliveringOutbox } from '../helpers/outbox.ts';
import { startSmtpServer } from '../helpers/smtp.ts';
import { tempDir } from '../helpers/tmp.ts';
import { waitFor } from '../helpers/wait.ts';

const from = '答疑 Dayi <dayi@help.example.cn>';
const clock = createFixedClock('2026-11-24T06:00:00Z');
let t: TestDatabase;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let transport: MailTransport;
let jobs: Jobs;

let world: Awaited<ReturnType<typeof startDeliveringOutbox>>;
/** A database no worker sweeps, for calling deliverOutboxMail by hand. */
let bare: TestDatabase;

beforeAll(async () => {
  world = await startDeliveringOutbox({ from, clock });
  ({ t, smtp, transport, jobs } = world);
  bare = await createTestDatabase();
});

afterAll(async () => {
  await world?.stop();
  await bare?.drop();
});

const rowOf = async (db: TestDatabase, id: string) => (await db.database.db.select().from(mailOutbox).where(eq(mailOutbox.id, id)))[0];

const invite = { kind: 'account.invite', to: ['zhang.san@unit.example.cn'], subject: '欢迎使用答疑', text: '请点击链接设置密码。' };

describe('mail outbox', () => {
  it('delivers a mail queued in a committed transaction exactly once, by the outbox worker', async () => {
    const { id, messageId } = await t.database.db.transaction((tx) =>
      queueMail({ tx, jobs, clock, from, mail: invite }),
    );
    const row = await waitFor(async () => {
      const [r] = await t.database.db.select().from(mailOutbox).where(eq(mailOutbox.id, id));
      return r?.status === 'sent' ? r : undefined;
    });
    expect(row.attempts).toBe(1);
    const got = smtp.received.filter((m) => m.raw.includes(messageId));
    expect(got).toHaveLength(1);
    expect(got[0]!.to).toEqual(['zhang.san@unit.example.cn']);
    expect(got[0]!.raw).toMatch(/Subject: =\?UTF-8\?/);
  });

  it('writes no mail, and sends none, when the transaction rolls back', async () => {
    let queued = { id: '', messageId: '' };
    await expect(
      t.database.db.transaction(async (tx) => {
        queued = await queueMail({ tx, jobs, clock, from, mail: invite });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await rowOf(t, queued.id)).toBeUndefined();
    await new Promise((r) => setTimeout(r, 1500)); // a sweep
    expect(smtp.received.filter((m) => m.raw.includes(queued.messageId))).toEqual([]);
  });

  it('delivers a committed mail nobody woke the worker for (its process died first) at the next sweep', async () => {
    const id = crypto.randomUUID();
    await t.database.db.insert(mailOutbox).values({ id, createdAt: clock.now(), kind: 'test', to: ['orphan@unit.example.cn'], subject: '无人唤醒', text: '正文', messageId: `<swept-${id}@x>` });
    await waitFor(async () => ((await rowOf(t, id))?.status === 'sent' ? true : undefined), 5000);
    expect(smtp.received.filter((m) => m.raw.includes(`<swept-${id}@x>`))).toHaveLength(1);
  });

  it('sends a row left `sending` by a worker that died, once its lease is over, and not before', async () => {
    const id = crypto.randomUUID();
    const messageId = `<lease-${id}@x>`;
    await t.database.db.insert(mailOutbox).values({ id, createdAt: clock.now(), kind: 'test', to: ['z@unit.example.cn'], subject: 's', text: 't', messageId, status: 'sending', attempts: 1, lockedUntil: new Date(clock.now().getTime() + 5000) });
    await new Promise((r) => setTimeout(r, 1500)); // a sweep, inside the lease
    expect(await rowOf(t, id)).toMatchObject({ status: 'sending', attempts: 1 });
    clock.advance(6000);
    await waitFor(async () => ((await rowOf(t, id))?.status === 'sent' ? true : undefined), 5000);
    expect(smtp.received.filter((m) => m.raw.includes(messageId))).toHaveLength(1);
  });

  it('tries a refused mail again once its wait is over, not before', async () => {
    smtp.rejectNext(1);
    const { id, messageId } = await t.database.db.transaction((tx) => queueMail({ tx, jobs, clock, from, mail: { ...invite, to: ['later@unit.example.cn'] } }));
    const refused = await waitFor(async () => {
      const r = await rowOf(t, id);
      return r?.status === 'pending' && r.attempts === 1 ? r : undefined;
    });
    expect(refused.lastError).toMatch(/try again later/);
    expect(refused.lockedUntil).toEqual(new Date(clock.now().getTime() + retryDelayMs(1)));
    await new Promise((r) => setTimeout(r, 1500)); // a sweep, inside the wait
    expect(await rowOf(t, id)).toMatchObject({ status: 'pending', attempts: 1 });
    clock.advance(retryDelayMs(1));
    const sent = await waitFor(async () => {
      const r = await rowOf(t, id);
      return r?.status === 'sent' ? r : undefined;
    });
    expect(sent).toMatchObject({ attempts: 2, lastError: null });
    expect(smtp.received.filter((m) => m.raw.includes(messageId))).toHaveLength(1);
  });
});

describe('delivering one outbox row (deliverOutboxMail)', () => {
  it('keeps a mail the server refused and sends it on the retry', async () => {
    const { id } = await bare.database.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(mailOutbox)
        .values({ id: crypto.randomUUID(), createdAt: clock.now(), kind: 'test', to: ['li.si@unit.example.cn'], subject: '重试', text: '正文', messageId: `<retry-${Date.now()}@help.example.cn>` })
        .returning();
      return row!;
    });
    smtp.rejectNext(1);
    await expect(deliverOutboxMail({ db: bare.database.db, transport, clock, from, id })).rejects.toThrow();
    let [row] = await bare.database.db.select().from(mailOutbox).where(eq(mailOutbox.id, id));
    expect(row).toMatchObject({ status: 'pending', attempts: 1, lockedUntil: new Date(clock.now().getTime() + retryDelayMs(1)) });
    expect(row!.lastError).toMatch(/try again later/);
    await expect(deliverOutboxMail({ db: bare.database.db, transport, clock, from, id })).resolves.toEqual({ status: 'sent' });
    [row] = await bare.database.db.select().from(mailOutbox).where(eq(mailOutbox.id, id));
    expect(row).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
    // Delivering a sent row again sends nothing.
    const before = smtp.received.length;
    await expect(deliverOutboxMail({ db: bare.database.db, transport, clock, from, id })).resolves.toEqual({ status: 'skipped' });
    expect(smtp.received.length).toBe(before);
  });

  it('marks a mail failed after the last attempt, for an admin to see', async () => {
    const id = crypto.randomUUID();
    await bare.database.db.insert(mailOutbox).values({ id, createdAt: clock.now(), kind: 'test', to: ['x@unit.example.cn'], subject: 's', text: 't', messageId: `<fail-${id}@x>`, attempts: MAX_MAIL_ATTEMPTS - 1 });
    smtp.rejectNext(1);
    await expect(deliverOutboxMail({ db: bare.database.db, transport, clock, from, id })).resolves.toEqual({ status: 'failed' });
    expect((await outboxCounts({ db: bare.database.db })).failed).toBe(1);
    expect(await rowOf(bare, id)).toMatchObject({ status: 'failed', lockedUntil: null });
  });

  it('sends once when two workers race for the same row; the loser leaves it alone', async () => {
    const id = crypto.randomUUID();
    const messageId = `<race-${id}@x>`;
    await bare.database.db.insert(mailOutbox).values({ id, createdAt: clock.now(), kind: 'test', to: ['y@unit.example.cn'], subject: 's', text: 't', messageId });
    const results = await Promise.allSettled([
      deliverOutboxMail({ db: bare.database.db, transport, clock, from, id }),
      deliverOutboxMail({ db: bare.database.db, transport, clock, from, id }),
    ]);
    const outcomes = results.map((r) => (r.status === 'fulfilled' ? r.value.status : 'error')).sort();
    // The loser meets the row while it is being sent or after it was sent: either way it leaves it alone.
    expect(outcomes).toEqual(['sent', 'skipped']);
    await expect(deliverOutboxMail({ db: bare.database.db, transport, clock, from, id })).resolves.toEqual({ status: 'skipped' });
    expect(smtp.received.filter((m) => m.raw.includes(messageId))).toHaveLength(1);
  });

  it('takes over a row whose worker died while sending, once its lease is over', async () => {
    const id = crypto.randomUUID();
    const messageId = `<orphan-${id}@x>`;
    const stale = new Date(clock.now().getTime() - 1000);
    await bare.database.db.insert(mailOutbox).values({ id, createdAt: clock.now(), kind: 'test', to: ['z@unit.example.cn'], subject: 's', text: 't', messageId, status: 'sending', attempts: 1, lockedUntil: stale });
    await expect(deliverOutboxMail({ db: bare.database.db, transport, clock, from, id })).resolves.toEqual({ status: 'sent' });
    expect(smtp.received.filter((m) => m.raw.includes(messageId))).toHaveLength(1);
  });

  it('keeps mail as one .eml file per row when no SMTP server is configured', async () => {
    const dir = tempDir('dayi-mail');
    const files = createMailTransport({ kind: 'files', dir });
    const mail = { id: 'row-1', from, to: ['a@b.cn'], subject: '主题', text: '你好', messageId: '<row-1@x>' };
    await files.send(mail);
    await files.send(mail);
    expect(readdirSync(dir)).toEqual(['row-1.eml']);
    const raw = readFileSync(path.join(dir, 'row-1.eml'), 'utf8');
    expect(raw).toContain('Message-ID: <row-1@x>');
    expect(existsSync(path.join(dir, 'row-1.eml.tmp'))).toBe(false);
  });
});
