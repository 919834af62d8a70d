import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { users } from '../../../db/schema/index.ts';
import { t } from '../../i18n/t.ts';
import type { AuthUser } from '../auth/auth.sessions.ts';
import { isAppError } from '../shared/errors.ts';
import { asString, formProblem, readForm } from '../shared/forms.ts';
import { formatDateTimeZh, formatLocalDateTime } from '../shared/time.ts';
import { deskEngineers } from './desk.page.ts';
import { questionPeople, type QuestionRow } from './questions.queries.ts';
import { serviceRecordFields, type ServiceRecordField, type ServiceRecordForm } from './service-record.schemas.ts';
import { findServiceRecord, saveServiceRecord, type ServiceRecordRow } from './service-record.usecases.ts';

/**
 * Everything the service record page and its print view show besides the
 * question: the record (null before its first save), the unit, the engineer's
 * name and who can be chosen as the engineer.
 */
export async function serviceRecordView({ db, question }: { db: Db; question: QuestionRow }) {
  const { record } = await findServiceRecord({ db, questionId: question.id });
  const people = await questionPeople({ db, question });
  const engineers = await deskEngineers({ db });
  const [engineer] = record?.engineerId ? await db.select({ name: users.name }).from(users).where(eq(users.id, record.engineerId)) : [];
  return { record, unitName: people.unitName, engineerName: engineer?.name ?? null, engineers };
}
export type ServiceRecordView = Awaited<ReturnType<typeof serviceRecordView>>;

/** The form's values for a saved record (times as `datetime-local` in `timeZone`); a new one names `engineerId`. */
export function recordFormValues(record: ServiceRecordRow | null, { timeZone, engineerId }: { timeZone: string; engineerId: string }): ServiceRecordForm {
  const values = {} as ServiceRecordForm;
  for (const f of serviceRecordFields) {
    const v = record?.[f] ?? null;
    values[f] = v instanceof Date ? formatLocalDateTime(v, timeZone) : (v ?? '');
  }
  if (!record) values.engineerId = engineerId;
  return values;
}

/** The record's fields as posted (repeated fields read as their first value). */
export function postedRecord(form: Record<string, string | string[]>): ServiceRecordForm {
  return Object.fromEntries(serviceRecordFields.map((f) => [f, asString(form[f])])) as ServiceRecordForm;
}

/** A saved field as the sheet and the "latest saved" list show it: times in zh-CN, the engineer by name, "" when empty. */
export function recordText(record: ServiceRecordRow | null, field: ServiceRecordField, { timeZone, engineerName }: { timeZone: string; engineerName: string | null }): string {
  if (!record) return '';
  if (field === 'engineerId') return engineerName ?? '';
  const v = record[field];
  return v instanceof Date ? formatDateTimeZh(v, timeZone) : (v ?? '');
}

const doneCodes = ['saved', 'unchanged'] as const;

/** The zh-CN notice for a `?done=` code; null for none or an unknown one (never text from the URL). */
export function serviceRecordDoneMessage(code: string | null): string | null {
  return code && (doneCodes as readonly string[]).includes(code) ? t(`serviceRecord.done.${code as (typeof doneCodes)[number]}`) : null;
}

/** What a refused save shows: the message, per-field messages, whether someone saved first, and the values as typed. */
export interface ServiceRecordProblem {
  message: string;
  fields: Record<string, string>;
  stale: boolean;
  status: number;
  typed: ServiceRecordForm;
  /** The record's version the refused form was built from: kept, so a later save still notices anyone who saved in between. */
  version: number;
}

/**
 * A POST of the service record form: saves it and says where to redirect
 * (PRG, with the notice code), or says what went wrong with the typed values
 * kept. Unknown errors are rethrown.
 */
export async function handleServiceRecordPost({
  request,
  deps,
  actor,
  question,
}: {
  request: Request;
  deps: { db: Db; clock: { now(): Date }; timeZone: string };
  actor: AuthUser;
  question: QuestionRow;
}): Promise<{ redirect: string } | ServiceRecordProblem> {
  let typed = postedRecord({});
  let version = NaN;
  try {
    const form = await readForm(request);
    typed = postedRecord(form);
    const posted = asString(form.version).trim();
    version = posted === '' ? NaN : Number(posted);
    const { changed } = await saveServiceRecord({ ...deps, actor, question, version, input: typed });
    return { redirect: `/desk/${question.number}/service-record?done=${changed.length ? 'saved' : 'unchanged'}` };
  } catch (e) {
    const p = formProblem(e);
    return { message: p.message, fields: p.fields, status: p.status, stale: isAppError(e) && e.code === 'questions.stale', typed, version };
  }
}
