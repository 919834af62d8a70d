/**
 * The labelled set (`tests/fixtures/faq-questions.yml`) and pairwise
 * precision / recall / F1 of a clustering against it. Used by
 * `npm run bench:faq` and the clustering test.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { clusterByBestMatch } from './similarity.index.ts';
import { createModel, learn, questionText, vectorize } from './similarity.ts';
import { analyze, type PreparedLexicon } from './similarity.text.ts';

const split = z.enum(['dev', 'test']);
const question = z.strictObject({ title: z.string().min(1), body: z.string().optional() });
/** Which writing of the set an item came from: 2 is the dev sample added on 2026-12-07. */
const sample = z.union([z.literal(1), z.literal(2)]).default(1);
const labelledSetSchema = z.strictObject({
  clusters: z.array(z.strictObject({ id: z.string(), split, sample, questions: z.array(question).min(2) })),
  singletons: z.array(z.strictObject({ split, sample, title: z.string().min(1), body: z.string().optional() })),
});

export type Split = z.infer<typeof split>;

export interface LabelledQuestion {
  id: string;
  title: string;
  body?: string;
  /** The true cluster (a singleton's own id). */
  label: string;
  split: Split;
  sample: 1 | 2;
}

export function loadLabelledSet(file: string): LabelledQuestion[] {
  const set = labelledSetSchema.parse(parseYaml(readFileSync(file, 'utf8')));
  const out: LabelledQuestion[] = [];
  for (const c of set.clusters) {
    c.questions.forEach((q, i) => out.push({ id: `${c.id}#${i + 1}`, ...q, label: c.id, split: c.split, sample: c.sample }));
  }
  set.singletons.forEach((q, i) =>
    out.push({ id: `single#${i + 1}`, title: q.title, body: q.body, label: `single#${i + 1}`, split: q.split, sample: q.sample }),
  );
  return out;
}

export interface PairwiseScores {
  precision: number;
  recall: number;
  f1: number;
  truePairs: number;
  predictedPairs: number;
  correctPairs: number;
}

/** Pairwise scores: a pair counts when both questions are in one cluster. */
export function pairwise(items: { id: string; label: string }[], predicted: Map<string, string>): PairwiseScores {
  let truePairs = 0;
  let predictedPairs = 0;
  let correctPairs = 0;
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const a = items[i]!;
      const b = items[j]!;
      const same = a.label === b.label;
      const together = predicted.get(a.id) === predicted.get(b.id);
      if (same) truePairs++;
      if (together) predictedPairs++;
      if (same && together) correctPairs++;
    }
  }
  const precision = predictedPairs ? correctPairs / predictedPairs : 1;
  const recall = truePairs ? correctPairs / truePairs : 1;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1, truePairs, predictedPairs, correctPairs };
}

/**
 * Clusters one half on its own, as the product would: IDF learned from that
 * half's questions, questions taken in file order.
 */
export function clusterHalf({ items, lexicon, threshold }: { items: LabelledQuestion[]; lexicon: PreparedLexicon; threshold: number }) {
  const model = createModel(lexicon);
  const analyses = items.map((q) => analyze(questionText(q), lexicon));
  for (const a of analyses) learn(model, a);
  const vectors = items.map((q, i) => ({ id: q.id, vector: vectorize(model, analyses[i]!) }));
  const assignment = clusterByBestMatch({ items: vectors, threshold });
  return { assignment, scores: pairwise(items, assignment.clusterOf), model, vectors };
}
