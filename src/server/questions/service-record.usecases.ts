import { and, eq, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../../db/client.ts';
import { serviceRecords, users } from '../../../db/schema/index.ts';
import { t } from '../../i18n/t.ts';
import { can, type Actor } from '../auth/auth.policy.ts';
import type { Clock } from '../shared/clock.ts';
import { createErrorFactory, createValidationError, fieldsOf } from '../shared/errors.ts';
import { isUuid } from '../shared/ids.ts';
import { createQuestionStateError, createStaleVersionError } from './questions.errors.ts';
import type { QuestionRow } from './questions.queries.ts';
import { serviceRecordFields, serviceRecordSchema, type ServiceRecordField } from './service-record.schemas.ts';
import { addEvent } from './questions.workflow.ts';

export type ServiceRecordRow = typeof serviceRecords.$inferSelect;
type RecordValues = Pick<ServiceRecordRow, ServiceRecordField>;

export const createServiceRecordForbiddenError = createErrorFactory({
  code: 'service_records.forbidden',
  message: '只有值班工程师和管理员可以填写现场服务记录。',
  status: 403,
});

/** The service record of a question; null until it is first saved. */
export async function findServiceRecord({ db, questionId }: { db: DbOrTx; questionId: string }): Promise<{ record: ServiceRecordRow | null }> {
  const [record] = await db.select().from(serviceRecords).where(eq(serviceRecords.questionId, questionId));
  return { record: record ?? null };
}

/** Only a fault (故障申告) has on-site work to record. */
export function requireFault(question: QuestionRow): void {
  if (question.kind !== 'fault') throw createValidationError({ form: t('serviceRecord.error.notFault') }, t('serviceRecord.error.notFault'));
}

const EMPTY: RecordValues = { engineerId: null, arrivedAt: null, departedAt: null, symptom: '', diagnosis: '', partsUsed: '', resolution: '', confirmedBy: '', confirmedAt: null };

const same = (a: RecordValues[ServiceRecordField], b: RecordValues[ServiceRecordField]) =>
  a instanceof Date || b instanceof Date ? (a as Date | null)?.getTime() === (b as Date | null)?.getTime() : a === b;

/** The engineer named on the record: empty for none, else an active engineer or admin. */
async function engineerOf(db: DbOrTx, id: string): Promise<string | null> {
  if (!id) return null;
  const refuse = () => createValidationError({ engineerId: t('serviceRecord.error.engineer') });
  if (!isUuid(id)) throw refuse();
  const [row] = await db.select().from(users).where(and(eq(users.id, id), eq(users.status, 'active')));
  if (!row || !can(row, 'desk.use')) throw refuse();
  return row.id;
}

/**
 * Saves the service record of a fault as the engineer typed it (every field
 * as posted: an empty box empties the field). `version` is the record's
 * version the engineer had open, 0 before the first save: when someone saved
 * in between, nothing is written and the 409 `questions.stale` error asks to
 * look again (the page keeps what was typed). A save that changes something
 * bumps the version and, in the same transaction, puts an internal
 * `service_record` event on the timeline naming the changed fields and their
 * new values; one that changes nothing writes nothing. The question itself
 * (its status, version and mails) is not touched.
 */
export async function saveServiceRecord({
  db,
  clock,
  timeZone,
  actor,
  question,
  version,
  input,
}: {
  db: Db;
  clock: Clock;
  timeZone: string;
  actor: Actor;
  question: QuestionRow;
  version: number;
  input: Partial<Record<ServiceRecordField, unknown>>;
}): Promise<{ record: ServiceRecordRow | null; changed: ServiceRecordField[] }> {
  if (!can(actor, 'desk.use')) throw createServiceRecordForbiddenError();
  requireFault(question);
  // A duplicate's on-site work belongs on the question it was merged into.
  if (question.mergedIntoId) throw createQuestionStateError();
  // A form without a sensible version cannot say what its sender saw: treat it as out of date.
  if (!Number.isInteger(version) || version < 0) throw createStaleVersionError();
  const parsed = serviceRecordSchema({ timeZone, now: clock.now() }).safeParse(input);
  if (!parsed.success) throw createValidationError(fieldsOf(parsed.error));

  return db.transaction(async (tx) => {
    const now = clock.now();
    const { record: current } = await findServiceRecord({ db: tx, questionId: question.id });
    if ((current?.version ?? 0) !== version) throw createStaleVersionError();
    // The engineer already on the record stays even if their account was disabled since; a new one must be on duty.
    const keptEngineer = parsed.data.engineerId !== '' && parsed.data.engineerId === current?.engineerId;
    const next: RecordValues = { ...parsed.data, engineerId: keptEngineer && current ? current.engineerId : await engineerOf(tx, parsed.data.engineerId) };
    const changed = serviceRecordFields.filter((f) => !same((current ?? EMPTY)[f], next[f]));
    if (changed.length === 0) return { record: current, changed };
    // The version in the WHERE (or the primary key, for the first save) settles a race the read above could not see.
    const [saved] = current
      ? await tx
          .update(serviceRecords)
          .set({ ...next, version: sql`${serviceRecords.version} + 1`, updatedAt: now })
          .where(and(eq(serviceRecords.questionId, question.id), eq(serviceRecords.version, version)))
          .returning()
      : await tx
          .insert(serviceRecords)
          .values({ questionId: question.id, ...next, version: 1, createdAt: now, updatedAt: now })
          .onConflictDoNothing()
          .returning();
    if (!saved) throw createStaleVersionError();
    await addEvent(tx, now, question.id, {
      kind: 'service_record',
      actorId: actor.id,
      internal: true,
      data: { version: saved.version, fields: changed, to: eventValues(saved, changed) },
    });
    return { record: saved, changed };
  });
}

/** The new values of the changed fields, for the timeline's `data` (times as ISO strings). */
function eventValues(record: ServiceRecordRow, fields: ServiceRecordField[]): Record<string, string | null> {
  return Object.fromEntries(fields.map((f) => [f, record[f] instanceof Date ? record[f].toISOString() : record[f]]));
}
