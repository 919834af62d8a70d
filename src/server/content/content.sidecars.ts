import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseCaptions, type Cue } from '../videos/videos.captions.ts';
import type { ContentIssue } from './content.frontmatter.ts';
import { synonymsSchema } from './content.schemas.ts';

/*
 * The files beside the pages that the loader reads too: a video's captions,
 * the search synonyms and dictionary. Each is hashed into the store's hash,
 * so changing one reloads what depends on it.
 */

/**
 * A video's captions file, when there is one. Captions that do not parse are
 * reported as that file's issue and the video still loads, without them.
 */
export async function loadCaptions(contentDir: string, file: string, issues: ContentIssue[], all: ReturnType<typeof createHash>): Promise<Cue[]> {
  let text: string;
  try {
    text = await readFile(path.join(contentDir, file), 'utf8');
  } catch {
    return [];
  }
  all.update(`${file}\0${createHash('sha256').update(text).digest('hex')}\0`);
  const parsed = parseCaptions(text);
  if (parsed.ok) return parsed.cues;
  issues.push({ file, line: parsed.line, message: parsed.message });
  return [];
}

export async function loadSynonyms(contentDir: string, issues: ContentIssue[], all: ReturnType<typeof createHash>): Promise<string[][]> {
  const file = 'search/synonyms.yml';
  let text: string;
  try {
    text = await readFile(path.join(contentDir, file), 'utf8');
  } catch {
    return [];
  }
  all.update(`${file}\0${text}\0`);
  try {
    const parsed = synonymsSchema.safeParse(parseYaml(text));
    if (parsed.success) return parsed.data;
    issues.push({ file, line: 1, message: `expected a list of groups of terms: ${parsed.error.issues[0]?.message}` });
  } catch (e) {
    const line = (e as { linePos?: { line: number }[] }).linePos?.[0]?.line ?? 1;
    issues.push({ file, line, message: `invalid YAML: ${(e as Error).message.split('\n')[0]}` });
  }
  return [];
}

export async function loadDictionary(contentDir: string, all: ReturnType<typeof createHash>): Promise<string[]> {
  const file = 'search/dictionary.txt';
  try {
    const text = await readFile(path.join(contentDir, file), 'utf8');
    all.update(`${file}\0${text}\0`);
    return [...new Set(text.split(/\r?\n/).map((l) => l.replace(/#.*/, '').trim()).filter(Boolean))];
  } catch {
    return [];
  }
}

