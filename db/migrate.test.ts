import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../tests/helpers/db.ts';
import { tempDir } from '../tests/helpers/tmp.ts';
import { queryRows } from './client.ts';
import { migrationsFolder, runMigrations } from './migrate.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

/** The shipped migrations plus two new ones: a good one, then one that fails half-way. */
function upgradeWithBrokenMigration(): string {
  const folder = tempDir('dayi-migrations');
  cpSync(migrationsFolder(), folder, { recursive: true });
  const journalFile = path.join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { idx: number; version: string; when: number; tag: string; breakpoints: boolean }[] };
  const last = journal.entries.at(-1)!;
  const add = (tag: string, body: string, i: number) => {
    writeFileSync(path.join(folder, `${tag}.sql`), body);
    journal.entries.push({ idx: last.idx + i, version: last.version, when: last.when + i * 1000, tag, breakpoints: true });
  };
  add('9998_good_step', 'CREATE TABLE "upgrade_probe" ("id" integer);', 1);
  add('9999_broken_step', 'ALTER TABLE "users" ADD COLUMN "probe" integer;--> statement-breakpoint\nSELECT 1 / 0;', 2);
  writeFileSync(journalFile, JSON.stringify(journal));
  return folder;
}

describe('upgrades', () => {
  it('a failing migration stops with its reason and leaves the database as it was, the migrations before it included', async () => {
    const applied = async () => (await queryRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`))[0]!.n;
    const before = await applied();
    await expect(runMigrations(t.database, { url: t.url, folder: upgradeWithBrokenMigration() })).rejects.toThrow(/Failed query: \s*SELECT 1 \/ 0/);
    expect(await applied()).toBe(before);
    const probe = await queryRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from information_schema.tables where table_name = 'upgrade_probe'`);
    expect(probe[0]!.n).toBe(0);
    const column = await queryRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from information_schema.columns where table_name = 'users' and column_name = 'probe'`);
    expect(column[0]!.n).toBe(0);
  });
});
