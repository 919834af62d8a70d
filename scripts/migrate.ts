/**
 * `npm run db:migrate`: applies pending migrations to the configured database.
 * On embedded PGlite it takes the DATA_DIR lock, so it refuses while a server runs.
 */
import { openDatabase } from '../db/client.ts';
import { runMigrations } from '../db/migrate.ts';
import { ConfigError, loadConfig } from '../src/server/config/config.ts';
import { acquireDataDirLock, DataDirLockedError } from '../src/server/runtime/lock.ts';
import { redactUrl } from '../src/server/shared/logger.ts';

try {
  const config = loadConfig();
  const lock = config.database.kind === 'pglite' ? acquireDataDirLock(config.dataDir) : null;
  try {
    const database = await openDatabase(config.database, { max: 1 });
    try {
      await runMigrations(database, { url: config.database.kind === 'postgres' ? config.database.url : undefined });
    } finally {
      await database.close();
    }
  } finally {
    lock?.release();
  }
  const where = config.database.kind === 'postgres' ? redactUrl(config.database.url) : config.database.dir;
  console.log(`Migrations applied to ${where}`);
} catch (e) {
  if (e instanceof ConfigError || e instanceof DataDirLockedError) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}
