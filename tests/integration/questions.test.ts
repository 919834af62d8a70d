import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askSuggestions, mailOutbox, searchAskedAs, questionEvents, questionRatings, questions, units, users } from '../../db/schema/index.ts';
import type { AuthUser } from '../../src/server/auth/auth.sessions.ts';
import { startJobs, type Jobs } from '../../src/server/jobs/jobs.ts';
import { replyToQuestion } from '../../src/server/questions/desk.usecases.ts';
import { findQuestionByToken, findQuestionForViewer, listMyQuestions, timeline } from '../../src/server/questions/questions.queries.ts';
import { recordDeflection, recordSuggestions } from '../../src/server/questions/deflections.usecases.ts';
import { askedAsByUrl, learnAskedAs, removeAskedAs } from '../../src/server/search/search.asked.ts';
import { createQuestion, type QuestionDeps } from '../../src/server/questions/questions.usecases.ts';
import { addFollowUp, confirmResolved, rateAnswer, reopenByAsker } from '../../src/server/questions/tracking.usecases.ts';
import { createFixedClock } from '../../src/server/shared/clock.ts';
import { newId } from '../../src/server/shared/ids.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { silentLog } from '../helpers/runtime.ts';

const clock = createFixedClock('2026-11-25T02:00:00Z');
let t: TestDatabase;
let jobs: Jobs;
let deps: QuestionDeps;
const ask = { kind: 'consult', title: '如何导出双公示数据？', body: '在数据报送页面找不到导出按钮，请问在哪里导出？', email: 'Asker@Example.cn' };

beforeAll(async () => {
  t = await createTestDatabase();
  jobs = await startJobs({ database: t.database, log: silentLog });
  deps = { db: t.database.db, clock, jobs, mailFrom: 'Dayi <dayi@example.cn>', baseUrl: 'https://help.example.gov.cn', timeZone: 'Asia/Shanghai', askRateLimit: 0, askAnonymous: true, dutyFallbackEmail: null };
});
afterAll(async () => {
  await jobs?.stop();
  await t?.drop();
});

async function user(roles: AuthUser['roles'], extra: Partial<AuthUser> = {}): Promise<AuthUser> {
  const id = newId();
  const u: AuthUser = { id, name: `用户${id.slice(-4)}`, email: `${id}@example.cn`, roles, engineerTier: roles.includes('engineer') ? 1 : null, isUnitContact: false, unitId: null, status: 'active', ...extra };
  await t.database.db.insert(users).values({ ...u, createdAt: clock.now(), updatedAt: clock.now() });
  return u;
}
const anonymous = (input: object = ask, more: Partial<Parameters<typeof createQuestion>[0]> = {}) =>
  createQuestion({ ...deps, input, asker: { kind: 'anonymous' }, channel: 'web', clientIp: '10.7.0.1', ...more });
const tokenOf = (trackingUrl: string) => trackingUrl.split('/track/')[1]!;

describe('asking', () => {
  it('writes the question, its first event and a receipt with the private link, in one go', async () => {
    const { question } = await anonymous();
    expect(question.number).toMatch(/^20261125-\d{4}$/);
    expect(question.trackingUrl).toMatch(/^https:\/\/help\.example\.gov\.cn\/track\/[A-Za-z0-9_-]{40,}$/);
    const [row] = await t.database.db.select().from(questions).where(eq(questions.id, question.id));
    expect(row).toMatchObject({ status: 'new', channel: 'web', contactEmail: 'asker@example.cn', contactName: 'asker', askerId: null });
    const [mail] = await t.database.db.select().from(mailOutbox).where(eq(mailOutbox.messageId, row!.threadMessageId!));
    expect(mail).toMatchObject({ kind: 'question.receipt', to: ['asker@example.cn'], subject: `[答疑 ${question.number}] ${ask.title}` });
    expect(mail!.text).toContain(question.trackingUrl);
    expect((await timeline({ db: t.database.db, questionId: question.id, withInternal: false })).map((e) => e.kind)).toEqual(['submitted']);
  });

  it.each([
    ['no kind', { ...ask, kind: undefined }, 'kind'],
    ['a fault without severity', { ...ask, kind: 'fault' }, 'severity'],
    ['a severity on a consultation', { ...ask, severity: 'A' }, 'severity'],
    ['a short title', { ...ask, title: '求助' }, 'title'],
    ['a short description', { ...ask, body: '打不开' }, 'body'],
    ['a bad e-mail', { ...ask, email: 'not-an-email' }, 'email'],
    ['letters in the phone', { ...ask, phone: 'abc' }, 'phone'],
    ['an unknown field', { ...ask, priority: 'high' }, 'form'],
  ])('refuses %s with a zh-CN message on the field', async (_name, input, field) => {
    await expect(anonymous(input)).rejects.toMatchObject({ status: 400, fields: { [field]: expect.stringMatching(/[\u4e00-\u9fff]/) } });
  });

  it('asks anonymous askers to sign in when anonymous asking is off', async () => {
    await expect(createQuestion({ ...deps, askAnonymous: false, input: ask, asker: { kind: 'anonymous' }, channel: 'web', clientIp: null })).rejects.toMatchObject({ status: 401 });
  });

  it('limits questions per address and per e-mail, and turns the limit off at 0', async () => {
    const limited = { ...deps, askRateLimit: 2 };
    const send = (email: string, ip: string) => createQuestion({ ...limited, input: { ...ask, email }, asker: { kind: 'anonymous' }, channel: 'api', clientIp: ip });
    await send('a1@example.cn', '10.8.0.1');
    await send('a2@example.cn', '10.8.0.1');
    await expect(send('a3@example.cn', '10.8.0.1')).rejects.toMatchObject({ status: 429 });
    await send('b@example.cn', '10.8.0.2');
    await send('b@example.cn', '10.8.0.3');
    await expect(send('b@example.cn', '10.8.0.4')).rejects.toMatchObject({ status: 429 });
    for (let i = 0; i < 5; i++) await anonymous({ ...ask, email: 'c@example.cn' });
  });

  it('returns the first result to a retry with the same idempotency key, sequential or concurrent', async () => {
    const first = await anonymous(ask, { idempotencyKey: 'retry-1' });
    const again = await anonymous(ask, { idempotencyKey: 'retry-1' });
    expect(again).toEqual({ question: first.question, replayed: true });
    const burst = await Promise.all(Array.from({ length: 8 }, () => anonymous({ ...ask, title: '并发重试的同一个问题' }, { idempotencyKey: 'burst-1' })));
    expect(new Set(burst.map((b) => b.question.id)).size).toBe(1);
    expect(burst.filter((b) => !b.replayed)).toHaveLength(1);
    const rows = await t.database.db.select().from(questions).where(eq(questions.title, '并发重试的同一个问题'));
    expect(rows).toHaveLength(1);
    await expect(anonymous({ ...ask, title: '另一个问题的标题' }, { idempotencyKey: 'retry-1' })).rejects.toMatchObject({ status: 422 });
  });

  it('files a signed-in member’s question under their account and unit, and a phone call under the caller', async () => {
    const member = await user(['member']);
    const engineer = await user(['engineer']);
    const own = await createQuestion({ ...deps, input: ask, asker: { kind: 'user', user: member }, channel: 'web', clientIp: null });
    const call = await createQuestion({ ...deps, input: { ...ask, email: member.email }, asker: { kind: 'phone', engineer, callerId: member.id }, channel: 'phone', clientIp: null });
    const [a] = await t.database.db.select().from(questions).where(eq(questions.id, own.question.id));
    const [b] = await t.database.db.select().from(questions).where(eq(questions.id, call.question.id));
    expect(a).toMatchObject({ askerId: member.id, channel: 'web', recordedById: null });
    expect(b).toMatchObject({ askerId: member.id, channel: 'phone', recordedById: engineer.id });
    expect((await listMyQuestions({ db: t.database.db, viewer: member })).rows.map((r) => r.id).sort()).toEqual([a!.id, b!.id].sort());
  });
});

describe('who sees a question', () => {
  it('shows it to its asker, the unit contact and engineers; to nobody else', async () => {
    const unitId = newId();
    await t.database.db.insert(units).values({ id: unitId, name: '市税务局', code: 'SWJ', createdAt: clock.now() });
    const asker = await user(['member'], { unitId });
    const colleague = await user(['member'], { unitId });
    const contact = await user(['member'], { unitId, isUnitContact: true });
    const engineer = await user(['engineer']);
    const { question } = await createQuestion({ ...deps, input: ask, asker: { kind: 'user', user: asker }, channel: 'web', clientIp: null });
    const see = async (viewer: AuthUser | null) => Boolean(await findQuestionForViewer({ db: t.database.db, number: question.number, viewer }));
    expect([await see(asker), await see(contact), await see(engineer), await see(colleague), await see(null)]).toEqual([true, true, true, false, false]);
    expect((await findQuestionByToken({ db: t.database.db, token: tokenOf(question.trackingUrl) }))?.id).toBe(question.id);
    expect(await findQuestionByToken({ db: t.database.db, token: 'x'.repeat(43) })).toBeNull();
  });
});

/** A question asked anonymously and answered by a new engineer. */
async function answered(body = '在“数据报送 > 历史记录”页面右上角点击“导出”。') {
  const engineer = await user(['engineer']);
  const { question } = await anonymous();
  const q = (await findQuestionByToken({ db: t.database.db, token: tokenOf(question.trackingUrl) }))!;
  const { question: after, eventId } = await replyToQuestion({ ...deps, actor: engineer, question: q, version: q.version, body });
  return { engineer, question: after, replyId: eventId };
}

describe('the asker on the tracking page', () => {
  const rate = (question: Awaited<ReturnType<typeof answered>>['question'], replyEventId: string, overall: number) =>
    rateAnswer({ ...deps, question, version: question.version, reopenDays: 30, deskUrl: 'https://help.example.gov.cn/desk/x', input: { replyEventId, overall, attitude: 4, business: 4, technical: 4, reasons: ['clear'], comment: '' } });

  it('follows up, confirms it solved, and reopens it within the window only', async () => {
    const { question } = await answered();
    const a = await addFollowUp({ ...deps, question, version: question.version, reopenDays: 30, body: '导出的文件是乱码。' });
    expect(a.question.status).toBe('assigned');
    const b = await confirmResolved({ ...deps, question: a.question, version: a.question.version, reopenDays: 30 });
    expect(b.question.status).toBe('resolved');
    const c = await reopenByAsker({ ...deps, question: b.question, version: b.question.version, reopenDays: 30, reason: '又出现了' });
    expect(c.question.status).toBe('reopened');
    const closed = { ...c.question, status: 'closed' as const, closedAt: new Date(clock.now().getTime() - 31 * 86_400_000) };
    await expect(reopenByAsker({ ...deps, question: closed, version: closed.version, reopenDays: 30, reason: '' })).rejects.toMatchObject({ status: 409 });
  });

  it('rates an answer once, may change it for 7 days, credits the engineer, and alerts admins at 2 or less', async () => {
    const admin = await user(['admin']);
    const { engineer, question, replyId } = await answered();
    const first = await rate(question, replyId, 5);
    const second = await rate(first.question, replyId, 2);
    const rows = await t.database.db.select().from(questionRatings).where(eq(questionRatings.replyEventId, replyId));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ overall: 2, engineerId: engineer.id, reasons: ['clear'] });
    const alerts = (await t.database.db.select().from(mailOutbox).where(eq(mailOutbox.kind, 'question.low_rating'))).filter((m) => m.subject.includes(question.number));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.to).toContain(admin.email);
    clock.advance(8 * 86_400_000);
    await expect(rate(second.question, replyId, 4)).rejects.toMatchObject({ code: 'questions.rating_locked' });
  });

  it('refuses a rating of something that is not an answer of this question', async () => {
    const { question } = await answered();
    const [submitted] = await t.database.db.select().from(questionEvents).where(eq(questionEvents.questionId, question.id));
    await expect(rate(question, submitted!.id, 5)).rejects.toMatchObject({ status: 400, fields: { replyEventId: expect.any(String) } });
    await expect(rate(question, newId(), 5)).rejects.toMatchObject({ status: 400 });
  });
});

describe('answered questions teach the search', () => {
  const linking = '请按[导出说明](/manuals/user-guide/search#%E6%90%9C%E7%B4%A2%E6%8A%80%E5%B7%A7)操作，另见 https://help.example.gov.cn/faq/system-export-garbled 。';
  const phrases = async (questionId: string) =>
    (await t.database.db.select().from(searchAskedAs).where(eq(searchAskedAs.questionId, questionId))).map((r) => [r.url, r.phrase, r.source, r.removedAt === null]).sort();

  it('a well-rated answer makes the question title an "asked as" phrase of each page it links; a poor rating does not', async () => {
    let changed = 0;
    const poor = await answered(linking);
    await rateAnswer({ ...deps, searchChanged: () => changed++, question: poor.question, version: poor.question.version, reopenDays: 30, deskUrl: 'x', input: { replyEventId: poor.replyId, overall: 3, attitude: 3, business: 3, technical: 3, reasons: [], comment: '' } });
    expect(await phrases(poor.question.id)).toEqual([]);
    expect(changed).toBe(0);
    const good = await answered(linking);
    await rateAnswer({ ...deps, searchChanged: () => changed++, question: good.question, version: good.question.version, reopenDays: 30, deskUrl: 'x', input: { replyEventId: good.replyId, overall: 4, attitude: 4, business: 4, technical: 4, reasons: [], comment: '' } });
    expect(await phrases(good.question.id)).toEqual([
      ['/faq/system-export-garbled', good.question.title, 'rated', true],
      ['/manuals/user-guide/search#搜索技巧', good.question.title, 'rated', true],
    ]);
    expect(changed).toBe(1);
  });

  it('confirming an answer solved teaches the search too, and a phrase an admin removed is never learnt again', async () => {
    // Other pages than above: a page keeps one row per phrase, and every anonymous question here has the same title.
    const { question } = await answered('见 /faq/account-locked 和 [说明](/manuals/user-guide/track#服务时限)。');
    await confirmResolved({ ...deps, question, version: question.version, reopenDays: 30 });
    const rows = await t.database.db.select().from(searchAskedAs).where(eq(searchAskedAs.questionId, question.id));
    expect(rows.map((r) => r.source)).toEqual(['resolved', 'resolved']);
    await removeAskedAs({ db: t.database.db, clock, id: rows[0]!.id, meta: { actor: null, ip: null, requestId: null } });
    await expect(removeAskedAs({ db: t.database.db, clock, id: rows[0]!.id, meta: { actor: null, ip: null, requestId: null } })).rejects.toMatchObject({ status: 404 });
    expect(await learnAskedAs(t.database.db, { clock, urls: [rows[0]!.url], phrase: question.title, questionId: question.id, source: 'rated' })).toBe(0);
    const live = await askedAsByUrl(t.database.db);
    expect(live.get(rows[0]!.url) ?? []).not.toContain(question.title);
    expect(live.get(rows[1]!.url)).toContain(question.title);
  });

  it('an answer that links nothing of this site teaches nothing', async () => {
    const { question } = await answered('请重启浏览器后再试。见 https://example.com/help');
    await confirmResolved({ ...deps, question, version: question.version, reopenDays: 30 });
    expect(await phrases(question.id)).toEqual([]);
  });
});

describe('deflections', () => {
  it('records which article answered what was typed, and only articles of this site', async () => {
    await recordDeflection({ db: t.database.db, clock, input: { query: '导出 双公示', articleUrl: '/faq/system-export-garbled' }, viewer: null, clientIp: '10.9.0.1' });
    await expect(recordDeflection({ db: t.database.db, clock, input: { query: 'x', articleUrl: 'https://evil.example/' }, viewer: null, clientIp: null })).rejects.toMatchObject({ status: 400 });
  });

  it('counts each page suggested beside the ask form once, without its anchor or query, and only pages of this site', async () => {
    const { recorded } = await recordSuggestions({
      db: t.database.db,
      clock,
      input: { urls: ['/faq/account-forgot-password', '/faq/account-forgot-password#步骤', '/videos/data-reporting-demo?t=100', '/manuals/user-guide/search#搜索技巧'] },
      clientIp: '10.9.0.2',
    });
    expect(recorded).toBe(3);
    const rows = await t.database.db.select({ url: askSuggestions.pageUrl }).from(askSuggestions);
    expect(rows.map((r) => r.url).sort()).toEqual(['/faq/account-forgot-password', '/manuals/user-guide/search', '/videos/data-reporting-demo']);
    await expect(recordSuggestions({ db: t.database.db, clock, input: { urls: ['https://evil.example/faq/x'] }, clientIp: null })).rejects.toMatchObject({ status: 400, fields: { urls: expect.any(String) } });
    await expect(recordSuggestions({ db: t.database.db, clock, input: { urls: Array.from({ length: 6 }, (_, i) => `/faq/a${i}`) }, clientIp: null })).rejects.toMatchObject({ status: 400 });
    await expect(recordSuggestions({ db: t.database.db, clock, input: { urls: [] }, clientIp: null })).rejects.toMatchObject({ status: 400 });
    expect(await t.database.db.$count(askSuggestions)).toBe(3);
  });
});
