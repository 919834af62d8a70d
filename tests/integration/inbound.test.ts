import { and, desc, eq } from 'drizzle-orm';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inboundMessages, mailOutbox, questionAttachments, questionEvents, questions, users, type Role } from '../../db/schema/index.ts';
import type { AuthUser } from '../../src/server/auth/auth.sessions.ts';
import { replyAddressFor, replyAddressing } from '../../src/server/inbound/inbound.address.ts';
import { startInboundServer, type InboundServer } from '../../src/server/inbound/inbound.server.ts';
import type { InboundDeps } from '../../src/server/inbound/inbound.usecases.ts';
import { startJobs, type Jobs } from '../../src/server/jobs/jobs.ts';
import { claimQuestion, setQuestionStatus } from '../../src/server/questions/desk.usecases.ts';
import type { QuestionRow } from '../../src/server/questions/questions.queries.ts';
import { createQuestion } from '../../src/server/questions/questions.usecases.ts';
import { createFixedClock } from '../../src/server/shared/clock.ts';
import { newId } from '../../src/server/shared/ids.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { bootRuntime, shutdownRuntime } from '../../src/server/runtime/runtime.ts';
import { silentLog, testConfig } from '../helpers/runtime.ts';
import { gb } from '../helpers/gb18030.ts';
import { tempDir } from '../helpers/tmp.ts';

const clock = createFixedClock('2026-11-25T01:30:00Z');
const addressing = { secret: 'inbound-test-secret-'.padEnd(40, 'x'), domain: 'dayi.example.cn' };
const GENERAL = 'help@dayi.example.cn';
const MAX_BYTES = 256 * 1024;
let t: TestDatabase;
let jobs: Jobs;
let deps: InboundDeps;
let server: InboundServer;
let smtp: Transporter;
let engineer: AuthUser;
let colleague: AuthUser;

let n = 0;
async function person(roles: Role[]): Promise<AuthUser> {
  const user = { id: newId(), name: `工程师${++n}`, email: `p${n}@example.cn`, roles, engineerTier: roles.includes('engineer') ? 1 : null, isUnitContact: false, unitId: null, status: 'active' as const };
  await t.database.db.insert(users).values({ ...user, createdAt: clock.now(), updatedAt: clock.now() });
  return user;
}

beforeAll(async () => {
  t = await createTestDatabase();
  jobs = await startJobs({ database: t.database, log: silentLog });
  deps = {
    db: t.database.db,
    clock,
    jobs,
    dutyFallbackEmail: null,
    mailFrom: '答疑 Dayi <dayi@example.cn>',
    baseUrl: 'http://help.local',
    timeZone: 'Asia/Shanghai',
    askRateLimit: 0,
    askAnonymous: true,
    replyAddress: (q) => replyAddressFor(addressing, q),
    addressing,
    newAddress: GENERAL,
    ourAddress: 'dayi@example.cn',
    reopenDays: 30,
    attachmentSettings: { filesDir: tempDir('dayi-inbound-files'), maxFileBytes: 64 * 1024, perQuestion: 3 },
    log: silentLog,
  };
  server = await startInboundServer({ deps: () => deps, host: '127.0.0.1', port: 0, maxBytes: MAX_BYTES, log: silentLog });
  smtp = nodemailer.createTransport({ host: '127.0.0.1', port: server.port, secure: false, ignoreTLS: true });
  engineer = await person(['engineer']);
  colleague = await person(['engineer']);
});
afterAll(async () => {
  smtp?.close();
  await server?.close();
  await jobs?.stop();
  await t?.drop();
});

/** A question asked by 张三 <zhangsan@unit.gov.cn>, taken by `engineer`. */
async function askedAndTaken(): Promise<QuestionRow> {
  const { question } = await createQuestion({
    ...deps,
    input: { kind: 'consult', title: '如何导出双公示数据？', body: '在数据报送页面找不到导出按钮，请问在哪里导出？', email: 'zhangsan@unit.gov.cn', name: '张三' },
    asker: { kind: 'anonymous' },
    channel: 'web',
    clientIp: null,
  });
  const row = await fresh(question.id);
  await claimQuestion({ ...deps, actor: engineer, question: row, version: row.version });
  return fresh(question.id);
}

const fresh = async (id: string) => (await t.database.db.select().from(questions).where(eq(questions.id, id)))[0]!;
const eventsOf = (id: string) => t.database.db.select().from(questionEvents).where(eq(questionEvents.questionId, id)).orderBy(questionEvents.createdAt, questionEvents.id);
const lastEvent = async (id: string) => (await eventsOf(id)).at(-1)!;
const inboundRow = async (messageId: string) => (await t.database.db.select().from(inboundMessages).where(eq(inboundMessages.messageId, messageId)))[0];
const replyTo = (q: QuestionRow) => replyAddressFor(addressing, q);
let m = 0;
const newMessageId = () => `<msg-${++m}-${newId()}@unit.gov.cn>`;

/** Sends over SMTP to our server; resolves with the server's answer, or the SMTP error code it refused with. */
async function send(mail: SendMailOptions): Promise<{ code: number; response: string }> {
  try {
    const info = await smtp.sendMail(mail);
    const response = String(info.response ?? '');
    return { code: Number(response.slice(0, 3)), response };
  } catch (e) {
    const err = e as { responseCode?: number; response?: string };
    return { code: err.responseCode ?? 0, response: err.response ?? String(e) };
  }
}

describe('mail about a question', () => {
  it('carries the question\'s signed reply address as Reply-To, from the receipt on', async () => {
    const q = await askedAndTaken();
    const [receipt] = await t.database.db.select().from(mailOutbox).where(eq(mailOutbox.messageId, q.threadMessageId!));
    expect(receipt!.headers).toMatchObject({ 'Reply-To': `答疑 <${replyTo(q)}>` });
    expect(replyTo(q)).toMatch(new RegExp(`^reply\\+${q.number}-[a-z2-7]{16}@dayi\\.example\\.cn$`));
  });
});

describe('a reply to the reply address', () => {
  let q: QuestionRow;
  beforeEach(async () => {
    q = await askedAndTaken();
  });

  it('from the asker becomes a follow-up, its quoted history stripped', async () => {
    const messageId = newMessageId();
    const sent = await send({
      from: '张三 <zhangsan@unit.gov.cn>',
      to: replyTo(q),
      subject: `回复：[答疑 ${q.number}] 如何导出双公示数据？`,
      messageId,
      inReplyTo: q.threadMessageId!,
      text: '找到了，谢谢。但导出的文件打不开。\n\n------------------ 原始邮件 ------------------\n发件人: "答疑"<dayi@example.cn>;\n发送时间: 2026年11月25日(星期三) 上午9:30\n\n张三，您好：',
    });
    expect(sent.code).toBe(250);
    expect(await lastEvent(q.id)).toMatchObject({ kind: 'followup', internal: false, actorLabel: '张三', body: '找到了，谢谢。但导出的文件打不开。', data: { channel: 'email' } });
    expect(await inboundRow(messageId)).toMatchObject({ outcome: 'followup', questionId: q.id, fromAddress: 'zhangsan@unit.gov.cn' });
    expect((await fresh(q.id)).status).toBe('assigned');
  });

  it('from the assigned engineer is an answer, mailed on to the asker', async () => {
    const messageId = newMessageId();
    expect((await send({ from: engineer.email, to: replyTo(q).toUpperCase(), subject: `RE: [答疑 ${q.number}] 如何导出双公示数据？`, messageId, text: '请在“数据报送 → 历史记录”页面右上角点击“导出”。\n\n-----Original Message-----\nFrom: 答疑' })).code).toBe(250);
    expect(await lastEvent(q.id)).toMatchObject({ kind: 'replied', actorId: engineer.id, body: '请在“数据报送 → 历史记录”页面右上角点击“导出”。', data: { channel: 'email' } });
    const [mail] = await t.database.db.select().from(mailOutbox).where(eq(mailOutbox.kind, 'question.reply')).orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id)).limit(1);
    expect(mail).toMatchObject({ to: ['zhangsan@unit.gov.cn'], headers: { 'In-Reply-To': q.threadMessageId, 'Reply-To': `答疑 <${replyTo(q)}>` } });
    expect(mail!.text).toContain('历史记录');
    expect(await inboundRow(messageId)).toMatchObject({ outcome: 'reply', questionId: q.id });
    expect((await fresh(q.id)).status).toBe('answered');
  });

  it('from another engineer is an internal note in their name', async () => {
    const messageId = newMessageId();
    expect((await send({ from: colleague.email, to: replyTo(q), subject: 'Re: 如何导出', messageId, text: '这个问题上周也有人问过，见 FAQ。' })).code).toBe(250);
    expect(await lastEvent(q.id)).toMatchObject({ kind: 'note', internal: true, actorId: colleague.id, body: '这个问题上周也有人问过，见 FAQ。' });
    expect(await inboundRow(messageId)).toMatchObject({ outcome: 'note' });
  });

  it('from a stranger is an internal note saying who it came from, never mailed to the asker', async () => {
    const messageId = newMessageId();
    const before = await t.database.db.$count(mailOutbox);
    expect((await send({ from: '李四 <lisi@other.cn>', to: replyTo(q), subject: 'Re: 如何导出', messageId, text: '我们单位也遇到了同样的问题。' })).code).toBe(250);
    expect(await lastEvent(q.id)).toMatchObject({ kind: 'email_received', internal: true, actorId: null, actorLabel: '李四 <lisi@other.cn>', body: '我们单位也遇到了同样的问题。' });
    expect(await t.database.db.$count(mailOutbox)).toBe(before);
    expect(await inboundRow(messageId)).toMatchObject({ outcome: 'note', fromAddress: 'lisi@other.cn' });
  });

  it('keeps files that pass the web form\'s checks and notes the refused ones; a signature logo is no file', async () => {
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
    const messageId = newMessageId();
    const sent = await send({
      from: 'zhangsan@unit.gov.cn',
      to: replyTo(q),
      subject: '回复：截图',
      messageId,
      text: '截图见附件。',
      html: '<p>截图见附件。</p><img src="cid:logo">',
      attachments: [
        { filename: '错误截图.png', content: png },
        { filename: '说明.pdf', content: Buffer.from('MZ\x90\x00\x03\x00\x00\x00 this is a program', 'latin1') },
        { cid: 'logo', filename: false, content: png, contentDisposition: 'inline', contentType: 'image/png' },
      ],
    });
    expect(sent.code).toBe(250);
    const events = await eventsOf(q.id);
    const followup = events.find((e) => e.kind === 'followup')!;
    const files = await t.database.db.select().from(questionAttachments).where(eq(questionAttachments.questionId, q.id));
    expect(files.map((f) => [f.fileName, f.eventId, f.fromAsker])).toEqual([['错误截图.png', followup.id, true]]);
    expect(events.at(-1)).toMatchObject({ kind: 'note', internal: true, body: expect.stringContaining('“说明.pdf”的内容与文件类型不符') });
  });

  it('on a closed question is refused, and the asker is told how to reopen it', async () => {
    const closed = await setQuestionStatus({ ...deps, actor: engineer, question: q, version: q.version, status: 'closed' });
    const messageId = newMessageId();
    expect((await send({ from: 'zhangsan@unit.gov.cn', to: replyTo(closed.question), subject: '还是不行', messageId, text: '问题又出现了。' })).code).toBe(250);
    expect((await lastEvent(q.id)).kind).toBe('status_changed');
    expect(await inboundRow(messageId)).toMatchObject({ outcome: 'rejected', reason: 'question is closed' });
    const [notice] = await t.database.db.select().from(mailOutbox).where(eq(mailOutbox.kind, 'inbound.not_added'));
    expect(notice).toMatchObject({ to: ['zhangsan@unit.gov.cn'], headers: { 'Auto-Submitted': 'auto-replied' } });
    expect(notice!.text).toContain('重新打开');
  });

  it('that was delivered before is recorded as a duplicate and nothing else', async () => {
    const messageId = newMessageId();
    const mail = { from: 'zhangsan@unit.gov.cn', to: replyTo(q), subject: '补充', messageId, text: '补充一点：用的是 Chrome。' };
    await send(mail);
    await send(mail);
    expect((await eventsOf(q.id)).filter((e) => e.kind === 'followup')).toHaveLength(1);
    const rows = await t.database.db.select().from(inboundMessages).where(and(eq(inboundMessages.questionId, q.id)));
    expect(rows.map((r) => r.outcome)).toEqual(['followup']);
    expect(await t.database.db.select().from(inboundMessages).where(eq(inboundMessages.reason, `Message-ID ${messageId} seen before`))).toHaveLength(1);
  });
});

describe('mail that is refused', () => {
  it.each([
    ['a forged token', async (q: QuestionRow) => `reply+${q.number}-abcdefghijklmnop@dayi.example.cn`],
    ['another question\'s token', async (q: QuestionRow) => replyTo(await askedAndTaken()).replace(/\+\d{8}-\d{4}-/, `+${q.number}-`)],
    ['an unknown address', async () => 'postmaster-test@dayi.example.cn'],
    ['another domain', async (q: QuestionRow) => replyTo(q).replace('dayi.example.cn', 'example.cn')],
  ])('with %s is refused at RCPT with 550, and nothing is recorded', async (_case, address) => {
    const q = await askedAndTaken();
    const messageId = newMessageId();
    const before = (await eventsOf(q.id)).length;
    const sent = await send({ from: 'zhangsan@unit.gov.cn', to: await address(q), subject: '回复', messageId, text: '补充说明。' });
    expect(sent.code).toBe(550);
    expect(await eventsOf(q.id)).toHaveLength(before);
    expect(await inboundRow(messageId)).toBeUndefined();
  });

  it('over INBOUND_MAX_MB is refused at DATA with 552 and recorded as rejected', async () => {
    const q = await askedAndTaken();
    const before = (await eventsOf(q.id)).length;
    const sent = await send({ from: 'zhangsan@unit.gov.cn', to: replyTo(q), subject: '大附件', text: '见附件。', attachments: [{ filename: 'big.zip', content: Buffer.alloc(MAX_BYTES, 1) }] });
    expect(sent.code).toBe(552);
    expect(await eventsOf(q.id)).toHaveLength(before);
    const [row] = await t.database.db.select().from(inboundMessages).where(eq(inboundMessages.toAddress, replyTo(q)));
    expect(row).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/^too large/) });
  });

  it.each([
    ['an out-of-office reply', { 'Auto-Submitted': 'auto-replied' }, '自动回复：我正在休假'],
    ['an Exchange auto-reply', { 'X-Autoreply': 'yes' }, '答复: 如何导出'],
    ['a mailing list', { Precedence: 'list' }, '答复: 如何导出'],
    ['our own mail come back', { 'X-Dayi': 'question.reply' }, '回复：[答疑] 如何导出'],
  ])('creates no event for %s', async (_case, headers, subject) => {
    const q = await askedAndTaken();
    const before = (await eventsOf(q.id)).length;
    const messageId = newMessageId();
    expect((await send({ from: 'zhangsan@unit.gov.cn', to: replyTo(q), subject, messageId, headers, text: '我 12 月 1 日前不在办公室。' })).code).toBe(250);
    expect(await eventsOf(q.id)).toHaveLength(before);
    expect(await inboundRow(messageId)).toMatchObject({ outcome: 'auto_reply', questionId: q.id });
  });
});

describe('mail to the general address', () => {
  it('without threading headers finds its question by the number in its subject, when the asker sends it', async () => {
    const q = await askedAndTaken();
    const messageId = newMessageId();
    expect((await send({ from: 'zhangsan@unit.gov.cn', to: GENERAL, subject: `回复：[答疑 ${q.number}] 如何导出双公示数据？`, messageId, text: '补充：浏览器是 360 安全浏览器。' })).code).toBe(250);
    expect(await lastEvent(q.id)).toMatchObject({ kind: 'followup', body: '补充：浏览器是 360 安全浏览器。' });
    expect(await inboundRow(messageId)).toMatchObject({ outcome: 'followup', questionId: q.id, toAddress: GENERAL, reason: 'found by subject' });
  });

  it('finds its question by In-Reply-To, the Message-ID of any of our mails about it', async () => {
    const q = await askedAndTaken();
    const [claimedMail] = await t.database.db.select().from(mailOutbox).where(eq(mailOutbox.messageId, q.threadMessageId!));
    const messageId = newMessageId();
    expect((await send({ from: 'zhangsan@unit.gov.cn', to: GENERAL, subject: 'Re: 你好', messageId, inReplyTo: claimedMail!.messageId, text: '已经解决了。' })).code).toBe(250);
    expect(await inboundRow(messageId)).toMatchObject({ outcome: 'followup', questionId: q.id, reason: 'found by thread' });
  });

  it('opens a new question (channel 邮件) when it names no question, with the sender as contact and a receipt to reply to', async () => {
    const messageId = newMessageId();
    expect((await send({ from: '王五 <wangwu@unit.gov.cn>', to: GENERAL, subject: '信用修复申请提交后一直显示审核中', messageId, text: '上周提交的信用修复申请，到现在还显示审核中，请问正常要多久？\n\n--\n王五' })).code).toBe(250);
    const row = (await inboundRow(messageId))!;
    expect(row.outcome).toBe('question');
    const created = await fresh(row.questionId!);
    expect(created).toMatchObject({ channel: 'email', kind: 'consult', title: '信用修复申请提交后一直显示审核中', body: '上周提交的信用修复申请，到现在还显示审核中，请问正常要多久？', contactEmail: 'wangwu@unit.gov.cn', contactName: '王五' });
    const [receipt] = await t.database.db.select().from(mailOutbox).where(eq(mailOutbox.messageId, created.threadMessageId!));
    expect(receipt!.headers).toMatchObject({ 'Reply-To': `答疑 <${replyTo(created)}>` });
  });

  it('from a stranger quoting another question\'s number opens a new question instead of writing on that one', async () => {
    const q = await askedAndTaken();
    const before = (await eventsOf(q.id)).length;
    const messageId = newMessageId();
    await send({ from: 'guess@other.cn', to: GENERAL, subject: `[答疑 ${q.number}] 我也想看看`, messageId, text: '这个问题的处理结果是什么？' });
    expect(await eventsOf(q.id)).toHaveLength(before);
    expect(await inboundRow(messageId)).toMatchObject({ outcome: 'question' });
  });

  it('from someone without an account is refused when anonymous asking is off', async () => {
    const messageId = newMessageId();
    const open = deps;
    deps = { ...deps, askAnonymous: false };
    try {
      expect((await send({ from: 'nobody@other.cn', to: GENERAL, subject: '咨询信用报告的开具流程', messageId, text: '请问信用报告在哪里开具，需要什么材料？' })).code).toBe(250);
    } finally {
      deps = open;
    }
    expect(await inboundRow(messageId)).toMatchObject({ outcome: 'rejected', questionId: null, reason: 'anonymous asking is off and the sender has no account' });
  });
});

describe('what a reply says', () => {
  it('is read from a GBK body labelled gb2312, with characters outside GB2312, and an RFC 2047 subject', async () => {
    const q = await askedAndTaken();
    const messageId = newMessageId();
    const raw = Buffer.concat([
      Buffer.from(
        [
          `From: =?gb2312?B?${gb.name.toString('base64')}?= <zhangsan@unit.gov.cn>`,
          `To: ${replyTo(q)}`,
          `Subject: =?gb2312?B?${gb.subject.toString('base64')}?=`,
          `Message-ID: ${messageId}`,
          'MIME-Version: 1.0',
          'Content-Type: text/plain; charset="gb2312"',
          'Content-Transfer-Encoding: base64',
          '',
          gb.body.toString('base64'),
          '',
        ].join('\r\n'),
      ),
    ]);
    expect((await send({ envelope: { from: 'zhangsan@unit.gov.cn', to: [replyTo(q)] }, raw })).code).toBe(250);
    expect(await lastEvent(q.id)).toMatchObject({ kind: 'followup', body: gb.bodyText });
    expect(await inboundRow(messageId)).toMatchObject({ subject: gb.subjectText });
  });

  const answer = '重启浏览器后可以导出了，谢谢！';
  const quoted: [string, SendMailOptions][] = [
    ['QQ Mail', { text: `${answer}\n\n\n------------------\u00a0原始邮件\u00a0------------------\n发件人: "答疑"<dayi@example.cn>;\n发送时间: 2026年11月25日(星期三) 上午9:30\n收件人: "张三"<zhangsan@unit.gov.cn>;\n主题: 回复：[答疑] 如何导出\n\n张三，您好：` }],
    ['Foxmail', { text: `${answer}\n\n\n\nzhangsan@unit.gov.cn\n\n在 2026-11-25 09:30:12，"答疑" <dayi@example.cn> 写道：\n张三，您好：` }],
    [
      'Outlook (HTML only)',
      {
        html: `<html><body><div>${answer}</div><div><br></div><div style="border-top:solid #E1E1E1 1.0pt"><p><b>发件人:</b> 答疑 &lt;dayi@example.cn&gt;<br><b>发送时间:</b> 2026年11月25日 9:30<br><b>收件人:</b> 张三 &lt;zhangsan@unit.gov.cn&gt;<br><b>主题:</b> 回复：[答疑] 如何导出</p></div><p>张三，您好：</p></body></html>`,
      },
    ],
    ['NetEase 163', { text: `${answer}\n\n\n\n\n\n在 2026年11月25日 09:30，"答疑"<dayi@example.cn> 写道：\n\n张三，您好：` }],
  ];
  it.each(quoted)('keeps only the new text of a reply from %s', async (_client, content) => {
    const q = await askedAndTaken();
    expect((await send({ from: 'zhangsan@unit.gov.cn', to: replyTo(q), subject: '回复：如何导出', messageId: newMessageId(), ...content })).code).toBe(250);
    expect(await lastEvent(q.id)).toMatchObject({ kind: 'followup', body: answer });
  });
});

describe('the runtime', () => {
  it('receives mail only when INBOUND_SMTP_PORT is set, and stops at shutdown', async () => {
    expect(replyAddressing(testConfig())).toBeUndefined();
    const config = testConfig({ INBOUND_SMTP_PORT: '0', INBOUND_SMTP_HOST: '127.0.0.1', INBOUND_MAIL_DOMAIN: 'dayi.example.cn', ...(t.url ? { DATABASE_URL: t.url } : {}) });
    const rt = await bootRuntime({ config, log: silentLog, clock });
    const client = nodemailer.createTransport({ host: '127.0.0.1', port: rt.inbound!.port, secure: false, ignoreTLS: true });
    try {
      expect(rt.replyAddress!({ id: newId(), number: '20261125-0001' })).toMatch(/^reply\+20261125-0001-[a-z2-7]{16}@dayi\.example\.cn$/);
      await expect(client.sendMail({ from: 'a@unit.gov.cn', to: 'nobody@dayi.example.cn', text: 'x' })).rejects.toMatchObject({ responseCode: 550 });
    } finally {
      client.close();
      await shutdownRuntime(rt);
    }
    const after = nodemailer.createTransport({ host: '127.0.0.1', port: rt.inbound!.port, secure: false, ignoreTLS: true, connectionTimeout: 2000 });
    await expect(after.sendMail({ from: 'a@unit.gov.cn', to: 'nobody@dayi.example.cn', text: 'x' })).rejects.toMatchObject({ code: 'ESOCKET' });
  });
});
