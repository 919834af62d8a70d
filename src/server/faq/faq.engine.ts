/**
 * The similarity engine of one process: the lexicon and the IDF model learned
 * from the stored questions, loaded once and kept up to date as questions are
 * assigned (IDF drifts slowly; a recluster relearns it from scratch).
 */
import { asc } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { questions } from '../../../db/schema/index.ts';
import type { QuestionSearchDocument } from '../search/questions.index.ts';
import { loadLexicon } from './faq.lexicon.ts';
import { createModel, learn, questionText, vectorize, type SimilarityModel, type Vector } from './similarity.ts';
import { analyze, parseFeatureKey, prepareLexicon, type Analysis, type Lexicon, type PreparedLexicon } from './similarity.text.ts';

export interface FaqEngine {
  lexicon: PreparedLexicon;
  /** The raw lexicon, for the search index settings. */
  source: Lexicon;
  /** The model, loaded from the database the first time. */
  model(db: Db): Promise<SimilarityModel>;
  /** Counts a new question into the model (once per id). */
  learn(id: string, analysis: Analysis): void;
  vector(q: { title: string; body?: string | null }): { analysis: Analysis; vector: Vector | null };
}

export function createFaqEngine(source: Lexicon): FaqEngine {
  const lexicon = prepareLexicon(source);
  let loading: Promise<SimilarityModel> | null = null;
  let model: SimilarityModel | null = null;
  const seen = new Set<string>();
  return {
    lexicon,
    source,
    model(db) {
      loading ??= (async () => {
        const m = createModel(lexicon);
        const rows = await db.select({ id: questions.id, title: questions.title, body: questions.body }).from(questions).orderBy(asc(questions.createdAt));
        for (const r of rows) {
          seen.add(r.id);
          learn(m, analyze(questionText(r), lexicon));
        }
        model = m;
        return m;
      })().catch((e) => {
        loading = null;
        throw e;
      });
      return loading;
    },
    learn(id, analysis) {
      if (!model || seen.has(id)) return;
      seen.add(id);
      learn(model, analysis);
    },
    vector(q) {
      const analysis = analyze(questionText(q), lexicon);
      return { analysis, vector: model ? vectorize(model, analysis) : null };
    },
  };
}

const engines = new Map<string, Promise<FaqEngine>>();

/** One engine per content directory and process. */
export function faqEngineFor(contentDir: string): Promise<FaqEngine> {
  let e = engines.get(contentDir);
  if (!e) {
    e = loadLexicon(contentDir).then(createFaqEngine);
    engines.set(contentDir, e);
  }
  return e;
}

/** The question's document in the `questions` index. */
export function questionDocument(
  engine: FaqEngine,
  q: { id: string; title: string; body: string; createdAt: Date },
  analysis = analyze(questionText(q), engine.lexicon),
): QuestionSearchDocument {
  return { id: q.id, title: q.title, body: q.body.slice(0, 2000), terms: termsQuery(analysis), createdAt: q.createdAt.getTime() };
}

/** The engine's terms as a search query: codes, platform terms and words (not bigrams). */
export function termsQuery(analysis: Analysis): string {
  const out: string[] = [];
  for (const key of analysis.counts.keys()) {
    const f = parseFeatureKey(key);
    if (f.kind === 'code' || f.kind === 'term' || f.kind === 'word' || f.kind === 'latin') out.push(f.label);
  }
  return out.join(' ');
}

/** The strongest single terms of a vector (codes, platform terms, words), for one search each. */
export function topTerms(vector: Vector, n = 6): string[] {
  return [...vector.weights]
    .map(([key, w]) => ({ ...parseFeatureKey(key), w }))
    .filter((f) => f.kind !== 'number' && f.kind !== 'unigram')
    .sort((a, b) => b.w - a.w)
    .slice(0, n)
    .map((f) => f.label);
}
