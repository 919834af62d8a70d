import { and, count, desc, eq, gte, ilike, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../../../db/client.ts';
import { auditEvents, units, users } from '../../../db/schema/index.ts';
import { unitIdsIn } from './audit.labels.ts';

export const AUDIT_PAGE_SIZE = 50;

const targetUser = alias(users, 'target_user');
const targetUnit = alias(units, 'target_unit');

/**
 * Audit events for admins, newest first, filtered by actor (name or email, or
 * the label of an anonymous attempt), action code and a date range. Each row
 * carries the name of the user or unit it is about; `unitNames` names the
 * units that appear in the rows' details.
 */
export async function listAuditEvents({
  db,
  actor = '',
  action = '',
  from,
  to,
  page = 1,
}: {
  db: Db;
  actor?: string;
  action?: string;
  from?: Date;
  to?: Date;
  page?: number;
}) {
  const conditions: SQL[] = [];
  const a = actor.trim().slice(0, 100);
  if (a) conditions.push(or(ilike(users.name, `%${a}%`), ilike(users.email, `%${a}%`), ilike(auditEvents.actorLabel, `%${a}%`))!);
  const act = action.trim().slice(0, 60);
  if (act) conditions.push(eq(auditEvents.action, act));
  if (from) conditions.push(gte(auditEvents.occurredAt, from));
  if (to) conditions.push(lt(auditEvents.occurredAt, to));
  const where = conditions.length ? and(...conditions) : undefined;
  const base = db
    .select({
      id: auditEvents.id,
      occurredAt: auditEvents.occurredAt,
      action: auditEvents.action,
      actorName: users.name,
      actorEmail: users.email,
      actorLabel: auditEvents.actorLabel,
      targetType: auditEvents.targetType,
      targetId: auditEvents.targetId,
      targetUserName: targetUser.name,
      targetUserEmail: targetUser.email,
      targetUnitName: targetUnit.name,
      before: auditEvents.before,
      after: auditEvents.after,
      ip: auditEvents.ip,
    })
    .from(auditEvents)
    .leftJoin(users, eq(auditEvents.actorId, users.id))
    .leftJoin(targetUser, and(eq(auditEvents.targetType, 'user'), sql`${auditEvents.targetId} = ${targetUser.id}::text`))
    .leftJoin(targetUnit, and(eq(auditEvents.targetType, 'unit'), sql`${auditEvents.targetId} = ${targetUnit.id}::text`));
  const rows = await (where ? base.where(where) : base).orderBy(desc(auditEvents.occurredAt), desc(auditEvents.id)).limit(AUDIT_PAGE_SIZE).offset((page - 1) * AUDIT_PAGE_SIZE);
  const totalQ = db.select({ n: count() }).from(auditEvents).leftJoin(users, eq(auditEvents.actorId, users.id));
  const [{ n } = { n: 0 }] = await (where ? totalQ.where(where) : totalQ);
  const ids = unitIdsIn(rows);
  const named = ids.length ? await db.select({ id: units.id, name: units.name }).from(units).where(inArray(units.id, ids)) : [];
  const unitNames = new Map(named.map((u) => [u.id, u.name]));
  return { rows, unitNames, total: Number(n), page, pages: Math.max(1, Math.ceil(Number(n) / AUDIT_PAGE_SIZE)) };
}
