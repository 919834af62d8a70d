import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import type { Config } from '../config/config.ts';
import { knownMigrations, MANIFEST, PG_DUMP_FILE, PGLITE_DUMP_FILE, runPgTool, type Manifest } from './backup.ts';
import { copyHashed, hashFile, isEmptyDir, type Progress } from './ops.files.ts';

/** A restore that must not go ahead, with the reason in words an operator acts on. */
export class RestoreRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreRefused';
  }
}

/** Reads and checks a backup's manifest: its format, and that this Dayi knows every migration the backup's database has. */
export async function readManifest(from: string): Promise<Manifest> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(path.join(from, MANIFEST), 'utf8')) as Manifest;
  } catch {
    throw new RestoreRefused(`${from} has no readable ${MANIFEST}: not a Dayi backup, or one that did not finish`);
  }
  if (manifest.format !== 'dayi-backup' || manifest.formatVersion !== 1) throw new RestoreRefused(`${from}: unknown backup format`);
  if (manifest.migration && !knownMigrations().includes(manifest.migration))
    throw new RestoreRefused(`the backup was made by a newer Dayi (database migration ${manifest.migration}); upgrade this installation first`);
  return manifest;
}

/** Whether the PostgreSQL database has any table of its own yet. */
async function postgresIsEmpty(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ n: number }[]>`
      select count(*)::int as n from information_schema.tables
      where table_schema not in ('pg_catalog', 'information_schema')`;
    return row!.n === 0;
  } finally {
    await sql.end();
  }
}

/** Empties a folder's contents (the folder itself stays: it may be a mount point). */
async function clearDir(dir: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) await rm(path.join(dir, name), { recursive: true, force: true });
}

/**
 * Restores a backup made by `createBackup`: every file is checked against
 * the manifest first (nothing is touched if one differs), then the database
 * (pg_restore, or PGlite loading its dump), FILES_DIR and CONTENT_DIR. Each
 * target must be empty — a fresh data directory or database — unless `force`,
 * which empties them first. The embedded database needs the DATA_DIR lock,
 * which the caller holds. The search index is the caller's to rebuild.
 */
export async function restoreBackup({
  config,
  from,
  force = false,
  onProgress = () => {},
}: {
  config: Config;
  from: string;
  force?: boolean;
  onProgress?: Progress;
}): Promise<{ manifest: Manifest }> {
  const manifest = await readManifest(from);
  if (manifest.database !== config.database.kind) {
    throw new RestoreRefused(
      manifest.database === 'pglite'
        ? 'this backup is of the embedded database (PGlite); restore it with DATABASE_URL unset'
        : 'this backup is of a PostgreSQL database; set DATABASE_URL to an empty PostgreSQL database to restore it',
    );
  }
  const total = manifest.files.reduce((a, f) => a + f.size, 0);
  let done = 0;
  for (const f of manifest.files) {
    const got = await hashFile(path.join(from, f.path), (n) => onProgress((done += n), total, 'check')).catch(() => null);
    if (!got || got.sha256 !== f.sha256 || got.size !== f.size) throw new RestoreRefused(`${f.path} is missing or damaged in the backup (its checksum does not match the manifest)`);
  }

  const db = config.database;
  const dbEmpty = db.kind === 'postgres' ? await postgresIsEmpty(db.url) : await isEmptyDir(db.dir);
  const notEmpty = [
    !dbEmpty && (db.kind === 'postgres' ? 'the database' : db.dir),
    !(await isEmptyDir(config.filesDir)) && config.filesDir,
    !(await isEmptyDir(config.contentDir)) && config.contentDir,
  ].filter((x): x is string => Boolean(x));
  if (notEmpty.length && !force) throw new RestoreRefused(`not empty: ${notEmpty.join(', ')}. Restore into a fresh installation, or pass --force to replace what is there`);

  onProgress(0, 0, 'database');
  if (db.kind === 'postgres') {
    await runPgTool('pg_restore', db.url, ['--no-owner', '--no-privileges', '--exit-on-error', ...(dbEmpty ? [] : ['--clean', '--if-exists']), path.join(from, PG_DUMP_FILE)]);
  } else {
    await rm(db.dir, { recursive: true, force: true });
    const dump = await readFile(path.join(from, PGLITE_DUMP_FILE));
    const client = await PGlite.create(db.dir, { loadDataDir: new Blob([dump]) });
    await client.close();
  }

  await clearDir(config.filesDir);
  await clearDir(config.contentDir);
  const trees = manifest.files.filter((f) => f.path.startsWith('files/') || f.path.startsWith('content/'));
  const copyTotal = trees.reduce((a, f) => a + f.size, 0);
  done = 0;
  for (const f of trees) {
    const [top, ...rest] = f.path.split('/');
    const base = top === 'files' ? config.filesDir : config.contentDir;
    const target = path.join(base, ...rest);
    if (!target.startsWith(base + path.sep)) throw new RestoreRefused(`${f.path}: a path outside its folder`);
    await copyHashed(path.join(from, f.path), target, (n) => onProgress((done += n), copyTotal, top!));
  }
  return { manifest };
}
