import { and, count, desc, eq, gte, lt, sql } from 'drizzle-orm';
import { questionComplaints, questionEvents, questionRatings, questions, users } from '../../../db/schema/index.ts';
import { askedIn, type ReportScope } from './reports.questions.queries.ts';

/** Ratings given in the period (an engineer's report: ratings of their own answers). */
function ratedIn(s: ReportScope) {
  return and(gte(questionRatings.createdAt, s.from), lt(questionRatings.createdAt, s.to), s.engineerId ? eq(questionRatings.engineerId, s.engineerId) : undefined);
}

const averages = {
  ratings: sql<number>`count(*)::int`,
  overall: sql<number | null>`avg(${questionRatings.overall})::float`,
  attitude: sql<number | null>`avg(${questionRatings.attitude})::float`,
  business: sql<number | null>`avg(${questionRatings.business})::float`,
  technical: sql<number | null>`avg(${questionRatings.technical})::float`,
  satisfied: sql<number>`(count(*) filter (where ${questionRatings.overall} >= 4))::int`,
};

export async function ratingTotals(s: ReportScope) {
  const [row] = await s.db.select(averages).from(questionRatings).where(ratedIn(s));
  return row!;
}

/** How many ratings gave each overall score, 1–5. */
export async function ratingDistribution(s: ReportScope) {
  const rows = await s.db.select({ score: questionRatings.overall, n: count() }).from(questionRatings).where(ratedIn(s)).groupBy(questionRatings.overall);
  return [1, 2, 3, 4, 5].map((score) => ({ score, n: Number(rows.find((r) => r.score === score)?.n ?? 0) }));
}

/** Satisfaction per engineer, with their tier; the best rated first. */
export async function ratingsByEngineer(s: ReportScope) {
  return s.db
    .select({ id: users.id, engineer: users.name, tier: users.engineerTier, ...averages })
    .from(questionRatings)
    .innerJoin(users, eq(users.id, questionRatings.engineerId))
    .where(ratedIn(s))
    .groupBy(users.id, users.name, users.engineerTier)
    .orderBy(desc(averages.overall), users.name);
}

/** Satisfaction per tier of the engineer who answered. */
export async function ratingsByTier(s: ReportScope) {
  return s.db
    .select({ tier: users.engineerTier, ...averages })
    .from(questionRatings)
    .innerJoin(users, eq(users.id, questionRatings.engineerId))
    .where(ratedIn(s))
    .groupBy(users.engineerTier)
    .orderBy(users.engineerTier);
}

/** The written comments of the period's ratings, newest first. */
export async function ratingComments(s: ReportScope, limit: number | null) {
  const q = s.db
    .select({ number: questions.number, overall: questionRatings.overall, comment: questionRatings.comment, engineer: users.name, at: questionRatings.createdAt })
    .from(questionRatings)
    .innerJoin(questions, eq(questions.id, questionRatings.questionId))
    .leftJoin(users, eq(users.id, questionRatings.engineerId))
    .where(and(ratedIn(s), sql`coalesce(btrim(${questionRatings.comment}), '') <> ''`))
    .orderBy(desc(questionRatings.createdAt));
  return limit === null ? q : q.limit(limit);
}

/**
 * Workload per engineer: questions of the period assigned to them, replies
 * they sent in the period, questions they resolved in the period.
 */
export async function workload(s: ReportScope) {
  const mine = s.engineerId ? eq(users.id, s.engineerId) : undefined;
  const [assigned, replies, resolved] = await Promise.all([
    s.db.select({ id: users.id, name: users.name, tier: users.engineerTier, n: count() }).from(questions).innerJoin(users, eq(users.id, questions.assigneeId)).where(askedIn(s)).groupBy(users.id),
    s.db
      .select({ id: users.id, name: users.name, tier: users.engineerTier, n: count() })
      .from(questionEvents)
      .innerJoin(users, eq(users.id, questionEvents.actorId))
      .where(and(eq(questionEvents.kind, 'replied'), gte(questionEvents.createdAt, s.from), lt(questionEvents.createdAt, s.to), mine))
      .groupBy(users.id),
    s.db
      .select({ id: users.id, name: users.name, tier: users.engineerTier, n: count() })
      .from(questions)
      .innerJoin(users, eq(users.id, questions.assigneeId))
      .where(and(gte(questions.resolvedAt, s.from), lt(questions.resolvedAt, s.to), mine))
      .groupBy(users.id),
  ]);
  const rows = new Map<string, { id: string; name: string; tier: number | null; assigned: number; replies: number; resolved: number }>();
  const add = (list: { id: string; name: string; tier: number | null; n: number }[], key: 'assigned' | 'replies' | 'resolved') => {
    for (const r of list) {
      const row = rows.get(r.id) ?? { id: r.id, name: r.name, tier: r.tier, assigned: 0, replies: 0, resolved: 0 };
      row[key] = Number(r.n);
      rows.set(r.id, row);
    }
  };
  add(assigned, 'assigned');
  add(replies, 'replies');
  add(resolved, 'resolved');
  return [...rows.values()].sort((a, b) => b.assigned - a.assigned || b.replies - a.replies || a.name.localeCompare(b.name, 'zh-CN'));
}

/** Complaints (投诉) made in the period about the period's or earlier questions, and how many were answered. */
export async function complaintTotals(s: ReportScope) {
  const [row] = await s.db
    .select({ made: sql<number>`count(*)::int`, answered: sql<number>`count(${questionComplaints.answeredAt})::int` })
    .from(questionComplaints)
    .innerJoin(questions, eq(questions.id, questionComplaints.questionId))
    .where(and(gte(questionComplaints.createdAt, s.from), lt(questionComplaints.createdAt, s.to), s.engineerId ? eq(questions.assigneeId, s.engineerId) : undefined));
  return row!;
}

export async function complaintList(s: ReportScope, limit: number | null) {
  const q = s.db
    .select({ number: questions.number, body: questionComplaints.body, status: questionComplaints.status, at: questionComplaints.createdAt, answeredAt: questionComplaints.answeredAt })
    .from(questionComplaints)
    .innerJoin(questions, eq(questions.id, questionComplaints.questionId))
    .where(and(gte(questionComplaints.createdAt, s.from), lt(questionComplaints.createdAt, s.to), s.engineerId ? eq(questions.assigneeId, s.engineerId) : undefined))
    .orderBy(questionComplaints.createdAt);
  return limit === null ? q : q.limit(limit);
}
