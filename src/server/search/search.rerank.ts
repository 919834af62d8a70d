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
import type { Access } from '../content/content.schemas.ts';
import { CONCEPTS } from '../faq/similarity.concepts.ts';
import { compare, createModel, learn, vectorize, type SimilarityModel, type Vector } from '../faq/similarity.ts';
import { analyze, prepareLexicon, type Analysis } from '../faq/similarity.text.ts';
import type { DocType, SearchDocument } from './search.documents.ts';
import type { UnderstoodQuery } from './search.understand.ts';

/** What a hit shows, for documents the engine found and Meilisearch did not. */
export interface RerankDoc {
  url: string;
  type: DocType;
  access: Access;
  title: string;
  section: string;
  text: string;
}

export interface RerankModel {
  model: SimilarityModel;
  docs: RerankDoc[];
  /** Per document: its whole text, and its title and headings alone (same order as `docs`). */
  full: Vector[];
  head: Vector[];
  byUrl: Map<string, number>;
  /** Feature → documents with their share of the document's norm, for retrieval by cosine. */
  postings: Map<string, { doc: number; w: number }[]>;
}

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

/** How many hits of each side are ranked again. */
export const RERANK_WINDOW = 30;
/** A document only the engine found must be at least this like the query. */
const MIN_ENGINE_ONLY = 0.12;

type DocAnalysis = { full: Analysis; head: Analysis };

/** Documents analysed between two yields to the event loop, so a large content tree does not stall requests. */
const BATCH = 100;
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Builds re-ranking models, keeping each document's analysis by its hash:
 * after the first build, a content change analyses only what changed (the
 * lexicon changing starts afresh). One builder per process.
 */
export function createRerankBuilder() {
  let cache = new Map<string, DocAnalysis>();
  let cacheLexicon = '';
  return async function build(docs: SearchDocument[], { dictionary, synonyms }: { dictionary: string[]; synonyms: string[][] }): Promise<RerankModel> {
    const signature = JSON.stringify([dictionary, synonyms]);
    if (signature !== cacheLexicon) {
      cache = new Map();
      cacheLexicon = signature;
    }
    const lexicon = prepareLexicon({ terms: dictionary, synonyms, concepts: CONCEPTS });
    const next = new Map<string, DocAnalysis>();
    const analyses: DocAnalysis[] = [];
    for (let i = 0; i < docs.length; i++) {
      const d = docs[i]!;
      let a = cache.get(d.hash);
      if (!a) {
        const head = [d.title, ...d.headings, d.section].join(' ');
        a = { full: analyze(`${head} ${d.section} ${d.text} ${d.asked.join(' ')}`, lexicon), head: analyze(head, lexicon) };
        if (i % BATCH === BATCH - 1) await yieldToLoop();
      }
      next.set(d.hash, a);
      analyses.push(a);
    }
    cache = next;
    const model = createModel(lexicon);
    for (let i = 0; i < analyses.length; i++) {
      if (i % BATCH === BATCH - 1) await yieldToLoop();
      learn(model, analyses[i]!.full);
    }
    const full: Vector[] = [];
    const head: Vector[] = [];
    const postings = new Map<string, { doc: number; w: number }[]>();
    for (let doc = 0; doc < analyses.length; doc++) {
      if (doc % BATCH === 0) await yieldToLoop();
      const v = vectorize(model, analyses[doc]!.full);
      full.push(v);
      head.push(vectorize(model, analyses[doc]!.head));
      if (!v.norm) continue;
      for (const [key, w] of v.weights) {
        let list = postings.get(key);
        if (!list) postings.set(key, (list = []));
        list.push({ doc, w: w / v.norm });
      }
    }
    return {
      model,
      docs: docs.map(({ url, type, access, title, section, text }) => ({ url, type, access, title, section, text: text.slice(0, 200) })),
      full,
      head,
      byUrl: new Map(docs.map((d, i) => [d.url, i])),
      postings,
    };
  };
}

/** A model built once, without a cache (tests, the bench). */
export function createRerankModel(docs: SearchDocument[], lexicon: { dictionary: string[]; synonyms: string[][] }): Promise<RerankModel> {
  return createRerankBuilder()(docs, lexicon);
}

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
    const list = rm.postings.get(key);
    if (!list || list.length > common) continue;
    const q = w / query.norm;
    for (const p of list) {
      if (scores[p.doc] === 0) touched.push(p.doc);
      scores[p.doc]! += q * p.w;
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

/** How like the query's topic a document is, by the similarity engine (0–1): what "clearly matches" is judged by. */
export function topicSimilarity(rm: RerankModel, { query }: QueryVectors, url: string): number {
  const doc = rm.byUrl.get(url);
  if (doc === undefined) return 0;
  return compare(query, rm.full[doc]!, { explain: false }).score;
}

/** The candidates in their new order: Meilisearch's score plus what the similarity engine says of each. */
export function rerank<T extends { url: string; engineScore: number }>(hits: T[], rm: RerankModel, { query, intent }: QueryVectors, weights = RERANK_WEIGHTS): T[] {
  const sim = (a: Vector | null, b: Vector | undefined) => (a && b ? compare(a, b, { explain: false }).score : 0);
  const scored = hits.map((h, i) => {
    const doc = rm.byUrl.get(h.url);
    const head = doc === undefined ? undefined : rm.head[doc];
    const full = doc === undefined ? undefined : rm.full[doc];
    const score = weights.engine * h.engineScore + weights.full * sim(query, full) + weights.head * sim(query, head) + weights.intent * sim(intent, head);
    return { h, i, score };
  });
  // Ties keep the candidates' order.
  return scored.sort((a, b) => b.score - a.score || a.i - b.i).map((s) => s.h);
}
