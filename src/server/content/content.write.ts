import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { resolveInside } from '../shared/paths.ts';

/** A markdown file as frontmatter (YAML) and body, the way content files are written. */
export function markdownFile(frontmatter: Record<string, unknown>, body: string): string {
  return `---\n${stringify(frontmatter, { lineWidth: 0 })}---\n\n${body.replace(/^\n+/, '')}`;
}

/**
 * Replaces a file under CONTENT_DIR all at once: written beside it under a
 * dot-name (which the content loader skips), flushed, renamed over it, and
 * the folder flushed — so the watcher, a reader or a crash sees the old file
 * or the new one, never half of either. `rel` must stay inside `contentDir`.
 */
export async function writeContentFile(contentDir: string, rel: string, text: string): Promise<void> {
  const folderRel = path.posix.dirname(rel);
  const name = path.posix.basename(rel);
  if (!/^[\w.-]+$/.test(name) || name.startsWith('.') || folderRel.split('/').includes('..') || path.isAbsolute(rel)) throw new Error(`not a content file name: ${rel}`);
  await mkdir(path.join(contentDir, folderRel), { recursive: true });
  // The folder's real path, so a symlinked folder cannot lead the write outside CONTENT_DIR.
  const dir = await resolveInside(contentDir, folderRel);
  if (!dir) throw new Error(`not inside CONTENT_DIR: ${rel}`);
  const target = path.join(dir, name);
  const temp = path.join(dir, `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'w', 0o644);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
  const folder = await open(dir, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}
