/**
 * What the SLA clocks need before anyone edits anything: the default targets
 * and settings, and China's public holidays and make-up working days (调休)
 * from the `chinese-days` package. Both are idempotent and run at every start.
 */
import { createRequire } from 'node:module';
import { and, eq, gte, inArray, lte } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { calendarDays, slaPolicies, slaSettings } from '../../../db/schema/index.ts';
import type { Clock } from '../shared/clock.ts';
import { defaultArrivalMinutes, defaultTargets, defaultWarnPercent, defaultWorkingIntervals } from './sla.defaults.ts';

export interface PackageDay {
  day: string;
  workday: boolean;
  name: string;
}

interface ChineseDaysData {
  /** Days off ("2026-10-01": "National Day,国庆节,3"), weekend days inside a holiday included. */
  holidays: Record<string, string>;
  /** Make-up working days on a weekend (调休): what the package's `isWorkday` answers true for. */
  workdays: Record<string, string>;
}

let cached: { years: number[]; days: PackageDay[] } | null = null;

/**
 * The package's days that differ from the plain week, and the years it knows.
 * Read from the data file the package publishes rather than through its
 * date functions: those read dates in the process's local time zone and
 * answer for the wrong day west of UTC (isWorkday(new Date(2026, 9, 10)) is
 * false under TZ=America/New_York).
 */
export function packageCalendarDays(): { years: number[]; days: PackageDay[] } {
  if (cached) return cached;
  const data = createRequire(import.meta.url)('chinese-days/dist/chinese-days.json') as ChineseDaysData;
  // "National Day,国庆节,3": English name, Chinese name, length in days.
  const chinese = (value: string) => value.split(',')[1]?.trim() || value;
  const byDay = new Map<string, PackageDay>();
  for (const [day, value] of Object.entries(data.holidays)) byDay.set(day, { day, workday: false, name: chinese(value) });
  // A make-up working day wins, as in the package's own getDayDetail.
  for (const [day, value] of Object.entries(data.workdays)) byDay.set(day, { day, workday: true, name: `${chinese(value)}补班` });
  const days = [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day));
  const years = [...new Set(days.map((d) => Number(d.day.slice(0, 4))))];
  cached = { years, days };
  return cached;
}

/**
 * Writes the package's holidays (not working) and make-up working days
 * (working) into `calendar_days` as source 'package', for every year the
 * package knows: adds missing days, corrects package rows that differ, and
 * removes package rows the package no longer lists. Rows an admin wrote
 * (source 'admin') are never touched. Idempotent; safe for several processes
 * starting at once.
 */
export async function seedCalendar({ db, clock }: { db: Db; clock: Clock }): Promise<{ added: number; updated: number; removed: number; years: number[] }> {
  const { years, days } = packageCalendarDays();
  if (years.length === 0) return { added: 0, updated: 0, removed: 0, years };
  const first = `${Math.min(...years)}-01-01`;
  const last = `${Math.max(...years)}-12-31`;
  const now = clock.now();
  return db.transaction(async (tx) => {
    const existing = await tx.select().from(calendarDays).where(and(gte(calendarDays.day, first), lte(calendarDays.day, last)));
    const rows = new Map(existing.map((r) => [r.day, r]));
    const missing = days.filter((d) => !rows.has(d.day));
    const changed = days.filter((d) => {
      const r = rows.get(d.day);
      return r?.source === 'package' && (r.workday !== d.workday || r.name !== d.name);
    });
    const listed = new Set(days.map((d) => d.day));
    const gone = existing.filter((r) => r.source === 'package' && !listed.has(r.day)).map((r) => r.day);
    if (missing.length) {
      await tx
        .insert(calendarDays)
        .values(missing.map((d) => ({ ...d, source: 'package' as const, updatedAt: now })))
        .onConflictDoNothing();
    }
    for (const d of changed) {
      await tx
        .update(calendarDays)
        .set({ workday: d.workday, name: d.name, updatedAt: now, updatedById: null })
        .where(and(eq(calendarDays.day, d.day), eq(calendarDays.source, 'package')));
    }
    if (gone.length) await tx.delete(calendarDays).where(and(inArray(calendarDays.day, gone), eq(calendarDays.source, 'package')));
    return { added: missing.length, updated: changed.length, removed: gone.length, years };
  });
}

/**
 * Adds the shipped SLA targets for every kind and severity, and the one
 * settings row (working intervals 08:30–12:00 and 13:30–17:30, warning at
 * 75 %, arrival within 120 min), where they are missing. What admins changed
 * stays. Idempotent.
 */
export async function seedSlaDefaults({ db, clock }: { db: Db; clock: Clock }): Promise<{ targetsAdded: number; settingsAdded: boolean }> {
  const now = clock.now();
  const targets = await db
    .insert(slaPolicies)
    .values(defaultTargets.map((t) => ({ ...t, updatedAt: now })))
    .onConflictDoNothing()
    .returning({ kind: slaPolicies.kind });
  const settings = await db
    .insert(slaSettings)
    .values({ id: 1, workingIntervals: defaultWorkingIntervals, warnPercent: defaultWarnPercent, arrivalMinutes: defaultArrivalMinutes, updatedAt: now })
    .onConflictDoNothing()
    .returning({ id: slaSettings.id });
  return { targetsAdded: targets.length, settingsAdded: settings.length > 0 };
}
