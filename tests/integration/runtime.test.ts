import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../db/client.ts';
import { runMigrations } from '../../db/migrate.ts';
import { auditEvents } from '../../db/schema/index.ts';
import { recordAuditEvent } from '../../src/server/audit/audit.usecases.ts';
import { checkHealth } from '../../src/server/health/health.usecases.ts';
import { freePort } from '../../src/server/search/embedded.ts';
import { createSearchService } from '../../src/server/search/search.client.ts';
import { bootRuntime, shutdownRuntime, type Runtime } from '../../src/server/runtime/runtime.ts';
import { createFixedClock } from '../../src/server/shared/clock.ts';
import { nextHumanNumber } from '../../src/server/shared/human-number.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { silentLog, testConfig } from '../helpers/runtime.ts';

let t: TestDatabase;
let rt: Runtime;

beforeAll(async () => {
  t = await createTestDatabase();
  // On PostgreSQL the runtime uses this file's cloned database; on PGlite its own DATA_DIR.
  const config = testConfig(t.url ? { DATABASE_URL: t.url } : {});
  rt = await bootRuntime({ config, log: silentLog, clock: createFixedClock('2026-11-24T06:00:00Z') });
});

afterAll(async () => {
  if (rt) await shutdownRuntime(rt);
  await t?.drop();
});

describe('runtime', () => {
  it('boots with migrations applied and reports every part healthy', async () => {
    const tables = await queryRows<{ table_name: string }>(
      rt.database.db,
      sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`,
    );
    const names = tables.map((r) => r.table_name);
    expect(names).toEqual(expect.arrayContaining(['audit_events', 'mail_outbox', 'daily_sequences']));
    const { report } = await checkHealth({ runtime: rt });
    expect(report).toMatchObject({
      status: 'ok',
      database: { ok: true },
      search: { ok: true, kind: 'external', indexUpToDate: true },
      mail: { ok: true, kind: 'files', pending: 0, failed: 0 },
      jobs: { ok: true },
    });
  });

  it('applies migrations again without harm, also from two processes at once', async () => {
    const url = rt.config.database.kind === 'postgres' ? rt.config.database.url : undefined;
    await Promise.all([runMigrations(rt.database, { url }), runMigrations(rt.database, { url })]);
    await expect(rt.database.db.select().from(auditEvents)).resolves.toBeInstanceOf(Array);
  });

  it('reports degraded, not down, when the search engine is unreachable', async () => {
    // A real client aimed at a port where nothing listens.
    const search = createSearchService({ url: `http://127.0.0.1:${await freePort()}`, kind: 'external', indexPrefix: 'x' });
    const { report } = await checkHealth({ runtime: { ...rt, search } });
    expect(report.status).toBe('degraded');
    expect(report.database.ok).toBe(true);
    expect(report.search).toMatchObject({ ok: false, kind: 'external', error: 'unavailable' });
  });

  it('numbers records per local day, starting again each day', async () => {
    const db = rt.database.db;
    const day1 = new Date('2026-11-24T06:00:00Z');
    const a = await nextHumanNumber({ db, scope: 'question', now: day1, timeZone: 'Asia/Shanghai' });
    const b = await nextHumanNumber({ db, scope: 'question', now: day1, timeZone: 'Asia/Shanghai' });
    const other = await nextHumanNumber({ db, scope: 'training', now: day1, timeZone: 'Asia/Shanghai' });
    // 17:00 UTC is already the next day in Shanghai.
    const c = await nextHumanNumber({ db, scope: 'question', now: new Date('2026-11-24T17:00:00Z'), timeZone: 'Asia/Shanghai' });
    expect([a.number, b.number, other.number, c.number]).toEqual(['20261124-0001', '20261124-0002', '20261124-0001', '20261125-0001']);
  });

  it('hands out distinct numbers under concurrent use', async () => {
    const now = new Date('2026-12-01T02:00:00Z');
    const numbers = await Promise.all(
      Array.from({ length: 20 }, () => nextHumanNumber({ db: rt.database.db, scope: 'race', now, timeZone: 'Asia/Shanghai' })),
    );
    expect(new Set(numbers.map((n) => n.number)).size).toBe(20);
  });

  it('records audit events with the actor, target, change and address', async () => {
    const { id } = await recordAuditEvent({
      db: rt.database.db,
      clock: rt.clock,
      event: {
        actorLabel: 'admin@example.cn',
        action: 'user.role_changed',
        targetType: 'user',
        targetId: 'u-1',
        before: { roles: ['member'] },
        after: { roles: ['member', 'engineer'] },
        ip: '10.2.3.4',
        requestId: 'req-1',
      },
    });
    const { report } = await checkHealth({ runtime: rt });
    expect(report.database.ok).toBe(true);
    const rows = await rt.database.db.select().from(auditEvents).where(sql`${auditEvents.id} = ${id}`);
    expect(rows[0]).toMatchObject({
      action: 'user.role_changed',
      after: { roles: ['member', 'engineer'] },
      ip: '10.2.3.4',
      occurredAt: new Date('2026-11-24T06:00:00Z'),
    });
  });

  it('drops a malformed client address instead of failing the change', async () => {
    const { id } = await recordAuditEvent({ db: rt.database.db, clock: rt.clock, event: { action: 'x', ip: 'not-an-ip' } });
    const [row] = await rt.database.db.select().from(auditEvents).where(sql`${auditEvents.id} = ${id}`);
    expect(row!.ip).toBeNull();
  });

  it('reports down when the database is unreachable', async () => {
    await rt.database.close();
    const { report } = await checkHealth({ runtime: rt });
    expect(report.status).toBe('down');
    expect(report.database.ok).toBe(false);
  });
});
