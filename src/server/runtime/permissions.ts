import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../shared/logger.ts';

/**
 * DATA_DIR and FILES_DIR hold password hashes, sessions, keys and mail with
 * live links: only the service user may read them. New files are created
 * 0600/0700 (umask 077 for this process); existing ones that others could read
 * or write are tightened at start, with one log line per directory. `quiet`
 * trees are tightened without counting: PGlite (Emscripten) creates its files
 * 0666 whatever the umask, so they would be reported at every start; the 0700
 * directory above them is what keeps them private between starts.
 */
export function restrictDataPermissions({ dirs, log, quiet = [] }: { dirs: string[]; log: Logger; quiet?: string[] }): void {
  try {
    process.umask(0o077);
  } catch {
    // Worker threads cannot change the umask; files Dayi writes also pass explicit modes.
  }
  for (const dir of new Set(dirs)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const fixed = tightenTree(dir, new Set(quiet));
    if (fixed > 0) log.warn({ dir, entries: fixed }, 'removed group and other permissions from the data directory');
  }
}

/** Strips group/other bits below `target` (symbolic links are left alone); returns how many entries changed outside `quiet`. */
export function tightenTree(target: string, quiet: Set<string> = new Set()): number {
  const st = lstatSync(target);
  if (st.isSymbolicLink()) return 0;
  let fixed = 0;
  if (st.mode & 0o077) {
    chmodSync(target, st.mode & 0o700);
    fixed++;
  }
  if (st.isDirectory()) for (const name of readdirSync(target)) fixed += tightenTree(path.join(target, name), quiet);
  return quiet.has(target) ? 0 : fixed;
}
