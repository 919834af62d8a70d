import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appRoot } from '../../src/server/shared/paths.ts';

const made: string[] = [];

/**
 * A fresh temporary directory, removed after the test file (tests/setup/cleanup.ts):
 * embedded Meilisearch copies a 130 MB binary into each DATA_DIR, so nothing may be left behind.
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  made.push(dir);
  return dir;
}

/**
 * A fresh directory for a separate build (DAYI_BUILD_DIR) inside the checkout,
 * where the build's imports still find node_modules; removed like tempDir's.
 */
export function tempBuildDir(): string {
  const base = path.join(appRoot(), 'dist-tests');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(path.join(base, 'build-'));
  made.push(dir);
  return dir;
}

/** Removes every directory tempDir made in this test file. */
export function removeTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}
