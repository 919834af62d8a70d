import { sql } from 'drizzle-orm';
import { PgBoss, fromDrizzle, fromPglite, type DrizzleTransactionLike, type QueueOptions, type WorkOptions } from 'pg-boss';
import type { Database, Tx } from '../../../db/client.ts';
import type { Logger } from '../shared/logger.ts';

/** Every queue Dayi uses, with its retry policy. Handlers must be idempotent. */
export const queues = {
  // Expiry outlasts the sending lease (mail.outbox.ts): a job whose process died is retried once the lease is over.
  'mail.deliver': { retryLimit: 8, retryDelay: 15, retryBackoff: true, retryDelayMax: 3600, expireInSeconds: 90 },
  'maintenance.prune': { retryLimit: 2, retryDelay: 300, expireInSeconds: 600 },
} satisfies Record<string, QueueOptions>;

/**
 * How this process works each queue. Mail goes in batches, handled side by
 * side, fetching again at once while batches come back full: a burst of
 * questions gets its receipts within seconds, not one per polling interval.
 */
const workOptions: Partial<Record<QueueName, WorkOptions>> = {
  'mail.deliver': { batchSize: 10, burstWhenBatchFull: true, pollingIntervalSeconds: 1 },
};

/** Recurring jobs (cron, in APP_TIME_ZONE): pg-boss runs each once per slot across all processes. */
export const schedules: { name: QueueName; cron: string }[] = [{ name: 'maintenance.prune', cron: '17 3 * * *' }];

export type QueueName = keyof typeof queues;
export type JobHandler = (data: Record<string, unknown>) => Promise<void>;

export interface Jobs {
  boss: PgBoss;
  /** Enqueues a job; pass the caller's transaction so the job exists only if the change commits. */
  send(name: QueueName, data: Record<string, unknown>, options?: { tx?: Tx }): Promise<string | null>;
  stop(): Promise<void>;
  isRunning(): boolean;
}

/**
 * Starts pg-boss on the application database (its own `pgboss` schema), creates
 * the queues and, when `handlers` are given, works them in this process.
 */
export async function startJobs({
  database,
  log,
  handlers = {},
  pollingIntervalSeconds = 2,
  timeZone,
}: {
  database: Database;
  log: Logger;
  handlers?: Partial<Record<QueueName, JobHandler>>;
  pollingIntervalSeconds?: number;
  /** Given by the server: registers the recurring jobs in this time zone. */
  timeZone?: string;
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
  for (const [name, handler] of Object.entries(handlers) as [QueueName, JobHandler][]) {
    await boss.work<Record<string, unknown>>(name, { pollingIntervalSeconds, ...workOptions[name] }, async (jobs) => {
      // Every job of the batch is tried; if any failed the batch fails and is retried, and the
      // handlers being idempotent, the ones that succeeded do nothing the second time.
      const results = await Promise.allSettled(jobs.map((job) => handler(job.data)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    });
  }
  return {
    boss,
    send: (name, data, options = {}) =>
      // Our Tx type is generic over both drivers, so its execute() result is typed unknown;
      // at run time it is what pg-boss's adapter reads (postgres.js rows or PGlite results).
      boss.send(name, data, options.tx ? { db: fromDrizzle(options.tx as unknown as DrizzleTransactionLike, sql) } : {}),
    isRunning: () => running,
    async stop() {
      running = false;
      await boss.stop({ graceful: true, timeout: 10_000, close: true });
    },
  };
}

