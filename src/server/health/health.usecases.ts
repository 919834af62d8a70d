import { sql } from 'drizzle-orm';
import { outboxCounts } from '../mail/mail.outbox.ts';
import type { Runtime } from '../runtime/runtime.ts';

export interface HealthReport {
  status: 'ok' | 'degraded' | 'down';
  database: { ok: boolean; kind: string; error?: string };
  /** `indexUpToDate` is false while content changes wait for the engine (or a sync runs). */
  search: { ok: boolean; kind: string; indexUpToDate: boolean; error?: string };
  mail: { ok: boolean; kind: string; pending?: number; failed?: number };
  jobs: { ok: boolean };
  uptimeSeconds: number;
}

/**
 * The state of every part. `down` (HTTP 503) only when the database is
 * unreachable; a missing search engine or a mail backlog is `degraded`.
 */
export async function checkHealth({ runtime }: { runtime: Runtime }): Promise<{ report: HealthReport }> {
  const { database, search, mail, jobs, clock, startedAt } = runtime;
  let db: HealthReport['database'] = { ok: true, kind: database.kind };
  let counts: Awaited<ReturnType<typeof outboxCounts>> | undefined;
  try {
    await database.db.execute(sql`select 1`);
    counts = await outboxCounts({ db: database.db });
  } catch (e) {
    db = { ok: false, kind: database.kind, error: 'unreachable' };
    runtime.log.error({ err: e }, 'health: database unreachable');
  }
  const s = await search.health();
  const report: HealthReport = {
    status: 'ok',
    database: db,
    search: { ok: s.ok, kind: search.kind, indexUpToDate: !runtime.indexer.isBehind(), ...(s.ok ? {} : { error: 'unavailable' }) },
    mail: {
      ok: counts ? counts.failed === 0 : false,
      kind: mail.kind,
      ...(counts ? { pending: counts.pending + counts.sending, failed: counts.failed } : {}),
    },
    jobs: { ok: jobs.isRunning() },
    uptimeSeconds: Math.round((clock.now().getTime() - startedAt.getTime()) / 1000),
  };
  if (!db.ok) report.status = 'down';
  else if (!report.search.ok || !report.mail.ok || !report.jobs.ok) report.status = 'degraded';
  return { report };
}
