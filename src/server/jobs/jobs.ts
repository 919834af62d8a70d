import { sql } from 'drizzle-orm';
import { PgBoss, fromDrizzle, fromPglite, type DrizzleTransactionLike, type QueueOptions } from 'pg-boss';
import type { Database, Tx } from '../../../db/client.ts';
import { startOutboxWorker } from '../mail/mail.worker.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';

/** Every pg-boss queue Dayi uses, with its retry policy. Handlers must be idempotent. */
export const queues = {
  'maintenance.prune': { retryLimit: 2, retryDelay: 300, expireInSeconds: 600 },
  // One job per SLA step, due at its minute (startAfter); the handler claims the step once (escalation.usecases.ts).
  'sla.fire': { retryLimit: 6, retryDelay: 20, retryBackoff: true, expireInSeconds: 120 },
  // A new question joins the cluster of its best match (src/server/faq/faq.usecases.ts); idempotent.
  'faq.assign': { retryLimit: 5, retryDelay: 30, retryBackoff: true, expireInSeconds: 300 },
  // Daily: the unit survey of the month before, from UNIT_SURVEY_DAY on, and its one reminder (src/server/surveys/); idempotent.
  'survey.run': { retryLimit: 3, retryDelay: 600, expireInSeconds: 600 },
  // BACKUP_SCHEDULE, when BACKUP_DIR is set (scheduled by the runtime, src/server/ops/backup.schedule.ts); a retry writes a new folder.
  'backup.run': { retryLimit: 1, retryDelay: 900, expireInSeconds: 4 * 3600 },
} satisfies Record<string, QueueOptions>;

/**
 * Mail is not a pg-boss queue: every outbox row is its own queue entry, written
 * in the transaction of the change that caused it, and the handler given under
 * this name delivers one row (by id) for the outbox worker (src/server/mail/mail.worker.ts).
 * A job per mail cost a heavy insert in every asking transaction, and a fetch and a completion besides.
 */
export const MAIL_DELIVERY = 'mail.deliver';

/** Recurring jobs (cron, in APP_TIME_ZONE): pg-boss runs each once per slot across all processes. */
export const schedules: { name: QueueName; cron: string }[] = [
  { name: 'maintenance.prune', cron: '17 3 * * *' },
  { name: 'survey.run', cron: '5 9 * * *' },
];

export type QueueName = keyof typeof queues;
export type JobHandler = (data: Record<string, unknown>) => Promise<void>;

export interface Jobs {
  boss: PgBoss;
  /**
   * Enqueues jobs of one queue in one statement; pass the caller's transaction so
   * they exist only if the change commits. `startAfter`: not before that minute.
   */
  sendMany(name: QueueName, jobs: { data: Record<string, unknown>; startAfter?: Date }[], options?: { tx?: Tx }): Promise<void>;
  /** A mail is being queued: this process's outbox worker looks shortly (a no-op without one; the server's sweep finds the row). */
  wakeMail(): void;
  stop(): Promise<void>;
  isRunning(): boolean;
}

/**
 * Starts pg-boss on the application database (its own `pgboss` schema), creates
 * the queues and, when `handlers` are given, works them in this process — the
 * mail outbox too, when a `mail.deliver` handler is given.
 */
export async function startJobs({
  database,
  log,
  handlers = {},
  pollingIntervalSeconds = 2,
  timeZone,
  clock,
}: {
  database: Database;
  log: Logger;
  handlers?: Partial<Record<QueueName | typeof MAIL_DELIVERY, JobHandler>>;
  pollingIntervalSeconds?: number;
  /** Given by the server: registers the recurring jobs in this time zone. */
  timeZone?: string;
  /** What the mail worker takes as now when it looks for due mail (the system clock unless a test moves time). */
  clock?: Clock;
}): Promise<Jobs> {
  const boss =
    database.kind === 'pglite'
      ? new PgBoss({ db: fromPglite(database.client), backend: 'pglite' })
      : new PgBoss({ connectionString: database.url, max: 4, application_name: 'dayi-jobs' });
  boss.on('error', (err: Error) => log.error({ err }, 'job queue error'));
  let running = false;
  await boss.start();
  running = true;
  for (const [name, options] of Object.entries(queues)) {
    await boss.createQueue(name, options);
  }
  if (timeZone) for (const s of schedules) await boss.schedule(s.name, s.cron, null, { tz: timeZone });
  for (const name of Object.keys(queues) as QueueName[]) {
    const handler = handlers[name];
    if (!handler) continue;
    await boss.work<Record<string, unknown>>(name, { pollingIntervalSeconds }, async (jobs) => {
      // Every job of the batch is tried; if any failed the batch fails and is retried, and the
      // handlers being idempotent, the ones that succeeded do nothing the second time.
      const results = await Promise.allSettled(jobs.map((job) => handler(job.data)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    });
  }
  const deliverMail = handlers[MAIL_DELIVERY];
  const mail = deliverMail ? startOutboxWorker({ db: database.db, log, clock, deliver: (id) => deliverMail({ id }) }) : null;
  return {
    boss,
    sendMany: async (name, items, options = {}) => {
      if (!items.length) return;
      // Our Tx type is generic over both drivers, so its execute() result is typed unknown;
      // at run time it is what pg-boss's adapter reads (postgres.js rows or PGlite results).
      await boss.insert(name, items, options.tx ? { db: fromDrizzle(options.tx as unknown as DrizzleTransactionLike, sql) } : {});
    },
    wakeMail: () => mail?.wake(),
    isRunning: () => running,
    async stop() {
      running = false;
      await mail?.stop();
      await boss.stop({ graceful: true, timeout: 10_000, close: true });
    },
  };
}

