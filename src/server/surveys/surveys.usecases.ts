import { and, asc, eq, isNotNull, isNull, lte } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { unitSurveys, units, users } from '../../../db/schema/index.ts';
import { t } from '../../i18n/t.ts';
import { newToken } from '../auth/auth.tokens.ts';
import type { Jobs } from '../jobs/jobs.ts';
import { queueMail } from '../mail/mail.outbox.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError, createNotFoundError, createValidationError, fieldsOf } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { localDay } from '../shared/time.ts';
import { surveyMail } from './surveys.mail.ts';

export interface SurveyDeps {
  db: Db;
  jobs: Pick<Jobs, 'wakeMail'>;
  clock: Clock;
  mailFrom: string;
  baseUrl: string;
  timeZone: string;
  /** UNIT_SURVEY_DAY: 1–28, 0 = off. */
  surveyDay: number;
  /** UNIT_SURVEY_REMINDER_DAYS: 0 = no reminder. */
  reminderDays: number;
}

/** "2026-11" → "2026年11月". */
export const periodLabel = (period: string) => `${period.slice(0, 4)}年${Number(period.slice(5, 7))}月`;

/** The month before the one `day` ("2026-12-01") falls in, as "2026-11". */
export function previousMonth(day: string): string {
  const [y, m] = day.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

export const surveyUrl = (baseUrl: string, token: string) => `${baseUrl.replace(/\/$/, '')}/survey/${token}`;

/**
 * The daily survey job (`survey.run`, 09:05): from the survey day of a month
 * on, each unit with an active contact person gets the survey of the month
 * before, once (a unit that gains a contact later in the month gets it then;
 * a day the server was down is caught up the next). Then, once, a reminder
 * to those who have not answered `reminderDays` after the mail. Safe to run
 * again and in several processes: the survey row (unique per unit and month)
 * and the reminder's claim are written with the mail, in one transaction.
 */
export async function runUnitSurveys(deps: SurveyDeps): Promise<{ period: string | null; sent: number; reminded: number }> {
  if (deps.surveyDay === 0) return { period: null, sent: 0, reminded: 0 };
  const now = deps.clock.now();
  const today = localDay(now, deps.timeZone);
  const period = previousMonth(today);
  let sent = 0;
  if (Number(today.slice(8, 10)) >= deps.surveyDay) {
    // One contact per unit: the first by name among the active contact persons.
    const contacts = await deps.db
      .selectDistinctOn([users.unitId], { userId: users.id, email: users.email, name: users.name, unitId: units.id, unitName: units.name })
      .from(users)
      .innerJoin(units, eq(units.id, users.unitId))
      .where(and(eq(users.isUnitContact, true), eq(users.status, 'active'), isNotNull(users.unitId)))
      .orderBy(asc(users.unitId), asc(users.name), asc(users.id));
    for (const c of contacts) {
      const done = await deps.db.transaction(async (tx) => {
        const token = newToken();
        const [row] = await tx
          .insert(unitSurveys)
          .values({ id: newId(), period, unitId: c.unitId, contactId: c.userId, contactEmail: c.email, token, sentAt: now })
          .onConflictDoNothing()
          .returning({ id: unitSurveys.id });
        if (!row) return false;
        await queueMail({ tx, jobs: deps.jobs, clock: deps.clock, from: deps.mailFrom, mail: surveyMail({ to: c.email, name: c.name, unit: c.unitName, period: periodLabel(period), link: surveyUrl(deps.baseUrl, token), reminder: false }) });
        return true;
      });
      if (done) sent++;
    }
  }
  let reminded = 0;
  if (deps.reminderDays > 0) {
    const due = new Date(now.getTime() - deps.reminderDays * 86_400_000);
    const open = await deps.db
      .select({ id: unitSurveys.id })
      .from(unitSurveys)
      .where(and(eq(unitSurveys.period, period), isNull(unitSurveys.respondedAt), isNull(unitSurveys.remindedAt), lte(unitSurveys.sentAt, due)));
    for (const { id } of open) {
      const done = await deps.db.transaction(async (tx) => {
        const [s] = await tx
          .update(unitSurveys)
          .set({ remindedAt: now })
          .where(and(eq(unitSurveys.id, id), isNull(unitSurveys.remindedAt), isNull(unitSurveys.respondedAt)))
          .returning();
        if (!s) return false;
        const [unit] = await tx.select({ name: units.name }).from(units).where(eq(units.id, s.unitId));
        const [contact] = s.contactId ? await tx.select({ name: users.name }).from(users).where(eq(users.id, s.contactId)) : [];
        await queueMail({
          tx,
          jobs: deps.jobs,
          clock: deps.clock,
          from: deps.mailFrom,
          mail: surveyMail({ to: s.contactEmail, name: contact?.name ?? '', unit: unit?.name ?? '', period: periodLabel(s.period), link: surveyUrl(deps.baseUrl, s.token), reminder: true }),
        });
        return true;
      });
      if (done) reminded++;
    }
  }
  return { period, sent, reminded };
}

/** The survey a link opens, with its unit's name; null for an unknown token. */
export async function findSurvey({ db, token }: { db: Db; token: string }) {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  const [row] = await db.select({ survey: unitSurveys, unitName: units.name }).from(unitSurveys).innerJoin(units, eq(units.id, unitSurveys.unitId)).where(eq(unitSurveys.token, token));
  return row ? { ...row.survey, unitName: row.unitName } : null;
}

const score = z.coerce.number({ error: t('survey.error.score') }).int(t('survey.error.score')).min(1, t('survey.error.score')).max(5, t('survey.error.score'));
const answerSchema = z.object({
  overall: score,
  attitude: score,
  business: score,
  technical: score,
  improve: z.string().trim().max(2000, t('survey.error.improve')).optional().default(''),
  respondent: z.string().trim().max(50, t('survey.error.respondent')).optional().default(''),
});

/** Takes a unit's answer, once: a second answer (another tab, a colleague with the same mail) is refused with 409. */
export async function answerSurvey({ db, clock, token, input }: { db: Db; clock: Clock; token: string; input: Record<string, string> }) {
  const survey = await findSurvey({ db, token });
  if (!survey) throw createNotFoundError();
  const parsed = answerSchema.safeParse(input);
  if (!parsed.success) throw createValidationError(fieldsOf(parsed.error));
  const a = parsed.data;
  const [row] = await db
    .update(unitSurveys)
    .set({ respondedAt: clock.now(), overall: a.overall, attitude: a.attitude, business: a.business, technical: a.technical, improve: a.improve || null, respondent: a.respondent || null })
    .where(and(eq(unitSurveys.id, survey.id), isNull(unitSurveys.respondedAt)))
    .returning();
  if (!row) throw new AppError('survey.answered', t('survey.error.answered'), 409);
  return row;
}
