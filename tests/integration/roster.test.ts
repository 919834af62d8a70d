import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { calendarDays, dutyAssignments, dutyShifts, mailOutbox, questionEvents, questionParticipants, questions, users, type Role } from '../../db/schema/index.ts';
import { startJobs, type Jobs } from '../../src/server/jobs/jobs.ts';
import { createQuestion, type QuestionDeps } from '../../src/server/questions/questions.usecases.ts';
import { addOverride, markUnavailable, saveShift, swapDuty } from '../../src/server/roster/roster.usecases.ts';
import { createFixedClock } from '../../src/server/shared/clock.ts';
import { newId } from '../../src/server/shared/ids.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { silentLog } from '../helpers/runtime.ts';

/**
 * Routing by the duty roster, on a real database with an injected clock
 * (Asia/Shanghai, UTC+8). The roster: 白班 08:30–17:30 on working days with
 * 一线 A and B and 二线 C; 夜班 17:30–08:30 every day with 一线 B; 节假日班
 * 08:30–17:30 on rest days with 一线 A.
 */
const clock = createFixedClock('2026-11-25T02:00:00Z');
let t: TestDatabase;
let jobs: Jobs;
let deps: QuestionDeps;
const people: Record<'A' | 'B' | 'C' | 'admin', { id: string; name: string; email: string }> = {} as never;
const shifts: Record<'day' | 'night' | 'holiday', string> = {} as never;
const meta = { actor: null, ip: null, requestId: null };

/** `2026-11-25 10:00` in Shanghai. */
const at = (local: string) => clock.set(new Date(`${local.replace(' ', 'T')}:00+08:00`));

async function person(key: keyof typeof people, name: string, roles: Role[]) {
  const u = { id: newId(), name, email: `${key.toLowerCase()}@example.cn`, roles, engineerTier: null, isUnitContact: false, unitId: null, status: 'active' as const };
  await t.database.db.insert(users).values({ ...u, createdAt: clock.now(), updatedAt: clock.now() });
  people[key] = u;
}

async function assign(shift: keyof typeof shifts, who: 'A' | 'B' | 'C', tier: number) {
  await t.database.db.insert(dutyAssignments).values({ id: newId(), shiftId: shifts[shift], weekday: 0, userId: people[who].id, role: 'engineer', tier, createdAt: clock.now() });
}

async function ask(title = '数据上报失败', kind: 'consult' | 'fault' = 'consult', severity?: string) {
  const { question } = await createQuestion({ ...deps, input: { kind, ...(severity ? { severity } : {}), title, body: '按手册操作后仍然报错，请帮忙看看。', email: 'asker@example.cn' }, asker: { kind: 'anonymous' }, channel: 'web', clientIp: null });
  const [row] = await t.database.db.select().from(questions).where(eq(questions.id, question.id));
  const events = await t.database.db.select().from(questionEvents).where(eq(questionEvents.questionId, question.id));
  return { row: row!, routed: events.filter((e) => e.kind === 'routed') };
}
const mails = (kind: string) => t.database.db.select().from(mailOutbox).where(eq(mailOutbox.kind, kind));

beforeEach(async () => {
  t = await createTestDatabase();
  jobs = await startJobs({ database: t.database, log: silentLog });
  deps = { db: t.database.db, clock, jobs, mailFrom: 'Dayi <dayi@example.cn>', baseUrl: 'http://help.local', timeZone: 'Asia/Shanghai', askRateLimit: 0, askAnonymous: true, dutyFallbackEmail: 'pm@example.cn' };
  at('2026-11-25 10:00');
  await person('A', '张一线', ['engineer']);
  await person('B', '李一线', ['engineer']);
  await person('C', '王专家', ['engineer']);
  await person('admin', '管理员', ['admin']);
  const d = { db: t.database.db, clock, meta };
  shifts.day = await saveShift({ ...d, input: { name: '白班', startTime: '08:30', endTime: '17:30', days: 'workday' } });
  shifts.night = await saveShift({ ...d, input: { name: '夜班', startTime: '17:30', endTime: '08:30', days: 'every' } });
  shifts.holiday = await saveShift({ ...d, input: { name: '节假日班', startTime: '08:30', endTime: '17:30', days: 'restday' } });
  await assign('day', 'A', 1);
  await assign('day', 'B', 1);
  await assign('day', 'C', 2);
  await assign('night', 'B', 1);
  await assign('holiday', 'A', 1);
});
afterEach(async () => {
  await jobs?.stop();
  await t?.drop();
});

describe('routing a new question', () => {
  it('goes to the tier-1 engineer on duty with the fewest open questions, who is mailed, with the reason on the timeline', async () => {
    const first = await ask();
    const second = await ask();
    // Both had none: the first goes to whoever sorts first; the second to the other (fewest open).
    expect(new Set([first.row.assigneeId, second.row.assigneeId])).toEqual(new Set([people.A.id, people.B.id]));
    expect(second.row).toMatchObject({ status: 'assigned', tier: 1, assignedAt: clock.now() });
    const third = await ask();
    // One open each: the one assigned least recently (the first one's engineer).
    expect(third.row.assigneeId).toBe(first.row.assigneeId);
    expect(third.routed[0]!.data).toMatchObject({ to: first.row.assigneeId, open: 1, candidates: 2 });
    expect(String(third.routed[0]!.data!.reason)).toMatch(/^值班一线 .+，当前未结 1 个，最少，且最久未分派$/);
    const assigned = await mails('duty.assigned');
    expect(assigned).toHaveLength(3);
    expect(assigned[0]!.subject).toContain(`新问题分派给您：[答疑 ${first.row.number}]`);
  });

  it('follows the shift change at 08:30 and the night shift past midnight', async () => {
    at('2026-11-26 08:29');
    expect((await ask()).row.assigneeId).toBe(people.B.id);
    at('2026-11-26 00:30');
    expect((await ask()).row.assigneeId).toBe(people.B.id);
    // 08:30: the day shift; B already has two open, so A.
    at('2026-11-26 08:30');
    expect((await ask()).row.assigneeId).toBe(people.A.id);
  });

  it('honours a dated override, a swap and an unavailable engineer', async () => {
    const d = { db: t.database.db, clock, meta };
    // 27 Nov: A is off the day shift, C covers tier 1.
    await addOverride({ ...d, input: { day: '2026-11-27', shiftId: shifts.day, change: 'remove', userId: people.A.id, role: 'engineer', tier: '1' } });
    await swapDuty({ ...d, input: { day: '2026-11-27', shiftId: shifts.day, fromUserId: people.B.id, toUserId: people.C.id, role: 'engineer' }, tier: 1 });
    at('2026-11-27 10:00');
    const onThe27th = await ask();
    expect(onThe27th.row.assigneeId).toBe(people.C.id);
    expect(onThe27th.routed[0]!.data!.reason).toBe('值班一线 王专家，当前未结 0 个，唯一在岗');
    // 26 Nov as usual, but B is away all day: A.
    at('2026-11-26 09:00');
    await markUnavailable({ ...d, userId: people.B.id, input: { startsAt: new Date('2026-11-26T00:00:00+08:00'), endsAt: new Date('2026-11-27T00:00:00+08:00') } });
    for (let i = 0; i < 2; i++) expect((await ask()).row.assigneeId).toBe(people.A.id);
  });

  it('knows holidays and 调休 days from the calendar', async () => {
    await t.database.db.insert(calendarDays).values([
      { day: '2026-10-01', workday: false, name: '国庆节', source: 'package', updatedAt: clock.now() },
      { day: '2026-10-10', workday: true, name: '国庆节调休', source: 'package', updatedAt: clock.now() },
    ]);
    at('2026-10-01 10:00');
    // A holiday on a Thursday: 节假日班 (A only), not 白班.
    for (let i = 0; i < 2; i++) expect((await ask()).row.assigneeId).toBe(people.A.id);
    // 10 Oct is a Saturday worked in lieu: 白班 (A or B: B has none open yet).
    at('2026-10-10 10:00');
    expect((await ask()).row.assigneeId).toBe(people.B.id);
  });

  it('leaves the question unassigned when nobody is on duty and alerts the admins and the fallback address', async () => {
    const d = { db: t.database.db, clock, meta };
    await markUnavailable({ ...d, userId: people.B.id, input: { startsAt: new Date('2026-11-25T17:00:00+08:00'), endsAt: new Date('2026-11-26T08:30:00+08:00') } });
    at('2026-11-25 22:00');
    const q = await ask();
    expect(q.row).toMatchObject({ assigneeId: null, status: 'new' });
    expect(q.routed[0]!.data).toMatchObject({ to: null });
    const [alert] = await mails('duty.unrouted');
    expect(alert!.to.sort()).toEqual(['admin@example.cn', 'pm@example.cn']);
  });

  it('brings the tier-2 experts on duty into a level-A fault at once', async () => {
    const q = await ask('平台无法登录', 'fault', 'A');
    const participants = await t.database.db.select().from(questionParticipants).where(eq(questionParticipants.questionId, q.row.id));
    expect(participants).toMatchObject([{ userId: people.C.id, role: 'expert' }]);
    expect((await mails('duty.participant')).map((m) => m.to)).toEqual([['c@example.cn']]);
    // A level-B fault does not.
    const b = await ask('导出偶尔失败', 'fault', 'B');
    expect(await t.database.db.select().from(questionParticipants).where(eq(questionParticipants.questionId, b.row.id))).toEqual([]);
  });

  it('routes each of many simultaneous questions exactly once, spread over the engineers on duty', async () => {
    const all = await Promise.all(Array.from({ length: 10 }, (_, i) => ask(`并发提问 ${i}`)));
    expect(all.map((q) => q.routed.length)).toEqual(Array(10).fill(1));
    const a = all.filter((q) => q.row.assigneeId === people.A.id).length;
    expect(a + all.filter((q) => q.row.assigneeId === people.B.id).length).toBe(10);
  });

  it('refuses an override for someone who cannot be on duty, and a shift without sensible times', async () => {
    const d = { db: t.database.db, clock, meta };
    await expect(addOverride({ ...d, input: { day: '2026-11-27', shiftId: shifts.day, change: 'add', userId: people.admin.id, role: 'engineer', tier: '' } })).rejects.toMatchObject({ fields: { tier: expect.any(String) } });
    await expect(saveShift({ ...d, input: { name: '错班', startTime: '25:00', endTime: '08:00', days: 'every' } })).rejects.toMatchObject({ fields: { startTime: expect.any(String) } });
    expect(await t.database.db.select().from(dutyShifts)).toHaveLength(3);
  });
});
