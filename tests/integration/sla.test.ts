import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, calendarDays, slaPolicies, users } from '../../db/schema/index.ts';
import { createFixedClock } from '../../src/server/shared/clock.ts';
import { newId } from '../../src/server/shared/ids.ts';
import { formatLocalDateTime, parseLocalDateTime } from '../../src/server/shared/time.ts';
import { warnAt } from '../../src/server/sla/clock.ts';
import { removeCalendarDay, saveSettings, saveTargets, setCalendarDay } from '../../src/server/sla/sla.admin.ts';
import { findCalendarDay, listTargets, loadSettings } from '../../src/server/sla/sla.queries.ts';
import { packageCalendarDays, seedCalendar, seedSlaDefaults } from '../../src/server/sla/sla.seed.ts';
import { dueTimesFor, resumedDueTimes } from '../../src/server/sla/sla.usecases.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const timeZone = 'Asia/Shanghai';
const clock = createFixedClock('2026-11-25T02:00:00Z');
let t: TestDatabase;
let meta: { actor: { id: string }; ip: string; requestId: string };

const at = (local: string) => parseLocalDateTime(local.replace(' ', 'T'), timeZone)!;
const shown = (d: Date | null) => (d ? formatLocalDateTime(d, timeZone).replace('T', ' ') : null);
const db = () => t.database.db;

/** The policy form as the page posts it, with the shipped values and `changes` over them. */
async function policyForm(changes: Record<string, string> = {}): Promise<Record<string, string>> {
  const form: Record<string, string> = {};
  for (const p of await listTargets({ db: db() })) {
    const key = p.severity ? `${p.kind}-${p.severity}` : p.kind;
    Object.assign(form, {
      [`${key}.firstHours`]: String(Math.floor(p.firstReplyMinutes / 60)),
      [`${key}.firstMinutes`]: String(p.firstReplyMinutes % 60),
      [`${key}.resolveHours`]: String(Math.floor(p.resolveMinutes / 60)),
      [`${key}.resolveMinutes`]: String(p.resolveMinutes % 60),
      [`${key}.calendar`]: p.calendar,
    });
  }
  return { ...form, ...changes };
}

const audited = (action: string) => db().select().from(auditEvents).where(eq(auditEvents.action, action));

beforeAll(async () => {
  t = await createTestDatabase();
  const id = newId();
  await db().insert(users).values({ id, name: '管理员', email: `${id}@example.cn`, roles: ['admin'], status: 'active', createdAt: clock.now(), updatedAt: clock.now() });
  meta = { actor: { id }, ip: '127.0.0.1', requestId: 'r1' };
});
afterAll(async () => {
  await t?.drop();
});

describe('seeding', () => {
  it('adds the shipped targets and settings once, keeping what admins changed', async () => {
    expect(await seedSlaDefaults({ db: db(), clock })).toEqual({ targetsAdded: 7, settingsAdded: true });
    await db().update(slaPolicies).set({ firstReplyMinutes: 30 }).where(and(eq(slaPolicies.kind, 'fault'), eq(slaPolicies.severity, 'A')));
    expect(await seedSlaDefaults({ db: db(), clock })).toEqual({ targetsAdded: 0, settingsAdded: false });
    const targets = await listTargets({ db: db() });
    expect(targets.map((p) => [p.kind, p.severity, p.firstReplyMinutes, p.resolveMinutes, p.calendar])).toEqual([
      ['fault', 'A', 30, 240, '24x7'],
      ['fault', 'B', 60, 240, '24x7'],
      ['fault', 'C', 60, 240, '24x7'],
      ['fault', 'D', 60, 240, '24x7'],
      ['fault', 'E', 60, 240, '24x7'],
      ['consult', '', 60, 240, '24x7'],
      ['suggestion', '', 240, 1440, 'working'],
    ]);
    await db().update(slaPolicies).set({ firstReplyMinutes: 60 }).where(and(eq(slaPolicies.kind, 'fault'), eq(slaPolicies.severity, 'A')));
    expect(await loadSettings({ db: db() })).toEqual({ workingIntervals: [['08:30', '12:00'], ['13:30', '17:30']], warnPercent: 75, arrivalMinutes: 120 });
  });

  it('writes the package’s holidays and 调休 days for every year it knows, idempotently', async () => {
    const { years, days } = packageCalendarDays();
    expect(years).toContain(2026);
    const first = await seedCalendar({ db: db(), clock });
    expect(first.added).toBe(days.length);
    expect(await seedCalendar({ db: db(), clock })).toMatchObject({ added: 0, updated: 0, removed: 0 });
    // 国庆 2026: 1–7 October off, Sunday 20 September and Saturday 10 October worked.
    expect(await findCalendarDay({ db: db(), day: '2026-10-01' })).toMatchObject({ workday: false, name: '国庆节', source: 'package' });
    expect(await findCalendarDay({ db: db(), day: '2026-10-10' })).toMatchObject({ workday: true, name: '国庆节补班', source: 'package' });
    expect(await findCalendarDay({ db: db(), day: '2026-09-20' })).toMatchObject({ workday: true, source: 'package' });
  });

  it('corrects and removes its own rows on a re-seed, and never touches an admin’s', async () => {
    await db().update(calendarDays).set({ workday: true }).where(eq(calendarDays.day, '2026-10-02'));
    await db().insert(calendarDays).values({ day: '2026-03-03', workday: false, name: '旧数据', source: 'package', updatedAt: clock.now() });
    await setCalendarDay({ db: db(), clock, meta, form: { day: '2026-10-10', workday: '0', name: '本单位不补班' } });
    expect(await seedCalendar({ db: db(), clock })).toMatchObject({ added: 0, updated: 1, removed: 1 });
    expect(await findCalendarDay({ db: db(), day: '2026-10-02' })).toMatchObject({ workday: false, source: 'package' });
    expect(await findCalendarDay({ db: db(), day: '2026-03-03' })).toBeNull();
    expect(await findCalendarDay({ db: db(), day: '2026-10-10' })).toMatchObject({ workday: false, name: '本单位不补班', source: 'admin' });
    // Undoing the correction brings the package's day back at once.
    expect(await removeCalendarDay({ db: db(), clock, meta, day: '2026-10-10' })).toEqual({ restored: true });
    expect(await findCalendarDay({ db: db(), day: '2026-10-10' })).toMatchObject({ workday: true, name: '国庆节补班', source: 'package' });
    await expect(removeCalendarDay({ db: db(), clock, meta, day: '2026-10-10' })).rejects.toMatchObject({ status: 404 });
    expect((await audited('calendar.day_set'))[0]).toMatchObject({ targetId: '2026-10-10', actorId: meta.actor.id, after: { workday: false, dayName: '本单位不补班' } });
    expect(await audited('calendar.day_removed')).toHaveLength(1);
  });
});

describe('due times', () => {
  const due = (kind: 'fault' | 'consult' | 'suggestion', from: string, severity: string | null = null) =>
    dueTimesFor({ db: db(), timeZone, kind, severity, from: at(from) });

  it.each([
    ['a fault, Friday evening (7×24)', 'fault', 'A', '2026-11-27 17:00', '2026-11-27 18:00', '2026-11-27 21:00'],
    ['a level-E fault during 国庆', 'fault', 'E', '2026-10-03 23:30', '2026-10-04 00:30', '2026-10-04 03:30'],
    ['a consultation on a Saturday (7×24)', 'consult', null, '2026-11-28 10:00', '2026-11-28 11:00', '2026-11-28 14:00'],
    ['a suggestion before a weekend', 'suggestion', null, '2026-11-27 16:00', '2026-11-30 11:00', '2026-12-02 17:30'],
    ['a suggestion before 国庆, onto the 调休 Saturday', 'suggestion', null, '2026-09-30 16:00', '2026-10-08 11:00', '2026-10-10 17:30'],
    ['a suggestion on a holiday, over the 调休 Saturday', 'suggestion', null, '2026-10-01 10:00', '2026-10-08 14:00', '2026-10-12 10:00'],
  ] as const)('%s', async (_, kind, severity, from, firstReply, resolve) => {
    const d = await due(kind, from, severity);
    expect([shown(d.firstReplyDueAt), shown(d.resolveDueAt)]).toEqual([firstReply, resolve]);
    expect(d.warnPercent).toBe(75);
    expect(d.calendar).toBe(kind === 'suggestion' ? 'working' : '24x7');
  });

  it('gives the 75 % warning on the target’s calendar', async () => {
    const d = await due('suggestion', '2026-11-27 16:00');
    expect(shown(warnAt(at('2026-11-27 16:00'), d.firstReplyDueAt, d.warnPercent, d.calendar, d.workingCalendar))).toBe('2026-11-30 10:00');
  });

  it('follows an admin’s correction of the calendar', async () => {
    // Saturday 5 December made a working day: a Friday-evening suggestion is answered that morning.
    await setCalendarDay({ db: db(), clock, meta, form: { day: '2026-12-05', workday: '1', name: '临时上班' } });
    expect(shown((await due('suggestion', '2026-12-04 17:00')).firstReplyDueAt)).toBe('2026-12-05 12:00');
    await removeCalendarDay({ db: db(), clock, meta, day: '2026-12-05' });
    expect(shown((await due('suggestion', '2026-12-04 17:00')).firstReplyDueAt)).toBe('2026-12-07 12:00');
  });

  it('moves due times on by the working time a pause lasted, over a holiday', async () => {
    const d = await due('suggestion', '2026-09-30 09:00');
    expect(shown(d.firstReplyDueAt)).toBe('2026-09-30 14:30');
    const moved = await resumedDueTimes({ db: db(), timeZone, kind: 'suggestion', severity: null, pausedAt: at('2026-09-30 10:00'), resumedAt: at('2026-10-08 09:00'), firstReplyDueAt: d.firstReplyDueAt, resolveDueAt: d.resolveDueAt });
    // At 10:00, 3 of the 4 working hours to the first reply were left, and 23 of the 24 to resolution; 国庆 does not count, the 调休 Saturday does.
    expect(shown(moved.firstReplyDueAt)).toBe('2026-10-08 12:00');
    expect(shown(moved.resolveDueAt)).toBe('2026-10-12 09:30');
  });

  it('moves 7×24 due times by the whole pause, and leaves a due time that had passed or none', async () => {
    const moved = await resumedDueTimes({
      db: db(),
      timeZone,
      kind: 'fault',
      severity: 'B',
      pausedAt: at('2026-11-25 10:00'),
      resumedAt: at('2026-11-25 12:30'),
      firstReplyDueAt: at('2026-11-25 09:30'),
      resolveDueAt: at('2026-11-25 11:00'),
    });
    expect([shown(moved.firstReplyDueAt), shown(moved.resolveDueAt)]).toEqual(['2026-11-25 09:30', '2026-11-25 13:30']);
    const none = await resumedDueTimes({ db: db(), timeZone, kind: 'consult', severity: null, pausedAt: at('2026-11-25 10:00'), resumedAt: at('2026-11-25 12:30'), firstReplyDueAt: null, resolveDueAt: at('2026-11-25 10:30') });
    expect([none.firstReplyDueAt, shown(none.resolveDueAt)]).toEqual([null, '2026-11-25 13:00']);
  });
});

describe('admins edit', () => {
  it('the targets: a suggestion’s new times apply to due times, audited once in words', async () => {
    const form = await policyForm({ 'suggestion.firstHours': '2', 'suggestion.firstMinutes': '30', 'suggestion.resolveHours': '16', 'suggestion.resolveMinutes': '0' });
    expect(await saveTargets({ db: db(), clock, meta, form })).toEqual({ changed: 1 });
    expect(await saveTargets({ db: db(), clock, meta, form })).toEqual({ changed: 0 });
    const d = await dueTimesFor({ db: db(), timeZone, kind: 'suggestion', severity: null, from: at('2026-11-25 09:00') });
    expect(shown(d.firstReplyDueAt)).toBe('2026-11-25 11:30');
    const [event, ...more] = await audited('sla.policy_changed');
    expect(more).toHaveLength(0);
    expect(event).toMatchObject({
      before: { suggestion: '首次响应 4 小时，解决 24 小时（工作时间）' },
      after: { suggestion: '首次响应 2 小时 30 分钟，解决 16 小时（工作时间）' },
    });
  });

  it.each([
    ['not numbers', { 'fault-A.firstHours': '一' }, 'fault-A.first', '请填写整数的小时和分钟。'],
    ['zero', { 'consult.firstHours': '0', 'consult.firstMinutes': '0' }, 'consult.first', '时限至少 1 分钟。'],
    ['resolution before the first reply', { 'fault-C.resolveHours': '0', 'fault-C.resolveMinutes': '30' }, 'fault-C.resolve', '解决时限不能短于首次响应时限。'],
    ['an unknown calendar', { 'fault-D.calendar': 'lunar' }, 'fault-D.calendar', '请选择计时方式。'],
  ])('refuses targets with %s', async (_, changes, field, message) => {
    await expect(saveTargets({ db: db(), clock, meta, form: await policyForm(changes) })).rejects.toMatchObject({ status: 400, fields: { [field]: message } });
  });

  it('the settings: intervals in order and not overlapping, a warning percentage, the arrival target', async () => {
    const form = { 'intervals.0.start': '09:00', 'intervals.0.end': '12:00', 'intervals.1.start': '13:00', 'intervals.1.end': '18:00', warnPercent: '80', arrivalMinutes: '90' };
    expect(await saveSettings({ db: db(), clock, meta, form })).toEqual({ changed: true });
    expect(await loadSettings({ db: db() })).toEqual({ workingIntervals: [['09:00', '12:00'], ['13:00', '18:00']], warnPercent: 80, arrivalMinutes: 90 });
    expect((await audited('sla.settings_changed'))[0]).toMatchObject({ after: { workingIntervals: '09:00–12:00，13:00–18:00', warnPercent: 80 } });
    const refused = (changes: Record<string, string>) => saveSettings({ db: db(), clock, meta, form: { ...form, ...changes } });
    await expect(refused({ 'intervals.1.start': '11:00' })).rejects.toMatchObject({ fields: { intervals: expect.stringContaining('不能重叠') } });
    await expect(refused({ 'intervals.0.end': '08:00' })).rejects.toMatchObject({ fields: { intervals: expect.stringContaining('晚于开始时间') } });
    await expect(refused({ 'intervals.0.start': '9点' })).rejects.toMatchObject({ fields: { intervals: expect.stringContaining('08:30') } });
    await expect(refused({ 'intervals.0.start': '', 'intervals.0.end': '', 'intervals.1.start': '', 'intervals.1.end': '' })).rejects.toMatchObject({ fields: { intervals: '请至少填写一段工作时间。' } });
    await expect(refused({ warnPercent: '100', arrivalMinutes: 'x' })).rejects.toMatchObject({ fields: { warnPercent: expect.any(String), arrivalMinutes: expect.any(String) } });
    const d = await dueTimesFor({ db: db(), timeZone, kind: 'suggestion', severity: null, from: at('2026-11-25 11:00') });
    expect([shown(d.firstReplyDueAt), d.warnPercent]).toEqual(['2026-11-25 14:30', 80]);
  });

  it('a day: refuses a date that does not exist', async () => {
    await expect(setCalendarDay({ db: db(), clock, meta, form: { day: '2026-02-30', workday: '1', name: '' } })).rejects.toMatchObject({ fields: { day: expect.any(String) } });
    const [{ n }] = (await db().select({ n: sql<number>`count(*)::int` }).from(calendarDays).where(eq(calendarDays.source, 'admin'))) as [{ n: number }];
    expect(Number(n)).toBe(0);
  });
});
