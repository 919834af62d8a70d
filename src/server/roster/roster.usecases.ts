import { and, eq, inArray } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db, Tx } from '../../../db/client.ts';
import { dutyAssignments, dutyHandovers, dutyOverrides, dutyShifts, dutyUnavailability, questions, users } from '../../../db/schema/index.ts';
import { auditRequest, type RequestMeta } from '../audit/audit.usecases.ts';
import { can } from '../auth/auth.policy.ts';
import type { Clock } from '../shared/clock.ts';
import { createNotFoundError, createValidationError, fieldsOf } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { assignmentSchema, handoverSchema, overrideSchema, shiftSchema, swapSchema, unavailableSchema } from './roster.schemas.ts';

/** What a roster change needs: the database, the clock, and who asks (for the audit log). */
export interface RosterDeps {
  db: Db;
  clock: Clock;
  meta: RequestMeta;
}

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw createValidationError(fieldsOf(r.error));
  return r.data;
}

/** Only active engineers and admins can be on the roster. */
async function requireDutyUser(db: Db | Tx, userId: string, field = 'userId') {
  const [u] = await db.select().from(users).where(and(eq(users.id, userId), eq(users.status, 'active')));
  if (!u || !can(u, 'desk.use')) throw createValidationError({ [field]: '请选择一位在职的工程师或管理员。' });
  return u;
}

async function requireShift(db: Db | Tx, shiftId: string) {
  const [s] = await db.select().from(dutyShifts).where(eq(dutyShifts.id, shiftId));
  if (!s) throw createValidationError({ shiftId: '请选择班次。' });
  return s;
}

/** Adds a shift (白班 08:30–17:30 on working days…), or changes one when `id` is given. */
export async function saveShift(d: RosterDeps & { id?: string; input: unknown }) {
  const input = parse(shiftSchema, d.input);
  const now = d.clock.now();
  return d.db.transaction(async (tx) => {
    if (d.id) {
      const before = await requireShift(tx, d.id);
      await tx.update(dutyShifts).set({ ...input, updatedAt: now }).where(eq(dutyShifts.id, d.id));
      await auditRequest({ db: tx, clock: d.clock, meta: d.meta, event: { action: 'duty.shift.update', targetType: 'duty_shift', targetId: d.id, before: { name: before.name, startTime: before.startTime, endTime: before.endTime, days: before.days }, after: input } });
      return d.id;
    }
    const id = newId();
    await tx.insert(dutyShifts).values({ id, ...input, active: true, createdAt: now, updatedAt: now });
    await auditRequest({ db: tx, clock: d.clock, meta: d.meta, event: { action: 'duty.shift.create', targetType: 'duty_shift', targetId: id, after: input } });
    return id;
  });
}

/** Turns a shift off (its pattern and overrides stay, for the record) or on again. */
export async function setShiftActive(d: RosterDeps & { id: string; active: boolean }) {
  await d.db.transaction(async (tx) => {
    await requireShift(tx, d.id);
    await tx.update(dutyShifts).set({ active: d.active, updatedAt: d.clock.now() }).where(eq(dutyShifts.id, d.id));
    await auditRequest({ db: tx, clock: d.clock, meta: d.meta, event: { action: d.active ? 'duty.shift.activate' : 'duty.shift.deactivate', targetType: 'duty_shift', targetId: d.id } });
  });
}

/** Puts someone on a shift in the weekly pattern (a weekday, or every day it runs). */
export async function addAssignment(d: RosterDeps & { input: unknown }) {
  const input = parse(assignmentSchema, d.input);
  await d.db.transaction(async (tx) => {
    await requireShift(tx, input.shiftId);
    await requireDutyUser(tx, input.userId);
    const [added] = await tx.insert(dutyAssignments).values({ id: newId(), ...input, createdAt: d.clock.now() }).onConflictDoNothing().returning({ id: dutyAssignments.id });
    if (!added) throw createValidationError({ userId: '此人已在该班次的这一天。' });
    await auditRequest({ db: tx, clock: d.clock, meta: d.meta, event: { action: 'duty.assignment.add', targetType: 'user', targetId: input.userId, after: input } });
  });
}

export async function removeAssignment(d: RosterDeps & { id: string }) {
  await d.db.transaction(async (tx) => {
    const [gone] = await tx.delete(dutyAssignments).where(eq(dutyAssignments.id, d.id)).returning();
    if (!gone) throw createNotFoundError();
    await auditRequest({ db: tx, clock: d.clock, meta: d.meta, event: { action: 'duty.assignment.remove', targetType: 'user', targetId: gone.userId, before: { shiftId: gone.shiftId, weekday: gone.weekday, role: gone.role, tier: gone.tier } } });
  });
}

/** A dated change to one occurrence: someone added (extra cover) or removed (leave, a holiday). */
export async function addOverride(d: RosterDeps & { input: unknown }) {
  const input = parse(overrideSchema, d.input);
  await d.db.transaction(async (tx) => {
    await requireShift(tx, input.shiftId);
    await requireDutyUser(tx, input.userId);
    await tx.insert(dutyOverrides).values({ id: newId(), ...input, reason: input.reason || null, createdById: d.meta.actor?.id ?? null, createdAt: d.clock.now() });
    await auditRequest({ db: tx, clock: d.clock, meta: d.meta, event: { action: 'duty.override.add', targetType: 'user', targetId: input.userId, after: input } });
  });
}

export async function removeOverride(d: RosterDeps & { id: string }) {
  await d.db.transaction(async (tx) => {
    const [gone] = await tx.delete(dutyOverrides).where(eq(dutyOverrides.id, d.id)).returning();
    if (!gone) throw createNotFoundError();
    await auditRequest({ db: tx, clock: d.clock, meta: d.meta, event: { action: 'duty.override.remove', targetType: 'user', targetId: gone.userId, before: { day: gone.day, shiftId: gone.shiftId, change: gone.change } } });
  });
}

/**
 * A swap (调班) on one occurrence: `from` comes off and `to` goes on in the
 * same role and tier, as two overrides written and logged together.
 */
export async function swapDuty(d: RosterDeps & { input: unknown; tier: number | null }) {
  const input = parse(swapSchema, d.input);
  if (input.fromUserId === input.toUserId) throw createValidationError({ toUserId: '请选择另一位工程师。' });
  await d.db.transaction(async (tx) => {
    await requireShift(tx, input.shiftId);
    await requireDutyUser(tx, input.toUserId, 'toUserId');
    const now = d.clock.now();
    const base = { day: input.day, shiftId: input.shiftId, role: input.role, tier: d.tier, reason: '调班', createdById: d.meta.actor?.id ?? null, createdAt: now };
    await tx.insert(dutyOverrides).values([
      { id: newId(), ...base, userId: input.fromUserId, change: 'remove' },
      { id: newId(), ...base, userId: input.toUserId, change: 'add' },
    ]);
    await auditRequest({ db: tx, clock: d.clock, meta: d.meta, event: { action: 'duty.swap', targetType: 'user', targetId: input.toUserId, before: { userId: input.fromUserId }, after: { ...input, tier: d.tier } } });
  });
}

/** An engineer marks themselves unavailable (leave, training): never routed to in that period. */
export async function markUnavailable(d: RosterDeps & { userId: string; input: unknown }) {
  const input = parse(unavailableSchema, d.input);
  await d.db.transaction(async (tx) => {
    await tx.insert(dutyUnavailability).values({ id: newId(), userId: d.userId, startsAt: input.startsAt, endsAt: input.endsAt, reason: input.reason || null, createdAt: d.clock.now() });
    await auditRequest({ db: tx, clock: d.clock, meta: d.meta, event: { action: 'duty.unavailable', targetType: 'user', targetId: d.userId, after: { startsAt: input.startsAt, endsAt: input.endsAt, reason: input.reason } } });
  });
}

/** Withdraws one's own unavailable period. */
export async function cancelUnavailable(d: RosterDeps & { userId: string; id: string }) {
  await d.db.transaction(async (tx) => {
    const [gone] = await tx.delete(dutyUnavailability).where(and(eq(dutyUnavailability.id, d.id), eq(dutyUnavailability.userId, d.userId))).returning();
    if (!gone) throw createNotFoundError();
    await auditRequest({ db: tx, clock: d.clock, meta: d.meta, event: { action: 'duty.available', targetType: 'user', targetId: d.userId, before: { startsAt: gone.startsAt, endsAt: gone.endsAt } } });
  });
}

/**
 * 交接班记录: the leaving engineer's note, with the questions they still hold
 * (those stay theirs; the note tells the next shift what is going on).
 */
export async function writeHandover(d: Omit<RosterDeps, 'meta'> & { userId: string; shiftId: string | null; day: string; input: unknown }) {
  const { note } = parse(handoverSchema, d.input);
  const open = await d.db
    .select({ id: questions.id })
    .from(questions)
    .where(and(eq(questions.assigneeId, d.userId), inArray(questions.status, ['new', 'assigned', 'answered', 'reopened', 'waiting'])));
  const id = newId();
  await d.db.insert(dutyHandovers).values({ id, shiftId: d.shiftId, day: d.day, fromUserId: d.userId, note, openQuestionIds: open.map((q) => q.id), createdAt: d.clock.now() });
  return { id, open: open.length };
}
