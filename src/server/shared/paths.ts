import { existsSync, realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The checkout's root (where db/migrations lives), found from this module's
 * location, so it is right from src/ (dev, tests, scripts) and from dist/ (built server).
 */
export function appRoot(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'db', 'migrations')) && existsSync(path.join(dir, 'package.json'))) {
      cached = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      cached = process.cwd();
      return cached;
    }
    dir = parent;
  }
}

/** `root` joined with `rel`, or null when `rel` is absolute, holds a NUL byte or a `..` segment. */
function joinRelative(root: string, rel: string): string | null {
  if (rel.includes('\0') || path.isAbsolute(rel) || path.win32.isAbsolute(rel)) return null;
  if (rel.split(/[\\/]/).includes('..')) return null;
  return path.join(root, rel);
}

/** Whether `real` lies below `realRoot`; both already resolved by realpath. */
function isBelow(realRoot: string, real: string): boolean {
  const prefix = realRoot.endsWith(path.sep) ? realRoot : realRoot + path.sep;
  return real.startsWith(prefix);
}

/**
 * The real path of `rel` under `root`, or null when it does not exist or would
 * leave `root`: an absolute path, a NUL byte, a `..` segment, or a symlink (the
 * file or any folder on the way) whose target is outside `realpath(root)`.
 * The one guard for serving files from a configured directory: CONTENT_DIR, and
 * FILES_DIR too. Call it right before reading, since the tree may have changed.
 */
export async function resolveInside(root: string, rel: string): Promise<string | null> {
  const target = joinRelative(root, rel);
  if (!target) return null;
  try {
    const [realRoot, real] = await Promise.all([realpath(root), realpath(target)]);
    return isBelow(realRoot, real) ? real : null;
  } catch {
    return null;
  }
}

/** {@link resolveInside} for synchronous callers, such as the markdown renderer's callbacks. */
export function resolveInsideSync(root: string, rel: string): string | null {
  const target = joinRelative(root, rel);
  if (!target) return null;
  try {
    const real = realpathSync(target);
    return isBelow(realpathSync(root), real) ? real : null;
  } catch {
    return null;
  }
}
