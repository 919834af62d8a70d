import type { DutyDayType, DutyRole } from '../../../db/schema/index.ts';
import { isWeekday } from '../sla/clock.ts';
import { addDays, localDay, parseLocalDateTime, weekdayOf } from '../shared/time.ts';

/**
 * Who is on duty, worked out from the roster's parts without a database:
 * weekly patterns (a shift's people per weekday, or every day it runs),
 * dated overrides (add or remove someone from one occurrence: holidays,
 * swaps) and engineers' unavailable periods. Days are local dates
 * ("2026-11-25") in the app's time zone; a shift whose end is not after its
 * start ends the next day (equal times: round the clock), and belongs to the
 * day it starts.
 */
export interface ShiftDef {
  id: string;
  name: string;
  startTime: string;
  endTime: string;
  days: DutyDayType;
  sortOrder: number;
}
export interface AssignmentDef {
  shiftId: string;
  /** 1 Monday … 7 Sunday; 0 every day the shift runs. */
  weekday: number;
  userId: string;
  role: DutyRole;
  tier: number | null;
}
export interface OverrideDef {
  day: string;
  shiftId: string;
  userId: string;
  change: 'add' | 'remove';
  role: DutyRole;
  tier: number | null;
}
export interface Away {
  userId: string;
  startsAt: Date;
  endsAt: Date;
}
export interface RosterData {
  shifts: ShiftDef[];
  assignments: AssignmentDef[];
  overrides: OverrideDef[];
  away: Away[];
  /** Whether a local date is a working day (weekends and holidays are not; 调休 days are). */
  isWorkday: (day: string) => boolean;
  timeZone: string;
}
export interface DutyPerson {
  userId: string;
  role: DutyRole;
  tier: number | null;
  /** Marked unavailable for part of this occurrence. */
  away: boolean;
}
export interface ShiftOccurrence {
  shift: ShiftDef;
  day: string;
  start: Date;
  end: Date;
  people: DutyPerson[];
}

/** 1 Monday … 7 Sunday. */
export const isoWeekday = (day: string): number => weekdayOf(day) || 7;

/** Saturdays and Sundays rest, unless a calendar day says otherwise (holidays, 调休). */
export function workdayRule(special: Map<string, boolean>): (day: string) => boolean {
  return (day) => special.get(day) ?? isWeekday(day);
}

function runsOn(shift: ShiftDef, day: string, isWorkday: (day: string) => boolean): boolean {
  return shift.days === 'every' || (shift.days === 'workday') === isWorkday(day);
}

/** The shifts that start on `day`, with their times and people (pattern, then that day's overrides). */
export function occurrencesOn(day: string, r: RosterData): ShiftOccurrence[] {
  const weekday = isoWeekday(day);
  const out: ShiftOccurrence[] = [];
  for (const shift of [...r.shifts].sort((a, b) => a.sortOrder - b.sortOrder || a.startTime.localeCompare(b.startTime))) {
    if (!runsOn(shift, day, r.isWorkday)) continue;
    const start = parseLocalDateTime(`${day}T${shift.startTime}`, r.timeZone);
    const endDay = shift.endTime > shift.startTime ? day : addDays(day, 1);
    const end = parseLocalDateTime(`${endDay}T${shift.endTime}`, r.timeZone);
    if (!start || !end) continue;
    const people = new Map<string, Omit<DutyPerson, 'away'>>();
    for (const a of r.assignments)
      if (a.shiftId === shift.id && (a.weekday === 0 || a.weekday === weekday)) people.set(`${a.userId}|${a.role}`, { userId: a.userId, role: a.role, tier: a.tier });
    for (const o of r.overrides) {
      if (o.shiftId !== shift.id || o.day !== day) continue;
      if (o.change === 'remove') people.delete(`${o.userId}|${o.role}`);
      else people.set(`${o.userId}|${o.role}`, { userId: o.userId, role: o.role, tier: o.tier });
    }
    const away = (userId: string) => r.away.some((a) => a.userId === userId && a.startsAt < end && a.endsAt > start);
    out.push({ shift, day, start, end, people: [...people.values()].map((p) => ({ ...p, away: away(p.userId) })) });
  }
  return out;
}

/** The occurrences running at `at` (a night shift that began yesterday included). */
export function occurrencesAt(at: Date, r: RosterData): ShiftOccurrence[] {
  const today = localDay(at, r.timeZone);
  return [addDays(today, -1), today].flatMap((day) => occurrencesOn(day, r)).filter((o) => o.start <= at && at < o.end);
}

/** Who is on duty at `at` and available right then: each person once, with the shift they are on. */
export function onDutyAt(at: Date, r: RosterData): (DutyPerson & { shift: ShiftOccurrence })[] {
  const seen = new Set<string>();
  const out: (DutyPerson & { shift: ShiftOccurrence })[] = [];
  for (const occurrence of occurrencesAt(at, r))
    for (const p of occurrence.people) {
      const key = `${p.userId}|${p.role}`;
      if (seen.has(key) || r.away.some((a) => a.userId === p.userId && a.startsAt <= at && at < a.endsAt)) continue;
      seen.add(key);
      out.push({ ...p, away: false, shift: occurrence });
    }
  return out;
}

/** The next occurrence to start after `at` (for "下一班"), looking a week ahead. */
export function nextOccurrence(at: Date, r: RosterData): ShiftOccurrence | null {
  const today = localDay(at, r.timeZone);
  for (let i = 0; i <= 7; i++) {
    const next = occurrencesOn(addDays(today, i), r).find((o) => o.start > at);
    if (next) return next;
  }
  return null;
}
