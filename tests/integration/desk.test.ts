import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailOutbox, questionEvents, questions, units, users, type Role } from '../../db/schema/index.ts';
import type { AuthUser } from '../../src/server/auth/auth.sessions.ts';
import { startJobs, type Jobs } from '../../src/server/jobs/jobs.ts';
import { addNote, assignQuestion, claimQuestion, classifyQuestion, mergeQuestion, replyToQuestion, setQuestionStatus } from '../../src/server/questions/desk.usecases.ts';
import { deskCounts, listDeskQueue, timeline, type QuestionRow } from '../../src/server/questions/questions.queries.ts';
import { createQuestion, type QuestionDeps } from '../../src/server/questions/questions.usecases.ts';
import { createFixedClock } from '../../src/server/shared/clock.ts';
import { newId } from '../../src/server/shared/ids.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { silentLog } from '../helpers/runtime.ts';

const clock = createFixedClock('2026-11-25T01:30:00Z');
let t: TestDatabase;
let jobs: Jobs;
let deps: QuestionDeps;
let unitId: string;
let alice: AuthUser;
let bob: AuthUser;

let n = 0;
async function person(roles: Role[], status: 'active' | 'disabled' = 'active'): Promise<AuthUser> {
  const user = { id: newId(), name: `工程师${++n}`, email: `p${n}@example.cn`, roles, engineerTier: roles.includes('engineer') ? 1 : null, isUnitContact: false, unitId: null, status };
  await t.database.db.insert(users).values({ ...user, createdAt: clock.now(), updatedAt: clock.now() });
  return user;
}

beforeAll(async () => {
  t = await createTestDatabase();
  jobs = await startJobs({ database: t.database, log: silentLog });
  deps = { db: t.database.db, clock, jobs, mailFrom: 'Dayi <dayi@example.cn>', baseUrl: 'http://help.local', timeZone: 'Asia/Shanghai', askRateLimit: 0, askAnonymous: true, dutyFallbackEmail: null };
  unitId = newId();
  await t.database.db.insert(units).values({ id: unitId, name: '示例信用中心', code: 'XYZX', createdAt: clock.now() });
  alice = await person(['engineer']);
  bob = await person(['engineer']);
});
afterAll(async () => {
  await jobs?.stop();
  await t?.drop();
});

/** A fresh question from an asker of the unit, as read from the database. */
async function ask(title = '上报数据时提示格式错误', email = 'asker@example.cn'): Promise<QuestionRow> {
  const { question } = await createQuestion({ ...deps, input: { kind: 'consult', title, body: '按手册操作后仍然提示格式错误，请帮忙看看。', email, unit: 'XYZX' }, asker: { kind: 'anonymous' }, channel: 'web', clientIp: null });
  return load(question.id);
}
const load = async (id: string) => (await t.database.db.select().from(questions).where(eq(questions.id, id)))[0]!;
const eventsOf = (id: string) => t.database.db.select().from(questionEvents).where(eq(questionEvents.questionId, id));
const mailsOf = async (kind: string) => t.database.db.select().from(mailOutbox).where(eq(mailOutbox.kind, kind));
const as = (actor: AuthUser, question: QuestionRow, version = question.version) => ({ ...deps, actor, question, version });

describe('the desk queues', () => {
  it('shows a new question as unassigned and counts it, then as the claimer’s own', async () => {
    const q = await ask('队列里的新问题');
    const before = await deskCounts({ db: deps.db, viewer: alice, now: clock.now() });
    expect((await listDeskQueue({ db: deps.db, viewer: alice, queue: 'unassigned', filters: { q: q.number } })).rows.map((r) => r.title)).toEqual(['队列里的新问题']);
    await claimQuestion(as(alice, q));
    const after = await deskCounts({ db: deps.db, viewer: alice, now: clock.now() });
    expect(after).toEqual({ ...before, mine: before.mine + 1, unassigned: before.unassigned - 1 });
    const mine = await listDeskQueue({ db: deps.db, viewer: alice, queue: 'mine', filters: { q: '队列里' } });
    expect(mine.rows.map((r) => [r.number, r.unitName, r.assigneeName])).toEqual([[q.number, '示例信用中心', alice.name]]);
  });

  it('lists questions about to miss their next deadline, then those that missed it, by deadline; a paused clock in neither', async () => {
    const q = await ask('快到时限的问题');
    const at = (minutes: number) => new Date(clock.now().getTime() + minutes * 60_000);
    const numbers = async (queue: 'due_soon' | 'overdue', now: Date) => (await listDeskQueue({ db: deps.db, viewer: alice, queue, now })).rows.map((r) => r.number);
    // Just asked: the first reply is due in an hour, which is 即将超时 already.
    expect(await numbers('due_soon', at(0))).toContain(q.number);
    expect(await numbers('overdue', at(0))).not.toContain(q.number);
    expect(await numbers('overdue', at(61))).toContain(q.number);
    const row = (await listDeskQueue({ db: deps.db, viewer: alice, queue: 'overdue', now: at(61), filters: { q: q.number } })).rows[0]!;
    expect(row.nextDueAt).toEqual(at(60));
    // Answered: the next deadline is the resolution, 4 h after arrival.
    const answered = (await replyToQuestion({ ...as(alice, q), body: '已收到，正在排查。' })).question;
    expect(await numbers('overdue', at(61))).not.toContain(q.number);
    expect(await numbers('due_soon', at(200))).toContain(q.number);
    await replyToQuestion({ ...as(alice, answered), body: '请提供截图。', waitForAsker: true });
    expect(await numbers('due_soon', at(200))).not.toContain(q.number);
    expect(await numbers('overdue', at(300))).not.toContain(q.number);
  });
});

describe('claiming and assigning', () => {
  it('claims a new question: it becomes the engineer’s, 处理中, with a timeline event', async () => {
    const q = await ask();
    const { question } = await claimQuestion(as(alice, q));
    expect(question).toMatchObject({ assigneeId: alice.id, status: 'assigned', version: q.version + 1 });
    expect((await eventsOf(q.id)).map((e) => [e.kind, e.actorId])).toContainEqual(['claimed', alice.id]);
    await expect(claimQuestion(as(alice, question))).rejects.toMatchObject({ code: 'questions.state', status: 409 });
  });

  it('transfers a question to another engineer and names them on the timeline', async () => {
    const q = await ask();
    const { question } = await claimQuestion(as(alice, q));
    const moved = await assignQuestion({ ...as(alice, question), assigneeId: bob.id });
    expect(moved.question).toMatchObject({ assigneeId: bob.id, status: 'assigned' });
    const entries = await timeline({ db: deps.db, questionId: q.id, withInternal: false });
    expect(entries.at(-1)).toMatchObject({ kind: 'assigned', actor: alice.name, data: { from: alice.id, to: bob.id, toName: bob.name } });
  });

  it.each([
    ['a member', () => person(['member'])],
    ['a trainer', () => person(['trainer'])],
    ['a disabled engineer', () => person(['engineer'], 'disabled')],
  ])('refuses to assign to %s, and writes nothing', async (_, who) => {
    const q = await ask();
    const target = await who();
    await expect(assignQuestion({ ...as(alice, q), assigneeId: target.id })).rejects.toMatchObject({ status: 400, fields: { assigneeId: expect.any(String) } });
    expect(await load(q.id)).toMatchObject({ assigneeId: null, version: q.version });
    expect((await eventsOf(q.id)).map((e) => e.kind)).toEqual(['submitted']);
  });

  it('refuses an assignee id that is not a uuid with a 400, not a database error', async () => {
    const q = await ask();
    await expect(assignQuestion({ ...as(alice, q), assigneeId: 'nobody' })).rejects.toMatchObject({ status: 400 });
  });
});

describe('replying', () => {
  it('answers the asker: 已答复, first reply stamped, a threaded mail with absolute links', async () => {
    const q = await ask('导出报表失败');
    clock.advance(20 * 60_000);
    const body = '请按[忘记密码](/faq/account-forgot-password)里的步骤重新登录后再导出。';
    const { question } = await replyToQuestion({ ...as(alice, q), body });
    expect(question).toMatchObject({ status: 'answered', assigneeId: alice.id, firstRepliedAt: clock.now() });
    const mail = (await mailsOf('question.reply')).find((m) => m.subject.includes(q.number))!;
    expect(mail.subject).toBe(`回复：[答疑 ${q.number}] 导出报表失败`);
    expect(mail.to).toEqual(['asker@example.cn']);
    expect(q.threadMessageId).toMatch(/^<.+@example\.cn>$/);
    expect(mail.headers).toMatchObject({ 'In-Reply-To': q.threadMessageId, References: q.threadMessageId });
    expect(mail.text).toContain('(http://help.local/faq/account-forgot-password)');
    expect(mail.html).toContain('href="http://help.local/faq/account-forgot-password"');
    // The timeline keeps the reply as typed (a link within the site).
    expect((await eventsOf(q.id)).find((e) => e.kind === 'replied')!.body).toBe(body);

    clock.advance(60 * 60_000);
    const again = await replyToQuestion({ ...as(bob, question), body: '补充：也可以联系管理员。' });
    expect(again.question.firstRepliedAt).toEqual(question.firstRepliedAt);
  });

  it('refuses an empty reply with a zh-CN field message', async () => {
    const q = await ask();
    await expect(replyToQuestion({ ...as(alice, q), body: '   ' })).rejects.toMatchObject({ status: 400, fields: { body: '请填写内容。' } });
  });
});

describe('internal notes', () => {
  it('shows a note to engineers only: never in the asker’s timeline, never in a mail', async () => {
    const q = await ask();
    const secret = '内部备注：疑似该单位账号被共用，先别告诉提问人';
    const { question } = await addNote({ ...as(alice, q), body: secret });
    await replyToQuestion({ ...as(alice, question), body: '已收到，正在处理。' });
    const staff = await timeline({ db: deps.db, questionId: q.id, withInternal: true });
    expect(staff.find((e) => e.kind === 'note')).toMatchObject({ internal: true, body: secret, actor: alice.name });
    const asker = await timeline({ db: deps.db, questionId: q.id, withInternal: false });
    expect(asker.map((e) => e.kind)).toEqual(['submitted', 'replied']);
    expect(JSON.stringify(asker)).not.toContain('共用');
    const outbox = await t.database.db.select().from(mailOutbox);
    expect(outbox.filter((m) => `${m.subject}${m.text}${m.html}`.includes('共用'))).toEqual([]);
  });
});

describe('two engineers at once', () => {
  it('keeps the first reply and refuses the second with a zh-CN 409, writing nothing of it', async () => {
    const q = await ask('两人同时处理');
    // Both opened the page at the same version.
    await replyToQuestion({ ...as(alice, q), body: '第一位工程师的答复' });
    const late = replyToQuestion({ ...as(bob, q), body: '第二位工程师的答复' });
    await expect(late).rejects.toMatchObject({ code: 'questions.stale', status: 409, message: expect.stringContaining('刚刚被其他人更新过') });
    expect((await load(q.id)).version).toBe(q.version + 1);
    expect((await eventsOf(q.id)).map((e) => e.body)).not.toContain('第二位工程师的答复');
    expect((await t.database.db.select().from(mailOutbox)).filter((m) => m.text.includes('第二位工程师'))).toEqual([]);
  });

  it('lets exactly one of two simultaneous changes through', async () => {
    const q = await ask();
    const results = await Promise.allSettled([claimQuestion(as(alice, q)), addNote({ ...as(bob, q), body: '同时写的备注' })]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'questions.stale' } });
    expect((await load(q.id)).version).toBe(q.version + 1);
    expect(await eventsOf(q.id)).toHaveLength(2);
  });
});

describe('status changes', () => {
  it('resolves, closes and reopens, each on the timeline and mailed to the asker', async () => {
    const q = await ask('状态流转');
    const resolved = (await setQuestionStatus({ ...as(alice, q), status: 'resolved' })).question;
    expect(resolved).toMatchObject({ status: 'resolved', resolvedAt: clock.now() });
    const closed = (await setQuestionStatus({ ...as(alice, resolved), status: 'closed' })).question;
    expect(closed).toMatchObject({ status: 'closed', closedAt: clock.now() });
    const reopened = (await setQuestionStatus({ ...as(alice, closed), status: 'reopened' })).question;
    expect(reopened).toMatchObject({ status: 'reopened', resolvedAt: null, closedAt: null });
    expect((await eventsOf(q.id)).map((e) => e.kind)).toEqual(['submitted', 'resolved', 'status_changed', 'reopened']);
    expect((await mailsOf('question.resolved')).some((m) => m.subject === `已解决：[答疑 ${q.number}] 状态流转`)).toBe(true);
    expect((await mailsOf('question.status')).filter((m) => m.subject.includes(q.number))).toHaveLength(2);
  });

  it.each([
    ['reopen an open question', 'new', 'reopened'],
    ['close a closed question', 'closed', 'closed'],
    ['resolve a closed question', 'closed', 'resolved'],
  ] as const)('refuses to %s', async (_, from, to) => {
    let q = await ask();
    if (from === 'closed') q = (await setQuestionStatus({ ...as(alice, q), status: 'closed' })).question;
    await expect(setQuestionStatus({ ...as(alice, q), status: to })).rejects.toMatchObject({ code: 'questions.state', status: 409 });
    expect((await load(q.id)).version).toBe(q.version);
  });

  it('refuses a reply to a closed question and any status the desk does not set', async () => {
    let q = await ask();
    await expect(setQuestionStatus({ ...as(alice, q), status: 'answered' })).rejects.toMatchObject({ status: 400 });
    q = (await setQuestionStatus({ ...as(alice, q), status: 'closed' })).question;
    await expect(replyToQuestion({ ...as(alice, q), body: '关闭后的回复' })).rejects.toMatchObject({ code: 'questions.state' });
  });
});

describe('merging a duplicate', () => {
  it('closes the duplicate into the kept question, tells its asker with their own link (never the kept one), on both timelines', async () => {
    const kept = await ask('登录时验证码不显示', 'first@example.cn');
    const dup = await ask('验证码图片出不来', 'second@example.cn');
    const { question } = await mergeQuestion({ ...as(alice, dup), intoNumber: ` ${kept.number} ` });
    expect(question).toMatchObject({ status: 'closed', mergedIntoId: kept.id, closedAt: clock.now() });
    const mail = (await mailsOf('question.merged')).find((m) => m.to.includes('second@example.cn'))!;
    expect(mail.subject).toBe(`已合并：[答疑 ${dup.number}] 验证码图片出不来`);
    expect(mail.text).toContain(`http://help.local/track/${dup.trackingToken}`);
    expect(mail.text).not.toContain(kept.trackingToken);
    expect(mail.headers).toMatchObject({ 'In-Reply-To': dup.threadMessageId });
    expect((await eventsOf(dup.id)).at(-1)).toMatchObject({ kind: 'merged', data: { into: kept.number } });
    expect((await eventsOf(kept.id)).at(-1)).toMatchObject({ kind: 'merged', data: { from: dup.number } });
    // The duplicate no longer waits in any open queue.
    expect((await listDeskQueue({ db: deps.db, viewer: alice, queue: 'open', filters: { q: dup.number } })).total).toBe(0);
  });

  it('mails the duplicate\'s asker the kept question\'s replies and status changes, in their own thread; never notes; once per address', async () => {
    const kept = await ask('导出报表乱码', 'owner@example.cn');
    const dup = await ask('报表导出后中文乱码', 'follower@example.cn');
    const twice = await ask('导出的报表是乱码', 'follower@example.cn');
    const self = await ask('报表乱码（重复提交）', 'owner@example.cn');
    for (const d of [dup, twice, self]) await mergeQuestion({ ...as(alice, d), intoNumber: kept.number });
    let current = await load(kept.id);
    current = (await addNote({ ...as(alice, current), body: '内部：疑似编码设置问题' })).question;
    current = (await replyToQuestion({ ...as(alice, current), body: '请把浏览器编码改为 UTF-8 后重新导出。' })).question;
    await setQuestionStatus({ ...as(alice, current), status: 'resolved' });
    const follows = (await mailsOf('question.follow')).sort((a, b) => a.id.localeCompare(b.id));
    expect(follows.map((m) => m.to)).toEqual([['follower@example.cn'], ['follower@example.cn']]);
    const [reply, status] = follows;
    expect(reply!.subject).toBe(`进展：[答疑 ${dup.number}] 报表导出后中文乱码`);
    expect(reply!.headers).toMatchObject({ 'In-Reply-To': dup.threadMessageId });
    expect(reply!.text).toContain('请把浏览器编码改为 UTF-8');
    expect(reply!.text).toContain(`http://help.local/track/${dup.trackingToken}`);
    expect(reply!.text).not.toContain(kept.trackingToken);
    expect(reply!.text).not.toContain('疑似编码');
    expect(status!.text).toContain('当前状态：已解决');
  });

  it('writes nothing when the duplicate changed meanwhile (atomic), or the target is unknown or itself', async () => {
    const kept = await ask();
    const dup = await ask();
    await addNote({ ...as(bob, dup), body: '先看一下' });
    await expect(mergeQuestion({ ...as(alice, dup), intoNumber: kept.number })).rejects.toMatchObject({ code: 'questions.stale' });
    for (const intoNumber of ['20990101-0001', dup.number])
      await expect(mergeQuestion({ ...as(alice, dup, dup.version + 1), intoNumber })).rejects.toMatchObject({ status: 400, fields: { intoNumber: expect.any(String) } });
    expect(await load(dup.id)).toMatchObject({ status: 'new', mergedIntoId: null });
    expect((await eventsOf(kept.id)).map((e) => e.kind)).toEqual(['submitted']);
    expect((await mailsOf('question.merged')).filter((m) => m.subject.includes(dup.number))).toEqual([]);
  });
});

describe('reclassifying', () => {
  it('changes kind and severity on the timeline, refuses a fault without severity and no change', async () => {
    let q = await ask('其实是故障');
    await expect(classifyQuestion({ ...as(alice, q), kind: 'fault', severity: '' })).rejects.toMatchObject({ status: 400, fields: { severity: expect.any(String) } });
    await expect(classifyQuestion({ ...as(alice, q), kind: q.kind, severity: '' })).rejects.toMatchObject({ status: 400, fields: { kind: expect.any(String) } });
    q = (await classifyQuestion({ ...as(alice, q), kind: 'fault', severity: 'B' })).question;
    expect(q).toMatchObject({ kind: 'fault', severity: 'B' });
    expect((await eventsOf(q.id)).at(-1)).toMatchObject({ kind: 'reclassified', internal: false, data: { from: { kind: 'consult', severity: null }, to: { kind: 'fault', severity: 'B' } } });
    // Back to a consultation: the severity goes, whatever was posted with it.
    q = (await classifyQuestion({ ...as(alice, q), kind: 'consult', severity: 'A' })).question;
    expect(q).toMatchObject({ kind: 'consult', severity: null });
    await expect(classifyQuestion({ ...as(bob, q, q.version - 1), kind: 'suggestion', severity: '' })).rejects.toMatchObject({ code: 'questions.stale' });
  });
});
