import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailOutbox, questionComplaints, questions, users } from '../../db/schema/index.ts';
import type { AuthUser } from '../../src/server/auth/auth.sessions.ts';
import { startJobs, type Jobs } from '../../src/server/jobs/jobs.ts';
import { askerNotice, runAskerAction } from '../../src/server/questions/asker.actions.ts';
import { answerComplaint, fileComplaint, listComplaints } from '../../src/server/questions/complaints.usecases.ts';
import { timeline, type QuestionRow } from '../../src/server/questions/questions.queries.ts';
import { createQuestion, type QuestionDeps } from '../../src/server/questions/questions.usecases.ts';
import { createFixedClock } from '../../src/server/shared/clock.ts';
import { newId } from '../../src/server/shared/ids.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { silentLog } from '../helpers/runtime.ts';

const clock = createFixedClock('2026-11-25T02:00:00Z');
let t: TestDatabase;
let jobs: Jobs;
let deps: QuestionDeps;
let admins: AuthUser[];
let engineer: AuthUser;
const complaintText = '工程师三天没有回复，回复后也没有解决我的问题，态度很敷衍。';

beforeAll(async () => {
  t = await createTestDatabase();
  jobs = await startJobs({ database: t.database, log: silentLog });
  deps = { db: t.database.db, clock, jobs, mailFrom: 'Dayi <dayi@example.cn>', baseUrl: 'https://help.example.gov.cn', timeZone: 'Asia/Shanghai', askRateLimit: 0, askAnonymous: true, dutyFallbackEmail: null };
  admins = [await user(['admin']), await user(['admin', 'engineer'])];
  await user(['admin'], { status: 'disabled' });
  engineer = await user(['engineer']);
});
afterAll(async () => {
  await jobs?.stop();
  await t?.drop();
});

async function user(roles: AuthUser['roles'], extra: Partial<AuthUser> = {}): Promise<AuthUser> {
  const id = newId();
  const u: AuthUser = { id, name: `用户${id.slice(-4)}`, email: `${id}@example.cn`, roles, engineerTier: null, isUnitContact: false, unitId: null, status: 'active', ...extra };
  await t.database.db.insert(users).values({ ...u, createdAt: clock.now(), updatedAt: clock.now() });
  return u;
}

/** An anonymous web question, as its row. */
async function asked(title = '双公示数据导出后乱码'): Promise<QuestionRow> {
  clock.advance(60_000);
  const input = { kind: 'consult', title, body: '导出的 CSV 用 Excel 打开全是乱码，请问怎么处理？', email: 'asker@example.cn' };
  const { question } = await createQuestion({ ...deps, input, asker: { kind: 'anonymous' }, channel: 'web', clientIp: null });
  const [row] = await t.database.db.select().from(questions).where(eq(questions.id, question.id));
  return row!;
}

const mailsOf = (kind: string, q: QuestionRow) =>
  t.database.db
    .select()
    .from(mailOutbox)
    .where(and(eq(mailOutbox.kind, kind), like(mailOutbox.subject, `%${q.number}%`)));

describe('complaints', () => {
  it('files a complaint from the tracking page: every active admin is mailed, the desk timeline notes it, the asker’s does not', async () => {
    const q = await asked();
    const action = await runAskerAction({ deps, config: { reopenDays: 30 }, settings: { filesDir: '/nonexistent', maxFileBytes: 1, perQuestion: 1 }, question: q, form: { action: 'complain', version: String(q.version), body: complaintText } });
    expect(askerNotice(new URL(`https://x/track/t?done=${action}`))).toContain('投诉已提交');
    const [mail, ...more] = await mailsOf('question.complaint', q);
    expect(more).toEqual([]);
    expect(mail!.to.sort()).toEqual(admins.map((a) => a.email).sort());
    expect(mail!.subject).toBe(`【投诉】[答疑 ${q.number}] ${q.title}`);
    expect(mail!.text).toContain(complaintText);
    expect(mail!.text).toContain(`https://help.example.gov.cn/desk/${q.number}`);
    const internal = await timeline({ db: t.database.db, questionId: q.id, withInternal: true });
    expect(internal.find((e) => e.kind === 'complained')).toMatchObject({ internal: true, body: complaintText, actor: 'asker' });
    expect((await timeline({ db: t.database.db, questionId: q.id, withInternal: false })).map((e) => e.kind)).toEqual(['submitted']);
  });

  it('refuses a complaint too short to say anything, and a second one while the first is open', async () => {
    const q = await asked();
    await expect(fileComplaint({ ...deps, question: q, body: '不满意' })).rejects.toMatchObject({ status: 400, fields: { body: expect.stringContaining('至少 10 个字') } });
    await fileComplaint({ ...deps, question: q, body: complaintText });
    await expect(fileComplaint({ ...deps, question: q, body: `${complaintText}再说一遍。` })).rejects.toMatchObject({ status: 409, message: expect.stringContaining('正在处理中') });
    expect(await t.database.db.select().from(questionComplaints).where(eq(questionComplaints.questionId, q.id))).toHaveLength(1);
    expect(await mailsOf('question.complaint', q)).toHaveLength(1);
  });

  it('lets only an admin answer; the answer is mailed to the asker in the question’s thread and shows on their timeline', async () => {
    const q = await asked();
    const { complaint } = await fileComplaint({ ...deps, question: q, body: complaintText });
    await expect(answerComplaint({ ...deps, actor: engineer, complaintId: complaint.id, answer: '我们已经处理。' })).rejects.toMatchObject({ status: 403 });
    await expect(answerComplaint({ ...deps, actor: admins[0]!, complaintId: complaint.id, answer: '  ' })).rejects.toMatchObject({ status: 400, fields: { answer: '请填写答复内容。' } });
    const answer = '非常抱歉，已安排二线工程师今天内联系您，并对相关工程师进行提醒。';
    const { complaint: answered } = await answerComplaint({ ...deps, actor: admins[0]!, complaintId: complaint.id, answer });
    expect(answered).toMatchObject({ status: 'answered', answer, answeredById: admins[0]!.id, answeredAt: clock.now() });

    const [mail] = await mailsOf('question.complaint_answered', q);
    expect(mail).toMatchObject({ to: ['asker@example.cn'], subject: `投诉答复：[答疑 ${q.number}] ${q.title}`, headers: { 'In-Reply-To': q.threadMessageId, References: q.threadMessageId } });
    expect(mail!.text).toContain(answer);
    expect(mail!.text).toContain(`https://help.example.gov.cn/track/${q.trackingToken}`);
    const seen = await timeline({ db: t.database.db, questionId: q.id, withInternal: false });
    expect(seen.at(-1)).toMatchObject({ kind: 'complaint_answered', internal: false, body: answer, actor: admins[0]!.name });

    await expect(answerComplaint({ ...deps, actor: admins[1]!, complaintId: complaint.id, answer: '再答一次' })).rejects.toMatchObject({ status: 409 });
    await expect(answerComplaint({ ...deps, actor: admins[1]!, complaintId: newId(), answer: '不存在的投诉' })).rejects.toMatchObject({ status: 404 });
    // Answered, the question may be complained about again.
    await fileComplaint({ ...deps, question: q, body: `${complaintText}仍然没有人联系我。` });
  });

  it('lists open complaints first, oldest on top, then answered ones; and each status alone', async () => {
    const db = t.database.db;
    const { rows } = await listComplaints({ db });
    const firstAnswered = rows.findIndex((r) => r.status === 'answered');
    expect(firstAnswered).toBeGreaterThan(0);
    expect(rows.slice(firstAnswered).every((r) => r.status === 'answered')).toBe(true);
    expect(rows[0]).toMatchObject({ status: 'open', askerName: 'asker', body: complaintText });
    const answered = await listComplaints({ db, status: 'answered' });
    expect(answered.rows.map((r) => r.answeredByName)).toEqual([admins[0]!.name]);
    expect((await listComplaints({ db, status: 'open' })).total).toBe(rows.length - 1);
  });
});
