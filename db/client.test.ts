import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../tests/helpers/tmp.ts';
import { openDatabase, queryRows } from './client.ts';

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
