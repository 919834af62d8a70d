import { existsSync } from 'node:fs';
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
