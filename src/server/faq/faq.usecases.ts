/**
 * A new question joins the cluster of its best match (the `faq.assign` job,
 * enqueued in the asking transaction). Candidates come from the `questions`
 * search index, the engine ranks them; with the engine down, the most recent
 * questions are ranked instead. Idempotent: a question already in a cluster
 * stays there.
 */
import { desc, eq, gte, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { faqClusterMembers, faqClusters, questions } from '../../../db/schema/index.ts';
import { searchQuestionIds, upsertQuestionDocuments } from '../search/questions.index.ts';
import type { SearchService } from '../search/search.client.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { newId } from '../shared/ids.ts';
import type { FaqSettings } from './faq.config.ts';
import { questionDocument, termsQuery, topTerms, type FaqEngine } from './faq.engine.ts';
import { compare, questionText, vectorize, type Vector } from './similarity.ts';
import { analyze } from './similarity.text.ts';

/** How many candidates the search index is asked for. */
export const CANDIDATES = 30;
/** Without the search engine: how many recent questions are ranked instead. */
const FALLBACK_RECENT = 2000;

export interface FaqDeps {
  db: Db;
  search: SearchService;
  engine: FaqEngine;
  settings: FaqSettings;
  clock: Clock;
  log?: Logger;
  /** Wait until the search index has the question (tests, CLIs); the job does not. */
  waitForIndex?: boolean;
}

export interface RankedQuestion {
  id: string;
  clusterId: string | null;
  score: number;
  shared: { term: string; kind: string; weight: number }[];
}

/** Questions this recent are ranked whatever the index says: another process may not have indexed them yet. */
const JUST_ASKED_MS = 10 * 60_000;
const JUST_ASKED_MAX = 50;

/** Candidate ids for a vector: from the search index plus the questions asked just now, else the most recent questions. */
async function candidateIds(deps: FaqDeps, query: string, terms: string[], excludeId: string | undefined, limit: number): Promise<string[]> {
  if (deps.search.client) {
    try {
      const [found, recent] = await Promise.all([
        searchQuestionIds(deps.search, { query, terms, limit, excludeId }),
        deps.db
          .select({ id: questions.id })
          .from(questions)
          .where(gte(questions.createdAt, new Date(deps.clock.now().getTime() - JUST_ASKED_MS)))
          .orderBy(desc(questions.createdAt))
          .limit(JUST_ASKED_MAX),
      ]);
      return [...new Set([...found, ...recent.map((r) => r.id).filter((id) => id !== excludeId)])];
    } catch (err) {
      deps.log?.warn({ err }, 'questions index unavailable: ranking recent questions instead');
    }
  }
  const rows = await deps.db.select({ id: questions.id }).from(questions).orderBy(desc(questions.createdAt)).limit(FALLBACK_RECENT);
  return rows.map((r) => r.id).filter((id) => id !== excludeId);
}

/** The stored questions most like `vector`, best first, with their cluster and why they matched. */
export async function rankSimilar(
  deps: FaqDeps,
  { vector, query, excludeId, limit = 10, minScore = 0, where }: { vector: Vector; query: string; excludeId?: string; limit?: number; minScore?: number; where?: SQL | undefined },
): Promise<RankedQuestion[]> {
  const model = await deps.engine.model(deps.db);
  const ids = await candidateIds(deps, query, topTerms(vector), excludeId, Math.max(CANDIDATES, limit));
  if (!ids.length) return [];
  const rows = await deps.db
    .select({ id: questions.id, title: questions.title, body: questions.body, clusterId: faqClusterMembers.clusterId })
    .from(questions)
    .leftJoin(faqClusterMembers, eq(faqClusterMembers.questionId, questions.id))
    .where(where ? sql`${inArray(questions.id, ids)} and ${where}` : inArray(questions.id, ids));
  return rows
    .map((r) => ({ id: r.id, clusterId: r.clusterId, ...compare(vector, vectorize(model, analyze(questionText(r), deps.engine.lexicon))) }))
    .filter((r) => r.score >= minScore)
    .sort((a, b) => b.score - a.score)
    .slice(0, limit)
    .map(({ id, clusterId, score, shared }) => ({ id, clusterId, score, shared }));
}

/**
 * Puts the question into the cluster of its best match above the threshold,
 * or into a cluster of its own; indexes it for later questions.
 */
export async function assignQuestion(deps: FaqDeps, questionId: string): Promise<{ clusterId: string; matchedQuestionId: string | null; score: number | null } | null> {
  const { db, engine, clock } = deps;
  const [q] = await db.select({ id: questions.id, title: questions.title, body: questions.body, createdAt: questions.createdAt }).from(questions).where(eq(questions.id, questionId));
  if (!q) return null;
  const model = await engine.model(db);
  const analysis = analyze(questionText(q), engine.lexicon);
  const index = () => upsertQuestionDocuments(deps.search, [questionDocument(engine, q, analysis)], { waitForIt: deps.waitForIndex }).catch((err) => deps.log?.warn({ err }, 'could not index the question for FAQ matching'));
  const [existing] = await db.select().from(faqClusterMembers).where(eq(faqClusterMembers.questionId, q.id));
  if (existing) {
    await index();
    return { clusterId: existing.clusterId, matchedQuestionId: existing.matchedQuestionId, score: existing.score };
  }
  engine.learn(q.id, analysis);
  const vector = vectorize(model, analysis);
  const [best] = (await rankSimilar(deps, { vector, query: termsQuery(analysis) || q.title, excludeId: q.id, limit: 5, minScore: deps.settings.faqMatchThreshold })).filter(
    (r) => r.clusterId,
  );
  const now = clock.now();
  const placed = await db.transaction(async (tx) => {
    const clusterId = best?.clusterId ?? newId();
    if (!best) await tx.insert(faqClusters).values({ id: clusterId, createdAt: now, updatedAt: now });
    else await tx.update(faqClusters).set({ updatedAt: now }).where(eq(faqClusters.id, clusterId));
    const inserted = await tx
      .insert(faqClusterMembers)
      .values({ questionId: q.id, clusterId, matchedQuestionId: best?.id ?? null, score: best?.score ?? null, shared: best?.shared ?? null, createdAt: now })
      .onConflictDoNothing()
      .returning({ clusterId: faqClusterMembers.clusterId });
    // Another run placed it meanwhile: undo the empty cluster, keep theirs.
    if (!inserted.length) {
      if (!best) await tx.delete(faqClusters).where(eq(faqClusters.id, clusterId));
      const [row] = await tx.select().from(faqClusterMembers).where(eq(faqClusterMembers.questionId, q.id));
      return { clusterId: row!.clusterId, matchedQuestionId: row!.matchedQuestionId, score: row!.score };
    }
    return { clusterId, matchedQuestionId: best?.id ?? null, score: best?.score ?? null };
  });
  await index();
  return placed;
}
