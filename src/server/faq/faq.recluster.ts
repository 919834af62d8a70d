/**
 * `npm run faq:recluster`: rebuilds every cluster from scratch (IDF learned
 * anew, questions in the order asked), keeping what reviewers decided: pinned
 * members stay where they are, and clusters with a decision keep their id and
 * status. Optionally refills the `questions` search index.
 */
import { and, asc, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { faqClusterMembers, faqClusters, faqDecisions, questions } from '../../../db/schema/index.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import type { FaqSettings } from './faq.config.ts';
import { clusterByBestMatch } from './similarity.index.ts';
import { createModel, learn, questionText, vectorize } from './similarity.ts';
import { analyze, type Analysis, type PreparedLexicon } from './similarity.text.ts';

const BATCH = 1000;

export interface ReclusterResult {
  questions: number;
  clusters: number;
  /** Clusters of two questions or more. */
  shared: number;
  pinned: number;
}

export async function reclusterAll({
  db,
  clock,
  lexicon,
  settings,
  onProgress,
}: {
  db: Db;
  clock: Clock;
  lexicon: PreparedLexicon;
  settings: FaqSettings;
  /** (phase, done, total): `features`, `matching`, `writing`. */
  onProgress?: (phase: string, done: number, total: number) => void;
}): Promise<ReclusterResult & { analyses: Map<string, Analysis> }> {
  const rows = await db
    .select({ id: questions.id, title: questions.title, body: questions.body, createdAt: questions.createdAt })
    .from(questions)
    .orderBy(asc(questions.createdAt), asc(questions.id));
  const pinnedRows = await db.select({ questionId: faqClusterMembers.questionId, clusterId: faqClusterMembers.clusterId }).from(faqClusterMembers).where(eq(faqClusterMembers.pinned, true));
  const pinned = new Map(pinnedRows.map((r) => [r.questionId, r.clusterId]));

  const model = createModel(lexicon);
  const analyses = new Map<string, Analysis>();
  rows.forEach((r, i) => {
    const a = analyze(questionText(r), lexicon);
    analyses.set(r.id, a);
    learn(model, a);
    if ((i + 1) % 5000 === 0) onProgress?.('features', i + 1, rows.length);
  });
  const items = rows.map((r) => ({ id: r.id, vector: vectorize(model, analyses.get(r.id)!), pinned: pinned.get(r.id) }));
  const { clusterOf, matchOf } = clusterByBestMatch({
    items,
    threshold: settings.faqMatchThreshold,
    onProgress: (done, total) => onProgress?.('matching', done, total),
  });

  // A cluster key is a pinned cluster's id, or the id of the question that started the cluster.
  const keptClusterIds = new Set(pinned.values());
  const newIds = new Map<string, string>();
  for (const key of new Set(clusterOf.values())) if (!keptClusterIds.has(key)) newIds.set(key, newId());
  const now = clock.now();
  const members = rows
    .filter((r) => !pinned.has(r.id))
    .map((r) => {
      const key = clusterOf.get(r.id)!;
      const m = matchOf.get(r.id);
      return { questionId: r.id, clusterId: newIds.get(key) ?? key, matchedQuestionId: m?.id ?? null, score: m?.score ?? null, shared: m?.shared ?? null, createdAt: now };
    });

  await db.transaction(async (tx) => {
    await tx.delete(faqClusterMembers).where(eq(faqClusterMembers.pinned, false));
    // Clusters nobody decided on and nothing pinned to go; decided ones keep their id and status.
    const decided = tx.select({ id: faqDecisions.clusterId }).from(faqDecisions);
    const held = tx.select({ id: faqClusterMembers.clusterId }).from(faqClusterMembers);
    await tx.delete(faqClusters).where(and(notInArray(faqClusters.id, decided), notInArray(faqClusters.id, held), sql`${faqClusters.status} <> 'published'`));
    const fresh = [...newIds.values()].map((id) => ({ id, createdAt: now, updatedAt: now }));
    for (let i = 0; i < fresh.length; i += BATCH) await tx.insert(faqClusters).values(fresh.slice(i, i + BATCH));
    for (let i = 0; i < members.length; i += BATCH) {
      await tx.insert(faqClusterMembers).values(members.slice(i, i + BATCH));
      onProgress?.('writing', Math.min(i + BATCH, members.length), members.length);
    }
    if (keptClusterIds.size) await tx.update(faqClusters).set({ updatedAt: now }).where(inArray(faqClusters.id, [...keptClusterIds]));
  });

  const sizes = new Map<string, number>();
  for (const c of clusterOf.values()) sizes.set(c, (sizes.get(c) ?? 0) + 1);
  return {
    questions: rows.length,
    clusters: sizes.size,
    shared: [...sizes.values()].filter((n) => n >= 2).length,
    pinned: pinned.size,
    analyses,
  };
}
