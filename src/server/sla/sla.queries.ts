/**
 * Reading the SLA policy, settings and calendar. Anything not in the
 * database yet (before `seedSlaDefaults` ran) reads as the shipped default.
 */
import { and, asc, eq, gte, lte, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../../db/client.ts';
import { calendarDays, slaPolicies, slaSettings, type QuestionKind } from '../../../db/schema/index.ts';
import { defaultArrivalMinutes, defaultTargetFor, defaultTargets, defaultWarnPercent, defaultWorkingIntervals, targetSeverity, type SlaTarget } from './sla.defaults.ts';

export interface SlaSettings {
  workingIntervals: [string, string][];
  warnPercent: number;
  arrivalMinutes: number;
}

export type CalendarDayRow = typeof calendarDays.$inferSelect;

/** Every kind and severity's target, in the order admins see them. */
export async function listTargets({ db }: { db: DbOrTx }): Promise<(SlaTarget & { updatedAt: Date | null })[]> {
  const rows = await db.select().from(slaPolicies);
  return defaultTargets.map((d) => {
    const r = rows.find((x) => x.kind === d.kind && x.severity === d.severity);
    return r ? { kind: d.kind, severity: d.severity, firstReplyMinutes: r.firstReplyMinutes, resolveMinutes: r.resolveMinutes, calendar: r.calendar, updatedAt: r.updatedAt } : { ...d, updatedAt: null };
  });
}

/** The target for a question's kind and severity. */
export async function findTarget({ db, kind, severity }: { db: DbOrTx; kind: QuestionKind; severity: string | null | undefined }): Promise<SlaTarget> {
  const s = targetSeverity(kind, severity);
  const [r] = await db
    .select()
    .from(slaPolicies)
    .where(and(eq(slaPolicies.kind, kind), eq(slaPolicies.severity, s)));
  if (!r) return defaultTargetFor(kind, severity);
  return { kind, severity: s, firstReplyMinutes: r.firstReplyMinutes, resolveMinutes: r.resolveMinutes, calendar: r.calendar };
}

/** Working intervals, warning percentage and arrival target. */
export async function loadSettings({ db }: { db: DbOrTx }): Promise<SlaSettings> {
  const [r] = await db.select().from(slaSettings).where(eq(slaSettings.id, 1));
  if (!r) return { workingIntervals: defaultWorkingIntervals, warnPercent: defaultWarnPercent, arrivalMinutes: defaultArrivalMinutes };
  return { workingIntervals: r.workingIntervals, warnPercent: r.warnPercent, arrivalMinutes: r.arrivalMinutes };
}

/** Days that differ from the plain week (day → works), from `since` on when given. */
export async function dayOverrides({ db, since }: { db: DbOrTx; since?: string }): Promise<Map<string, boolean>> {
  const q = db.select({ day: calendarDays.day, workday: calendarDays.workday }).from(calendarDays);
  const rows = await (since ? q.where(gte(calendarDays.day, since)) : q);
  return new Map(rows.map((r) => [r.day, r.workday]));
}

/** The special days of one year, in date order. */
export function calendarDaysIn({ db, year }: { db: DbOrTx; year: number }): Promise<CalendarDayRow[]> {
  return db
    .select()
    .from(calendarDays)
    .where(and(gte(calendarDays.day, `${year}-01-01`), lte(calendarDays.day, `${year}-12-31`)))
    .orderBy(asc(calendarDays.day));
}

/** One calendar day's row, if it has one. */
export async function findCalendarDay({ db, day }: { db: DbOrTx; day: string }): Promise<CalendarDayRow | null> {
  const [r] = await db.select().from(calendarDays).where(eq(calendarDays.day, day));
  return r ?? null;
}

/** The years that have special days. */
export async function calendarYears({ db }: { db: DbOrTx }): Promise<number[]> {
  const rows = await db
    .selectDistinct({ year: sql<number>`extract(year from ${calendarDays.day})::int` })
    .from(calendarDays)
    .orderBy(sql`1`);
  return rows.map((r) => Number(r.year));
}
