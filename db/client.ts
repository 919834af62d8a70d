import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { ExtractTablesWithRelations, SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { MAX_PARAMS, withNamedStatements } from './pglite-statements.ts';
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

/**
 * PostgreSQL settings of the embedded database. Shared buffers are touched
 * whole at start, so they are resident memory from the first second: 32 MB
 * (PGlite's default is 128 MB) keeps a small installation's working set, and
 * the operating system's file cache holds the rest.
 */
export const PGLITE_CONF = ['shared_buffers = 32MB'];

/**
 * Creates a new PGlite data directory in a short-lived child process:
 * initdb's memory (about 400 MB) is then given back when the child exits
 * instead of staying in the server for as long as it runs.
 */
function initPgliteDir(dir: string): void {
  const code = `import { PGlite } from '@electric-sql/pglite'; const db = await PGlite.create(process.env.DAYI_PGLITE_DIR); await db.close();`;
  try {
    execFileSync(process.execPath, ['--input-type=module', '-e', code], {
      cwd: path.dirname(fileURLToPath(import.meta.url)),
      env: { ...process.env, DAYI_PGLITE_DIR: dir },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (err) {
    const said = (err as { stderr?: Buffer }).stderr?.toString().trim().split('\n').at(-1);
    throw new Error(`cannot create the embedded database in ${dir}: ${said || (err as Error).message}`);
  }
}

type Unsafe = (query: string, params?: unknown[], options?: { prepare?: boolean }) => unknown;
type WithTx = (...args: unknown[]) => unknown;

/**
 * The postgres.js client as drizzle is given it: every query with parameters
 * becomes a named prepared statement on its connection. drizzle asks for an
 * unnamed one unless a query is given a name, so PostgreSQL parsed and
 * planned each query anew, on every request. Transactions and savepoints
 * hand their scoped client to the callback, which gets the same treatment.
 * A text with more than `MAX_PARAMS` parameters (a bulk insert, a long id
 * list) is rarely run twice and is not kept, as on PGlite.
 * `?prepare=false` on `DATABASE_URL` (postgres.js's own switch, for a pooler
 * that cannot keep statements) still turns it off.
 */
export function preparing(sql: postgres.Sql | postgres.TransactionSql): postgres.Sql {
  return new Proxy(sql as postgres.Sql, {
    get(target, prop) {
      const value = Reflect.get(target, prop) as unknown;
      if (typeof value !== 'function') return value;
      if (prop === 'unsafe') {
        const unsafe = value as Unsafe;
        return (query: string, params?: unknown[], options?: { prepare?: boolean }) =>
          unsafe.call(target, query, params, params?.length && params.length <= MAX_PARAMS ? { ...options, prepare: true } : options);
      }
      if (prop === 'begin' || prop === 'savepoint') {
        const run = value as WithTx;
        return (...args: unknown[]) => {
          const callback = args.pop() as (tx: postgres.TransactionSql) => unknown;
          return run.call(target, ...args, (tx: postgres.TransactionSql) => callback(preparing(tx) as unknown as postgres.TransactionSql));
        };
      }
      return (value as WithTx).bind(target);
    },
  });
}

/** Opens the configured database. PGlite keeps its files in `dir` (or memory, for tests). */
export async function openDatabase(target: DatabaseTarget, { max = 10 } = {}): Promise<Database> {
  if (target.kind === 'postgres') {
    const client = postgres(target.url, { max, onnotice: () => {} });
    const db = drizzlePostgres(preparing(client), { schema }) as unknown as Db;
    return { kind: 'postgres', db, client, url: target.url, close: () => client.end({ timeout: 5 }) };
  }
  let client: PGlite;
  if (target.kind === 'pglite') {
    mkdirSync(target.dir, { recursive: true });
    if (!existsSync(path.join(target.dir, 'PG_VERSION'))) initPgliteDir(target.dir);
    client = await PGlite.create(target.dir, { postgresqlconf: PGLITE_CONF });
  } else {
    client = await PGlite.create();
  }
  const db = drizzlePglite(withNamedStatements(client), { schema }) as unknown as Db;
  return { kind: 'pglite', db, client, close: () => client.close() };
}

/** Runs raw SQL and returns its rows, whichever driver is underneath. */
export async function queryRows<T>(db: DbOrTx, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as T[] | { rows: T[] };
  return Array.isArray(result) ? result : result.rows;
}

export { schema };
