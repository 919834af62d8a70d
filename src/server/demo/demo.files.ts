import { chmod, copyFile, mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { appRoot } from '../shared/paths.ts';

/** The files the shipped demo content refers to (courseware versions, the demo lesson video), laid out as in FILES_DIR. */
export const demoFilesDir = () => path.join(appRoot(), 'demo', 'files');

async function listFiles(dir: string, base = dir): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(full, base)));
    else if (e.isFile()) out.push(path.relative(base, full));
  }
  return out;
}

/**
 * Copies the demo content's files into FILES_DIR, each only where it is not
 * there yet (an upload that replaced one is never overwritten). Only when
 * CONTENT_DIR is the shipped demo content: a site with its own content gets
 * none of them. Returns how many were copied.
 */
export async function seedDemoFiles({ contentDir, filesDir, from = demoFilesDir() }: { contentDir: string; filesDir: string; from?: string }): Promise<number> {
  if (path.resolve(contentDir) !== path.join(appRoot(), 'content')) return 0;
  let copied = 0;
  for (const rel of await listFiles(from)) {
    const target = path.join(filesDir, rel);
    if (await stat(target).catch(() => null)) continue;
    await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    await copyFile(path.join(from, rel), target);
    // FILES_DIR is the service user's alone, whatever the checkout's modes were.
    await chmod(target, 0o600);
    copied++;
  }
  return copied;
}
