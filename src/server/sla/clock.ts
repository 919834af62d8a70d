/**
 * SLA clock arithmetic, without a database: how far a number of minutes
 * reaches on a calendar, and how many minutes of it lie between two instants.
 * Round the clock (24×7) is plain arithmetic; working time counts only the
 * working intervals (08:30–12:00, 13:30–17:30) of working days in the
 * calendar's time zone: weekdays, unless a calendar day says otherwise
 * (a public holiday rests, a make-up working day 调休 works).
 */
import type { SlaCalendar } from '../../../db/schema/sla.ts';
import { addDays, instantAt, localDay, weekdayOf } from '../shared/time.ts';

const MINUTE = 60_000;
/** How far a count looks for working time before it gives up: a calendar without any working day is a misconfiguration. */
const MAX_DAYS = 3660;

export interface WorkingCalendar {
  timeZone: string;
  /** A working day's intervals as wall times ("08:30", "12:00"), increasing and non-overlapping; each is [start, end). */
  intervals: readonly (readonly [string, string])[];
  /** Whether a calendar day ("2026-10-10") is a working day. */
  isWorkingDay(day: string): boolean;
}

/**
 * A working calendar: Monday to Friday work and weekends rest, unless `days`
 * (calendar_days rows: day → works) says otherwise for a day.
 */
export function createWorkingCalendar({
  timeZone,
  intervals,
  days = new Map(),
}: {
  timeZone: string;
  intervals: readonly (readonly [string, string])[];
  days?: ReadonlyMap<string, boolean>;
}): WorkingCalendar {
  if (intervals.length === 0) throw new Error('a working calendar needs at least one working interval');
  return {
    timeZone,
    intervals,
    isWorkingDay: (day) => days.get(day) ?? isWeekday(day),
  };
}

/** Monday to Friday. */
export function isWeekday(day: string): boolean {
  const w = weekdayOf(day);
  return w >= 1 && w <= 5;
}

/** The working intervals of `day` as instants (none on a rest day). */
function intervalsOn(day: string, cal: WorkingCalendar): [number, number][] {
  if (!cal.isWorkingDay(day)) return [];
  return cal.intervals.map(([s, e]) => [instantAt(day, s, cal.timeZone).getTime(), instantAt(day, e, cal.timeZone).getTime()]);
}

/**
 * The instant when `minutes` of working time have passed since `start`.
 * A start outside working time counts from the next working interval, so
 * 0 minutes at night is the next morning's start; a count that runs out
 * exactly at an interval's end is that end (12:00, not 13:30).
 */
export function addWorkingMinutes(start: Date, minutes: number, cal: WorkingCalendar): Date {
  if (!(minutes >= 0)) throw new RangeError(`minutes must be a non-negative number, got ${minutes}`);
  let remaining = minutes * MINUTE;
  const cursor = start.getTime();
  let day = localDay(start, cal.timeZone);
  for (let i = 0; i < MAX_DAYS; i++, day = addDays(day, 1)) {
    for (const [s, e] of intervalsOn(day, cal)) {
      if (e <= cursor) continue;
      const from = Math.max(s, cursor);
      if (remaining <= e - from) return new Date(from + remaining);
      remaining -= e - from;
    }
  }
  throw new Error(`no working time within ${MAX_DAYS} days of ${start.toISOString()}`);
}

/** Minutes of working time between `a` and `b` (0 when `b` is not after `a`); fractions of a minute kept. */
export function workingMinutesBetween(a: Date, b: Date, cal: WorkingCalendar): number {
  const from = a.getTime();
  const to = b.getTime();
  if (to <= from) return 0;
  let total = 0;
  const last = localDay(b, cal.timeZone);
  let day = localDay(a, cal.timeZone);
  for (let i = 0; i <= MAX_DAYS; i++, day = addDays(day, 1)) {
    for (const [s, e] of intervalsOn(day, cal)) total += Math.max(0, Math.min(e, to) - Math.max(s, from));
    if (day === last) return total / MINUTE;
  }
  throw new Error(`spans more than ${MAX_DAYS} days: ${a.toISOString()} to ${b.toISOString()}`);
}

/** `minutes` on the chosen calendar: plain minutes round the clock (24×7), or working minutes. */
export function addMinutesOn(calendar: SlaCalendar, start: Date, minutes: number, cal: WorkingCalendar): Date {
  return calendar === '24x7' ? new Date(start.getTime() + minutes * MINUTE) : addWorkingMinutes(start, minutes, cal);
}

/** Minutes between `a` and `b` on the chosen calendar (0 when `b` is not after `a`). */
export function minutesBetweenOn(calendar: SlaCalendar, a: Date, b: Date, cal: WorkingCalendar): number {
  return calendar === '24x7' ? Math.max(0, b.getTime() - a.getTime()) / MINUTE : workingMinutesBetween(a, b, cal);
}

/**
 * When a clock from `start` to `due` has run `percent` % of its time on the
 * calendar (the 75 % warning). For a clock that was paused, pass a `start`
 * moved on by the pause as well, or the pause counts as time that ran.
 */
export function warnAt(start: Date, due: Date, percent: number, calendar: SlaCalendar, cal: WorkingCalendar): Date {
  const total = minutesBetweenOn(calendar, start, due, cal);
  return addMinutesOn(calendar, start, (total * percent) / 100, cal);
}
