import type { DbOrTx, Tx } from '../../../db/client.ts';
import type { QuestionKind, SlaStep } from '../../../db/schema/index.ts';
import type { Jobs } from '../jobs/jobs.ts';
import { addMinutesOn, minutesBetweenOn, warnAt } from '../sla/clock.ts';
import { findTarget } from '../sla/sla.queries.ts';
import { dueTimesFor, loadCalendar } from '../sla/sla.usecases.ts';
import type { Clock } from '../shared/clock.ts';
import { pauseClocks, scheduleClocks, type ClockPlan } from './escalation.usecases.ts';

/** The policy's due times for a question whose clocks start at `from`, with the warning instants (75 % of each target by default). */
export async function planClocks(db: DbOrTx, { timeZone, kind, severity, from }: { timeZone: string; kind: QuestionKind; severity: string | null; from: Date }): Promise<ClockPlan> {
  const d = await dueTimesFor({ db, timeZone, kind, severity, from });
  return {
    firstReplyDueAt: d.firstReplyDueAt,
    resolveDueAt: d.resolveDueAt,
    firstReplyWarnAt: warnAt(from, d.firstReplyDueAt, d.warnPercent, d.calendar, d.workingCalendar),
    resolveWarnAt: warnAt(from, d.resolveDueAt, d.warnPercent, d.calendar, d.workingCalendar),
  };
}

/**
 * How a paused clock's due times move when it resumes: each keeps the time it
 * had left when the pause began, counted from the resume on the policy's
 * calendar (working time for suggestions, so a pause over a weekend costs nothing).
 */
export async function pauseShift(
  db: DbOrTx,
  { timeZone, kind, severity, pausedAt, resumedAt }: { timeZone: string; kind: QuestionKind; severity: string | null; pausedAt: Date; resumedAt: Date },
): Promise<(due: Date) => Date> {
  const target = await findTarget({ db, kind, severity });
  const { calendar } = await loadCalendar({ db, timeZone, from: pausedAt });
  return (due) => addMinutesOn(target.calendar, resumedAt, minutesBetweenOn(target.calendar, pausedAt, due, calendar), calendar);
}

type PlannedQuestion = {
  id: string;
  kind: QuestionKind;
  severity: string | null;
  createdAt: Date;
  firstRepliedAt: Date | null;
  clockPausedAt: Date | null;
  firstReplyBreachedAt: Date | null;
  resolveBreachedAt: Date | null;
};

/**
 * Sets the clocks anew, in the change's transaction: from `from` (a reopen:
 * now) or from the arrival (a new kind or severity). Steps already behind
 * are not repeated — a warning that would come late is skipped, a breach
 * already handled is not handled twice, and a breach newly in the past fires
 * at once. A paused clock stays paused with its new due times.
 */
export async function replanClocks(tx: Tx, deps: { jobs: Jobs; clock: Clock; timeZone: string }, q: PlannedQuestion, { from }: { from: Date }): Promise<void> {
  const now = deps.clock.now();
  const plan = await planClocks(tx, { timeZone: deps.timeZone, kind: q.kind, severity: q.severity, from });
  const steps: [SlaStep, Date | null, boolean][] = [
    ['first_reply_warn', plan.firstReplyWarnAt, false],
    ['first_reply_breach', plan.firstReplyDueAt, q.firstReplyBreachedAt !== null],
    ['resolve_warn', plan.resolveWarnAt, false],
    ['resolve_breach', plan.resolveDueAt, q.resolveBreachedAt !== null && from <= q.createdAt],
  ];
  const only = new Set(steps.filter(([step, at, handled]) => at && !handled && (step.endsWith('_breach') || at > now)).map(([step]) => step));
  await scheduleClocks(tx, deps, q, plan, only);
  if (q.clockPausedAt) await pauseClocks(tx, q.id, q.clockPausedAt);
}
