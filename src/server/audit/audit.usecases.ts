import { isIP } from 'node:net';
import type { DbOrTx } from '../../../db/client.ts';
import { auditEvents } from '../../../db/schema/index.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';

export interface AuditInput {
  actorId?: string | null;
  actorLabel?: string | null;
  action: string;
  targetType?: string;
  targetId?: string;
  before?: unknown;
  after?: unknown;
  ip?: string | null;
  requestId?: string | null;
}

/**
 * The one way to write the audit trail. Pass the caller's transaction so the
 * event commits (or rolls back) with the change it describes. Never pass
 * secrets in before/after.
 */
export async function recordAuditEvent({
  db,
  clock,
  event,
}: {
  db: DbOrTx;
  clock: Clock;
  event: AuditInput;
}): Promise<{ id: string }> {
  const id = newId();
  await db.insert(auditEvents).values({
    id,
    occurredAt: clock.now(),
    actorId: event.actorId ?? null,
    actorLabel: event.actorLabel ?? null,
    action: event.action,
    targetType: event.targetType ?? null,
    targetId: event.targetId ?? null,
    before: event.before ?? null,
    after: event.after ?? null,
    // A malformed address (e.g. from a misconfigured proxy) is dropped rather than failing the change.
    ip: event.ip && isIP(event.ip) ? event.ip : null,
    requestId: event.requestId ?? null,
  });
  return { id };
}

/** Who acted, from where, in which request: filled into every event written through `auditRequest`. */
export interface RequestMeta {
  actor: { id: string } | null;
  ip: string | null;
  requestId: string | null;
}

/** `recordAuditEvent` for a request: actor, address and request id come from `meta`. */
export function auditRequest({ db, clock, meta, event }: { db: DbOrTx; clock: Clock; meta: RequestMeta; event: Omit<AuditInput, 'ip' | 'requestId'> }) {
  return recordAuditEvent({ db, clock, event: { actorId: meta.actor?.id ?? null, ip: meta.ip, requestId: meta.requestId, ...event } });
}
