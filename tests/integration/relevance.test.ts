import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadContent } from '../../src/server/content/content.loader.ts';
import { createSearchService, type SearchService } from '../../src/server/search/search.client.ts';
import { buildDocuments } from '../../src/server/search/search.documents.ts';
import { contentIndexUid, rebuildIndex } from '../../src/server/search/search.index.ts';
import { appRoot } from '../../src/server/shared/paths.ts';
import { testIndexPrefix } from '../helpers/db.ts';
import { evaluateRelevance, formatReport, loadLabelledSet, type RelevanceReport } from '../search/relevance.ts';

let search: SearchService;
let report: RelevanceReport;

beforeAll(async () => {
  // The shipped demo content, indexed as the server indexes it.
  const store = await loadContent(path.join(appRoot(), 'content'));
  search = createSearchService({ url: inject('meiliUrl'), apiKey: inject('meiliKey'), kind: 'external', indexPrefix: testIndexPrefix() });
  await rebuildIndex({ search, docs: buildDocuments(store, () => new Date('2026-11-24T00:00:00Z')), synonyms: store.synonyms, dictionary: store.dictionary });
  report = await evaluateRelevance({ search, set: loadLabelledSet() });
  console.log(formatReport(report));
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
