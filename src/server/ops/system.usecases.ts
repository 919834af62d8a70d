import { statfs } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../../db/client.ts';
import { auditRequest, type RequestMeta } from '../audit/audit.usecases.ts';
import { formatIssue } from '../content/content.loader.ts';
import { queues, type QueueName } from '../jobs/jobs.ts';
import { outboxCounts } from '../mail/mail.outbox.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { contentIndexUid } from '../search/search.index.ts';
import { createErrorFactory } from '../shared/errors.ts';
import { appRoot } from '../shared/paths.ts';

export interface DiskSpace {
  label: 'data' | 'files';
  path: string;
  freeBytes: number;
  totalBytes: number;
}

export interface QueueState {
  name: QueueName;
  queued: number;
  deferred: number;
  active: number;
  failed: number;
}

export interface FailedJob {
  queue: QueueName;
  id: string;
  failedAt: Date | null;
  retries: number;
  error: string;
}

/** The jobs page shows this many failed jobs at most, newest first. */
export const FAILED_JOBS_SHOWN = 20;

export const createJobNotFoundError = createErrorFactory({ code: 'ops.job_not_found', status: 404, message: '该任务不存在或已处理。' });

const appVersion = () => (JSON.parse(readFileSync(path.join(appRoot(), 'package.json'), 'utf8')) as { version: string }).version;

async function disk(label: DiskSpace['label'], dir: string): Promise<DiskSpace | null> {
  const s = await statfs(dir).catch(() => null);
  return s ? { label, path: dir, freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize } : null;
}

/** Counts of each of our queues, counted now (pg-boss's own queue stats are only as fresh as its last monitor pass). */
export async function queueStates(runtime: Runtime): Promise<QueueState[]> {
  const rows = await queryRows<{ name: string; queued: number; deferred: number; active: number; failed: number }>(
    runtime.database.db,
    sql`select name,
          count(*) filter (where state in ('created', 'retry') and start_after <= now())::int as queued,
          count(*) filter (where state in ('created', 'retry') and start_after > now())::int as deferred,
          count(*) filter (where state = 'active')::int as active,
          count(*) filter (where state = 'failed')::int as failed
        from pgboss.job group by name`,
  );
  const byName = new Map(rows.map((r) => [r.name, r]));
  return (Object.keys(queues) as QueueName[]).map((name) => {
    const r = byName.get(name);
    return { name, queued: r?.queued ?? 0, deferred: r?.deferred ?? 0, active: r?.active ?? 0, failed: r?.failed ?? 0 };
  });
}

/** The newest failed jobs across our queues, with the error each left. */
async function failedJobs(runtime: Runtime): Promise<FailedJob[]> {
  const rows = await queryRows<{ name: string; id: string; completed_on: Date | null; retry_count: number; output: unknown }>(
    runtime.database.db,
    sql`select name, id, completed_on, retry_count, output from pgboss.job where state = 'failed' order by completed_on desc nulls last limit ${FAILED_JOBS_SHOWN}`,
  );
  return rows.map((r) => {
    const out = r.output as { message?: string } | string | null;
    return {
      queue: r.name as QueueName,
      id: r.id,
      failedAt: r.completed_on ? new Date(r.completed_on) : null,
      retries: r.retry_count,
      error: (typeof out === 'string' ? out : (out?.message ?? '')).slice(0, 500),
    };
  });
}

/** What `/admin/system` shows: the application, database, search index, job queues, outbox, content files and disks. */
export async function systemReport({ runtime }: { runtime: Runtime }) {
  const { config, database, search, indexer, content } = runtime;
  const [size] = await queryRows<{ bytes: string }>(database.db, sql`select pg_database_size(current_database())::text as bytes`);
  let documents: number | null = null;
  let pendingTasks: number | null = null;
  if (search.client) {
    documents = await search.client
      .index(contentIndexUid(search.indexPrefix))
      .getStats()
      .then((s) => s.numberOfDocuments)
      .catch(() => null);
    pendingTasks = await search.client
      .tasks.getTasks({ statuses: ['enqueued', 'processing'], limit: 1 })
      .then((r) => r.total ?? r.results.length)
      .catch(() => null);
  }
  const health = await search.health();
  const disks = (await Promise.all([disk('data', config.dataDir), disk('files', config.filesDir)])).filter((d): d is DiskSpace => d !== null);
  return {
    app: { version: appVersion(), node: process.version, startedAt: runtime.startedAt, uptimeSeconds: Math.round((runtime.clock.now().getTime() - runtime.startedAt.getTime()) / 1000) },
    database: { kind: database.kind, sizeBytes: Number(size?.bytes ?? 0) },
    search: { kind: search.kind, ok: health.ok, documents, pendingTasks, behind: indexer.isBehind(), ...indexer.state() },
    queues: await queueStates(runtime),
    failedJobs: await failedJobs(runtime),
    mail: await outboxCounts({ db: database.db }),
    contentIssues: content.store().issues.map(formatIssue),
    disks,
    // This process's page cache (each app process has its own); absent where no HTTP server runs.
    pageCache: runtime.pageCache?.stats() ?? null,
  };
}

export type SystemReport = Awaited<ReturnType<typeof systemReport>>;

/** Retries or discards one failed job (audited). Its handler being idempotent, a retry does what the failed run did not. */
export async function settleFailedJob({ runtime, meta, queue, id, op }: { runtime: Runtime; meta: RequestMeta; queue: string; id: string; op: 'retry' | 'discard' }): Promise<void> {
  if (!(queue in queues)) throw createJobNotFoundError();
  const job = await runtime.jobs.boss.getJobById(queue, id).catch(() => null);
  if (!job || job.state !== 'failed') throw createJobNotFoundError();
  if (op === 'retry') await runtime.jobs.boss.retry(queue, id);
  else await runtime.jobs.boss.deleteJob(queue, id);
  await auditRequest({ db: runtime.database.db, clock: runtime.clock, meta, event: { action: op === 'retry' ? 'system.job_retry' : 'system.job_discard', targetType: 'job', targetId: id, after: { queue } } });
}

/** Starts a full rebuild of the search index (fresh index, swapped in); the page does not wait for it. */
export async function requestIndexRebuild({ runtime, meta }: { runtime: Runtime; meta: RequestMeta }): Promise<void> {
  void runtime.indexer.rebuild();
  await auditRequest({ db: runtime.database.db, clock: runtime.clock, meta, event: { action: 'system.reindex', targetType: 'search', targetId: contentIndexUid(runtime.search.indexPrefix) } });
}
