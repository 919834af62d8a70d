import { and, count, desc, eq, gte, isNotNull, isNull, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { questionEvents, questions, serviceRecords, units, users } from '../../../db/schema/index.ts';

/**
 * What a report reads, for one period: the instants [from, to), the service's
 * time zone (days are counted in it), and, for an engineer's own report, the
 * engineer whose questions alone count. Every figure is an SQL aggregate; no
 * question row is loaded into memory except the listed breaches.
 */
export interface ReportScope {
  db: Db;
  from: Date;
  to: Date;
  timeZone: string;
  engineerId: string | null;
}

/**
 * The questions a period's figures count: asked in the period, not merged into
 * another as a duplicate (the question kept counts once), and in an
 * engineer's report, assigned to them.
 */
export function askedIn(s: ReportScope): SQL {
  return and(
    gte(questions.createdAt, s.from),
    lt(questions.createdAt, s.to),
    isNull(questions.mergedIntoId),
    s.engineerId ? eq(questions.assigneeId, s.engineerId) : undefined,
  )!;
}

type End = typeof questions.firstRepliedAt | typeof questions.resolvedAt;
const hours = (end: End) => sql`extract(epoch from (${end} - ${questions.createdAt})) / 3600.0`;
const pct = (p: number, end: End) => sql<number | null>`(percentile_cont(${sql.raw(String(p))}) within group (order by ${hours(end)}))::float`;
const countWhere = (cond: SQL) => sql<number>`(count(*) filter (where ${cond}))::int`;

/** Counts and clock figures of a set of questions: cheap (no sorting). */
const clocks = {
  asked: sql<number>`count(*)::int`,
  replied: sql<number>`count(${questions.firstRepliedAt})::int`,
  resolved: sql<number>`count(${questions.resolvedAt})::int`,
  // A clock counts once it is settled: met (answered in time) or breached. One still running is neither.
  firstReplyMet: countWhere(sql`${questions.firstReplyDueAt} is not null and ${questions.firstReplyBreachedAt} is null and ${questions.firstRepliedAt} is not null`),
  firstReplyBreached: countWhere(sql`${questions.firstReplyBreachedAt} is not null`),
  resolveMet: countWhere(sql`${questions.resolveDueAt} is not null and ${questions.resolveBreachedAt} is null and ${questions.resolvedAt} is not null`),
  resolveBreached: countWhere(sql`${questions.resolveBreachedAt} is not null`),
  eitherBreached: countWhere(sql`(${questions.firstReplyBreachedAt} is not null or ${questions.resolveBreachedAt} is not null)`),
};

/** The same with medians and p90 of the first-reply and resolution times (hours): each a sort. */
const timing = {
  ...clocks,
  firstReplyMedian: pct(0.5, questions.firstRepliedAt),
  firstReplyP90: pct(0.9, questions.firstRepliedAt),
  resolveMedian: pct(0.5, questions.resolvedAt),
  resolveP90: pct(0.9, questions.resolvedAt),
};

export type TimingRow = { [K in keyof typeof timing]: (typeof timing)[K] extends SQL<infer T> ? T : never };

/** The totals and each kind's figures in one pass (grouping sets): the overview and the timing table share it. */
export async function timingTotalsAndKinds(s: ReportScope): Promise<{ total: TimingRow; byKind: (TimingRow & { kind: string })[] }> {
  const rows = await s.db
    .select({ kind: questions.kind, isTotal: sql<boolean>`grouping(${questions.kind}) = 1`, ...timing })
    .from(questions)
    .where(askedIn(s))
    .groupBy(sql`grouping sets ((${questions.kind}), ())`);
  const total = rows.find((r) => r.isTotal)!;
  return { total, byKind: rows.filter((r) => !r.isTotal) };
}

/** Clocks by kind and fault severity (级别 only for faults; others have none). */
export async function clocksByKindSeverity(s: ReportScope) {
  return s.db
    .select({ kind: questions.kind, severity: questions.severity, ...clocks })
    .from(questions)
    .where(askedIn(s))
    .groupBy(questions.kind, questions.severity)
    .orderBy(questions.kind, questions.severity);
}

export async function countsBy(s: ReportScope, by: 'kind' | 'severity' | 'channel') {
  const column = { kind: questions.kind, severity: questions.severity, channel: questions.channel }[by];
  // Severity (故障级别) belongs to faults: the other kinds are left out of that count.
  const where = by === 'severity' ? and(askedIn(s), eq(questions.kind, 'fault')) : askedIn(s);
  const rows = await s.db.select({ key: column, n: count() }).from(questions).where(where).groupBy(column);
  return rows.map((r) => ({ key: r.key as string | null, n: Number(r.n) }));
}

/** Questions by unit: the unit's name, or the name an anonymous asker typed. */
export async function countsByUnit(s: ReportScope) {
  const name = sql<string | null>`coalesce(${units.name}, ${questions.unitName})`;
  const rows = await s.db.select({ unit: name, n: count() }).from(questions).leftJoin(units, eq(units.id, questions.unitId)).where(askedIn(s)).groupBy(name).orderBy(desc(count()), name);
  return rows.map((r) => ({ unit: r.unit, n: Number(r.n) }));
}

/** Questions asked per calendar day (in the service's zone); days without any are absent. */
export async function dailyCounts(s: ReportScope) {
  const day = sql<string>`to_char(${questions.createdAt} at time zone ${s.timeZone}, 'YYYY-MM-DD')`;
  // Grouped by position: the zone is a parameter, and the same expression written twice would be two.
  const rows = await s.db.select({ day, n: count() }).from(questions).where(askedIn(s)).groupBy(sql`1`);
  return new Map(rows.map((r) => [r.day, Number(r.n)]));
}

/** The questions of the period whose first-reply or resolution clock ran out, by when they were asked. */
export async function breachedQuestions(s: ReportScope, limit: number | null) {
  const q = s.db
    .select({
      number: questions.number,
      title: questions.title,
      kind: questions.kind,
      severity: questions.severity,
      tier: questions.tier,
      firstReplyBreachedAt: questions.firstReplyBreachedAt,
      resolveBreachedAt: questions.resolveBreachedAt,
      assignee: users.name,
      createdAt: questions.createdAt,
    })
    .from(questions)
    .leftJoin(users, eq(users.id, questions.assigneeId))
    .where(and(askedIn(s), sql`(${questions.firstReplyBreachedAt} is not null or ${questions.resolveBreachedAt} is not null)`))
    .orderBy(questions.createdAt, questions.number);
  return limit === null ? q : q.limit(limit);
}

/** 需要上门: how many, and how many had the engineer on site by the arrival deadline (2 h by default). */
export async function onSiteVisits(s: ReportScope) {
  const [row] = await s.db
    .select({
      requested: sql<number>`count(*)::int`,
      arrived: sql<number>`count(${serviceRecords.arrivedAt})::int`,
      inTime: countWhere(sql`${serviceRecords.arrivedAt} <= ${questions.arrivalDueAt}`),
    })
    .from(questions)
    .leftJoin(serviceRecords, eq(serviceRecords.questionId, questions.id))
    .where(and(askedIn(s), isNotNull(questions.onSiteRequestedAt)));
  return row!;
}

/** Escalations (升级) made in the period, by the tier raised to. */
export async function escalationsByTier(s: ReportScope) {
  const tier = sql<string | null>`${questionEvents.data} ->> 'tier'`;
  const rows = await s.db
    .select({ tier, n: count() })
    .from(questionEvents)
    .innerJoin(questions, eq(questions.id, questionEvents.questionId))
    .where(
      and(
        eq(questionEvents.kind, 'escalated'),
        gte(questionEvents.createdAt, s.from),
        lt(questionEvents.createdAt, s.to),
        s.engineerId ? eq(questions.assigneeId, s.engineerId) : undefined,
      ),
    )
    .groupBy(tier);
  return rows.map((r) => ({ tier: r.tier === null ? null : Number(r.tier), n: Number(r.n) }));
}
