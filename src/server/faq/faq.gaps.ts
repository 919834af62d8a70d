/**
 * Content gaps beside the FAQ candidates: searches that found nothing, and
 * searches a signed-in user followed by asking a question within minutes —
 * with counts and the units they came from. And per FAQ entry: how often
 * it was suggested beside the ask form, and how often it ended an ask
 * ("这解决了我的问题").
 */
import { and, count, desc, eq, gte, like, or, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { askSuggestions, questionDeflections, questions, searchLog, units } from '../../../db/schema/index.ts';

export interface ContentGap {
  query: string;
  searches: number;
  units: string[];
}

/** Minutes between a search and a question that count it as "searched, then asked". */
export const ASKED_AFTER_MINUTES = 10;

const unitNames = sql<string[]>`coalesce(array_agg(distinct ${units.name}) filter (where ${units.name} is not null), '{}')`;

/** Searches with no result since `since`, most frequent first (by normalized query). */
export async function searchesWithoutResult({ db, since, limit = 20 }: { db: Db; since: Date; limit?: number }): Promise<ContentGap[]> {
  const rows = await db
    .select({ query: searchLog.normalized, searches: count(), units: unitNames })
    .from(searchLog)
    .leftJoin(units, eq(units.id, searchLog.unitId))
    .where(and(eq(searchLog.hits, 0), gte(searchLog.at, since)))
    .groupBy(searchLog.normalized)
    .orderBy(desc(count()), searchLog.normalized)
    .limit(limit);
  return rows;
}

/** Searches followed, within ASKED_AFTER_MINUTES, by a question from the same user: what the search did not answer. */
export async function searchesThenAsked({ db, since, limit = 20 }: { db: Db; since: Date; limit?: number }): Promise<ContentGap[]> {
  const rows = await db
    .select({ query: searchLog.normalized, searches: sql<number>`count(distinct ${searchLog.id})::int`, units: unitNames })
    .from(searchLog)
    .innerJoin(
      questions,
      and(
        eq(questions.askerId, searchLog.userId),
        sql`${questions.createdAt} between ${searchLog.at} and ${searchLog.at} + make_interval(mins => ${ASKED_AFTER_MINUTES})`,
      ),
    )
    .leftJoin(units, eq(units.id, searchLog.unitId))
    .where(gte(searchLog.at, since))
    .groupBy(searchLog.normalized)
    .orderBy(desc(sql`count(distinct ${searchLog.id})`), searchLog.normalized)
    .limit(limit);
  return rows;
}

/** How many asks each page's suggestion ended, by page URL. */
export async function deflectionsByPage({ db, since }: { db: Db; since?: Date }): Promise<Map<string, number>> {
  const rows = await db
    .select({ url: questionDeflections.articleUrl, n: count() })
    .from(questionDeflections)
    .where(since ? gte(questionDeflections.createdAt, since) : undefined)
    .groupBy(questionDeflections.articleUrl);
  const out = new Map<string, number>();
  for (const r of rows) {
    const page = r.url.split('#')[0]!;
    out.set(page, (out.get(page) ?? 0) + r.n);
  }
  return out;
}

/** How often each page was suggested beside the ask form (once per form), by page URL. */
export async function suggestionsByPage({ db, since }: { db: Db; since?: Date }): Promise<Map<string, number>> {
  const rows = await db
    .select({ url: askSuggestions.pageUrl, n: count() })
    .from(askSuggestions)
    .where(since ? gte(askSuggestions.createdAt, since) : undefined)
    .groupBy(askSuggestions.pageUrl);
  return new Map(rows.map((r) => [r.url, r.n]));
}

/** One page's figures since `since`: suggested beside the ask form, and asks it ended. */
export async function faqUsage({ db, url, since }: { db: Db; url: string; since: Date }): Promise<{ suggested: number; solved: number }> {
  const [[suggested], [solved]] = await Promise.all([
    db.select({ n: count() }).from(askSuggestions).where(and(eq(askSuggestions.pageUrl, url), gte(askSuggestions.createdAt, since))),
    db
      .select({ n: count() })
      .from(questionDeflections)
      .where(and(or(eq(questionDeflections.articleUrl, url), like(questionDeflections.articleUrl, `${url}#%`)), gte(questionDeflections.createdAt, since))),
  ]);
  return { suggested: suggested?.n ?? 0, solved: solved?.n ?? 0 };
}
