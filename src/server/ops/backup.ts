import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { Config } from '../config/config.ts';
import { configKeys, type ConfigKey } from '../config/config.schema.ts';
import { appRoot } from '../shared/paths.ts';
import { copyHashed, hashFile, isEmptyDir, listTree, treeSize, type ManifestFile, type Progress } from './ops.files.ts';

export const MANIFEST = 'manifest.json';
export const PG_DUMP_FILE = 'database.dump';
export const PGLITE_DUMP_FILE = 'database.tar.gz';

/** What `manifest.json` of a backup says. */
export interface Manifest {
  format: 'dayi-backup';
  formatVersion: 1;
  appVersion: string;
  createdAt: string;
  database: 'postgres' | 'pglite';
  /** The newest migration the database had: a backup restores into this version of Dayi or a newer one. */
  migration: string;
  files: ManifestFile[];
}

/** Writes the database's dump to a file. */
export type DumpDatabase = (to: string) => Promise<void>;

/** The tag of the newest migration this checkout ships (db/migrations/meta/_journal.json). */
export function latestMigration(root = appRoot()): string {
  const journal = JSON.parse(readFileSync(path.join(root, 'db/migrations/meta/_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  return journal.entries.at(-1)?.tag ?? '';
}

/** Every migration tag this checkout ships, oldest first. */
export function knownMigrations(root = appRoot()): string[] {
  const journal = JSON.parse(readFileSync(path.join(root, 'db/migrations/meta/_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  return journal.entries.map((e) => e.tag);
}

const appVersion = () => (JSON.parse(readFileSync(path.join(appRoot(), 'package.json'), 'utf8')) as { version: string }).version;

/** Runs a PostgreSQL client program; the password goes in PGPASSWORD, never on the command line (where `ps` shows it). */
export function runPgTool(tool: 'pg_dump' | 'pg_restore' | 'psql', url: string, args: string[]): Promise<void> {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = '';
  return new Promise((resolve, reject) => {
    const child = spawn(tool, [...args, `--dbname=${u.toString()}`], {
      env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', (e: NodeJS.ErrnoException) =>
      reject(new Error(e.code === 'ENOENT' ? `${tool} is not installed (Debian: apt-get install postgresql-client)` : e.message)),
    );
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${tool} failed (${code}): ${err.trim().split('\n').slice(-3).join(' ')}`))));
  });
}

/** pg_dump's own consistent snapshot, in its custom format (restored with pg_restore). */
export const pgDump =
  (url: string): DumpDatabase =>
  (to) =>
    runPgTool('pg_dump', url, ['--format=custom', '--no-owner', '--no-privileges', `--file=${to}`]);

/** PGlite's own dump of its data directory, taken between two queries (no query runs meanwhile), after a checkpoint. */
export const pgliteDump =
  (client: PGlite): DumpDatabase =>
  async (to) => {
    await client.exec('CHECKPOINT');
    const blob = await client.dumpDataDir('gzip');
    await writeFile(to, Buffer.from(await blob.arrayBuffer()), { mode: 0o600 });
  };

/** The settings given in the environment, secrets left out (keys, passwords, DATABASE_URL, SMTP_URL). */
export function nonSecretSettings(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.values(configKeys) as ConfigKey[]) {
    const v = env[key.env];
    if (!key.secret && v !== undefined && v !== '') out[key.env] = v;
  }
  return out;
}

/**
 * A backup into the empty folder `out`: the database first (its own
 * consistent dump), then FILES_DIR (without unfinished uploads) and
 * CONTENT_DIR, then the non-secret settings, and last `manifest.json` with
 * the size and SHA-256 of every file — a folder without a manifest is an
 * unfinished backup. A file uploaded while the backup runs may be in it
 * without its database row, never the other way round (files are placed
 * before their row commits).
 */
export async function createBackup({
  config,
  out,
  dumpDatabase,
  env = process.env,
  onProgress = () => {},
}: {
  config: Config;
  out: string;
  dumpDatabase: DumpDatabase;
  env?: NodeJS.ProcessEnv;
  onProgress?: Progress;
}): Promise<{ manifest: Manifest; dir: string }> {
  const dir = path.resolve(out);
  if (!(await isEmptyDir(dir))) throw new Error(`the backup folder ${dir} is not empty; name a new or empty folder`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  try {
    return await writeBackup({ config, dir, dumpDatabase, env, onProgress });
  } catch (e) {
    // Whatever was written is an unfinished backup (it has no manifest): empty the folder again.
    for (const name of await readdir(dir).catch(() => [] as string[])) await rm(path.join(dir, name), { recursive: true, force: true });
    throw e;
  }
}

async function writeBackup({
  config,
  dir,
  dumpDatabase,
  env,
  onProgress,
}: {
  config: Config;
  dir: string;
  dumpDatabase: DumpDatabase;
  env: NodeJS.ProcessEnv;
  onProgress: Progress;
}): Promise<{ manifest: Manifest; dir: string }> {
  const files: ManifestFile[] = [];
  const add = async (rel: string) => files.push({ path: rel, ...(await hashFile(path.join(dir, rel))) });

  onProgress(0, 0, 'database');
  const dumpName = config.database.kind === 'postgres' ? PG_DUMP_FILE : PGLITE_DUMP_FILE;
  await dumpDatabase(path.join(dir, dumpName));
  await add(dumpName);

  const trees: [string, string, string[]][] = [
    [config.filesDir, 'files', ['incoming']],
    [config.contentDir, 'content', []],
  ];
  const listed = await Promise.all(trees.map(async ([from, , skip]) => listTree(from, { skip })));
  const total = (await Promise.all(trees.map(([from], i) => treeSize(from, listed[i]!)))).reduce((a, b) => a + b, 0);
  let done = 0;
  for (const [i, [from, as]] of trees.entries()) {
    for (const rel of listed[i]!) {
      const target = `${as}/${rel}`;
      const copied = await copyHashed(path.join(from, rel), path.join(dir, target), (n) => {
        done += n;
        onProgress(done, total, as);
      });
      files.push({ path: target, ...copied });
    }
  }

  await writeFile(path.join(dir, 'config.json'), `${JSON.stringify({ settings: nonSecretSettings(env) }, null, 2)}\n`, { mode: 0o600 });
  await add('config.json');
  const manifest: Manifest = {
    format: 'dayi-backup',
    formatVersion: 1,
    appVersion: appVersion(),
    createdAt: new Date().toISOString(),
    database: config.database.kind,
    migration: latestMigration(),
    files,
  };
  await writeFile(path.join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  return { manifest, dir };
}
