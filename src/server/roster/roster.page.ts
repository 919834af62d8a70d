import { and, arrayOverlaps, asc, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { users, type DutyRole } from '../../../db/schema/index.ts';
import { t } from '../../i18n/t.ts';
import { createValidationError } from '../shared/errors.ts';
import { asString } from '../shared/forms.ts';
import { addDays, localDay, parseLocalDateTime } from '../shared/time.ts';
import { loadRoster, namesOf } from './roster.queries.ts';
import { isoWeekday, nextOccurrence, occurrencesOn, onDutyAt, type ShiftOccurrence } from './roster.schedule.ts';
import { addAssignment, addOverride, removeAssignment, removeOverride, saveShift, setShiftActive, swapDuty, type RosterDeps } from './roster.usecases.ts';

/** "一线工程师", "二线专家", "三线厂商", "项目经理". */
export function dutyLabel(role: DutyRole, tier: number | null): string {
  return role === 'manager' ? t('roster.role.manager') : t(`roster.tier.${(tier ?? 1) as 1 | 2 | 3}`);
}

/** The role/tier choice of the forms: `engineer:1` … `engineer:3`, `manager:`. */
export const dutyChoices = ['engineer:1', 'engineer:2', 'engineer:3', 'manager:'] as const;
export function splitDutyChoice(v: string): { role: string; tier: string } {
  const [role = '', tier = ''] = v.split(':');
  return { role, tier };
}

/** Active engineers and admins: who can be put on the roster. */
export function dutyUsers(db: Db) {
  return db
    .select({ id: users.id, name: users.name })
    .from(users)
    .where(and(eq(users.status, 'active'), arrayOverlaps(users.roles, ['engineer', 'admin'])))
    .orderBy(asc(users.name));
}

/** The Monday of the week `day` falls in. */
export const weekStartOf = (day: string) => addDays(day, 1 - isoWeekday(day));

export interface WeekDay {
  day: string;
  workday: boolean;
  occurrences: (ShiftOccurrence & { names: Map<string, string> })[];
}

/** Seven days from `monday`: each day's shifts and who is on them (overrides and unavailability applied). */
export async function weekView({ db, timeZone, monday }: { db: Db; timeZone: string; monday: string }): Promise<WeekDay[]> {
  const roster = await loadRoster({ db, timeZone, from: monday, to: addDays(monday, 6) });
  const days = Array.from({ length: 7 }, (_, i) => addDays(monday, i));
  const occ = days.map((day) => occurrencesOn(day, roster));
  const names = await namesOf(db, occ.flat().flatMap((o) => o.people.map((p) => p.userId)));
  const nameMap = new Map([...names].map(([id, n]) => [id, n.name]));
  return days.map((day, i) => ({ day, workday: roster.isWorkday(day), occurrences: occ[i]!.map((o) => ({ ...o, names: nameMap })) }));
}

/** 当前值班: who is on now (by tier, name) and which shift comes next. */
export async function dutyNow({ db, timeZone, now }: { db: Db; timeZone: string; now: Date }) {
  const today = localDay(now, timeZone);
  const roster = await loadRoster({ db, timeZone, from: addDays(today, -1), to: addDays(today, 8) });
  if (!roster.shifts.length) return null;
  const current = onDutyAt(now, roster);
  const next = nextOccurrence(now, roster);
  const names = await namesOf(db, [...current.map((p) => p.userId), ...(next?.people.map((p) => p.userId) ?? [])]);
  const order = (p: { role: DutyRole; tier: number | null }) => (p.role === 'manager' ? 9 : (p.tier ?? 9));
  const label = (p: { userId: string; role: DutyRole; tier: number | null }) => ({ name: names.get(p.userId)?.name ?? '', duty: dutyLabel(p.role, p.tier), order: order(p) });
  return {
    now: current.map(label).sort((a, b) => a.order - b.order),
    shiftNames: [...new Set(current.map((p) => p.shift.shift.name))],
    next: next ? { name: next.shift.name, start: next.start, people: next.people.filter((p) => !p.away).map(label).sort((a, b) => a.order - b.order) } : null,
  };
}

/** The admin roster page's form posts, by `action`; returns the notice code for the redirect. */
export async function handleRosterPost(d: RosterDeps & { form: Record<string, string | string[]> }): Promise<string> {
  const f = (name: string) => asString(d.form[name]);
  switch (f('action')) {
    case 'shift':
      await saveShift({ ...d, id: f('id') || undefined, input: { name: f('name'), startTime: f('startTime'), endTime: f('endTime'), days: f('days'), sortOrder: f('sortOrder') || '0' } });
      return 'shift';
    case 'shift-active':
      await setShiftActive({ ...d, id: f('id'), active: f('active') === 'true' });
      return 'shift';
    case 'assign':
      await addAssignment({ ...d, input: { shiftId: f('shiftId'), weekday: f('weekday'), userId: f('userId'), ...splitDutyChoice(f('duty')) } });
      return 'assigned';
    case 'unassign':
      await removeAssignment({ ...d, id: f('id') });
      return 'removed';
    case 'override':
      await addOverride({
        ...d,
        input: { day: f('day'), shiftId: f('shiftId'), change: f('change'), userId: f('userId'), ...splitDutyChoice(f('duty')), reason: f('reason') || undefined },
      });
      return 'override';
    case 'unoverride':
      await removeOverride({ ...d, id: f('id') });
      return 'removed';
    case 'swap':
      await swapDuty({
        ...d,
        input: { day: f('day'), shiftId: f('shiftId'), fromUserId: f('fromUserId'), toUserId: f('toUserId'), role: f('role') },
        tier: f('tier') ? Number(f('tier')) : null,
      });
      return 'swapped';
    default:
      throw createValidationError({ action: '不支持的操作。' });
  }
}

/** A `datetime-local` value in the app's zone, or undefined (so the schema names the field). */
export const localInput = (v: string, timeZone: string) => parseLocalDateTime(v, timeZone) ?? undefined;
