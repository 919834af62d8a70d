import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ContentStore } from '../../src/server/content/content.loader.ts';
import type { SearchService } from '../../src/server/search/search.client.ts';
import { buildDocuments } from '../../src/server/search/search.documents.ts';
import { rebuildIndex } from '../../src/server/search/search.index.ts';
import { createRerankModel } from '../../src/server/search/search.rerank.ts';
import { normalizeQuery, searchContent } from '../../src/server/search/search.query.ts';
import type { Access } from '../../src/server/content/content.schemas.ts';

export const kinds = ['exact', 'paraphrase', 'partial', 'homophone', 'mixed'] as const;
export type Kind = (typeof kinds)[number];

export type Half = 'dev' | 'test';

export interface LabelledQuery {
  kind: Kind;
  q: string;
  intent: string;
  urls: string[];
  /** For sets split before tuning: the half it belongs to. */
  half?: Half;
}

const here = path.dirname(new URL(import.meta.url).pathname);

/**
 * The frozen queries joined with their labels (same order, checked). The
 * first set: relevance-*.yml (60 queries); the question-style set written
 * blind later: `loadLabelledSet('questions')`, split into dev and test halves.
 */
export function loadLabelledSet(name: 'relevance' | 'questions' = 'relevance', dir = here): LabelledQuery[] {
  const queries = parseYaml(readFileSync(path.join(dir, `${name}-queries.yml`), 'utf8')) as { kind: Kind; q: string; intent: string }[];
  const labels = parseYaml(readFileSync(path.join(dir, `${name}-labels.yml`), 'utf8')) as { q: string; urls: string[]; half?: Half }[];
  if (queries.length !== labels.length) throw new Error(`${name}-queries.yml and ${name}-labels.yml differ in length`);
  return queries.map((q, i) => {
    if (labels[i]!.q !== q.q) throw new Error(`label ${i} is for "${labels[i]!.q}", not "${q.q}"`);
    return { ...q, urls: labels[i]!.urls, ...(labels[i]!.half ? { half: labels[i]!.half } : {}) };
  });
}

interface Score {
  n: number;
  hit1: number;
  hit5: number;
  /** Sum of 1/rank of the first right answer in the top 10 (0 when none): divided by n, the MRR. */
  rr: number;
}

/** Indexes `store` as the server does: the Meilisearch index, and the re-ranking model beside it. */
export async function indexForQuality(search: SearchService, store: ContentStore, updated = new Date('2026-11-24T00:00:00Z')): Promise<void> {
  const docs = buildDocuments(store, () => updated);
  await rebuildIndex({ search, docs, synonyms: store.synonyms });
  search.rerankModel = await createRerankModel(docs, store);
}

export interface RelevanceReport {
  byKind: Record<Kind, Score>;
  overall: Score;
  misses: { kind: Kind; q: string; expected: string[]; got: string[] }[];
}

/** Runs every labelled query (as a staff viewer, who may see all content) and scores hit@1 and hit@5. */
export async function evaluateRelevance({ search, set, access = ['public', 'member', 'staff'] }: { search: SearchService; set: LabelledQuery[]; access?: Access[] }): Promise<RelevanceReport> {
  const byKind = Object.fromEntries(kinds.map((k) => [k, { n: 0, hit1: 0, hit5: 0, rr: 0 }])) as RelevanceReport['byKind'];
  const misses: RelevanceReport['misses'] = [];
  for (const item of set.filter((s) => s.urls.length)) {
    const res = await searchContent({ search, q: normalizeQuery(item.q), limit: 10, access });
    const got = res.hits.map((h) => h.url);
    const k = byKind[item.kind];
    k.n++;
    const rank = got.findIndex((u) => item.urls.includes(u)) + 1;
    if (rank === 1) k.hit1++;
    if (rank >= 1 && rank <= 5) k.hit5++;
    else misses.push({ kind: item.kind, q: item.q, expected: item.urls, got: got.slice(0, 5) });
    if (rank) k.rr += 1 / rank;
  }
  const overall = kinds.reduce((a, k) => ({ n: a.n + byKind[k].n, hit1: a.hit1 + byKind[k].hit1, hit5: a.hit5 + byKind[k].hit5, rr: a.rr + byKind[k].rr }), { n: 0, hit1: 0, hit5: 0, rr: 0 });
  return { byKind, overall, misses };
}

export function formatReport(r: RelevanceReport): string {
  const pct = (x: number, n: number) => (n ? (x / n).toFixed(2) : '-');
  const lines = ['| kind | queries | hit@1 | hit@5 | MRR |', '|---|---|---|---|---|'];
  for (const k of kinds) lines.push(`| ${k} | ${r.byKind[k].n} | ${pct(r.byKind[k].hit1, r.byKind[k].n)} | ${pct(r.byKind[k].hit5, r.byKind[k].n)} | ${pct(r.byKind[k].rr, r.byKind[k].n)} |`);
  lines.push(`| overall | ${r.overall.n} | ${pct(r.overall.hit1, r.overall.n)} | ${pct(r.overall.hit5, r.overall.n)} | ${pct(r.overall.rr, r.overall.n)} |`);
  if (r.misses.length) {
    lines.push('', 'Misses (no labelled document in the top 5):');
    for (const m of r.misses) lines.push(`- [${m.kind}] ${m.q} → expected ${m.expected.join(' | ')}; got ${m.got.join(' | ') || '(nothing)'}`);
  }
  return lines.join('\n');
}
