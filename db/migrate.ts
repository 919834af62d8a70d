import path from 'node:path';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import postgres from 'postgres';
import { appRoot } from '../src/server/shared/paths.ts';
import type { Database } from './client.ts';

/** Any fixed number: all Dayi processes agree on it, so only one migrates at a time. */
const MIGRATION_LOCK_KEY = 748_201_117;

export const migrationsFolder = () => path.join(appRoot(), 'db', 'migrations');

/**
 * Applies pending drizzle-kit migrations, all of them in one transaction: a
 * failing one leaves the database as it was, and the error stops the start.
 * On PostgreSQL this runs on its own connection under an advisory lock, so app
 * processes starting together migrate once, one after the other.
 */
export async function runMigrations(database: Database, { url, folder = migrationsFolder() }: { url?: string; folder?: string } = {}): Promise<void> {
  if (database.kind === 'pglite') {
    await migratePglite(drizzlePglite(database.client), { migrationsFolder: folder });
    return;
  }
  if (!url) throw new Error('runMigrations needs the PostgreSQL url for its dedicated connection');
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    try {
      await migratePostgres(drizzlePostgres(sql), { migrationsFolder: folder });
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}
