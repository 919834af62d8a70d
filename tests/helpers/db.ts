import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../db/client.ts';
import { runMigrations } from '../../db/migrate.ts';
import { withDatabaseName } from './pg-url.ts';

export interface TestDatabase {
  database: Database;
  /** The PostgreSQL URL of this file's database; undefined on PGlite. */
  url?: string;
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file: a clone of the run's template
 * on PostgreSQL (DATABASE_URL set), else an in-memory PGlite.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.DATABASE_URL;
  const template = inject('pgTemplate');
  if (adminUrl && template) {
    const name = `dayi_t_${randomBytes(6).toString('hex')}`;
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
    await admin.end();
    const url = withDatabaseName(adminUrl, name);
    const database = await openDatabase({ kind: 'postgres', url }, { max: 4 });
    return {
      database,
      url,
      async drop() {
        await database.close();
        const a = postgres(adminUrl, { max: 1, onnotice: () => {} });
        await a.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await a.end();
      },
    };
  }
  const database = await openDatabase({ kind: 'pglite-memory' });
  await runMigrations(database);
  return { database, drop: () => database.close() };
}

/** An index-name prefix of this test file's own in the shared Meilisearch. */
export function testIndexPrefix(): string {
  return `t${randomBytes(4).toString('hex')}`;
}
