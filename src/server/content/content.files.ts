/** Finding and reading the page files of CONTENT_DIR: which file is which page, at which URL. */
import { statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { resolveInsideSync } from '../shared/paths.ts';
import type { PageKind } from './content.loader.ts';

const ASSET_TYPES = new Set(['.png', '.jpg', '.jpeg', '.gif', '.webp', '.svg']);

/**
 * Every file under `dir` (relative, forward slashes, sorted), read side by
 * side; hidden files and folders are left out unless `hidden`. An unreadable
 * folder counts as empty.
 */
export async function walk(dir: string, { hidden = false } = {}): Promise<string[]> {
  const found: string[] = [];
  const visit = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    await Promise.all(
      entries.map(async (e) => {
        if (!hidden && e.name.startsWith('.')) return;
        const full = path.join(d, e.name);
        if (e.isDirectory()) return visit(full);
        if (e.isFile()) found.push(path.relative(dir, full).split(path.sep).join('/'));
      }),
    );
  };
  await visit(dir);
  return found.sort();
}

/** What a file is, from where it lives; null for files that are not pages. */
export function classify(file: string): { kind: PageKind; manual?: string; slug: string; order?: number } | null {
  let m = /^manuals\/([^/]+)\/index\.md$/.exec(file);
  if (m) return { kind: 'manual', slug: m[1]! };
  m = /^manuals\/([^/]+)\/(?:(\d+)-)?([^/]+)\.md$/.exec(file);
  if (m) return { kind: 'chapter', manual: m[1]!, slug: m[3]!, order: m[2] ? Number(m[2]) : undefined };
  m = /^faq\/([^/]+)\.md$/.exec(file);
  if (m) return { kind: 'faq', slug: m[1]! };
  m = /^courseware\/([^/]+)\.md$/.exec(file);
  if (m) return { kind: 'courseware', slug: m[1]! };
  m = /^videos\/([^/]+)\.md$/.exec(file);
  if (m) return { kind: 'video', slug: m[1]! };
  return null;
}

export function urlOf(c: NonNullable<ReturnType<typeof classify>>): string {
  switch (c.kind) {
    case 'manual':
      return `/manuals/${c.slug}`;
    case 'chapter':
      return `/manuals/${c.manual}/${c.slug}`;
    case 'faq':
      return `/faq/${c.slug}`;
    case 'courseware':
      return `/courseware/${c.slug}`;
    case 'video':
      return `/videos/${c.slug}`;
  }
}

/** Each file's bytes (or the error reading it), read at most 32 at a time. */
export async function readAll(contentDir: string, files: string[]): Promise<Map<string, Promise<Buffer>>> {
  const out = new Map<string, Promise<Buffer>>();
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++]!;
      const read = readFile(path.join(contentDir, file));
      out.set(file, read);
      await read.catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: Math.min(32, files.length) }, worker));
  return out;
}

/** Whether `file` (relative to CONTENT_DIR) is an image that really lies inside CONTENT_DIR, symlinks resolved. */
export function isAssetFile(contentDir: string, file: string): boolean {
  if (!ASSET_TYPES.has(path.extname(file).toLowerCase())) return false;
  const real = resolveInsideSync(contentDir, file);
  return real !== null && statSync(real, { throwIfNoEntry: false })?.isFile() === true;
}
