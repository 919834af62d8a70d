import { openDatabase, type Database } from '../../../db/client.ts';
import { runMigrations } from '../../../db/migrate.ts';
import type { Config } from '../config/config.ts';
import { createAuth, type Auth } from '../auth/auth.sessions.ts';
import { startContent, type ContentService } from '../content/content.service.ts';
import { startJobs, type Jobs } from '../jobs/jobs.ts';
import { fireSlaTimer } from '../escalation/escalation.usecases.ts';
import { seedCalendar, seedSlaDefaults } from '../sla/sla.seed.ts';
import { sweepIncoming } from '../uploads/uploads.store.ts';
import { pruneExpired } from '../jobs/maintenance.ts';
import { askedAsByUrl } from '../search/search.asked.ts';
import { buildDocuments } from '../search/search.documents.ts';
import { createRerankBuilder } from '../search/search.rerank.ts';
import { createIndexer, type Indexer } from '../search/search.index.ts';
import { deliverOutboxMail } from '../mail/mail.outbox.ts';
import { createMailTransport, type MailTransport } from '../mail/mail.transport.ts';
import { startSearch, type SearchService } from '../search/search.client.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { PageCache } from '../http/page-cache.ts';
import { runUnitSurveys } from '../surveys/surveys.usecases.ts';
import { linkBase } from '../http/public-url.ts';
import { replyAddressFor, replyAddressing, type ReplyAddress } from '../inbound/inbound.address.ts';
import { inboundDeps } from '../inbound/inbound.context.ts';
import { startInboundServer, type InboundServer } from '../inbound/inbound.server.ts';
import { seedDemoFiles } from '../demo/demo.files.ts';
import { broadcastContent } from '../content/content.broadcast.ts';
import { createViewCounter, type ViewCounter } from '../content/content.views.ts';
import { pgDump, pgliteDump } from '../ops/backup.ts';
import { runScheduledBackup } from '../ops/backup.schedule.ts';
import { startControlSocket } from '../ops/control.socket.ts';
import { faqHandler, prepareQuestionsIndex } from '../faq/faq.jobs.ts';
import { acquireDataDirLock } from './lock.ts';
import { restrictDataPermissions, tightenTree } from './permissions.ts';

/** Everything a request or job needs, created once per process. */
export interface Runtime {
  config: Config;
  log: Logger;
  clock: Clock;
  database: Database;
  search: SearchService;
  content: ContentService;
  indexer: Indexer;
  jobs: Jobs;
  mail: MailTransport;
  auth: Auth;
  startedAt: Date;
  /** Where links in mail point: PUBLIC_URL, else the address fixed at start (never a request's Host). */
  publicBase: string;
  /** Each question's signed Reply-To address, when mail is received (INBOUND_SMTP_PORT); else undefined. */
  replyAddress?: ReplyAddress;
  /** The inbound SMTP server, in a process that works jobs when INBOUND_SMTP_PORT is set. */
  inbound?: InboundServer;
  /** The local control socket (embedded database only), through which `npm run backup` dumps the database while this server runs. */
  control?: { close(): Promise<void> };
  /** Releases the DATA_DIR lock (a no-op when nothing embedded is used). */
  releaseLock(): void;
  /** Views of knowledge pages, counted in memory and written every few seconds. */
  views: ViewCounter;
  /** The anonymous page cache of the HTTP server (src/server/http/page-cache.ts); absent in CLIs. */
  pageCache?: PageCache;
}

/** Files of an upload whose request ended without taking them (a killed process) are this old at least when swept. */
const INCOMING_MAX_AGE_MS = 6 * 3_600_000;

/**
 * Starts the parts in order: data-directory lock (when anything embedded lives
 * there), migrations, search engine, job workers. The HTTP listener comes last,
 * in the caller. Each step undoes the earlier ones if a later one fails.
 */
export async function bootRuntime({
  config,
  log,
  clock = systemClock,
  work = true,
}: {
  config: Config;
  log: Logger;
  clock?: Clock;
  /** Run job workers in this process (false for CLIs that only enqueue). */
  work?: boolean;
}): Promise<Runtime> {
  const undo: (() => Promise<void> | void)[] = [];
  /** This runtime once booted: job handlers that need its later parts (the queue itself, the link base) read them here. */
  let self: Runtime | undefined;
  let releaseLock = () => {};
  try {
    const pgliteDir = config.database.kind === 'pglite' ? config.database.dir : null;
    restrictDataPermissions({ dirs: [config.dataDir, config.filesDir], log, quiet: pgliteDir ? [pgliteDir] : [] });
    if (config.usesEmbeddedState) {
      releaseLock = acquireDataDirLock(config.dataDir).release;
      undo.push(releaseLock);
    }
    const database = await openDatabase(config.database);
    undo.push(() => database.close());
    await runMigrations(database, { url: config.database.kind === 'postgres' ? config.database.url : undefined });
    // The SLA defaults and the holiday calendar (chinese-days), idempotent at every start; admins' corrections stay.
    if (work) {
      await seedSlaDefaults({ db: database.db, clock });
      await seedCalendar({ db: database.db, clock });
    }
    // PGlite has just created or touched its files 0666 (see restrictDataPermissions).
    if (pgliteDir) tightenTree(pgliteDir);
    log.info({ database: config.database.kind }, 'database ready');

    const search = await startSearch({ config, log });
    undo.push(() => search.stop());

    // The shipped demo content's courseware and video files, when CONTENT_DIR is that content.
    const demoFiles = await seedDemoFiles({ contentDir: config.contentDir, filesDir: config.filesDir });
    if (demoFiles) log.info({ files: demoFiles }, 'demo files copied into FILES_DIR');
    const content = await startContent({ contentDir: config.contentDir, db: database.db, clock, log, watchFiles: config.contentWatch, rescanMs: config.contentRescanSeconds * 1000 });
    undo.push(() => content.stop());
    // Several app processes on one PostgreSQL: a content change in one reaches the others at once.
    if (work && database.kind === 'postgres') {
      const broadcast = await broadcastContent({ client: database.client, content, log });
      undo.push(() => broadcast.stop());
    }
    const buildRerankModel = createRerankBuilder();
    const indexer = createIndexer({
      search,
      log,
      source: async () => {
        const store = content.store();
        const asked = await askedAsByUrl(database.db);
        const docs = buildDocuments(store, content.updatedAt, asked);
        // Searches re-rank with a model of the same documents.
        search.rerankModel = await buildRerankModel(docs, store);
        return { docs, synonyms: store.synonyms };
      },
    });
    undo.push(() => indexer.stop());
    content.onChange(() => indexer.sync());
    // Catch up before serving when the engine is there; when it is not, the indexer retries.
    if (search.client) await indexer.sync();
    // The questions index for FAQ matching (settings only; documents come with each question's job).
    if (work && search.client) await prepareQuestionsIndex({ search, contentDir: config.contentDir, log });

    const mail = createMailTransport(config.mail);
    undo.push(() => mail.close());

    const jobs = await startJobs({
      database,
      log,
      timeZone: work ? config.appTimeZone : undefined,
      handlers: work
        ? {
            'sla.fire': async (data) => {
              // Jobs can start before boot returns; a step due then is retried once the runtime is there.
              if (!self) throw new Error('runtime not ready');
              const deps = { db: database.db, clock, jobs: self.jobs, mailFrom: config.mailFrom, baseUrl: self.publicBase, timeZone: config.appTimeZone };
              await fireSlaTimer({ ...deps, dutyFallbackEmail: config.dutyFallbackEmail ?? null }, String(data.id));
            },
            'faq.assign': faqHandler({ db: database.db, search, clock, log, config }),
            'maintenance.prune': async () => {
              log.info(await pruneExpired({ db: database.db, clock }), 'pruned expired sessions, links and rate-limit counters');
              const incoming = await sweepIncoming(config.filesDir, { now: clock.now(), olderThanMs: INCOMING_MAX_AGE_MS });
              if (incoming) log.info({ incoming }, 'removed unfinished uploads');
            },
            'survey.run': async () => {
              if (!self) throw new Error('runtime not ready');
              const done = await runUnitSurveys({
                db: database.db,
                jobs: self.jobs,
                clock,
                mailFrom: config.mailFrom,
                baseUrl: self.publicBase,
                timeZone: config.appTimeZone,
                surveyDay: config.unitSurveyDay,
                reminderDays: config.unitSurveyReminderDays,
              });
              if (done.sent || done.reminded) log.info(done, 'unit surveys mailed');
            },
            'backup.run': async () => {
              if (!config.backupDir) return;
              const dumpDatabase = database.kind === 'postgres' ? pgDump(database.url) : pgliteDump(database.client);
              const done = await runScheduledBackup({ config, backupDir: config.backupDir, keep: config.backupKeep, dumpDatabase, now: clock.now() });
              log.info(done, 'scheduled backup written');
            },
            'mail.deliver': async (data) => {
              await deliverOutboxMail({
                db: database.db,
                transport: mail,
                clock,
                from: config.mailFrom,
                id: String(data.id),
                log,
              });
            },
          }
        : {},
    });
    undo.push(() => jobs.stop());
    // The scheduled backup follows the settings of the process that works jobs: set, changed, or (BACKUP_DIR unset) removed.
    if (work) {
      if (config.backupDir) await jobs.boss.schedule('backup.run', config.backupSchedule, null, { tz: config.appTimeZone });
      else await jobs.boss.unschedule('backup.run');
    }
    const auth = createAuth({
      db: database.db,
      pglite: database.kind === 'pglite' ? database.client : undefined,
      clock,
      secureCookies: config.secureCookies,
      idleMinutes: config.sessionIdleMinutes,
      maxHours: config.sessionMaxHours,
    });
    const publicBase = linkBase({ publicUrl: config.publicUrl, host: config.host, port: config.port });
    const addressing = replyAddressing(config);
    const replyAddress: ReplyAddress | undefined = addressing && ((q) => replyAddressFor(addressing, q));
    const views = createViewCounter({ db: database.db, log });
    undo.push(() => views.stop());
    const rt: Runtime = { config, log, clock, database, search, content, indexer, jobs, mail, auth, views, startedAt: clock.now(), publicBase, replyAddress, releaseLock };
    self = rt;
    // Mail is received where jobs are worked (the server), never in a CLI that only enqueues.
    if (work && addressing && config.inboundSmtpPort !== undefined) {
      rt.inbound = await startInboundServer({
        deps: () => inboundDeps(rt, addressing),
        host: config.inboundSmtpHost,
        port: config.inboundSmtpPort,
        maxBytes: config.inboundMaxMb * 1024 * 1024,
        log,
      });
      undo.push(() => rt.inbound?.close());
    }
    if (work && database.kind === 'pglite') {
      rt.control = await startControlSocket({ dataDir: config.dataDir, dumpDatabase: pgliteDump(database.client), log });
      undo.push(() => rt.control?.close());
    }
    return rt;
  } catch (e) {
    for (const step of undo.reverse()) await Promise.resolve(step()).catch(() => {});
    throw e;
  }
}

/** Stops everything `bootRuntime` started, in reverse order. */
export async function shutdownRuntime(rt: Runtime): Promise<void> {
  const steps: [string, () => Promise<void> | void][] = [
    ['inbound', () => rt.inbound?.close()],
    ['control', () => rt.control?.close()],
    ['jobs', () => rt.jobs.stop()],
    ['mail', () => rt.mail.close()],
    ['views', () => rt.views.stop()],
    ['content', () => rt.content.stop()],
    ['indexer', () => rt.indexer.stop()],
    ['search', () => rt.search.stop()],
    ['database', () => rt.database.close()],
    ['lock', () => rt.releaseLock()],
  ];
  for (const [name, step] of steps) {
    try {
      await step();
    } catch (err) {
      rt.log.warn({ err, part: name }, 'error while stopping');
    }
  }
}

const RUNTIME_KEY = Symbol.for('dayi.runtime');
type Holder = { [RUNTIME_KEY]?: Promise<Runtime> };

/**
 * The process-wide runtime. The start script boots it before the Astro server
 * loads; the server bundle and the script each carry their own copy of this
 * module, so it lives on globalThis.
 */
export function setRuntime(rt: Promise<Runtime> | undefined): void {
  (globalThis as Holder)[RUNTIME_KEY] = rt;
}

export function peekRuntime(): Promise<Runtime> | undefined {
  return (globalThis as Holder)[RUNTIME_KEY];
}
