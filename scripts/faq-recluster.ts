/**
 * `npm run faq:recluster [-- --no-index]`: rebuilds every FAQ cluster from
 * scratch with a progress bar, keeping reviewers' decisions (merged, split and
 * rejected clusters stay as decided), then refills the `questions` search
 * index unless `--no-index`. Takes the DATA_DIR lock with embedded data.
 */
import { openDatabase } from '../db/client.ts';
import { runMigrations } from '../db/migrate.ts';
import { ConfigError, loadConfig } from '../src/server/config/config.ts';
import { faqSettings } from '../src/server/faq/faq.config.ts';
import { createFaqEngine, questionDocument } from '../src/server/faq/faq.engine.ts';
import { loadLexicon } from '../src/server/faq/faq.lexicon.ts';
import { reclusterAll } from '../src/server/faq/faq.recluster.ts';
import { acquireDataDirLock, DataDirLockedError } from '../src/server/runtime/lock.ts';
import { clearQuestionsIndex, ensureQuestionsIndex, upsertQuestionDocuments } from '../src/server/search/questions.index.ts';
import { startSearch } from '../src/server/search/search.client.ts';
import { systemClock } from '../src/server/shared/clock.ts';
import { createLogger } from '../src/server/shared/logger.ts';
import { questions } from '../db/schema/index.ts';

function progressBar(done: number, total: number): string {
  const width = 30;
  const filled = total ? Math.round((done / total) * width) : width;
  const pct = total ? Math.round((done / total) * 100) : 100;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)}% ${done}/${total}`;
}

const PHASES: Record<string, string> = { features: 'Reading    ', matching: 'Clustering ', writing: 'Saving     ', index: 'Indexing   ' };
const tty = process.stderr.isTTY;
let lastPhase = '';
const progress = (phase: string, done: number, total: number) => {
  if (phase !== lastPhase && lastPhase) process.stderr.write('\n');
  lastPhase = phase;
  process.stderr.write(`${tty ? '\r' : ''}${PHASES[phase] ?? phase} ${progressBar(done, total)}${tty ? '' : '\n'}`);
};

try {
  const config = loadConfig();
  const log = createLogger({ level: 'warn', pretty: true });
  const lock = config.usesEmbeddedState ? acquireDataDirLock(config.dataDir) : null;
  const database = await openDatabase(config.database, { max: 2 });
  const search = process.argv.includes('--no-index') ? null : await startSearch({ config, log });
  try {
    await runMigrations(database, { url: config.database.kind === 'postgres' ? config.database.url : undefined });
    const source = await loadLexicon(config.contentDir);
    const engine = createFaqEngine(source);
    const started = Date.now();
    const result = await reclusterAll({ db: database.db, clock: systemClock, lexicon: engine.lexicon, settings: faqSettings(config as unknown as Record<string, unknown>), onProgress: progress });
    if (lastPhase) process.stderr.write('\n');
    console.log(
      `Reclustered ${result.questions} questions in ${((Date.now() - started) / 1000).toFixed(1)} s: ${result.shared} clusters of two or more (${result.clusters} in all), ${result.pinned} placed by reviewers kept.`,
    );
    if (search?.client) {
      const rows = await database.db.select({ id: questions.id, title: questions.title, body: questions.body, createdAt: questions.createdAt }).from(questions);
      await ensureQuestionsIndex(search, { synonyms: source.synonyms, dictionary: source.terms });
      await clearQuestionsIndex(search);
      const docs = rows.map((r) => questionDocument(engine, r, result.analyses.get(r.id)));
      for (let i = 0; i < docs.length; i += 5000) {
        await upsertQuestionDocuments(search, docs.slice(i, i + 5000), { waitForIt: true });
        progress('index', Math.min(i + 5000, docs.length), docs.length);
      }
      if (docs.length) process.stderr.write('\n');
      console.log(`Refilled the questions search index: ${docs.length} questions.`);
    } else if (search) {
      console.log(`Questions search index not refilled: ${search.unavailableReason}`);
    }
  } finally {
    await search?.stop();
    await database.close();
    lock?.release();
  }
} catch (e) {
  if (e instanceof ConfigError || e instanceof DataDirLockedError) {
    console.error(e.message);
    process.exit(1);
  }
  console.error(`faq:recluster failed: ${(e as Error).message}`);
  process.exit(1);
}
