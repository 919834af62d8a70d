import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { eq, inArray, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../tests/helpers/db.ts';
import { tempDir } from '../tests/helpers/tmp.ts';
import { openDatabase, queryRows, type Database } from './client.ts';
import { units, users } from './schema/index.ts';

describe('the embedded database', () => {
  it('is created on first use (initdb runs in a child process) and opened with small shared buffers; its data stays', async () => {
    const dir = path.join(tempDir('dayi-pglite'), 'pglite');
    const first = await openDatabase({ kind: 'pglite', dir });
    expect(existsSync(path.join(dir, 'PG_VERSION'))).toBe(true);
    expect(await queryRows<{ shared_buffers: string }>(first.db, sql`show shared_buffers`)).toEqual([{ shared_buffers: '32MB' }]);
    await first.db.execute(sql`create table kept (v text)`);
    await first.db.execute(sql`insert into kept values ('还在')`);
    await first.close();

    const again = await openDatabase({ kind: 'pglite', dir });
    expect(await queryRows<{ v: string }>(again.db, sql`select v from kept`)).toEqual([{ v: '还在' }]);
    await again.close();
  });

  it('says which directory it could not create the database in', async () => {
    // A file where initdb must write a directory.
    const dir = path.join(tempDir('dayi-pglite'), 'pglite');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'base'), 'not a directory');
    await expect(openDatabase({ kind: 'pglite', dir })).rejects.toThrow(`cannot create the embedded database in ${dir}`);
  });
});

describe.runIf(Boolean(process.env.DATABASE_URL))('PostgreSQL', () => {
  const statements = async (db: Database['db']) =>
    (await queryRows<{ statement: string }>(db, sql`select statement from pg_prepared_statements`)).map((r) => r.statement);
  const byCode = (db: Database['db']) => db.select({ id: units.id }).from(units).where(eq(units.code, 'P-1'));

  it('runs drizzle queries with parameters as named statements, planned once per connection, in transactions too, not a long parameter list; ?prepare=false turns it off', async () => {
    const t = await createTestDatabase();
    const one = await openDatabase({ kind: 'postgres', url: t.url! }, { max: 1 });
    const off = await openDatabase({ kind: 'postgres', url: `${t.url!}?prepare=false` }, { max: 1 });
    try {
      await byCode(one.db);
      expect(await statements(one.db)).toContainEqual(expect.stringContaining('"units"."code" = $1'));
      await one.db.transaction(async (tx) => {
        await tx.select({ id: users.id }).from(users).where(eq(users.email, 'p@example.cn'));
        await tx.transaction(async (nested) => {
          await nested.select({ id: users.id }).from(users).where(eq(users.name, '预备'));
        });
      });
      const names = await statements(one.db);
      expect(names).toContainEqual(expect.stringContaining('"users"."email" = $1'));
      expect(names).toContainEqual(expect.stringContaining('"users"."name" = $1'));

      const ids = Array.from({ length: 65 }, (_, i) => `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`);
      await one.db.select({ id: units.id }).from(units).where(inArray(units.id, ids));
      expect(await statements(one.db)).not.toContainEqual(expect.stringContaining('$65'));

      await byCode(off.db);
      expect(await statements(off.db)).toEqual([]);
    } finally {
      await one.close();
      await off.close();
      await t.drop();
    }
  });
});
