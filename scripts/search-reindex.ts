/**
 * `npm run search:reindex`: rebuilds the search index from CONTENT_DIR into a
 * fresh index and swaps it in atomically. With embedded state it takes the
 * DATA_DIR lock, so it refuses while a server runs on the same data (stop it,
 * or let the running server's incremental sync do the work).
 */
import { openDatabase } from '../db/client.ts';
import { runMigrations } from '../db/migrate.ts';
import { ConfigError, loadConfig } from '../src/server/config/config.ts';
import { progressBar } from '../src/server/shared/progress.ts';
import { acquireDataDirLock, DataDirLockedError } from '../src/server/runtime/lock.ts';
import { rebuildSearchIndex } from '../src/server/search/search.rebuild.ts';
import { systemClock } from '../src/server/shared/clock.ts';
import { createLogger } from '../src/server/shared/logger.ts';

try {
  const config = loadConfig();
  const log = createLogger({ level: 'warn', pretty: true });
  const lock = config.usesEmbeddedState ? acquireDataDirLock(config.dataDir) : null;
  const database = await openDatabase(config.database, { max: 2 });
  try {
    await runMigrations(database, { url: config.database.kind === 'postgres' ? config.database.url : undefined });
    const started = Date.now();
    const tty = process.stderr.isTTY;
    const { documents, skippedFiles } = await rebuildSearchIndex({
      config,
      database,
      clock: systemClock,
      log,
      onProgress: (done, total) => process.stderr.write(`${tty ? '\r' : ''}Indexing ${progressBar(done, total, { unit: 'documents' })}${tty ? '' : '\n'}`),
    });
    process.stderr.write('\n');
    console.log(`Rebuilt the search index: ${documents} documents in ${((Date.now() - started) / 1000).toFixed(1)} s (swapped in atomically).`);
    if (skippedFiles) console.log(`${skippedFiles} content file(s) skipped; run npm run content:check for details.`);
  } finally {
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
