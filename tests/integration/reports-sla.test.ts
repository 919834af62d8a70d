import { and, eq, isNull, lte } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { questions, slaTimers, users } from '../../db/schema/index.ts';
import type { AuthUser } from '../../src/server/auth/auth.sessions.ts';
import { fireSlaTimer } from '../../src/server/escalation/escalation.usecases.ts';
import { startJobs, type Jobs } from '../../src/server/jobs/jobs.ts';
import { replyToQuestion } from '../../src/server/questions/desk.usecases.ts';
import { createQuestion, type QuestionDeps } from '../../src/server/questions/questions.usecases.ts';
import { serviceReport } from '../../src/server/reports/reports.usecases.ts';
import { createFixedClock } from '../../src/server/shared/clock.ts';
import { newId } from '../../src/server/shared/ids.ts';
import { parseLocalDateTime } from '../../src/server/shared/time.ts';
import { seedCalendar, seedSlaDefaults } from '../../src/server/sla/sla.seed.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { silentLog } from '../helpers/runtime.ts';

/**
 * Compliance across a holiday, end to end: suggestions (4 working hours to a
 * first reply, on China's working calendar) asked on the afternoon of
 * 30 September 2026, the last working day before National Day (1–7 October).
 * The clock runs one hour that day and three on 8 October, so the first
 * reply is due at 11:30 on 8 October. The SLA timers, fired as the job would,
 * decide what breached; the report reads it. Counted in wall-clock hours
 * (4 h), both would have breached.
 */
const timeZone = 'Asia/Shanghai';
const at = (local: string) => parseLocalDateTime(local, timeZone)!;
const clock = createFixedClock(at('2026-09-30T16:30').toISOString());
let t: TestDatabase;
let jobs: Jobs;
let deps: QuestionDeps;
let engineer: AuthUser;

beforeAll(async () => {
  t = await createTestDatabase();
  jobs = await startJobs({ database: t.database, log: silentLog });
  deps = { db: t.database.db, clock, jobs, mailFrom: 'Dayi <dayi@example.cn>', baseUrl: 'http://help.local', timeZone, askRateLimit: 0, askAnonymous: true, dutyFallbackEmail: null };
  await seedSlaDefaults({ db: t.database.db, clock });
  await seedCalendar({ db: t.database.db, clock });
  engineer = { id: newId(), name: '张工', email: 'zhang@example.cn', roles: ['engineer'], unitId: null, isUnitContact: false, engineerTier: 1, status: 'active' };
  await t.database.db.insert(users).values({ ...engineer, createdAt: clock.now(), updatedAt: clock.now() });
});
afterAll(async () => {
  await jobs?.stop();
  await t?.drop();
});

const ask = async (title: string) => {
  const { question } = await createQuestion({ ...deps, input: { kind: 'suggestion', title, body: '建议在导出页面增加按单位筛选的功能。', email: 'asker@example.cn' }, asker: { kind: 'anonymous' }, channel: 'web', clientIp: null });
  return question.id;
};
const row = async (id: string) => (await t.database.db.select().from(questions).where(eq(questions.id, id)))[0]!;
/** Fires every SLA step due by now, as the sla.fire jobs would. */
async function fireDue() {
  const due = await t.database.db.select().from(slaTimers).where(and(isNull(slaTimers.firedAt), lte(slaTimers.dueAt, clock.now())));
  for (const timer of due) await fireSlaTimer(deps, timer.id);
}

describe('SLA compliance in the service report', () => {
  it('counts a reply on the first working day after National Day as in time, and the one that came later as breached', async () => {
    const inTime = await ask('建议一：导出增加按单位筛选');
    const late = await ask('建议二：列表增加导出按钮');
    expect((await row(inTime)).firstReplyDueAt).toEqual(at('2026-10-08T11:30'));

    clock.set(at('2026-10-08T10:00'));
    await fireDue();
    const q = await row(inTime);
    await replyToQuestion({ ...deps, actor: engineer, question: q, version: q.version, body: '感谢建议，已列入下一版本计划。' });
    clock.set(at('2026-10-08T11:31'));
    await fireDue();
    expect((await row(inTime)).firstReplyBreachedAt).toBeNull();
    expect((await row(late)).firstReplyBreachedAt).toEqual(at('2026-10-08T11:31'));

    const admin = { id: newId(), name: '管理员', roles: ['admin' as const] };
    const report = await serviceReport({ db: t.database.db, now: clock.now(), timeZone, viewer: admin }, new URLSearchParams({ period: '2026-09' }));
    const overview = report.sections.find((s) => s.id === 'overview')!;
    expect(overview.figures.find((f) => f.label === '首次响应按时率')!.current).toBe(50);
    // The reply came 185.5 wall-clock hours after the question: far past 4 h, and still in time.
    expect(overview.figures.find((f) => f.label === '首次响应时间中位数')!.current).toBe(185.5);
    const clocks = report.sections.flatMap((s) => s.tables).find((x) => x.id === 'clocks')!.rows;
    expect(clocks).toEqual([['意见建议', '—', 2, 1, 1, 50, 0, 0, null, null, null]]);
    expect(report.sections.flatMap((s) => s.tables).find((x) => x.id === 'breached')!.rows.map((r) => [r[1], r[5]])).toEqual([['建议二：列表增加导出按钮', '首次响应']]);
  });
});
