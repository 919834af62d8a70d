import type { Settings } from 'meilisearch';
import type { SearchService } from './search.client.ts';
import { CHINESE_STOP_WORDS, synonymMap } from './search.index.ts';

/**
 * The `questions` index (beside the content index, same client and prefix):
 * where the FAQ similarity engine gets its candidates. Staff-only data, read
 * on the server only. Derived from PostgreSQL and rebuildable at any time.
 */
export const questionsIndexUid = (prefix: string) => `${prefix}-questions`;

export interface QuestionSearchDocument {
  id: string;
  title: string;
  /** The start of the body: enough to match on, not the whole text. */
  body: string;
  /** The engine's normalized terms (paraphrases rewritten, fillers cut out), matched first. */
  terms: string;
  createdAt: number;
}

export function questionsIndexSettings({ synonyms = [], dictionary = [] }: { synonyms?: string[][]; dictionary?: string[] } = {}): Settings {
  return {
    searchableAttributes: ['terms', 'title', 'body'],
    filterableAttributes: ['createdAt'],
    sortableAttributes: ['createdAt'],
    displayedAttributes: ['id'],
    localizedAttributes: [{ attributePatterns: ['terms', 'title', 'body'], locales: ['cmn'] }],
    synonyms: synonymMap(synonyms),
    dictionary,
    stopWords: CHINESE_STOP_WORDS,
    pagination: { maxTotalHits: 200 },
  };
}

async function wait(search: SearchService, taskUid: number): Promise<void> {
  const done = await search.client!.tasks.waitForTask(taskUid, { timeout: 120_000, interval: 50 });
  if (done.status === 'failed') throw new Error(`Meilisearch task ${taskUid} failed: ${done.error?.message}`);
}

/** Creates the index and applies its settings (idempotent). */
export async function ensureQuestionsIndex(search: SearchService, lexicon?: { synonyms?: string[][]; dictionary?: string[] }): Promise<void> {
  if (!search.client) throw new Error('no search engine');
  const index = search.client.index(questionsIndexUid(search.indexPrefix));
  await wait(search, (await index.updateSettings(questionsIndexSettings(lexicon))).taskUid);
}

/** Adds or replaces documents; `waitForIt` for callers (tests, the CLI) that query right after. */
export async function upsertQuestionDocuments(search: SearchService, docs: QuestionSearchDocument[], { waitForIt = false } = {}): Promise<void> {
  if (!search.client || !docs.length) return;
  const index = search.client.index(questionsIndexUid(search.indexPrefix));
  for (let i = 0; i < docs.length; i += 1000) {
    const task = await index.addDocuments(docs.slice(i, i + 1000), { primaryKey: 'id' });
    if (waitForIt) await wait(search, task.taskUid);
  }
}

/**
 * Ids of the questions matching `query` (most terms first, the rarest kept
 * longest) or any single one of `terms`, without `excludeId`; one round trip.
 */
export async function searchQuestionIds(
  search: SearchService,
  { query, terms = [], limit, excludeId }: { query: string; terms?: string[]; limit: number; excludeId?: string },
): Promise<string[]> {
  if (!search.client || !query.trim()) return [];
  const indexUid = questionsIndexUid(search.indexPrefix);
  const perTerm = Math.max(5, Math.ceil(limit / 3));
  const res = await search.client.multiSearch({
    queries: [
      { indexUid, q: query.slice(0, 500), limit: limit + 1, attributesToRetrieve: ['id'], matchingStrategy: 'frequency' },
      ...terms.map((q) => ({ indexUid, q, limit: perTerm + 1, attributesToRetrieve: ['id'], matchingStrategy: 'all' as const })),
    ],
  });
  const ids = new Set<string>();
  for (const r of res.results) for (const h of r.hits) if (h.id !== excludeId) ids.add(String(h.id));
  return [...ids];
}

/** Empties the index (a rebuild follows). */
export async function clearQuestionsIndex(search: SearchService): Promise<void> {
  if (!search.client) return;
  await wait(search, (await search.client.index(questionsIndexUid(search.indexPrefix)).deleteAllDocuments()).taskUid);
}
