/**
 * `npm run backup -- --out <dir>`: a consistent backup of the database, FILES_DIR,
 * CONTENT_DIR and the non-secret settings, with a manifest of sizes and SHA-256
 * (src/server/ops/backup.ts). On the embedded database it works while the
 * server runs, too: the running server writes the dump (through its control
 * socket in DATA_DIR); with the server stopped this script opens the database itself.
 */
import { parseArgs } from 'node:util';
import { openDatabase } from '../db/client.ts';
import { ConfigError, loadConfig } from '../src/server/config/config.ts';
import { createBackup, pgDump, pgliteDump, type DumpDatabase } from '../src/server/ops/backup.ts';
import { dumpThroughServer } from '../src/server/ops/control.socket.ts';
import { acquireDataDirLock, DataDirLockedError } from '../src/server/runtime/lock.ts';
import { printProgress } from './cli-progress.ts';

const { values } = parseArgs({ options: { out: { type: 'string' } } });
if (!values.out) {
  console.error('Usage: npm run backup -- --out <empty or new folder>');
  process.exit(2);
}

const names: Record<string, string> = { database: 'Database', files: 'Files', content: 'Content' };
try {
  const config = loadConfig();
  let dumpDatabase: DumpDatabase;
  let done = async () => {};
  if (config.database.kind === 'postgres') dumpDatabase = pgDump(config.database.url);
  else {
    try {
      const lock = acquireDataDirLock(config.dataDir);
      const database = await openDatabase(config.database, { max: 1 });
      if (database.kind !== 'pglite') throw new Error('unreachable');
      dumpDatabase = pgliteDump(database.client);
      done = async () => {
        await database.close();
        lock.release();
      };
    } catch (e) {
      if (!(e instanceof DataDirLockedError)) throw e;
      console.error(`The server (pid ${e.holder.pid}) is running: it writes the database dump.`);
      dumpDatabase = dumpThroughServer(config.dataDir);
    }
  }
  const t0 = Date.now();
  try {
    const { manifest, dir } = await createBackup({ config, out: values.out, dumpDatabase, onProgress: printProgress((w) => (names[w] ?? w).padEnd(8)) });
    const bytes = manifest.files.reduce((a, f) => a + f.size, 0);
    process.stderr.write('\n');
    console.log(`Backup written to ${dir}: ${manifest.files.length} files, ${(bytes / 1024 / 1024).toFixed(1)} MB, in ${((Date.now() - t0) / 1000).toFixed(1)} s.`);
  } finally {
    await done();
  }
} catch (e) {
  console.error(e instanceof ConfigError ? e.message : `Backup failed: ${(e as Error).message}`);
  process.exit(1);
}
