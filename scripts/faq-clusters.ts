/**
 * `npm run faq:clusters [-- --json]`: every cluster of two questions or more,
 * candidates first. `--json` prints
 * `[{ "id", "questionIds": [...], "size", "askers", "candidate", "title" }]`.
 * Reads the database only: runs while the server is stopped, on embedded data
 * too (it takes the DATA_DIR lock, so not while a server uses the same data).
 */
import { openDatabase } from '../db/client.ts';
import { runMigrations } from '../db/migrate.ts';
import { ConfigError, loadConfig } from '../src/server/config/config.ts';
import { faqSettings } from '../src/server/faq/faq.config.ts';
import { loadLexicon } from '../src/server/faq/faq.lexicon.ts';
import { listClusters } from '../src/server/faq/faq.queries.ts';
import { prepareLexicon } from '../src/server/faq/similarity.text.ts';
import { acquireDataDirLock, DataDirLockedError } from '../src/server/runtime/lock.ts';
import { systemClock } from '../src/server/shared/clock.ts';

const json = process.argv.includes('--json');
try {
  const config = loadConfig();
  const lock = config.usesEmbeddedState ? acquireDataDirLock(config.dataDir) : null;
  const database = await openDatabase(config.database, { max: 2 });
  try {
    await runMigrations(database, { url: config.database.kind === 'postgres' ? config.database.url : undefined });
    const lexicon = prepareLexicon(await loadLexicon(config.contentDir));
    const clusters = await listClusters({ db: database.db, settings: faqSettings(config as unknown as Record<string, unknown>), lexicon, now: systemClock.now() });
    if (json) {
      console.log(JSON.stringify(clusters.map((c) => ({ id: c.id, questionIds: c.questionIds, size: c.size, askers: c.askers, candidate: c.candidate, title: c.title })), null, 2));
    } else if (!clusters.length) {
      console.log('No clusters of two questions or more yet.');
    } else {
      for (const c of clusters) console.log(`${c.candidate ? '★' : ' '} ${String(c.size).padStart(4)} questions, ${String(c.askers).padStart(3)} askers  ${c.title}  (${c.id}${c.status === 'open' ? '' : `, ${c.status}`})`);
      console.log(`\n${clusters.length} clusters, ${clusters.filter((c) => c.candidate).length} FAQ candidates (★).`);
    }
  } finally {
    await database.close();
    lock?.release();
  }
} catch (e) {
  if (e instanceof ConfigError || e instanceof DataDirLockedError) {
    console.error(e.message);
    process.exit(1);
  }
  console.error(`faq:clusters failed: ${(e as Error).message}`);
  process.exit(1);
}
