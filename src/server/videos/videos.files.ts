import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseFrontmatter } from '../content/content.frontmatter.ts';
import type { Video } from '../content/content.loader.ts';
import { resolveInside } from '../shared/paths.ts';

/** A file of a video in FILES_DIR: its real path, size and mtime. */
export interface OpenedFile {
  file: string;
  size: number;
  modifiedAt: Date;
}

/** The real path, size and mtime of `rel` in FILES_DIR, or null when it is missing (or would lead outside FILES_DIR). */
export async function openStored(filesDir: string, rel: string | undefined): Promise<OpenedFile | null> {
  if (!rel) return null;
  const file = await resolveInside(filesDir, rel);
  const info = file ? await stat(file).catch(() => null) : null;
  return file && info?.isFile() ? { file, size: info.size, modifiedAt: info.mtime } : null;
}

const POSTER_TYPES: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

/** The served type of a video's media or poster, by the extension its checked upload was given. */
export function videoContentType(rel: string): string {
  const ext = rel.slice(rel.lastIndexOf('.') + 1).toLowerCase();
  if (ext === 'mp4') return 'video/mp4';
  if (ext === 'webm') return 'video/webm';
  return POSTER_TYPES[ext] ?? 'application/octet-stream';
}

/**
 * `content:check`'s list of videos whose media or poster is missing from
 * FILES_DIR. `alsoIn`: folders copied into FILES_DIR at start (the shipped
 * demo files), so a fresh checkout checks clean.
 */
export async function missingVideoFiles({ filesDir, videos, alsoIn = [] }: { filesDir: string; videos: Video[]; alsoIn?: string[] }): Promise<{ file: string; line: number; message: string }[]> {
  const out: { file: string; line: number; message: string }[] = [];
  for (const video of videos) {
    for (const [key, rel] of [['file', video.media.file], ['poster', video.poster]] as const) {
      if (!rel) continue;
      let found = false;
      for (const dir of [filesDir, ...alsoIn]) if (!found && (await openStored(dir, rel))) found = true;
      if (!found) out.push({ file: video.file, line: 1, message: `${key}: ${rel} is missing in FILES_DIR` });
    }
  }
  return out;
}

/** The markdown body of a video's file as written (for the edit form), without its frontmatter. */
export async function videoBody(contentDir: string, video: Pick<Video, 'file'>): Promise<string> {
  const source = await readFile(path.join(contentDir, video.file), 'utf8').catch(() => '');
  const fm = parseFrontmatter(source);
  return fm.ok ? fm.value.body.trim() : '';
}
