import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PARAMS, withNamedStatements } from './pglite-statements.ts';

describe('named statements on PGlite', () => {
  let pg: PGlite;
  let named: PGlite;
  const kept = async () => (await pg.query<{ statement: string }>('select statement from pg_prepared_statements order by prepare_time')).rows.map((r) => r.statement);

  beforeAll(async () => {
    pg = await PGlite.create();
    named = withNamedStatements(pg);
    await pg.exec(`create table t (id uuid primary key, name text not null unique, at timestamptz, data jsonb, tags text[], ok boolean, n numeric, i int)`);
  });
  afterAll(() => pg.close());

  it('answers as PGlite itself does, for every type drizzle sends, in both row modes', async () => {
    const row = ['0193a7f0-0000-7000-8000-000000000001', '名称 \'引号\' \\ 反斜杠', new Date('2026-12-07T01:02:03.456Z'), JSON.stringify({ 问: '答', n: [1, 2] }), ['甲', 'b,c', '"q"'], true, '12.50', 7];
    await named.query('insert into t (id, name, at, data, tags, ok, n, i) values ($1, $2, $3, $4, $5, $6, $7, $8)', row);
    await named.query('insert into t (id, name, at, data, tags, ok, n, i) values ($1, $2, $3, $4, $5, $6, $7, $8)', ['0193a7f0-0000-7000-8000-000000000002', '空', null, null, null, null, null, null]);
    for (const options of [undefined, { rowMode: 'array' as const }]) {
      for (const [text, params] of [
        ['select * from t where id = $1', [row[0]]],
        ['select * from t where name = $1 or at is null order by name', [row[1]]],
        ['select count(*)::int as c from t where $1::text[] && tags', [['甲']]],
      ] as const) {
        const mine = await named.query(text, [...params], options);
        const theirs = await pg.query(text, [...params], options);
        expect(mine.rows).toEqual(theirs.rows);
        expect(mine.fields).toEqual(theirs.fields);
      }
    }
    const update = await named.query('update t set i = i + 1 where id = $1', [row[0]]);
    expect(update.affectedRows).toBe(1);
  });

  it('parses a text once and keeps it; a long parameter list is not kept', async () => {
    const text = 'select name from t where i = $1';
    await named.query(text, [8]);
    await named.query(text, [9]);
    expect((await kept()).filter((s) => s === text)).toHaveLength(1);
    const many = Array.from({ length: MAX_PARAMS + 1 }, (_, i) => `$${i + 1}`);
    const long = `select count(*)::int as c from t where i in (${many.join(', ')})`;
    expect((await named.query<{ c: number }>(long, many.map((_, i) => i))).rows).toEqual([{ c: 1 }]);
    expect(await kept()).not.toContain(long);
  });

  it('keeps transactions whole: a query outside waits for the open transaction, an error rolls back and the statement still works', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let inserted!: () => void;
    const inside = new Promise<void>((r) => (inserted = r));
    let outsideDone = false;
    const tx = named.transaction(async (t) => {
      await t.query('insert into t (id, name) values ($1, $2)', ['0193a7f0-0000-7000-8000-000000000003', '事务中']);
      inserted();
      await held;
    });
    await inside;
    const outside = named.query<{ c: number }>('select count(*)::int as c from t where name = $1', ['事务中']).then((r) => ((outsideDone = true), r.rows[0]!.c));
    await new Promise((r) => setTimeout(r, 50));
    const waited = !outsideDone;
    release();
    expect(waited).toBe(true);
    await tx;
    expect(await outside).toBe(1);

    const failed = named.transaction(async (t) => {
      await t.query('update t set i = $1 where name = $2', [100, '事务中']);
      await t.query('insert into t (id, name) values ($1, $2)', ['0193a7f0-0000-7000-8000-000000000004', '事务中']);
    });
    await expect(failed).rejects.toMatchObject({ code: '23505' });
    expect((await named.query('select i from t where name = $1', ['事务中'])).rows).toEqual([{ i: null }]);
  });

  it('lets the event loop run between statements, so a burst of queries cannot keep new connections waiting', async () => {
    let done = 0;
    const burst = Promise.all(Array.from({ length: 200 }, (_, k) => named.query('select $1::int as k', [k]).then(() => done++)));
    const seenByTheLoop = await new Promise<number>((resolve) => setImmediate(() => resolve(done)));
    await burst;
    expect(done).toBe(200);
    expect(seenByTheLoop).toBeLessThan(200);
  });

  it('parses again when the table changed under a kept statement', async () => {
    await pg.exec('create table s (a int)');
    await named.query('insert into s (a) values ($1)', [1]);
    expect((await named.query('select * from s where a = $1', [1])).rows).toEqual([{ a: 1 }]);
    await pg.exec('alter table s add column b text');
    expect((await named.query('select * from s where a = $1', [1])).rows).toEqual([{ a: 1, b: null }]);
  });
});
