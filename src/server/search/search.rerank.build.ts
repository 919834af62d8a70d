/**
 * The re-ranking model of the search (see search.rerank.ts): the similarity
 * engine's vectors of every search document, and postings for retrieval by
 * cosine, kept compact. Features are numbered by the builder; a document's
 * analysis and vectors are typed arrays of feature ids, so 10 000 sections
 * take tens of megabytes instead of the hundreds that a Map of feature names
 * per document took.
 */
import type { Access } from '../content/content.schemas.ts';
import { CONCEPTS } from '../faq/similarity.concepts.ts';
import { baseWeight, createModel, idf, type SimilarityModel } from '../faq/similarity.ts';
import { analyze, featureKey, parseFeatureKey, prepareLexicon, type Analysis } from '../faq/similarity.text.ts';
import type { DocType, SearchDocument } from './search.documents.ts';
import { buildHomophones, type Homophones } from './search.homophones.ts';

/** What a hit shows, for documents the engine found and Meilisearch did not. */
export interface RerankDoc {
  url: string;
  type: DocType;
  access: Access;
  title: string;
  section: string;
  text: string;
}

/**
 * A document's vector, compact: its feature ids ascending and their weights.
 * As a Map of feature names per document, the vectors of 10 000 sections took
 * about 240 MB (both kinds); these take about 45 MB.
 */
export interface DocVector {
  ids: Uint32Array;
  w: Float64Array;
  norm: number;
  codes: string[];
}

export interface RerankModel {
  model: SimilarityModel;
  docs: RerankDoc[];
  /** Feature name → id, for the document vectors and the postings. */
  features: Map<string, number>;
  /** Per document: its whole text, and its title and headings alone (same order as `docs`). */
  full: DocVector[];
  head: DocVector[];
  byUrl: Map<string, number>;
  /** Feature id → documents and each one's weight as a share of the document's norm, for retrieval by cosine. */
  postings: { docs: Uint32Array; w: Float64Array }[];
  /** The words of the documents and the lexicon by sound, for homophone typos in queries. */
  homophones: Homophones;
}

/** A text's features as ids of the builder's dictionary, ascending, with how often each occurs. */
interface CompactAnalysis {
  ids: Uint32Array;
  tf: Uint32Array;
  codes: string[];
}

type DocAnalysis = { full: CompactAnalysis; head: CompactAnalysis };

/** Documents analysed between two yields to the event loop, so a large content tree does not stall requests. */
const BATCH = 100;
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Builds re-ranking models, keeping each document's analysis by its hash:
 * after the first build, a content change analyses only what changed (the
 * lexicon changing starts afresh, and so does a dictionary grown to twice
 * the features in use). One builder per process.
 */
export function createRerankBuilder() {
  let cache = new Map<string, DocAnalysis>();
  let cacheLexicon = '';
  let features = new Map<string, number>();
  let names: string[] = [];
  const compactAnalysis = (a: Analysis): CompactAnalysis => {
    const entries: [number, number][] = [];
    for (const [key, tf] of a.counts) {
      let id = features.get(key);
      if (id === undefined) {
        features.set(key, (id = names.length));
        names.push(key);
      }
      entries.push([id, tf]);
    }
    entries.sort((x, y) => x[0] - y[0]);
    return { ids: Uint32Array.from(entries, (e) => e[0]), tf: Uint32Array.from(entries, (e) => e[1]), codes: a.codes };
  };
  return async function build(docs: SearchDocument[], { dictionary, synonyms }: { dictionary: string[]; synonyms: string[][] }): Promise<RerankModel> {
    const signature = JSON.stringify([dictionary, synonyms]);
    if (signature !== cacheLexicon) {
      cache = new Map();
      cacheLexicon = signature;
      features = new Map();
      names = [];
    }
    const lexicon = prepareLexicon({ terms: dictionary, synonyms, concepts: CONCEPTS });
    const next = new Map<string, DocAnalysis>();
    const analyses: DocAnalysis[] = [];
    for (let i = 0; i < docs.length; i++) {
      const d = docs[i]!;
      let a = cache.get(d.hash);
      if (!a) {
        const head = [d.title, ...d.headings, d.section].join(' ');
        a = { full: compactAnalysis(analyze(`${head} ${d.section} ${d.text} ${d.asked.join(' ')}`, lexicon)), head: compactAnalysis(analyze(head, lexicon)) };
        if (i % BATCH === BATCH - 1) await yieldToLoop();
      }
      next.set(d.hash, a);
      analyses.push(a);
    }
    cache = next;
    const model = documentFrequencies(lexicon, analyses, names);
    // Features of documents no longer there stay numbered until the dictionary is twice the size in use.
    if (names.length > 2 * Math.max(1000, model.df.size)) cacheLexicon = '';
    const weight = Float64Array.from(names, (key) => baseWeight(key) * idf(model, key));
    const vector = (a: CompactAnalysis): DocVector => {
      const w = Float64Array.from(a.ids, (id, k) => weight[id]! * (1 + Math.log(a.tf[k]!)));
      return { ids: a.ids, w, norm: Math.sqrt(w.reduce((sum, x) => sum + x * x, 0)), codes: a.codes };
    };
    const full: DocVector[] = [];
    const head: DocVector[] = [];
    for (let doc = 0; doc < analyses.length; doc++) {
      if (doc % BATCH === 0) await yieldToLoop();
      full.push(vector(analyses[doc]!.full));
      head.push(vector(analyses[doc]!.head));
    }
    return {
      model,
      docs: docs.map(({ url, type, access, title, section, text }) => ({ url, type, access, title, section, text: text.slice(0, 200) })),
      // Shared with the builder, which only adds to it (a model's own ids stay as they were).
      features,
      full,
      head,
      byUrl: new Map(docs.map((d, i) => [d.url, i])),
      postings: postingsOf(full, names.length),
      homophones: buildHomophones([...wordsByFrequency(model), ...dictionary, ...synonyms.flat(), ...CONCEPTS.flat()]),
    };
  };
}

/** The engine's model (document frequencies by feature name, for the queries) from the documents' whole texts. */
function documentFrequencies(lexicon: SimilarityModel['lexicon'], analyses: DocAnalysis[], names: string[]): SimilarityModel {
  const counts = new Uint32Array(names.length);
  for (const a of analyses) for (const id of a.full.ids) counts[id]!++;
  const model = createModel(lexicon);
  model.docs = analyses.length;
  counts.forEach((n, id) => {
    if (n) model.df.set(names[id]!, n);
  });
  return model;
}

/** The documents' words and platform terms, the most frequent first. */
const WORD_PREFIX = featureKey('word', '');
const TERM_PREFIX = featureKey('term', '');
function wordsByFrequency(model: SimilarityModel): string[] {
  const words = [...model.df].filter(([key]) => key.startsWith(WORD_PREFIX) || key.startsWith(TERM_PREFIX));
  return words.sort((a, b) => b[1] - a[1]).map(([key]) => parseFeatureKey(key).label);
}

/** Postings in two passes: the length of each list, then the lists filled in document order. */
function postingsOf(full: DocVector[], size: number): RerankModel['postings'] {
  const lengths = new Uint32Array(size);
  for (const v of full) if (v.norm) for (const id of v.ids) lengths[id]!++;
  const postings = Array.from(lengths, (n) => ({ docs: new Uint32Array(n), w: new Float64Array(n) }));
  const filled = new Uint32Array(size);
  full.forEach((v, doc) => {
    if (!v.norm) return;
    v.ids.forEach((id, k) => {
      const list = postings[id]!;
      const i = filled[id]!++;
      list.docs[i] = doc;
      list.w[i] = v.w[k]! / v.norm;
    });
  });
  return postings;
}

/** A model built once, without a cache (tests, the bench). */
export function createRerankModel(docs: SearchDocument[], lexicon: { dictionary: string[]; synonyms: string[][] }): Promise<RerankModel> {
  return createRerankBuilder()(docs, lexicon);
}
