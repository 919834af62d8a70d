import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/config.ts';
import { createBackup, MANIFEST, type DumpDatabase } from './backup.ts';

export const SCHEDULED_PREFIX = 'dayi-backup-';

/** "dayi-backup-20261206-023000": UTC, so names sort by time whatever the zone. */
export function scheduledBackupName(now: Date): string {
  const iso = now.toISOString();
  return `${SCHEDULED_PREFIX}${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
}

const NAME = /^dayi-backup-\d{8}-\d{6}$/;

/**
 * The scheduled backup (`backup.run`, BACKUP_SCHEDULE): a full backup into a
 * new folder of BACKUP_DIR, then retention. Only complete backups (with their
 * manifest) count towards BACKUP_KEEP; the oldest beyond it are deleted, and so
 * are unfinished folders older than the newest complete one (left by a process
 * killed mid-backup). Nothing is deleted before the new backup is complete.
 */
export async function runScheduledBackup({
  config,
  backupDir,
  keep,
  dumpDatabase,
  now,
}: {
  config: Config;
  backupDir: string;
  keep: number;
  dumpDatabase: DumpDatabase;
  now: Date;
}): Promise<{ dir: string; removed: string[] }> {
  const name = scheduledBackupName(now);
  const { dir } = await createBackup({ config, out: path.join(backupDir, name), dumpDatabase });
  const names = (await readdir(backupDir)).filter((n) => NAME.test(n)).sort();
  const complete = names.filter((n) => existsSync(path.join(backupDir, n, MANIFEST)));
  const newest = complete.at(-1) ?? name;
  const removed = [...complete.slice(0, Math.max(0, complete.length - keep)), ...names.filter((n) => !complete.includes(n) && n < newest)];
  for (const n of removed) await rm(path.join(backupDir, n), { recursive: true, force: true });
  return { dir, removed: removed.sort() };
}
