import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailOutbox, unitSurveys, units, users } from '../../db/schema/index.ts';
import { startJobs, type Jobs } from '../../src/server/jobs/jobs.ts';
import { serviceReport } from '../../src/server/reports/reports.usecases.ts';
import { createFixedClock } from '../../src/server/shared/clock.ts';
import { newId } from '../../src/server/shared/ids.ts';
import { answerSurvey, findSurvey, runUnitSurveys, type SurveyDeps } from '../../src/server/surveys/surveys.usecases.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { silentLog } from '../helpers/runtime.ts';

/** 08:30 on 1 December in Shanghai: the survey day (1) of the month after November. */
const clock = createFixedClock('2026-12-01T00:30:00Z');
let t: TestDatabase;
let jobs: Jobs;
let deps: SurveyDeps;
const unit = { a: newId(), b: newId(), c: newId(), d: newId() };
const contact = (unitId: string, name: string, status: 'active' | 'disabled' = 'active') => ({
  id: newId(),
  name,
  email: `${name.toLowerCase()}@unit.example.cn`,
  unitId,
  roles: ['member' as const],
  isUnitContact: true,
  status,
  createdAt: clock.now(),
  updatedAt: clock.now(),
});

beforeAll(async () => {
  t = await createTestDatabase();
  jobs = await startJobs({ database: t.database, log: silentLog });
  deps = { db: t.database.db, jobs, clock, mailFrom: 'Dayi <dayi@example.cn>', baseUrl: 'https://help.example.gov.cn', timeZone: 'Asia/Shanghai', surveyDay: 1, reminderDays: 7 };
  const db = t.database.db;
  await db.insert(units).values(Object.entries(unit).map(([code, id]) => ({ id, name: `单位${code.toUpperCase()}`, code, createdAt: clock.now() })));
  // A: two contact persons (one mail, to the first by name); B: only a disabled one; C: one; D: none.
  await db.insert(users).values([contact(unit.a, 'Bob'), contact(unit.a, 'Alice'), contact(unit.b, 'Carol', 'disabled'), contact(unit.c, 'Dave')]);
  await db.insert(users).values({ ...contact(unit.d, 'Erin'), isUnitContact: false });
});
afterAll(async () => {
  await jobs?.stop();
  await t?.drop();
});

const mails = (kind: string) => t.database.db.select().from(mailOutbox).where(eq(mailOutbox.kind, kind));
const tokenIn = (text: string) => /\/survey\/([A-Za-z0-9_-]+)/.exec(text)![1]!;

describe('the monthly unit survey (用户服务质量调查表)', () => {
  it('waits for the survey day, then mails the month before to one active contact person of each unit, once', async () => {
    expect(await runUnitSurveys({ ...deps, surveyDay: 2 })).toEqual({ period: '2026-11', sent: 0, reminded: 0 });
    expect(await runUnitSurveys({ ...deps, surveyDay: 0 })).toEqual({ period: null, sent: 0, reminded: 0 });
    expect(await runUnitSurveys(deps)).toEqual({ period: '2026-11', sent: 2, reminded: 0 });
    const sent = await mails('survey.invite');
    expect(sent.map((m) => m.to[0]).sort()).toEqual(['alice@unit.example.cn', 'dave@unit.example.cn']);
    const alice = sent.find((m) => m.to[0] === 'alice@unit.example.cn')!;
    expect(alice.subject).toBe('【答疑】请填写2026年11月用户服务质量调查表（单位A）');
    expect(alice.text).toContain('https://help.example.gov.cn/survey/');
    expect((await findSurvey({ db: t.database.db, token: tokenIn(alice.text) }))).toMatchObject({ period: '2026-11', unitId: unit.a, unitName: '单位A' });
    // The next day's run (and a second process's) sends nothing new.
    clock.advance(86_400_000);
    expect(await runUnitSurveys(deps)).toMatchObject({ sent: 0 });
    expect(await mails('survey.invite')).toHaveLength(2);
  });

  it('takes one answer per unit: scores 1–5 checked field by field, a second answer refused', async () => {
    const token = tokenIn((await mails('survey.invite')).find((m) => m.to[0] === 'alice@unit.example.cn')!.text);
    await expect(answerSurvey({ db: t.database.db, clock, token, input: { overall: '6', attitude: '5', business: '', technical: '4' } })).rejects.toMatchObject({
      status: 400,
      fields: { overall: '请为每一项选择 1 至 5 分。', business: '请为每一项选择 1 至 5 分。' },
    });
    const answered = await answerSurvey({ db: t.database.db, clock, token, input: { overall: '4', attitude: '5', business: '4', technical: '3', improve: '  希望夜间响应再快一些。 ', respondent: '张科长' } });
    expect(answered).toMatchObject({ overall: 4, attitude: 5, business: 4, technical: 3, improve: '希望夜间响应再快一些。', respondent: '张科长' });
    await expect(answerSurvey({ db: t.database.db, clock, token, input: { overall: '1', attitude: '1', business: '1', technical: '1' } })).rejects.toMatchObject({ status: 409 });
    const [row] = await t.database.db.select().from(unitSurveys).where(eq(unitSurveys.unitId, unit.a));
    expect(row!.overall).toBe(4);
    await expect(answerSurvey({ db: t.database.db, clock, token: 'x'.repeat(43), input: {} })).rejects.toMatchObject({ status: 404 });
  });

  it('reminds a unit that has not answered once, after the reminder days, with the same link', async () => {
    clock.advance(5 * 86_400_000);
    expect(await runUnitSurveys(deps)).toMatchObject({ reminded: 0 });
    clock.advance(86_400_000);
    expect(await runUnitSurveys(deps)).toMatchObject({ sent: 0, reminded: 1 });
    const [reminder, ...more] = await mails('survey.reminder');
    expect(more).toEqual([]);
    expect(reminder!.to).toEqual(['dave@unit.example.cn']);
    expect(reminder!.subject).toContain('提醒');
    const [c] = await t.database.db.select().from(unitSurveys).where(eq(unitSurveys.unitId, unit.c));
    expect(tokenIn(reminder!.text)).toBe(c!.token);
    clock.advance(86_400_000);
    expect(await runUnitSurveys(deps)).toMatchObject({ reminded: 0 });
  });

  it("feeds the report of the month it is about: units asked and answered, the averages, each unit's answer", async () => {
    const admin = { id: newId(), name: '管理员', roles: ['admin' as const] };
    const report = await serviceReport({ db: t.database.db, now: clock.now(), timeZone: 'Asia/Shanghai', viewer: admin }, new URLSearchParams({ period: '2026-11' }));
    const section = report.sections.find((s) => s.id === 'survey')!;
    expect(section.figures.map((f) => [f.label, f.current, f.previous])).toEqual([
      ['发出调查表', 2, 0],
      ['已回收', 1, 0],
      ['回收率', 50, null],
      ['调查总体满意度（1–5）', 4, null],
    ]);
    expect(section.tables.find((x) => x.id === 'survey-units')!.rows).toEqual([['2026-11', '单位A', 4, 5, 4, 3, '希望夜间响应再快一些。', '张科长']]);
    // December's report has no survey yet; an engineer's own report has no survey section.
    const december = await serviceReport({ db: t.database.db, now: clock.now(), timeZone: 'Asia/Shanghai', viewer: admin }, new URLSearchParams({ period: '2026-12' }));
    expect(december.sections.find((s) => s.id === 'survey')!.figures[0]).toMatchObject({ current: 0, previous: 2 });
    const own = await serviceReport({ db: t.database.db, now: clock.now(), timeZone: 'Asia/Shanghai', viewer: { id: newId(), name: '工程师', roles: ['engineer'] } }, new URLSearchParams({ period: '2026-11' }));
    expect(own.sections.map((s) => s.id)).not.toContain('survey');
    expect(await t.database.db.select().from(unitSurveys).where(inArray(unitSurveys.unitId, [unit.b, unit.d]))).toEqual([]);
  });
});
