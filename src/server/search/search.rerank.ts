/**
 * The Chinese similarity engine of FAQ promotion (one engine, several uses)
 * beside Meilisearch. Meilisearch finds sections by the words they share with
 * the query; a question typed in a clerk's own words shares common words with
 * many sections and the telling ones with few. So the engine (TF-IDF over all
 * search documents: segmented words, bigrams, platform terms, paraphrase
 * groups) also retrieves the sections most like the question's topic, and
 * the two candidate lists are ranked again together: the engine's score, the
 * topic against a section's whole text and against its headings, and a
 * question's intent (how long, who, where…) against the headings. Pure and
 * synchronous; the model is rebuilt whenever the documents change.
 */
import { scoreOf, vectorize, type Vector } from '../faq/similarity.ts';
import { analyze } from '../faq/similarity.text.ts';
import type { DocVector, RerankDoc, RerankModel } from './search.rerank.build.ts';
import type { UnderstoodQuery } from './search.understand.ts';

export { createRerankBuilder, createRerankModel, type RerankDoc, type RerankModel } from './search.rerank.build.ts';

/** How the final score is made (tuned on the dev half of tests/search/questions-*.yml only). */
export const RERANK_WEIGHTS = {
  /** Meilisearch's (weighted) ranking score, 0–1; 0 for a document only the engine found. */
  engine: 0.5,
  /** Similarity of the query's topic to the section's whole text. */
  full: 1,
  /** … to its title and headings. */
  head: 0.6,
  /** Similarity of the question's intent words to the headings. */
  intent: 0.3,
};

/**
 * How many hits of each side are ranked again (pages 1 and 2 at ten a page).
 * 20, not 30: hit@5 equal on the first set and the dev half (dev MRR 0.753 →
 * 0.754), and Meilisearch spends about 1.3 ms less a search on the demo content.
 */
export const RERANK_WINDOW = 20;
/** A document only the engine found must be at least this like the query. */
const MIN_ENGINE_ONLY = 0.12;

export interface QueryVectors {
  /** The topic with its manual vocabulary. */
  query: Vector;
  /** The intent's words, when the question asks for something. */
  intent: Vector | null;
}

/** The query's vectors under the model, made once per search. */
export function queryVectors(rm: RerankModel, u: UnderstoodQuery): QueryVectors {
  const lexicon = rm.model.lexicon;
  return {
    query: vectorize(rm.model, analyze([u.topic, ...u.formal].join(' '), lexicon)),
    intent: u.intentTerms.length ? vectorize(rm.model, analyze(u.intentTerms.join(' '), lexicon)) : null,
  };
}

/** Features in more than this share of the documents (and more than 500) are left out of retrieval: they rank little, and their long lists cost. */
const COMMON_SHARE = 0.1;

/** The documents most like the query (cosine over the postings), among those `allowed`, best first. */
export function retrieve(rm: RerankModel, { query }: QueryVectors, allowed: (d: RerankDoc) => boolean, limit = RERANK_WINDOW): { url: string; score: number }[] {
  if (!query.norm) return [];
  const scores = new Float64Array(rm.docs.length);
  const touched: number[] = [];
  const common = Math.max(500, rm.docs.length * COMMON_SHARE);
  for (const [key, w] of query.weights) {
    const id = rm.features.get(key);
    const list = id === undefined ? undefined : rm.postings[id];
    if (!list || list.docs.length > common) continue;
    const q = w / query.norm;
    const { docs, w: weights } = list;
    for (let k = 0; k < docs.length; k++) {
      const doc = docs[k]!;
      if (scores[doc] === 0) touched.push(doc);
      scores[doc]! += q * weights[k]!;
    }
  }
  // The best `limit` of the touched documents: a small sorted list beats sorting them all.
  const best: { doc: number; score: number }[] = [];
  for (const doc of touched) {
    const score = scores[doc]!;
    if (score < MIN_ENGINE_ONLY || (best.length === limit && score <= best[best.length - 1]!.score) || !allowed(rm.docs[doc]!)) continue;
    let i = best.length;
    while (i > 0 && best[i - 1]!.score < score) i--;
    best.splice(i, 0, { doc, score });
    if (best.length > limit) best.pop();
  }
  return best.map(({ doc, score }) => ({ url: rm.docs[doc]!.url, score }));
}

/** A query vector by feature id, for scoring against document vectors; features no document has are left out of the dot product (not of the norm). */
interface QueryById {
  ids: number[];
  w: number[];
  norm: number;
  codes: string[];
}

function byId(rm: RerankModel, v: Vector): QueryById {
  const ids: number[] = [];
  const w: number[] = [];
  for (const [key, weight] of v.weights) {
    const id = rm.features.get(key);
    if (id === undefined) continue;
    ids.push(id);
    w.push(weight);
  }
  return { ids, w, norm: v.norm, codes: v.codes };
}

/** `compare(query, doc).score` of the FAQ engine, on a compact document vector. */
function similarity(q: QueryById | null, d: DocVector | undefined): number {
  if (!q || !d || !q.norm || !d.norm) return 0;
  let dot = 0;
  for (let k = 0; k < q.ids.length; k++) {
    const id = q.ids[k]!;
    let lo = 0;
    let hi = d.ids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const at = d.ids[mid]!;
      if (at === id) {
        dot += q.w[k]! * d.w[mid]!;
        break;
      }
      if (at < id) lo = mid + 1;
      else hi = mid - 1;
    }
  }
  return scoreOf(dot, q, d).score;
}

/** How like the query's topic a document is, by the similarity engine (0–1): what "clearly matches" is judged by. */
export function topicSimilarity(rm: RerankModel, { query }: QueryVectors, url: string): number {
  const doc = rm.byUrl.get(url);
  if (doc === undefined) return 0;
  return similarity(byId(rm, query), rm.full[doc]);
}

/** The candidates in their new order: Meilisearch's score plus what the similarity engine says of each. */
export function rerank<T extends { url: string; engineScore: number }>(hits: T[], rm: RerankModel, { query, intent }: QueryVectors, weights = RERANK_WEIGHTS): T[] {
  const q = byId(rm, query);
  const i = intent ? byId(rm, intent) : null;
  const scored = hits.map((h, n) => {
    const doc = rm.byUrl.get(h.url);
    const head = doc === undefined ? undefined : rm.head[doc];
    const full = doc === undefined ? undefined : rm.full[doc];
    const score = weights.engine * h.engineScore + weights.full * similarity(q, full) + weights.head * similarity(q, head) + weights.intent * similarity(i, head);
    return { h, n, score };
  });
  // Ties keep the candidates' order.
  return scored.sort((a, b) => b.score - a.score || a.n - b.n).map((s) => s.h);
}
