/**
 * `npm run restore -- --from <dir> [--force]`: restores a backup of
 * `npm run backup` into an empty installation (database, FILES_DIR,
 * CONTENT_DIR; `--force` replaces what is there), applies any newer
 * migrations, and rebuilds the search index. The server must be stopped.
 */
import { parseArgs } from 'node:util';
import { openDatabase } from '../db/client.ts';
import { runMigrations } from '../db/migrate.ts';
import { ConfigError, loadConfig } from '../src/server/config/config.ts';
import { RestoreRefused, restoreBackup } from '../src/server/ops/restore.ts';
import { acquireDataDirLock, DataDirLockedError } from '../src/server/runtime/lock.ts';
import { rebuildSearchIndex } from '../src/server/search/search.rebuild.ts';
import { systemClock } from '../src/server/shared/clock.ts';
import { createLogger } from '../src/server/shared/logger.ts';
import { printProgress } from './cli-progress.ts';

const { values } = parseArgs({ options: { from: { type: 'string' }, force: { type: 'boolean', default: false } } });
if (!values.from) {
  console.error('Usage: npm run restore -- --from <backup folder> [--force]');
  process.exit(2);
}

const names: Record<string, string> = { check: 'Checking', database: 'Database', files: 'Files', content: 'Content' };
try {
  const config = loadConfig();
  const log = createLogger({ level: 'warn', pretty: true });
  const lock = config.usesEmbeddedState ? acquireDataDirLock(config.dataDir) : null;
  try {
    const { manifest } = await restoreBackup({ config, from: values.from, force: values.force, onProgress: printProgress((w) => (names[w] ?? w).padEnd(9)) });
    process.stderr.write('\n');
    const database = await openDatabase(config.database, { max: 2 });
    try {
      await runMigrations(database, { url: config.database.kind === 'postgres' ? config.database.url : undefined });
      console.log(`Restored the backup of ${manifest.createdAt} (${manifest.files.length} files).`);
      try {
        const { documents } = await rebuildSearchIndex({ config, database, clock: systemClock, log });
        console.log(`Rebuilt the search index: ${documents} documents.`);
      } catch (e) {
        console.log(`The search index was not rebuilt (${(e as Error).message}); it is rebuilt when Dayi starts, or run npm run search:reindex.`);
      }
    } finally {
      await database.close();
    }
  } finally {
    lock?.release();
  }
} catch (e) {
  if (e instanceof ConfigError || e instanceof DataDirLockedError || e instanceof RestoreRefused) {
    console.error(e instanceof RestoreRefused ? `Restore refused: ${e.message}` : e.message);
    process.exit(1);
  }
  console.error(`Restore failed: ${(e as Error).message}`);
  process.exit(1);
}
