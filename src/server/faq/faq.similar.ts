/**
 * The desk's "相似问题" panel: earlier answered questions like this one, each
 * with its best answer (the best-rated reply, else the latest reply to the
 * asker), the score and the shared terms, so the engineer can reuse it.
 */
import { and, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import { questionEvents, questionRatings, questions } from '../../../db/schema/index.ts';
import { termsQuery } from './faq.engine.ts';
import { rankSimilar, type FaqDeps } from './faq.usecases.ts';
import type { SharedTerm } from './similarity.ts';
import { analyze } from './similarity.text.ts';
import { questionText, vectorize } from './similarity.ts';

export interface SimilarAnswered {
  id: string;
  number: string;
  title: string;
  score: number;
  shared: SharedTerm[];
  /** Markdown of the best answer (render it sanitized). */
  answer: string;
  /** The answer's overall rating, when it was rated. */
  rating: number | null;
}

const ANSWERED = ['answered', 'resolved', 'closed'] as const;

/** Similar earlier answered questions, best match first; ones scoring under `minScore` are left out. */
export async function similarAnswered(
  deps: FaqDeps,
  { question, limit = 5, minScore = 0.2 }: { question: { id: string; title: string; body: string; createdAt: Date }; limit?: number; minScore?: number },
): Promise<SimilarAnswered[]> {
  const model = await deps.engine.model(deps.db);
  const analysis = analyze(questionText(question), deps.engine.lexicon);
  const ranked = await rankSimilar(deps, {
    vector: vectorize(model, analysis),
    query: termsQuery(analysis) || question.title,
    excludeId: question.id,
    limit,
    minScore,
    where: and(inArray(questions.status, [...ANSWERED]), lt(questions.createdAt, question.createdAt), sql`${questions.mergedIntoId} is null`),
  });
  if (!ranked.length) return [];
  const ids = ranked.map((r) => r.id);
  const rows = await deps.db.select({ id: questions.id, number: questions.number, title: questions.title }).from(questions).where(inArray(questions.id, ids));
  const replies = await deps.db
    .select({ questionId: questionEvents.questionId, body: questionEvents.body, rating: questionRatings.overall, createdAt: questionEvents.createdAt })
    .from(questionEvents)
    .leftJoin(questionRatings, eq(questionRatings.replyEventId, questionEvents.id))
    .where(and(inArray(questionEvents.questionId, ids), eq(questionEvents.kind, 'replied'), eq(questionEvents.internal, false)))
    .orderBy(desc(questionEvents.createdAt));
  const best = new Map<string, { body: string; rating: number | null }>();
  for (const r of replies) {
    if (!r.body) continue;
    const seen = best.get(r.questionId);
    if (!seen || (r.rating ?? 0) > (seen.rating ?? 0)) best.set(r.questionId, { body: r.body, rating: r.rating });
  }
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ranked.flatMap((r) => {
    const q = byId.get(r.id);
    const answer = best.get(r.id);
    if (!q || !answer) return [];
    return [{ id: r.id, number: q.number, title: q.title, score: r.score, shared: r.shared as SharedTerm[], answer: answer.body, rating: answer.rating }];
  });
}
