import { and, asc, desc, eq, gte, inArray, lte, gt } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import { calendarDays, dutyAssignments, dutyHandovers, dutyOverrides, dutyShifts, dutyUnavailability, users } from '../../../db/schema/index.ts';
import { addDays } from '../shared/time.ts';
import { workdayRule, type RosterData } from './roster.schedule.ts';

/**
 * The roster as it stands for the days `from`…`to` (local dates): active
 * shifts, the weekly pattern, those days' overrides, unavailability touching
 * them, and the calendar's special days. Disabled accounts are left out.
 */
export async function loadRoster({ db, timeZone, from, to }: { db: Db | Tx; timeZone: string; from: string; to: string }): Promise<RosterData> {
  const [shifts, assignments, overrides, away, special] = await Promise.all([
    db.select().from(dutyShifts).where(eq(dutyShifts.active, true)),
    db
      .select({ shiftId: dutyAssignments.shiftId, weekday: dutyAssignments.weekday, userId: dutyAssignments.userId, role: dutyAssignments.role, tier: dutyAssignments.tier })
      .from(dutyAssignments)
      .innerJoin(users, eq(users.id, dutyAssignments.userId))
      .where(eq(users.status, 'active')),
    db
      .select({ day: dutyOverrides.day, shiftId: dutyOverrides.shiftId, userId: dutyOverrides.userId, change: dutyOverrides.change, role: dutyOverrides.role, tier: dutyOverrides.tier })
      .from(dutyOverrides)
      .innerJoin(users, eq(users.id, dutyOverrides.userId))
      .where(and(gte(dutyOverrides.day, addDays(from, -1)), lte(dutyOverrides.day, to), eq(users.status, 'active')))
      .orderBy(asc(dutyOverrides.createdAt)),
    db
      .select({ userId: dutyUnavailability.userId, startsAt: dutyUnavailability.startsAt, endsAt: dutyUnavailability.endsAt })
      .from(dutyUnavailability)
      .where(gt(dutyUnavailability.endsAt, new Date(Date.parse(`${addDays(from, -2)}T00:00:00Z`)))),
    db
      .select({ day: calendarDays.day, workday: calendarDays.workday })
      .from(calendarDays)
      .where(and(gte(calendarDays.day, addDays(from, -1)), lte(calendarDays.day, addDays(to, 1)))),
  ]);
  return {
    shifts,
    assignments,
    overrides,
    away,
    isWorkday: workdayRule(new Map(special.map((d) => [d.day, d.workday]))),
    timeZone,
  };
}

/** Display names and tiers of users, by id. */
export async function namesOf(db: Db | Tx, ids: string[]): Promise<Map<string, { name: string; email: string }>> {
  if (!ids.length) return new Map();
  const rows = await db.select({ id: users.id, name: users.name, email: users.email }).from(users).where(inArray(users.id, [...new Set(ids)]));
  return new Map(rows.map((r) => [r.id, { name: r.name, email: r.email }]));
}

/** All shifts (inactive too) and the weekly pattern, for the admin page. */
export async function rosterPattern(db: Db) {
  const [shifts, assignments] = await Promise.all([
    db.select().from(dutyShifts).orderBy(asc(dutyShifts.sortOrder), asc(dutyShifts.startTime)),
    db.select().from(dutyAssignments).orderBy(asc(dutyAssignments.weekday), asc(dutyAssignments.role), asc(dutyAssignments.tier)),
  ]);
  return { shifts, assignments };
}

/** Overrides from `from` on, newest day last. */
export function upcomingOverrides(db: Db, from: string) {
  return db.select().from(dutyOverrides).where(gte(dutyOverrides.day, from)).orderBy(asc(dutyOverrides.day), asc(dutyOverrides.createdAt));
}

/** An engineer's unavailable periods that have not ended. */
export function unavailabilityOf(db: Db, userId: string, now: Date) {
  return db
    .select()
    .from(dutyUnavailability)
    .where(and(eq(dutyUnavailability.userId, userId), gt(dutyUnavailability.endsAt, now)))
    .orderBy(asc(dutyUnavailability.startsAt));
}

/** The latest handover notes (交接班记录), newest first. */
export function recentHandovers(db: Db, limit = 10) {
  return db
    .select({ h: dutyHandovers, name: users.name })
    .from(dutyHandovers)
    .innerJoin(users, eq(users.id, dutyHandovers.fromUserId))
    .orderBy(desc(dutyHandovers.createdAt))
    .limit(limit);
}
