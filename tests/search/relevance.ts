import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { SearchService } from '../../src/server/search/search.client.ts';
import { normalizeQuery, searchContent } from '../../src/server/search/search.query.ts';
import type { Access } from '../../src/server/content/content.schemas.ts';

export const kinds = ['exact', 'paraphrase', 'partial', 'homophone', 'mixed'] as const;
export type Kind = (typeof kinds)[number];

export interface LabelledQuery {
  kind: Kind;
  q: string;
  intent: string;
  urls: string[];
}

/** The frozen queries joined with their labels (same order, checked). */
export function loadLabelledSet(dir = path.dirname(new URL(import.meta.url).pathname)): LabelledQuery[] {
  const queries = parseYaml(readFileSync(path.join(dir, 'relevance-queries.yml'), 'utf8')) as { kind: Kind; q: string; intent: string }[];
  const labels = parseYaml(readFileSync(path.join(dir, 'relevance-labels.yml'), 'utf8')) as { q: string; urls: string[] }[];
  if (queries.length !== labels.length) throw new Error('relevance-queries.yml and relevance-labels.yml differ in length');
  return queries.map((q, i) => {
    if (labels[i]!.q !== q.q) throw new Error(`label ${i} is for "${labels[i]!.q}", not "${q.q}"`);
    return { ...q, urls: labels[i]!.urls };
  });
}

export interface RelevanceReport {
  byKind: Record<Kind, { n: number; hit1: number; hit5: number }>;
  overall: { n: number; hit1: number; hit5: number };
  misses: { kind: Kind; q: string; expected: string[]; got: string[] }[];
}

/** Runs every labelled query (as a staff viewer, who may see all content) and scores hit@1 and hit@5. */
export async function evaluateRelevance({ search, set, access = ['public', 'member', 'staff'] }: { search: SearchService; set: LabelledQuery[]; access?: Access[] }): Promise<RelevanceReport> {
  const byKind = Object.fromEntries(kinds.map((k) => [k, { n: 0, hit1: 0, hit5: 0 }])) as RelevanceReport['byKind'];
  const misses: RelevanceReport['misses'] = [];
  for (const item of set.filter((s) => s.urls.length)) {
    const res = await searchContent({ search, q: normalizeQuery(item.q), limit: 5, access });
    const got = res.hits.map((h) => h.url);
    const k = byKind[item.kind];
    k.n++;
    if (got[0] && item.urls.includes(got[0])) k.hit1++;
    if (got.some((u) => item.urls.includes(u))) k.hit5++;
    else misses.push({ kind: item.kind, q: item.q, expected: item.urls, got });
  }
  const overall = kinds.reduce((a, k) => ({ n: a.n + byKind[k].n, hit1: a.hit1 + byKind[k].hit1, hit5: a.hit5 + byKind[k].hit5 }), { n: 0, hit1: 0, hit5: 0 });
  return { byKind, overall, misses };
}

export function formatReport(r: RelevanceReport): string {
  const pct = (x: number, n: number) => (n ? (x / n).toFixed(2) : '-');
  const lines = ['| kind | queries | hit@1 | hit@5 |', '|---|---|---|---|'];
  for (const k of kinds) lines.push(`| ${k} | ${r.byKind[k].n} | ${pct(r.byKind[k].hit1, r.byKind[k].n)} | ${pct(r.byKind[k].hit5, r.byKind[k].n)} |`);
  lines.push(`| overall | ${r.overall.n} | ${pct(r.overall.hit1, r.overall.n)} | ${pct(r.overall.hit5, r.overall.n)} |`);
  if (r.misses.length) {
    lines.push('', 'Misses (no labelled document in the top 5):');
    for (const m of r.misses) lines.push(`- [${m.kind}] ${m.q} → expected ${m.expected.join(' | ')}; got ${m.got.join(' | ') || '(nothing)'}`);
  }
  return lines.join('\n');
}
