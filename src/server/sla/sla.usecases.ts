/**
 * Due times of a question's clocks, from the policy and the calendar. The
 * caller stores them (when a question arrives, is reopened or changes
 * severity) and schedules the warning and breach steps; the arithmetic is in
 * ./clock.ts.
 */
import type { DbOrTx } from '../../../db/client.ts';
import type { QuestionKind, SlaCalendar } from '../../../db/schema/index.ts';
import { addDays, localDay } from '../shared/time.ts';
import { addMinutesOn, createWorkingCalendar, minutesBetweenOn, type WorkingCalendar } from './clock.ts';
import type { SlaTarget } from './sla.defaults.ts';
import { dayOverrides, findTarget, loadSettings } from './sla.queries.ts';

/**
 * The working calendar in `timeZone`: the working intervals and every day
 * that differs from the plain week (from the day before `from` on, when
 * given: enough for counting forward from `from`), with the warning
 * percentage and the on-site arrival target.
 */
export async function loadCalendar({ db, timeZone, from }: { db: DbOrTx; timeZone: string; from?: Date }): Promise<{ calendar: WorkingCalendar; warnPercent: number; arrivalMinutes: number }> {
  const settings = await loadSettings({ db });
  const days = await dayOverrides({ db, since: from ? addDays(localDay(from, timeZone), -1) : undefined });
  const calendar = createWorkingCalendar({ timeZone, intervals: settings.workingIntervals, days });
  return { calendar, warnPercent: settings.warnPercent, arrivalMinutes: settings.arrivalMinutes };
}

export interface DueTimes {
  firstReplyDueAt: Date;
  resolveDueAt: Date;
  /** Which calendar the target counts on: 7×24 or working time. */
  calendar: SlaCalendar;
  /** The working calendar, for warnAt and later moves (used only when `calendar` is 'working'). */
  workingCalendar: WorkingCalendar;
  warnPercent: number;
  target: SlaTarget;
}

/**
 * When the first reply and the resolution are due for a question of `kind`
 * and `severity` whose clocks start at `from` (its arrival, or when it was
 * reopened): the policy's minutes counted on its calendar.
 */
export async function dueTimesFor({
  db,
  timeZone,
  kind,
  severity,
  from,
}: {
  db: DbOrTx;
  timeZone: string;
  kind: QuestionKind;
  severity: string | null | undefined;
  from: Date;
}): Promise<DueTimes> {
  const target = await findTarget({ db, kind, severity });
  const { calendar: workingCalendar, warnPercent } = await loadCalendar({ db, timeZone, from });
  return {
    firstReplyDueAt: addMinutesOn(target.calendar, from, target.firstReplyMinutes, workingCalendar),
    resolveDueAt: addMinutesOn(target.calendar, from, target.resolveMinutes, workingCalendar),
    calendar: target.calendar,
    workingCalendar,
    warnPercent,
    target,
  };
}

/**
 * The due times after a pause (waiting on the asker, 等待用户补充) from
 * `pausedAt` to `resumedAt`: each keeps the time it had left when the pause
 * began, counted on the policy's calendar from `resumedAt`. A due time that
 * had already passed when the pause began stays as it was (the breach
 * happened); a missing one (null: no clock) stays null.
 */
export async function resumedDueTimes({
  db,
  timeZone,
  kind,
  severity,
  pausedAt,
  resumedAt,
  firstReplyDueAt,
  resolveDueAt,
}: {
  db: DbOrTx;
  timeZone: string;
  kind: QuestionKind;
  severity: string | null | undefined;
  pausedAt: Date;
  resumedAt: Date;
  firstReplyDueAt: Date | null;
  resolveDueAt: Date | null;
}): Promise<{ firstReplyDueAt: Date | null; resolveDueAt: Date | null; calendar: SlaCalendar; workingCalendar: WorkingCalendar }> {
  const target = await findTarget({ db, kind, severity });
  const { calendar: workingCalendar } = await loadCalendar({ db, timeZone, from: pausedAt });
  const moved = (due: Date | null): Date | null => {
    if (!due || due.getTime() <= pausedAt.getTime() || resumedAt.getTime() <= pausedAt.getTime()) return due;
    const left = minutesBetweenOn(target.calendar, pausedAt, due, workingCalendar);
    return addMinutesOn(target.calendar, resumedAt, left, workingCalendar);
  };
  return { firstReplyDueAt: moved(firstReplyDueAt), resolveDueAt: moved(resolveDueAt), calendar: target.calendar, workingCalendar };
}
