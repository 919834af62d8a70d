import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { incomingDir, type IncomingFile } from './uploads.receive.ts';

async function sync(target: string): Promise<void> {
  const handle = await open(target, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Moves a received file to its place under FILES_DIR (`rel`, a relative
 * path) and flushes it and its folder to disk, so a record committed after
 * this points at bytes that survive a crash. Same file system as the incoming
 * folder, so the move is a rename.
 */
export async function placeFile(filesDir: string, file: Pick<IncomingFile, 'path'>, rel: string): Promise<void> {
  const target = path.join(filesDir, rel);
  await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
  await rename(file.path, target);
  await sync(target);
  await sync(path.dirname(target));
}

/**
 * Runs `work` with a list it records placed files in (relative paths); if
 * `work` fails — its transaction rolled back — those files are removed again,
 * so no file is left that no record points at.
 */
export async function withPlacedFiles<T>(filesDir: string, work: (placed: string[]) => Promise<T>): Promise<T> {
  const placed: string[] = [];
  try {
    return await work(placed);
  } catch (e) {
    await Promise.all(placed.map((rel) => rm(path.join(filesDir, rel), { force: true })));
    throw e;
  }
}

/**
 * Deletes what is left in the incoming folder from uploads older than
 * `olderThanMs` (a process killed mid-request leaves its files there; a live
 * request's files are minutes old at most). Returns how many were removed.
 */
export async function sweepIncoming(filesDir: string, { now, olderThanMs }: { now: Date; olderThanMs: number }): Promise<number> {
  const dir = incomingDir(filesDir);
  const names = await readdir(dir).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names) {
    const file = path.join(dir, name);
    const info = await stat(file).catch(() => null);
    if (info && now.getTime() - info.mtimeMs > olderThanMs) {
      await rm(file, { force: true });
      removed++;
    }
  }
  return removed;
}
