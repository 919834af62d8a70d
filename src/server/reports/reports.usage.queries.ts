import { and, count, desc, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import {
  contentPageViews,
  coursewareDownloads,
  faqClusterMembers,
  faqClusters,
  feedbackForms,
  questions,
  feedbackResponses,
  questionDeflections,
  searchLog,
  trainingAssessments,
  trainingCheckins,
  trainingLessons,
  trainingSessions,
  videoViews,
} from '../../../db/schema/index.ts';
import { askedIn, type ReportScope } from './reports.questions.queries.ts';

/** "这解决了我的问题" in the period: asking that ended at a suggested page. */
export async function deflectionCount(s: ReportScope) {
  const [row] = await s.db.select({ n: count() }).from(questionDeflections).where(and(gte(questionDeflections.createdAt, s.from), lt(questionDeflections.createdAt, s.to)));
  return Number(row?.n ?? 0);
}

/** Views of knowledge pages (manual chapters, FAQ) in the period. */
export async function pageViews(s: ReportScope) {
  const [row] = await s.db
    .select({ n: sql<number>`coalesce(sum(${contentPageViews.views}), 0)::int` })
    .from(contentPageViews)
    .where(and(gte(contentPageViews.hour, s.from), lt(contentPageViews.hour, s.to)));
  return Number(row?.n ?? 0);
}

/** Searches made in the period, how many found nothing, how many were followed by a click. */
export async function searchTotals(s: ReportScope) {
  const [row] = await s.db
    .select({
      searches: sql<number>`count(*)::int`,
      empty: sql<number>`(count(*) filter (where ${searchLog.hits} = 0))::int`,
      clicked: sql<number>`count(${searchLog.clickedAt})::int`,
    })
    .from(searchLog)
    .where(and(gte(searchLog.at, s.from), lt(searchLog.at, s.to)));
  return row!;
}

/** The most searched (normalized) queries, with clicks; `empty` lists those that found nothing. */
export async function topSearches(s: ReportScope, { empty, limit }: { empty: boolean; limit: number | null }) {
  const q = s.db
    .select({ query: searchLog.normalized, searches: sql<number>`count(*)::int`, clicks: sql<number>`count(${searchLog.clickedAt})::int` })
    .from(searchLog)
    .where(and(gte(searchLog.at, s.from), lt(searchLog.at, s.to), empty ? eq(searchLog.hits, 0) : undefined))
    .groupBy(searchLog.normalized)
    .orderBy(desc(count()), searchLog.normalized);
  return limit === null ? q : q.limit(limit);
}

/** How often each of `queries` (normalized) was searched in the period: the previous period's column of the search tables. */
export async function searchCounts(s: ReportScope, queries: string[]): Promise<Map<string, number>> {
  if (!queries.length) return new Map();
  const rows = await s.db
    .select({ query: searchLog.normalized, n: count() })
    .from(searchLog)
    .where(and(gte(searchLog.at, s.from), lt(searchLog.at, s.to), inArray(searchLog.normalized, queries)))
    .groupBy(searchLog.normalized);
  return new Map(rows.map((r) => [r.query, Number(r.n)]));
}

export async function coursewareDownloadCounts(s: ReportScope) {
  const rows = await s.db
    .select({ slug: coursewareDownloads.slug, version: coursewareDownloads.version, n: count() })
    .from(coursewareDownloads)
    .where(and(gte(coursewareDownloads.downloadedAt, s.from), lt(coursewareDownloads.downloadedAt, s.to)))
    .groupBy(coursewareDownloads.slug, coursewareDownloads.version)
    .orderBy(desc(count()), coursewareDownloads.slug, coursewareDownloads.version);
  return rows.map((r) => ({ ...r, n: Number(r.n) }));
}

/** Views started in the period per video; completed = at least 90 % watched. */
export async function videoViewCounts(s: ReportScope) {
  return s.db
    .select({
      slug: videoViews.slug,
      views: sql<number>`count(*)::int`,
      completed: sql<number>`count(${videoViews.completedAt})::int`,
      hours: sql<number>`(coalesce(sum(${videoViews.watchedSeconds}), 0) / 3600.0)::float`,
    })
    .from(videoViews)
    .where(and(gte(videoViews.startedAt, s.from), lt(videoViews.startedAt, s.to)))
    .groupBy(videoViews.slug)
    .orderBy(desc(count()), videoViews.slug);
}

/**
 * Trainings with a lesson in the period: lessons held, people signed in
 * (distinct), assessments passed of those taken, feedback responses and their
 * average score (out of 100).
 */
export async function trainingFigures(s: ReportScope) {
  const lessons = await s.db
    .select({ sessionId: trainingLessons.sessionId, title: trainingSessions.title, lessons: sql<number>`count(*)::int` })
    .from(trainingLessons)
    .innerJoin(trainingSessions, eq(trainingSessions.id, trainingLessons.sessionId))
    .where(and(gte(trainingLessons.startsAt, s.from), lt(trainingLessons.startsAt, s.to)))
    .groupBy(trainingLessons.sessionId, trainingSessions.title);
  if (!lessons.length) return [];
  const ids = lessons.map((l) => l.sessionId);
  const [checkins, assessments, feedback] = await Promise.all([
    s.db
      .select({ sessionId: trainingLessons.sessionId, people: sql<number>`count(distinct ${trainingCheckins.userId})::int` })
      .from(trainingCheckins)
      .innerJoin(trainingLessons, eq(trainingLessons.id, trainingCheckins.lessonId))
      .where(and(inArray(trainingLessons.sessionId, ids), gte(trainingLessons.startsAt, s.from), lt(trainingLessons.startsAt, s.to)))
      .groupBy(trainingLessons.sessionId),
    s.db
      .select({ sessionId: trainingAssessments.sessionId, taken: sql<number>`count(*)::int`, passed: sql<number>`(count(*) filter (where ${trainingAssessments.passed}))::int` })
      .from(trainingAssessments)
      .where(inArray(trainingAssessments.sessionId, ids))
      .groupBy(trainingAssessments.sessionId),
    s.db
      .select({ sessionId: feedbackForms.sessionId, responses: sql<number>`count(*)::int`, score: sql<number | null>`avg(${feedbackResponses.score})::float` })
      .from(feedbackResponses)
      .innerJoin(feedbackForms, eq(feedbackForms.id, feedbackResponses.formId))
      .where(inArray(feedbackForms.sessionId, ids))
      .groupBy(feedbackForms.sessionId),
  ]);
  const find = <T extends { sessionId: string }>(list: T[], id: string) => list.find((r) => r.sessionId === id);
  return lessons
    .map((l) => ({
      title: l.title,
      lessons: l.lessons,
      attendees: find(checkins, l.sessionId)?.people ?? 0,
      assessed: find(assessments, l.sessionId)?.taken ?? 0,
      passed: find(assessments, l.sessionId)?.passed ?? 0,
      responses: find(feedback, l.sessionId)?.responses ?? 0,
      score: find(feedback, l.sessionId)?.score ?? null,
    }))
    .sort((a, b) => a.title.localeCompare(b.title, 'zh-CN'));
}

/** Clusters published as FAQ entries in the period, with how many questions each gathered. */
export async function faqPromotions(s: ReportScope) {
  return s.db
    .select({ slug: faqClusters.faqSlug, questions: sql<number>`count(${faqClusterMembers.questionId})::int`, at: faqClusters.updatedAt })
    .from(faqClusters)
    .leftJoin(faqClusterMembers, eq(faqClusterMembers.clusterId, faqClusters.id))
    .where(and(eq(faqClusters.status, 'published'), gte(faqClusters.updatedAt, s.from), lt(faqClusters.updatedAt, s.to)))
    .groupBy(faqClusters.id)
    .orderBy(faqClusters.updatedAt);
}

/**
 * The most repeated questions of the period: FAQ clusters by how many of
 * their questions were asked in it (at least two), each with its earliest
 * title of the period and where it stands (published, open, rejected).
 */
export async function repeatedQuestions(s: ReportScope, limit: number | null) {
  const n = sql<number>`count(*)::int`;
  const q = s.db
    .select({
      title: sql<string>`(array_agg(${questions.title} order by ${questions.createdAt}, ${questions.number}))[1]`,
      n,
      status: faqClusters.status,
      slug: faqClusters.faqSlug,
    })
    .from(faqClusterMembers)
    .innerJoin(questions, eq(questions.id, faqClusterMembers.questionId))
    .innerJoin(faqClusters, eq(faqClusters.id, faqClusterMembers.clusterId))
    .where(askedIn(s))
    .groupBy(faqClusters.id)
    .having(sql`count(*) >= 2`)
    .orderBy(desc(n), faqClusters.id);
  return limit === null ? q : q.limit(limit);
}
