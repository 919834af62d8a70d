import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../db/client.ts';
import { dutyAssignments, mailOutbox, questionEvents, questionParticipants, questions, serviceRecords, slaTimers, users, type QuestionEventKind, type Role } from '../../db/schema/index.ts';
import { escalateByHand, raiseCaseTeam, requestOnSite } from '../../src/server/escalation/escalation.desk.ts';
import { fireSlaTimer, pauseClocks, scheduleClocks, startArrivalClock, type EscalationDeps } from '../../src/server/escalation/escalation.usecases.ts';
import { replyToQuestion } from '../../src/server/questions/desk.usecases.ts';
import { addFollowUp } from '../../src/server/questions/tracking.usecases.ts';
import { startJobs, type Jobs } from '../../src/server/jobs/jobs.ts';
import { createQuestion, type QuestionDeps } from '../../src/server/questions/questions.usecases.ts';
import { saveShift } from '../../src/server/roster/roster.usecases.ts';
import { createFixedClock } from '../../src/server/shared/clock.ts';
import { newId } from '../../src/server/shared/ids.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { silentLog } from '../helpers/runtime.ts';

/**
 * The clocks' steps with an injected clock: scheduled as jobs at their
 * minute, each firing once (also from two processes at the same moment),
 * stale after a new plan or a pause, and the escalation chain — tier 2 on a
 * missed first reply, tier 3 and the manager on a missed resolution, the
 * manager and experts on a missed arrival on site.
 */
const clock = createFixedClock('2026-11-25T02:00:00Z'); // 10:00 in Shanghai, a Wednesday
let t: TestDatabase;
let jobs: Jobs;
let deps: QuestionDeps;
let esc: EscalationDeps;
const ids: Record<string, string> = {};
const MIN = 60_000;

async function person(key: string, name: string, roles: Role[]) {
  ids[key] = newId();
  await t.database.db.insert(users).values({ id: ids[key], name, email: `${key}@example.cn`, roles, status: 'active', isUnitContact: false, createdAt: clock.now(), updatedAt: clock.now() });
}

/** A level-B fault: its clocks start as it arrives (1 h / 4 h round the clock by default, warnings at 75 %). */
async function askWithClocks(title: string) {
  const { question } = await createQuestion({ ...deps, input: { kind: 'fault', severity: 'B', title, body: '系统报错，无法继续办理业务。', email: 'asker@example.cn' }, asker: { kind: 'anonymous' }, channel: 'web', clientIp: null });
  return question.id;
}
const timersOf = (questionId: string) => t.database.db.select().from(slaTimers).where(eq(slaTimers.questionId, questionId));
const timer = async (questionId: string, step: string) => (await timersOf(questionId)).filter((x) => x.step === step).sort((a, b) => b.generation - a.generation)[0]!;
const events = (questionId: string, kind: QuestionEventKind) => t.database.db.select().from(questionEvents).where(and(eq(questionEvents.questionId, questionId), eq(questionEvents.kind, kind)));
const participants = (questionId: string) => t.database.db.select().from(questionParticipants).where(eq(questionParticipants.questionId, questionId));

beforeAll(async () => {
  t = await createTestDatabase();
  jobs = await startJobs({ database: t.database, log: silentLog });
  deps = { db: t.database.db, clock, jobs, mailFrom: 'Dayi <dayi@example.cn>', baseUrl: 'http://help.local', timeZone: 'Asia/Shanghai', askRateLimit: 0, askAnonymous: true, dutyFallbackEmail: null };
  esc = { ...deps };
  await person('a', '张一线', ['engineer']);
  await person('c', '王专家', ['engineer']);
  await person('v', '厂商支持', ['engineer']);
  await person('m', '项目经理', ['admin']);
  const shift = await saveShift({ db: t.database.db, clock, meta: { actor: null, ip: null, requestId: null }, input: { name: '全天', startTime: '00:00', endTime: '00:00', days: 'every' } });
  const put = (key: string, role: 'engineer' | 'manager', tier: number | null) =>
    t.database.db.insert(dutyAssignments).values({ id: newId(), shiftId: shift, weekday: 0, userId: ids[key]!, role, tier, createdAt: clock.now() });
  await put('a', 'engineer', 1);
  await put('c', 'engineer', 2);
  await put('v', 'engineer', 3);
  await put('m', 'manager', null);
});
afterAll(async () => {
  await jobs?.stop();
  await t?.drop();
});

describe('SLA steps', () => {
  it('schedules each step as a job at its minute when the question arrives', async () => {
    const q = await askWithClocks('导出报错');
    const timers = await timersOf(q);
    const at = (minutes: number) => new Date(clock.now().getTime() + minutes * MIN);
    expect(Object.fromEntries(timers.map((x) => [x.step, x.dueAt]))).toEqual({ first_reply_warn: at(45), first_reply_breach: at(60), resolve_warn: at(180), resolve_breach: at(240) });
    expect((await t.database.db.select().from(questions).where(eq(questions.id, q)))[0]).toMatchObject({ firstReplyDueAt: at(60), resolveDueAt: at(240) });
    const rows = (await t.database.db.execute(sql`select data->>'id' as id, start_after from pgboss.job where name = 'sla.fire'`)) as unknown as { id: string; start_after: Date }[];
    const list = Array.isArray(rows) ? rows : ((rows as unknown as { rows: { id: string; start_after: Date }[] }).rows ?? []);
    for (const x of timers) expect(new Date(list.find((r) => r.id === x.id)!.start_after).getTime()).toBe(x.dueAt.getTime());
  });

  it('warns the assignee once, even when two processes fire the same step at the same moment', async () => {
    const q = await askWithClocks('登录报错');
    const warn = await timer(q, 'first_reply_warn');
    clock.advance(45 * MIN);
    const second: Database | null = t.url ? await openDatabase({ kind: 'postgres', url: t.url }, { max: 2 }) : null;
    const results = await Promise.all([fireSlaTimer(esc, warn.id), fireSlaTimer({ ...esc, db: second?.db ?? esc.db }, warn.id)]);
    await second?.close();
    expect(results.sort()).toEqual(['done', 'fired']);
    expect(await events(q, 'sla_warning')).toHaveLength(1);
    const mails = await t.database.db.select().from(mailOutbox).where(eq(mailOutbox.kind, 'sla.warning'));
    expect(mails.filter((m) => m.subject.includes('登录报错')).map((m) => m.to)).toEqual([['a@example.cn']]);
    clock.advance(-45 * MIN);
  });

  it('brings tier 2 in on a missed first reply, tier 3 and the manager on a missed resolution', async () => {
    const q = await askWithClocks('数据上报失败');
    expect(await fireSlaTimer(esc, (await timer(q, 'first_reply_breach')).id)).toBe('fired');
    let row = (await t.database.db.select().from(questions).where(eq(questions.id, q)))[0]!;
    expect(row).toMatchObject({ tier: 2, firstReplyBreachedAt: clock.now() });
    expect((await participants(q)).map((p) => [p.userId, p.role])).toEqual([[ids.c, 'expert']]);
    const breach = (await t.database.db.select().from(mailOutbox).where(eq(mailOutbox.kind, 'sla.breach'))).find((m) => m.subject.includes('数据上报失败'))!;
    expect(breach.subject).toMatch(/^已超时（首次响应）/);
    expect(breach.to.sort()).toEqual(['a@example.cn', 'm@example.cn']);
    expect(breach.text).toContain('已通知在岗的二线专家协助处理');
    expect(await fireSlaTimer(esc, (await timer(q, 'resolve_breach')).id)).toBe('fired');
    row = (await t.database.db.select().from(questions).where(eq(questions.id, q)))[0]!;
    expect(row.tier).toBe(3);
    expect((await participants(q)).map((p) => p.userId).sort()).toEqual([ids.c, ids.m, ids.v].sort());
    expect((await events(q, 'sla_breached')).map((e) => e.data?.step)).toEqual(['first_reply_breach', 'resolve_breach']);
  });

  it('does nothing for a step of an older plan, of a paused clock, or after the target was met', async () => {
    const q = await askWithClocks('打印空白');
    const old = await timer(q, 'resolve_warn');
    await t.database.db.transaction((tx) => scheduleClocks(tx, { jobs, clock }, { id: q, firstRepliedAt: clock.now() }, { firstReplyDueAt: null, firstReplyWarnAt: null, resolveWarnAt: new Date(clock.now().getTime() + 300 * MIN), resolveDueAt: new Date(clock.now().getTime() + 400 * MIN) }));
    expect(await fireSlaTimer(esc, old.id)).toBe('stale');
    // The new plan has no first-reply steps: the question was answered.
    expect((await timersOf(q)).filter((x) => x.generation === old.generation + 1).map((x) => x.step).sort()).toEqual(['resolve_breach', 'resolve_warn']);
    await t.database.db.transaction((tx) => pauseClocks(tx, q, clock.now()));
    expect(await fireSlaTimer(esc, (await timer(q, 'resolve_breach')).id)).toBe('stale');
    const answered = await askWithClocks('已答复的问题');
    await t.database.db.update(questions).set({ firstRepliedAt: clock.now() }).where(eq(questions.id, answered));
    expect(await fireSlaTimer(esc, (await timer(answered, 'first_reply_breach')).id)).toBe('stale');
    expect(await events(answered, 'sla_breached')).toEqual([]);
  });

  it('alerts the manager and experts when nobody is on site two hours after "需要上门", not when the record shows an arrival', async () => {
    const q = await askWithClocks('服务器宕机');
    const due = await t.database.db.transaction((tx) => startArrivalClock(tx, { jobs, clock }, q, 120));
    expect(due.getTime()).toBe(clock.now().getTime() + 120 * MIN);
    expect(await fireSlaTimer(esc, (await timer(q, 'arrival_breach')).id)).toBe('fired');
    expect((await participants(q)).map((p) => p.userId).sort()).toEqual([ids.c, ids.m].sort());

    const visited = await askWithClocks('网络中断');
    await t.database.db.transaction((tx) => startArrivalClock(tx, { jobs, clock }, visited, 120));
    await t.database.db.insert(serviceRecords).values({ questionId: visited, arrivedAt: clock.now(), createdAt: clock.now(), updatedAt: clock.now() });
    expect(await fireSlaTimer(esc, (await timer(visited, 'arrival_breach')).id)).toBe('stale');
  });
});

describe('escalating by hand, on site, case team, waiting on the asker', () => {
  const load = async (id: string) => (await t.database.db.select().from(questions).where(eq(questions.id, id)))[0]!;
  const engineer = async () => ({ id: ids.a!, name: '张一线', email: 'a@example.cn', roles: ['engineer' as Role], unitId: null, isUnitContact: false, engineerTier: 1, status: 'active' as const });

  it('escalates to tier 2 on duty, and says so when they are all in already', async () => {
    const q = await load(await askWithClocks('模块报错'));
    const actor = await engineer();
    await escalateByHand({ ...deps, actor, question: q, version: q.version, tier: '2', reason: '一线无法定位' });
    const after = await load(q.id);
    expect(after.tier).toBe(2);
    expect((await participants(q.id)).map((p) => [p.userId, p.role])).toEqual([[ids.c, 'expert']]);
    expect((await events(q.id, 'escalated'))[0]).toMatchObject({ body: '一线无法定位', data: { tier: 2 } });
    await expect(escalateByHand({ ...deps, actor, question: after, version: after.version, tier: '2', reason: '再次升级' })).rejects.toMatchObject({ fields: { tier: expect.stringContaining('二线专家') } });
    expect((await load(q.id)).version).toBe(after.version);
  });

  it('starts the arrival clock for a fault that needs the site, once; raises a case team', async () => {
    const q = await load(await askWithClocks('机房断电'));
    const actor = await engineer();
    await requestOnSite({ ...deps, actor, question: q, version: q.version });
    let after = await load(q.id);
    expect(after.arrivalDueAt!.getTime()).toBe(clock.now().getTime() + 120 * MIN);
    expect((await timer(q.id, 'arrival_breach')).dueAt).toEqual(after.arrivalDueAt);
    await expect(requestOnSite({ ...deps, actor, question: after, version: after.version })).rejects.toMatchObject({ status: 400 });
    await raiseCaseTeam({ ...deps, actor, question: after, version: after.version, reason: '全市多个单位无法上报' });
    after = await load(q.id);
    expect(after.caseTeam).toBe(true);
    expect((await participants(q.id)).filter((p) => p.role === 'case_team').map((p) => p.userId).sort()).toEqual([ids.c, ids.m].sort());
  });

  it('pauses the clocks while waiting on the asker and moves them on by the wait when the asker replies', async () => {
    let q = await load(await askWithClocks('账号无法登录'));
    const due = q.resolveDueAt!;
    const actor = await engineer();
    q = (await replyToQuestion({ ...deps, actor, question: q, version: q.version, body: '请提供报错截图。', waitForAsker: true })).question;
    expect(q).toMatchObject({ status: 'waiting', clockPausedAt: clock.now() });
    const stale = await timer(q.id, 'resolve_breach');
    expect(await fireSlaTimer(esc, stale.id)).toBe('stale');
    clock.advance(30 * MIN);
    q = (await addFollowUp({ ...deps, question: q, version: q.version, reopenDays: 30, body: '截图如下。' })).question;
    expect(q).toMatchObject({ status: 'assigned', clockPausedAt: null });
    expect(q.resolveDueAt!.getTime()).toBe(due.getTime() + 30 * MIN);
    const resumed = await timer(q.id, 'resolve_breach');
    expect(resumed.generation).toBe(stale.generation + 2);
    expect(resumed.dueAt).toEqual(q.resolveDueAt);
    // Answered before the pause: the first-reply steps are not scheduled again.
    expect((await timersOf(q.id)).filter((x) => x.generation === resumed.generation).map((x) => x.step).sort()).toEqual(['resolve_breach', 'resolve_warn']);
    expect((await events(q.id, 'clock_paused')).length + (await events(q.id, 'clock_resumed')).length).toBe(2);
    clock.advance(-30 * MIN);
  });
});
