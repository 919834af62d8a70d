import { and, asc, eq, gte, lte, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { unitSurveys, units } from '../../../db/schema/index.ts';

/** The months ("2026-11") a report period covers, first and last inclusive. */
export interface SurveyMonths {
  db: Db;
  first: string;
  last: string;
}

const inMonths = (s: SurveyMonths) => and(gte(unitSurveys.period, s.first), lte(unitSurveys.period, s.last));

/** Surveys sent about the months, how many answered, and the answers' averages. */
export async function surveyTotals(s: SurveyMonths) {
  const [row] = await s.db
    .select({
      sent: sql<number>`count(*)::int`,
      answered: sql<number>`count(${unitSurveys.respondedAt})::int`,
      overall: sql<number | null>`avg(${unitSurveys.overall})::float`,
      attitude: sql<number | null>`avg(${unitSurveys.attitude})::float`,
      business: sql<number | null>`avg(${unitSurveys.business})::float`,
      technical: sql<number | null>`avg(${unitSurveys.technical})::float`,
    })
    .from(unitSurveys)
    .where(inMonths(s));
  return row!;
}

/** Each unit's answers about the months, by month then unit. */
export async function surveyAnswers(s: SurveyMonths & { limit: number | null }) {
  const q = s.db
    .select({
      period: unitSurveys.period,
      unit: units.name,
      overall: unitSurveys.overall,
      attitude: unitSurveys.attitude,
      business: unitSurveys.business,
      technical: unitSurveys.technical,
      improve: unitSurveys.improve,
      respondent: unitSurveys.respondent,
    })
    .from(unitSurveys)
    .innerJoin(units, eq(units.id, unitSurveys.unitId))
    .where(and(inMonths(s), sql`${unitSurveys.respondedAt} is not null`))
    .orderBy(asc(unitSurveys.period), asc(units.name));
  return s.limit === null ? q : q.limit(s.limit);
}
