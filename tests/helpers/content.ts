import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from './tmp.ts';

/** Writes a content tree from { 'relative/path.md': 'text' } into a temp CONTENT_DIR. */
export function writeContent(files: Record<string, string>, dir = tempDir('dayi-content')): string {
  for (const [rel, text] of Object.entries(files)) {
    const full = path.join(dir, rel);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  return dir;
}

export const manualIndex = (title: string, extra = '') => `---\ntitle: ${title}\nsummary: 说明\norder: 1\n${extra}---\n`;
export const chapter = (title: string, body: string, extra = '') => `---\ntitle: ${title}\n${extra}---\n\n${body}\n`;
