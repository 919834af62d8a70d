import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailOutbox, questionEvents, questions, serviceRecords, units, users, type Role } from '../../db/schema/index.ts';
import type { AuthUser } from '../../src/server/auth/auth.sessions.ts';
import { startJobs, type Jobs } from '../../src/server/jobs/jobs.ts';
import { loadAskerView } from '../../src/server/questions/asker.view.ts';
import { addNote, mergeQuestion } from '../../src/server/questions/desk.usecases.ts';
import { timeline, type QuestionRow } from '../../src/server/questions/questions.queries.ts';
import { createQuestion, type QuestionDeps } from '../../src/server/questions/questions.usecases.ts';
import { findServiceRecord, saveServiceRecord } from '../../src/server/questions/service-record.usecases.ts';
import { createFixedClock } from '../../src/server/shared/clock.ts';
import { newId } from '../../src/server/shared/ids.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { silentLog } from '../helpers/runtime.ts';

// 09:30 in Asia/Shanghai: the form's times below are local.
const clock = createFixedClock('2026-11-25T01:30:00Z');
const timeZone = 'Asia/Shanghai';
let t: TestDatabase;
let jobs: Jobs;
let deps: QuestionDeps;
let alice: AuthUser;
let bob: AuthUser;

let n = 0;
async function person(roles: Role[], status: 'active' | 'disabled' = 'active'): Promise<AuthUser> {
  const user = { id: newId(), name: `工程师${++n}`, email: `sr${n}@example.cn`, roles, engineerTier: roles.includes('engineer') ? 1 : null, isUnitContact: false, unitId: null, status };
  await t.database.db.insert(users).values({ ...user, createdAt: clock.now(), updatedAt: clock.now() });
  return user;
}

beforeAll(async () => {
  t = await createTestDatabase();
  jobs = await startJobs({ database: t.database, log: silentLog });
  deps = { db: t.database.db, clock, jobs, mailFrom: 'Dayi <dayi@example.cn>', baseUrl: 'http://help.local', timeZone, askRateLimit: 0, askAnonymous: true, dutyFallbackEmail: null };
  await t.database.db.insert(units).values({ id: newId(), name: '示例信用中心', code: 'XYZX', createdAt: clock.now() });
  alice = await person(['engineer']);
  bob = await person(['engineer']);
});
afterAll(async () => {
  await jobs?.stop();
  await t?.drop();
});

/** A fresh question of `kind` from an asker of the unit, as read from the database. */
async function ask(kind: 'fault' | 'consult' | 'suggestion' = 'fault'): Promise<QuestionRow> {
  const input = { kind, ...(kind === 'fault' ? { severity: 'B' } : {}), title: '信用报告打印时服务器报错', body: '打印信用报告时页面提示“服务器错误”，全单位都一样。', email: 'asker@example.cn', unit: 'XYZX' };
  const { question } = await createQuestion({ ...deps, input, asker: { kind: 'anonymous' }, channel: 'web', clientIp: null });
  return (await t.database.db.select().from(questions).where(eq(questions.id, question.id)))[0]!;
}
const eventsOf = (id: string) => t.database.db.select().from(questionEvents).where(eq(questionEvents.questionId, id));
const recordOf = async (q: QuestionRow) => (await findServiceRecord({ db: deps.db, questionId: q.id })).record;
const save = (actor: AuthUser, question: QuestionRow, version: number, input: Record<string, string>) =>
  saveServiceRecord({ db: deps.db, clock, timeZone, actor, question, version, input });

const visit = {
  engineerId: '',
  arrivedAt: '2026-11-25T08:05',
  departedAt: '2026-11-25T09:20',
  symptom: '打印信用报告时提示“服务器错误”。',
  diagnosis: '报表服务的临时目录写满。',
  partsUsed: '补丁 RPT-2026-11（报表服务 3.2.1）',
  resolution: '清理临时目录，安装补丁，打印恢复正常。',
  confirmedBy: '王主任',
  confirmedAt: '2026-11-25T09:15',
};

describe('saving and reading the service record of a fault', () => {
  it('saves the first version with local times read in Asia/Shanghai, and puts an internal event naming the fields on the timeline', async () => {
    const q = await ask();
    expect(await recordOf(q)).toBeNull();
    const { record, changed } = await save(alice, q, 0, { ...visit, engineerId: alice.id });
    expect(changed).toEqual(['engineerId', 'arrivedAt', 'departedAt', 'symptom', 'diagnosis', 'partsUsed', 'resolution', 'confirmedBy', 'confirmedAt']);
    expect(await recordOf(q)).toEqual(record);
    expect(record).toMatchObject({ version: 1, engineerId: alice.id, symptom: visit.symptom, confirmedBy: '王主任', createdAt: clock.now() });
    expect(record!.arrivedAt!.toISOString()).toBe('2026-11-25T00:05:00.000Z');
    expect(record!.departedAt!.toISOString()).toBe('2026-11-25T01:20:00.000Z');
    const staff = await timeline({ db: deps.db, questionId: q.id, withInternal: true });
    expect(staff.at(-1)).toMatchObject({ kind: 'service_record', internal: true, actor: alice.name, body: null, data: { version: 1, fields: changed } });
    expect(staff.at(-1)!.data!.to).toMatchObject({ arrivedAt: '2026-11-25T00:05:00.000Z', resolution: visit.resolution });
    // The question itself is not changed: its version still matches what the desk page holds.
    expect((await t.database.db.select().from(questions).where(eq(questions.id, q.id)))[0]).toMatchObject({ version: q.version, status: q.status });
  });

  it('saves as the work goes on: each change names only what changed; a save that changes nothing writes nothing', async () => {
    const q = await ask();
    await save(alice, q, 0, { engineerId: alice.id, arrivedAt: '2026-11-25T08:05', symptom: '打印报错' });
    const second = await save(alice, q, 1, { engineerId: alice.id, arrivedAt: '2026-11-25T08:05', symptom: '打印报错', diagnosis: '临时目录写满', departedAt: '2026-11-25T09:00' });
    expect(second).toMatchObject({ changed: ['departedAt', 'diagnosis'], record: { version: 2, diagnosis: '临时目录写满' } });
    const same = await save(alice, q, 2, { engineerId: alice.id, arrivedAt: '2026-11-25T08:05', symptom: ' 打印报错 ', diagnosis: '临时目录写满', departedAt: '2026-11-25T09:00' });
    expect(same).toMatchObject({ changed: [], record: { version: 2 } });
    const events = (await eventsOf(q.id)).filter((e) => e.kind === 'service_record');
    expect(events.map((e) => e.data)).toEqual([
      { version: 1, fields: ['engineerId', 'arrivedAt', 'symptom'], to: { engineerId: alice.id, arrivedAt: '2026-11-25T00:05:00.000Z', symptom: '打印报错' } },
      { version: 2, fields: ['departedAt', 'diagnosis'], to: { departedAt: '2026-11-25T01:00:00.000Z', diagnosis: '临时目录写满' } },
    ]);
  });

  it.each(['consult', 'suggestion'] as const)('refuses a record for a %s question with a zh-CN validation error', async (kind) => {
    const q = await ask(kind);
    await expect(save(alice, q, 0, visit)).rejects.toMatchObject({ status: 400, message: '只有故障申告需要填写现场服务记录。', fields: { form: '只有故障申告需要填写现场服务记录。' } });
    expect(await recordOf(q)).toBeNull();
  });

  it.each([
    ['a member', ['member']],
    ['a trainer', ['trainer']],
  ] as const)('refuses %s with a 403', async (_, roles) => {
    const q = await ask();
    await expect(save(await person([...roles]), q, 0, visit)).rejects.toMatchObject({ status: 403, code: 'service_records.forbidden' });
  });

  it('refuses a duplicate merged into another question: its on-site work belongs there', async () => {
    const kept = await ask();
    const dup = await ask();
    const { question } = await mergeQuestion({ ...deps, actor: alice, question: dup, version: dup.version, intoNumber: kept.number });
    await expect(save(alice, question, 0, visit)).rejects.toMatchObject({ code: 'questions.state', status: 409 });
  });
});

describe('two engineers at once', () => {
  it('keeps the first save and refuses the second with the zh-CN 409, writing nothing of it', async () => {
    const q = await ask();
    await save(alice, q, 0, { symptom: '第一位工程师看到的现象' });
    // Both opened the page at version 1.
    await save(alice, q, 1, { symptom: '第一位工程师看到的现象', diagnosis: '第一位工程师的诊断' });
    const late = save(bob, q, 1, { symptom: '第二位工程师看到的现象' });
    await expect(late).rejects.toMatchObject({ code: 'questions.stale', status: 409, message: expect.stringContaining('刚刚被其他人更新过') });
    expect(await recordOf(q)).toMatchObject({ version: 2, symptom: '第一位工程师看到的现象', diagnosis: '第一位工程师的诊断' });
    expect((await eventsOf(q.id)).filter((e) => e.kind === 'service_record')).toHaveLength(2);
    // Saved again at the version the page now shows, it goes through.
    expect((await save(bob, q, 2, { symptom: '第二位工程师看到的现象' })).record).toMatchObject({ version: 3, diagnosis: '' });
  });

  it.each([
    ['the first save', 0],
    ['a later save', 1],
  ])('lets exactly one of two simultaneous saves through for %s', async (_, from) => {
    const q = await ask();
    if (from === 1) await save(alice, q, 0, { symptom: '已有的记录' });
    const results = await Promise.allSettled([save(alice, q, from, { symptom: '甲写的' }), save(bob, q, from, { symptom: '乙写的' })]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'questions.stale', status: 409 } });
    expect(await recordOf(q)).toMatchObject({ version: from + 1 });
    expect((await eventsOf(q.id)).filter((e) => e.kind === 'service_record')).toHaveLength(from + 1);
  });

  it('treats a missing or nonsense version as out of date', async () => {
    const q = await ask();
    for (const version of [NaN, -1, 1.5]) await expect(save(alice, q, version, visit)).rejects.toMatchObject({ code: 'questions.stale' });
  });
});

describe('what the asker never sees', () => {
  it('keeps the record off the asker’s timeline and out of every mail', async () => {
    const q = await ask();
    await addNote({ ...deps, actor: alice, question: q, version: q.version, body: '先电话联系' });
    const mailsBefore = (await t.database.db.select().from(mailOutbox)).length;
    await save(alice, q, 0, { ...visit, diagnosis: '机房空调故障导致服务器过热' });
    const view = await loadAskerView({ db: deps.db, question: q });
    expect(view.entries.map((e) => e.kind)).toEqual(['submitted']);
    expect(JSON.stringify(view)).not.toContain('空调');
    expect((await t.database.db.select().from(mailOutbox)).length).toBe(mailsBefore);
  });
});

describe('validation', () => {
  const now = '2026-11-25T09:30';
  it.each([
    ['departure before arrival', { arrivedAt: '2026-11-25T09:00', departedAt: '2026-11-25T08:59' }, { departedAt: '离开时间不能早于到达时间。' }],
    ['departure without arrival', { departedAt: '2026-11-25T09:00' }, { departedAt: '填写离开时间前，请先填写到达时间。' }],
    ['an arrival tomorrow', { arrivedAt: '2026-11-26T08:00' }, { arrivedAt: '到达时间不能晚于现在。' }],
    ['a confirmation two hours ahead', { arrivedAt: now, confirmedBy: '王主任', confirmedAt: '2026-11-25T11:31' }, { confirmedAt: '用户确认时间不能晚于现在。' }],
    ['a confirmation time without a name', { arrivedAt: '2026-11-25T08:00', confirmedAt: '2026-11-25T09:00' }, { confirmedBy: '填写了用户确认时间，请同时填写用户确认人的姓名。' }],
    ['a confirmation before arrival', { arrivedAt: '2026-11-25T08:00', confirmedBy: '王主任', confirmedAt: '2026-11-25T07:00' }, { confirmedAt: '用户确认时间不能早于到达时间。' }],
    ['a day that does not exist', { arrivedAt: '2026-02-30T08:00' }, { arrivedAt: '到达时间格式不正确，请按“年-月-日 时:分”填写。' }],
    ['a time that is no time', { departedAt: '明天上午' }, { departedAt: '离开时间格式不正确，请按“年-月-日 时:分”填写。' }],
    ['a symptom over 4000 characters', { symptom: '故'.repeat(4001) }, { symptom: '故障现象不能超过 4000 个字。' }],
    ['a resolution over 4000 characters', { resolution: 'x'.repeat(4001) }, { resolution: '处理结果不能超过 4000 个字。' }],
    ['a confirmer’s name over 50 characters', { confirmedBy: '王'.repeat(51) }, { confirmedBy: '用户确认人不能超过 50 个字。' }],
    ['an engineer id that is no id', { engineerId: 'nobody' }, { engineerId: '请选择一位在职的值班工程师。' }],
  ])('refuses %s with a zh-CN message on the field, and writes nothing', async (_, input, fields) => {
    const q = await ask();
    await expect(save(alice, q, 0, input)).rejects.toMatchObject({ status: 400, code: 'validation.failed', fields });
    expect(await recordOf(q)).toBeNull();
    expect((await eventsOf(q.id)).map((e) => e.kind)).toEqual(['submitted']);
  });

  it('accepts a time within the hour ahead (a watch running fast) and 4000 characters exactly', async () => {
    const q = await ask();
    const { record } = await save(alice, q, 0, { arrivedAt: '2026-11-25T10:25', symptom: '故'.repeat(4000) });
    expect(record).toMatchObject({ version: 1 });
  });

  it.each([
    ['a member', () => person(['member'])],
    ['a disabled engineer', () => person(['engineer'], 'disabled')],
  ])('refuses %s as the record’s engineer, but keeps one who was disabled after being named', async (_, who) => {
    const q = await ask();
    await expect(save(alice, q, 0, { engineerId: (await who()).id })).rejects.toMatchObject({ fields: { engineerId: '请选择一位在职的值班工程师。' } });
    const later = await person(['engineer']);
    await save(alice, q, 0, { engineerId: later.id, symptom: '现象' });
    await t.database.db.update(users).set({ status: 'disabled' }).where(eq(users.id, later.id));
    expect((await save(alice, q, 1, { engineerId: later.id, symptom: '现象（补充）' })).record).toMatchObject({ engineerId: later.id, version: 2 });
  });

  it('leaves the record table alone for a refused save of an existing record', async () => {
    const q = await ask();
    await save(alice, q, 0, visit);
    await expect(save(alice, q, 1, { ...visit, departedAt: '2026-11-25T07:00' })).rejects.toMatchObject({ status: 400 });
    const [row] = await t.database.db.select().from(serviceRecords).where(eq(serviceRecords.questionId, q.id));
    expect(row).toMatchObject({ version: 1, departedAt: new Date('2026-11-25T01:20:00Z') });
  });
});
