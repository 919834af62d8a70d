import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootRuntime, shutdownRuntime, type Runtime } from '../../src/server/runtime/runtime.ts';
import { requestIndexRebuild, settleFailedJob, systemReport } from '../../src/server/ops/system.usecases.ts';
import type { RequestMeta } from '../../src/server/audit/audit.usecases.ts';
import { createTestDatabase, testIndexPrefix, type TestDatabase } from '../helpers/db.ts';
import { silentLog, testConfig } from '../helpers/runtime.ts';
import { waitFor } from '../helpers/wait.ts';

let t: TestDatabase;
let rt: Runtime;
const meta: RequestMeta = { actor: null, ip: '127.0.0.1', requestId: 'test' };

beforeAll(async () => {
  t = await createTestDatabase();
  const config = testConfig({ ...(t.url ? { DATABASE_URL: t.url } : {}), MEILI_INDEX_PREFIX: testIndexPrefix() });
  // No job workers: the failed job below stays failed until the page retries it.
  rt = await bootRuntime({ config, log: silentLog, work: false });
  await rt.indexer.sync();
});

afterAll(async () => {
  if (rt) await shutdownRuntime(rt);
  await t?.drop();
});

/** A job that has failed for good, as one whose handler kept throwing would be. */
async function failedJob(): Promise<string> {
  const id = (await rt.jobs.boss.send('maintenance.prune', {}, { retryLimit: 0 }))!;
  const [job] = await rt.jobs.boss.fetch('maintenance.prune');
  expect(job?.id).toBe(id);
  await rt.jobs.boss.fail('maintenance.prune', id, new Error('磁盘已满'));
  return id;
}

describe('the system page', () => {
  it('reports the version, the database, the indexed documents, the queues and the disks', async () => {
    const r = await systemReport({ runtime: rt });
    expect(r.app.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(r.database.kind).toBe(t.url ? 'postgres' : 'pglite');
    expect(r.database.sizeBytes).toBeGreaterThan(1_000_000);
    expect(r.search.ok).toBe(true);
    expect(r.search.documents).toBeGreaterThan(50);
    expect(r.search.lastSyncAt).toBeInstanceOf(Date);
    expect(r.queues.map((q) => q.name).sort()).toEqual(expect.arrayContaining(['maintenance.prune', 'sla.fire']));
    expect(r.disks.map((d) => d.label)).toEqual(['data', 'files']);
    expect(r.disks[0]!.totalBytes).toBeGreaterThan(r.disks[0]!.freeBytes);
    expect(r.mail).toEqual({ pending: 0, sending: 0, sent: 0, failed: 0 });
  });

  it('lists a failed job with its error, and retries or discards it', async () => {
    const retried = await failedJob();
    const discarded = await failedJob();
    const before = await systemReport({ runtime: rt });
    expect(before.failedJobs.filter((j) => [retried, discarded].includes(j.id)).map((j) => j.error)).toEqual(['磁盘已满', '磁盘已满']);
    expect(before.queues.find((q) => q.name === 'maintenance.prune')!.failed).toBeGreaterThanOrEqual(2);

    await settleFailedJob({ runtime: rt, meta, queue: 'maintenance.prune', id: retried, op: 'retry' });
    await settleFailedJob({ runtime: rt, meta, queue: 'maintenance.prune', id: discarded, op: 'discard' });
    const after = await systemReport({ runtime: rt });
    expect(after.failedJobs.map((j) => j.id)).not.toContain(retried);
    expect(after.failedJobs.map((j) => j.id)).not.toContain(discarded);
    expect((await rt.jobs.boss.getJobById('maintenance.prune', retried))?.state).toBe('retry');
    expect(await rt.jobs.boss.getJobById('maintenance.prune', discarded)).toBeNull();
    // Twice is refused: it is no longer a failed job.
    await expect(settleFailedJob({ runtime: rt, meta, queue: 'maintenance.prune', id: retried, op: 'retry' })).rejects.toMatchObject({ code: 'ops.job_not_found' });
    await expect(settleFailedJob({ runtime: rt, meta, queue: 'no.such.queue', id: retried, op: 'discard' })).rejects.toMatchObject({ code: 'ops.job_not_found' });
  });

  it('rebuilds the search index into a fresh one and swaps it in', async () => {
    const before = (await systemReport({ runtime: rt })).search.lastSyncAt!;
    await requestIndexRebuild({ runtime: rt, meta });
    const after = await waitFor(async () => {
      const r = await systemReport({ runtime: rt });
      return r.search.lastSyncAt && r.search.lastSyncAt > before && !r.search.behind ? r : undefined;
    }, 60_000);
    expect(after.search.documents).toBe((await systemReport({ runtime: rt })).search.documents);
    expect(after.search.documents).toBeGreaterThan(50);
  });
});
