import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadContent } from '../../src/server/content/content.loader.ts';
import { createSearchService, type SearchService } from '../../src/server/search/search.client.ts';
import { contentIndexUid } from '../../src/server/search/search.index.ts';
import { appRoot } from '../../src/server/shared/paths.ts';
import { testIndexPrefix } from '../helpers/db.ts';
import { evaluateRelevance, formatReport, indexForQuality, loadLabelledSet, type RelevanceReport } from '../search/relevance.ts';

let search: SearchService;
let report: RelevanceReport;
let frozen: RelevanceReport;

beforeAll(async () => {
  // The shipped demo content, indexed as the server indexes it (with the re-ranking model).
  const store = await loadContent(path.join(appRoot(), 'content'));
  search = createSearchService({ url: inject('meiliUrl'), apiKey: inject('meiliKey'), kind: 'external', indexPrefix: testIndexPrefix() });
  await indexForQuality(search, store);
  report = await evaluateRelevance({ search, set: loadLabelledSet() });
  frozen = await evaluateRelevance({ search, set: loadLabelledSet('questions').filter((q) => q.half === 'test') });
  console.log(formatReport(report));
  console.log(formatReport(frozen));
});

afterAll(async () => {
  await search?.client?.deleteIndex(contentIndexUid(search.indexPrefix)).catch(() => {});
  await search?.stop();
});

describe('search relevance on the frozen labelled set', () => {
  it('puts a right answer in the top 5 for at least 90% of all queries', () => {
    expect(report.overall.n).toBe(60);
    expect(report.overall.hit5 / report.overall.n).toBeGreaterThanOrEqual(0.9);
  });

  it.each(['paraphrase', 'homophone'] as const)('finds %s queries in the top 5 at least 80% of the time', (kind) => {
    expect(report.byKind[kind].hit5 / report.byKind[kind].n).toBeGreaterThanOrEqual(0.8);
  });
});

// The frozen test half of the question-style set, never tuned on. The targets (0.95 overall,
// 0.85 on paraphrases) are not reached yet; these floors keep what was reached from slipping back.
// Lowered once, on 2026-12-06, from 0.55 to 0.50 on paraphrases: a pinyin match of one syllable in
// many no longer counts (a nonsense query found a page through 质量), which the dev half and the first
// set did not notice and which took two test-half paraphrases, found by that coincidence, to 18 of 33.
// Raised on 2026-12-07 to 0.75 and 0.57 (46 of 60 and 20 of 33 reached), when the similarity engine
// began to count single characters (tuned on the FAQ dev half, not on this set).
describe('search relevance on the frozen test half of the question-style set', () => {
  it('finds every exact and homophone-typo query in the top 5', () => {
    expect(frozen.byKind.exact.hit5).toBe(frozen.byKind.exact.n);
    expect(frozen.byKind.homophone.hit5).toBe(frozen.byKind.homophone.n);
  });

  it('finds at least 75% of all queries and 57% of question-style paraphrases in the top 5', () => {
    expect(frozen.overall.n).toBe(60);
    expect(frozen.overall.hit5 / frozen.overall.n).toBeGreaterThanOrEqual(0.75);
    expect(frozen.byKind.paraphrase.hit5 / frozen.byKind.paraphrase.n).toBeGreaterThanOrEqual(0.57);
  });
});
