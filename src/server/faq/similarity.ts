/**
 * The Chinese similarity engine: TF-IDF vectors over the features of
 * `similarity.text.ts`, with IDF learned from the stored questions, and a
 * score in [0, 1] that explains itself (the shared terms and their weights).
 * One engine serves clustering, the desk's similar questions and the ask
 * form's suggestions. Pure and synchronous.
 */
import { GENERIC_FACTOR, GENERIC_WORDS } from './similarity.concepts.ts';
import { analyze, KIND_WEIGHTS, parseFeatureKey, type Analysis, type FeatureKind, type PreparedLexicon } from './similarity.text.ts';

/** Document frequencies of features over the stored questions. */
export interface SimilarityModel {
  lexicon: PreparedLexicon;
  docs: number;
  df: Map<string, number>;
}

export interface Vector {
  /** Feature key → weight. */
  weights: Map<string, number>;
  norm: number;
  codes: string[];
}

export interface SharedTerm {
  term: string;
  kind: FeatureKind;
  /** This term's share of the score (the shares add up to the score before the code rule). */
  weight: number;
}

export interface Similarity {
  score: number;
  shared: SharedTerm[];
  /** Why the score was moved by error codes, if it was. */
  codes?: 'same' | 'different' | 'one-sided';
}

/** Tuning knobs of the score (tuned on the dev half of the labelled set only). */
export const SCORE_RULES = {
  /** Both name an error code and share one: at least this score. */
  sameCodeFloor: 0.6,
  /** Both name error codes and share none: the score is multiplied by this. */
  differentCodeFactor: 0.3,
  /** Only one of them names an error code: the score is multiplied by this. */
  oneSidedCodeFactor: 0.8,
};

const generic = new Set(GENERIC_WORDS);

export function createModel(lexicon: PreparedLexicon): SimilarityModel {
  return { lexicon, docs: 0, df: new Map() };
}

/** Counts one stored question into the document frequencies. */
export function learn(model: SimilarityModel, analysis: Analysis): void {
  model.docs += 1;
  for (const key of analysis.counts.keys()) model.df.set(key, (model.df.get(key) ?? 0) + 1);
}

/** Smoothed IDF: a feature nobody has seen yet counts as rare. */
export function idf(model: SimilarityModel, key: string): number {
  const df = model.df.get(key) ?? 0;
  return Math.log(1 + (model.docs + 1) / (df + 0.5));
}

/** The question's text as it is compared: the title counts twice, the body once. */
export function questionText(q: { title: string; body?: string | null }): string {
  return q.body ? `${q.title}\n${q.title}\n${q.body}` : q.title;
}

/** A feature's weight before IDF and frequency: its kind's, less for a word too common on the platform. */
export function baseWeight(key: string): number {
  const { kind, label } = parseFeatureKey(key);
  return KIND_WEIGHTS[kind] * (generic.has(label) ? GENERIC_FACTOR : 1);
}

export function vectorize(model: SimilarityModel, analysis: Analysis): Vector {
  const weights = new Map<string, number>();
  let sum = 0;
  for (const [key, tf] of analysis.counts) {
    const w = baseWeight(key) * idf(model, key) * (1 + Math.log(tf));
    weights.set(key, w);
    sum += w * w;
  }
  return { weights, norm: Math.sqrt(sum), codes: analysis.codes };
}

/** Analyze + vectorize in one step. */
export function vectorOf(model: SimilarityModel, text: string): Vector {
  return vectorize(model, analyze(text, model.lexicon));
}

/** Applies the error-code rule to a cosine. */
function withCodeRule(cosine: number, a: string[], b: string[]): { score: number; codes?: Similarity['codes'] } {
  if (!a.length && !b.length) return { score: cosine };
  if (!a.length || !b.length) return { score: cosine * SCORE_RULES.oneSidedCodeFactor, codes: 'one-sided' };
  if (a.some((c) => b.includes(c))) {
    const floor = SCORE_RULES.sameCodeFloor;
    return { score: floor + (1 - floor) * cosine, codes: 'same' };
  }
  return { score: cosine * SCORE_RULES.differentCodeFactor, codes: 'different' };
}

/**
 * The score of two vectors from their dot product: the cosine with the code
 * rule, to three places. Shared with the search's compact document vectors.
 */
export function scoreOf(dot: number, a: { norm: number; codes: string[] }, b: { norm: number; codes: string[] }): { score: number; codes?: Similarity['codes'] } {
  const { score, codes } = withCodeRule(Math.min(1, dot / (a.norm * b.norm)), a.codes, b.codes);
  return { score: Math.round(score * 1000) / 1000, ...(codes ? { codes } : {}) };
}

/** Cosine of two vectors with the code rule; the explanation lists the shared terms, strongest first. */
export function compare(a: Vector, b: Vector, { explain = true, maxTerms = 8 } = {}): Similarity {
  if (!a.norm || !b.norm) return { score: 0, shared: [] };
  const [small, large] = a.weights.size <= b.weights.size ? [a, b] : [b, a];
  let dot = 0;
  const parts: [string, number][] = [];
  for (const [key, w] of small.weights) {
    const v = large.weights.get(key);
    if (v === undefined) continue;
    dot += w * v;
    if (explain) parts.push([key, w * v]);
  }
  const { score, codes } = scoreOf(dot, a, b);
  return { score, shared: explain ? explainParts(parts, a.norm * b.norm, maxTerms) : [], ...(codes ? { codes } : {}) };
}

/**
 * Shared features by label (a term, its word and its bigram are one shared
 * term; a character counts towards a longer shared term holding it), strongest first.
 */
function explainParts(parts: [string, number][], denom: number, maxTerms: number): SharedTerm[] {
  const byLabel = new Map<string, SharedTerm>();
  const chars: [string, number][] = [];
  for (const [key, p] of parts) {
    const f = parseFeatureKey(key);
    if (f.kind === 'unigram') {
      chars.push([f.label, p / denom]);
      continue;
    }
    const seen = byLabel.get(f.label);
    if (seen) seen.weight += p / denom;
    else byLabel.set(f.label, { term: f.label, kind: f.kind, weight: p / denom });
  }
  for (const [ch, w] of chars) {
    const holder = [...byLabel.values()].find((t) => t.term.includes(ch));
    if (holder) holder.weight += w;
    else byLabel.set(ch, { term: ch, kind: 'unigram', weight: w });
  }
  return [...byLabel.values()]
    .sort((x, y) => y.weight - x.weight)
    .slice(0, maxTerms)
    .map((t) => ({ ...t, weight: Math.round(t.weight * 1000) / 1000 }));
}
