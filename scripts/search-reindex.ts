/**
 * `npm run search:reindex`: rebuilds the search index from CONTENT_DIR into a
 * fresh index and swaps it in atomically. With embedded state it takes the
 * DATA_DIR lock, so it refuses while a server runs on the same data (stop it,
 * or let the running server's incremental sync do the work).
 */
import { openDatabase } from '../db/client.ts';
import { runMigrations } from '../db/migrate.ts';
import { ConfigError, loadConfig } from '../src/server/config/config.ts';
import { loadContent } from '../src/server/content/content.loader.ts';
import { syncContentPages } from '../src/server/content/content.service.ts';
import { acquireDataDirLock, DataDirLockedError } from '../src/server/runtime/lock.ts';
import { startSearch } from '../src/server/search/search.client.ts';
import { buildDocuments } from '../src/server/search/search.documents.ts';
import { rebuildIndex } from '../src/server/search/search.index.ts';
import { systemClock } from '../src/server/shared/clock.ts';
import { createLogger } from '../src/server/shared/logger.ts';

function progressBar(done: number, total: number): string {
  const width = 30;
  const filled = total ? Math.round((done / total) * width) : width;
  const pct = total ? Math.round((done / total) * 100) : 100;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)}% ${done}/${total}`;
}

try {
  const config = loadConfig();
  const log = createLogger({ level: 'warn', pretty: true });
  const lock = config.usesEmbeddedState ? acquireDataDirLock(config.dataDir) : null;
  const database = await openDatabase(config.database, { max: 2 });
  const search = await startSearch({ config, log });
  try {
    if (!search.client) throw new Error(`no search engine: ${search.unavailableReason}`);
    await runMigrations(database, { url: config.database.kind === 'postgres' ? config.database.url : undefined });
    const store = await loadContent(config.contentDir);
    const changedAt = await syncContentPages({ db: database.db, clock: systemClock, store });
    const docs = buildDocuments(store, (p) => p.updated ?? changedAt.get(p.url) ?? new Date());
    const started = Date.now();
    const tty = process.stderr.isTTY;
    await rebuildIndex({
      search,
      docs,
      synonyms: store.synonyms,
      dictionary: store.dictionary,
      onProgress: (done, total) => process.stderr.write(`${tty ? '\r' : ''}Indexing ${progressBar(done, total)}${tty ? '' : '\n'}`),
    });
    process.stderr.write('\n');
    console.log(`Rebuilt the search index: ${docs.length} documents in ${((Date.now() - started) / 1000).toFixed(1)} s (swapped in atomically).`);
    if (store.issues.length) console.log(`${store.issues.length} content file(s) skipped; run npm run content:check for details.`);
  } finally {
    await search.stop();
    await database.close();
    lock?.release();
  }
} catch (e) {
  if (e instanceof ConfigError || e instanceof DataDirLockedError) {
    console.error(e.message);
    process.exit(1);
  }
  console.error(`Reindex failed: ${(e as Error).message}`);
  process.exit(1);
}
