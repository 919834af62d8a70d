import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { ExtractTablesWithRelations, SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;
/** The database handle every use case takes: PostgreSQL or PGlite, same API. */
export type Db = PgDatabase<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** A use case that may run inside a caller's transaction accepts either. */
export type DbOrTx = Db | Tx;

export type Database =
  | { kind: 'postgres'; db: Db; client: postgres.Sql; url: string; close(): Promise<void> }
  | { kind: 'pglite'; db: Db; client: PGlite; close(): Promise<void> };

export type DatabaseTarget = { kind: 'postgres'; url: string } | { kind: 'pglite'; dir: string } | { kind: 'pglite-memory' };

/** Opens the configured database. PGlite keeps its files in `dir` (or memory, for tests). */
export async function openDatabase(target: DatabaseTarget, { max = 10 } = {}): Promise<Database> {
  if (target.kind === 'postgres') {
    const client = postgres(target.url, { max, onnotice: () => {} });
    const db = drizzlePostgres(client, { schema }) as unknown as Db;
    return { kind: 'postgres', db, client, url: target.url, close: () => client.end({ timeout: 5 }) };
  }
  let client: PGlite;
  if (target.kind === 'pglite') {
    mkdirSync(target.dir, { recursive: true });
    client = await PGlite.create(target.dir);
  } else {
    client = await PGlite.create();
  }
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return { kind: 'pglite', db, client, close: () => client.close() };
}

/** Runs raw SQL and returns its rows, whichever driver is underneath. */
export async function queryRows<T>(db: DbOrTx, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as T[] | { rows: T[] };
  return Array.isArray(result) ? result : result.rows;
}

export { schema };
