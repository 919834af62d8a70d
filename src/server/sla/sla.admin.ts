/**
 * What admins change at /admin/sla: the targets, the settings, and days of
 * the calendar. Every change is one transaction with its audit event.
 */
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { calendarDays, slaPolicies, slaSettings } from '../../../db/schema/index.ts';
import { auditRequest, type RequestMeta } from '../audit/audit.usecases.ts';
import type { Clock } from '../shared/clock.ts';
import { createErrorFactory } from '../shared/errors.ts';
import { targetKey } from './sla.defaults.ts';
import { targetText as text } from './sla.format.ts';
import { findCalendarDay, listTargets, loadSettings } from './sla.queries.ts';
import { parseDayForm, parseSettingsForm, parseTargetsForm } from './sla.schemas.ts';
import { packageCalendarDays } from './sla.seed.ts';

type Deps = { db: Db; clock: Clock; meta: RequestMeta };
type Form = Record<string, string>;

const createNotAdminDayError = createErrorFactory({ code: 'sla.day_not_admin', message: '这一天没有管理员的修改可以撤销。', status: 404 });

/** Saves the whole policy table; the audit event names the targets that changed, in words. */
export async function saveTargets({ db, clock, meta, form }: Deps & { form: Form }): Promise<{ changed: number }> {
  const targets = parseTargetsForm(form);
  return db.transaction(async (tx) => {
    const now = clock.now();
    const old = await listTargets({ db: tx });
    const before: Record<string, string> = {};
    const after: Record<string, string> = {};
    for (const t of targets) {
      const was = old.find((o) => o.kind === t.kind && o.severity === t.severity);
      if (was && text(was) === text(t) && was.updatedAt) continue;
      await tx
        .insert(slaPolicies)
        .values({ ...t, updatedById: meta.actor?.id ?? null, updatedAt: now })
        .onConflictDoUpdate({
          target: [slaPolicies.kind, slaPolicies.severity],
          set: { firstReplyMinutes: t.firstReplyMinutes, resolveMinutes: t.resolveMinutes, calendar: t.calendar, updatedById: meta.actor?.id ?? null, updatedAt: now },
        });
      if (was && text(was) === text(t)) continue;
      before[targetKey(t)] = was ? text(was) : '';
      after[targetKey(t)] = text(t);
    }
    const changed = Object.keys(after).length;
    if (changed) await auditRequest({ db: tx, clock, meta, event: { action: 'sla.policy_changed', targetType: 'sla_policy', before, after } });
    return { changed };
  });
}

/** Saves the working intervals, warning percentage and arrival target. */
export async function saveSettings({ db, clock, meta, form }: Deps & { form: Form }): Promise<{ changed: boolean }> {
  const next = parseSettingsForm(form);
  return db.transaction(async (tx) => {
    const was = await loadSettings({ db: tx });
    const now = clock.now();
    const values = { ...next, updatedById: meta.actor?.id ?? null, updatedAt: now };
    await tx.insert(slaSettings).values({ id: 1, ...values }).onConflictDoUpdate({ target: slaSettings.id, set: values });
    const changed = JSON.stringify(was) !== JSON.stringify({ workingIntervals: next.workingIntervals, warnPercent: next.warnPercent, arrivalMinutes: next.arrivalMinutes });
    if (changed) {
      const shown = (s: typeof next) => ({ workingIntervals: s.workingIntervals.map(([a, b]) => `${a}–${b}`).join('，'), warnPercent: s.warnPercent, arrivalMinutes: s.arrivalMinutes });
      await auditRequest({ db: tx, clock, meta, event: { action: 'sla.settings_changed', targetType: 'sla_settings', before: shown(was), after: shown(next) } });
    }
    return { changed };
  });
}

/** Adds or corrects one day: an admin's row, which a re-seed from the package never overwrites. */
export async function setCalendarDay({ db, clock, meta, form }: Deps & { form: Form }): Promise<{ day: string }> {
  const input = parseDayForm(form);
  return db.transaction(async (tx) => {
    const was = await findCalendarDay({ db: tx, day: input.day });
    const values = { workday: input.workday, name: input.name, source: 'admin' as const, updatedById: meta.actor?.id ?? null, updatedAt: clock.now() };
    await tx
      .insert(calendarDays)
      .values({ day: input.day, ...values })
      .onConflictDoUpdate({ target: calendarDays.day, set: values });
    await auditRequest({
      db: tx,
      clock,
      meta,
      event: {
        action: 'calendar.day_set',
        targetType: 'calendar_day',
        targetId: input.day,
        before: was ? { workday: was.workday, dayName: was.name } : null,
        after: { workday: input.workday, dayName: input.name },
      },
    });
    return { day: input.day };
  });
}

/**
 * Removes an admin's correction of `day`: the day goes back to what the
 * package says about it, or to a plain weekday or weekend day.
 */
export async function removeCalendarDay({ db, clock, meta, day }: Deps & { day: string }): Promise<{ restored: boolean }> {
  return db.transaction(async (tx) => {
    const was = await findCalendarDay({ db: tx, day });
    if (!was || was.source !== 'admin') throw createNotAdminDayError();
    await tx.delete(calendarDays).where(and(eq(calendarDays.day, day), eq(calendarDays.source, 'admin')));
    const pkg = packageCalendarDays().days.find((d) => d.day === day);
    if (pkg) await tx.insert(calendarDays).values({ ...pkg, source: 'package', updatedAt: clock.now() });
    await auditRequest({
      db: tx,
      clock,
      meta,
      event: {
        action: 'calendar.day_removed',
        targetType: 'calendar_day',
        targetId: day,
        before: { workday: was.workday, dayName: was.name },
        after: pkg ? { workday: pkg.workday, dayName: pkg.name } : null,
      },
    });
    return { restored: Boolean(pkg) };
  });
}
