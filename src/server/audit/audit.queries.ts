import { and, count, desc, eq, gte, ilike, lt, or, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { auditEvents, users } from '../../../db/schema/index.ts';

export const AUDIT_PAGE_SIZE = 50;

/**
 * Audit events for admins, newest first, filtered by actor (name or email, or
 * the label of an anonymous attempt), action prefix and a date range.
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
  if (act) conditions.push(ilike(auditEvents.action, `${act}%`));
  if (from) conditions.push(gte(auditEvents.occurredAt, from));
  if (to) conditions.push(lt(auditEvents.occurredAt, to));
  const where = conditions.length ? and(...conditions) : undefined;
  const base = db
    .select({ id: auditEvents.id, occurredAt: auditEvents.occurredAt, action: auditEvents.action, actorName: users.name, actorEmail: users.email, actorLabel: auditEvents.actorLabel, targetType: auditEvents.targetType, targetId: auditEvents.targetId, before: auditEvents.before, after: auditEvents.after, ip: auditEvents.ip })
    .from(auditEvents)
    .leftJoin(users, eq(auditEvents.actorId, users.id));
  const rows = await (where ? base.where(where) : base).orderBy(desc(auditEvents.occurredAt), desc(auditEvents.id)).limit(AUDIT_PAGE_SIZE).offset((page - 1) * AUDIT_PAGE_SIZE);
  const totalQ = db.select({ n: count() }).from(auditEvents).leftJoin(users, eq(auditEvents.actorId, users.id));
  const [{ n } = { n: 0 }] = await (where ? totalQ.where(where) : totalQ);
  return { rows, total: Number(n), page, pages: Math.max(1, Math.ceil(Number(n) / AUDIT_PAGE_SIZE)) };
}
