import type { Database } from '../../../db/client.ts';
import type { Config } from '../config/config.ts';
import { loadContent } from '../content/content.loader.ts';
import { syncContentPages } from '../content/content.service.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { startSearch } from './search.client.ts';
import { buildDocuments } from './search.documents.ts';
import { rebuildIndex } from './search.index.ts';

/**
 * Rebuilds the search index from CONTENT_DIR into a fresh index and swaps it
 * in (what `npm run search:reindex` and `npm run restore` do). The database
 * must be migrated. Throws when no search engine can be reached.
 */
export async function rebuildSearchIndex({
  config,
  database,
  clock,
  log,
  onProgress,
}: {
  config: Config;
  database: Database;
  clock: Clock;
  log: Logger;
  onProgress?: (done: number, total: number) => void;
}): Promise<{ documents: number; skippedFiles: number }> {
  const search = await startSearch({ config, log });
  try {
    if (!search.client) throw new Error(`no search engine: ${search.unavailableReason}`);
    const store = await loadContent(config.contentDir);
    const changedAt = await syncContentPages({ db: database.db, clock, store });
    const docs = buildDocuments(store, (p) => p.updated ?? changedAt.get(p.url) ?? new Date());
    await rebuildIndex({ search, docs, synonyms: store.synonyms, onProgress });
    return { documents: docs.length, skippedFiles: store.issues.length };
  } finally {
    await search.stop();
  }
}
