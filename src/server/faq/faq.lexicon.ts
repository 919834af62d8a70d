/**
 * The similarity engine's lexicon from `content/search/`: the platform
 * dictionary (terms kept whole and weighted up) and the synonym groups,
 * with the engine's own paraphrase groups.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CONCEPTS } from './similarity.concepts.ts';
import type { Lexicon } from './similarity.text.ts';

const groups = z.array(z.array(z.string().min(1)).min(2));

/** Reads the lexicon; a missing or broken file gives an empty part (the content check reports it). */
export async function loadLexicon(contentDir: string): Promise<Lexicon> {
  const read = (file: string) => readFile(path.join(contentDir, 'search', file), 'utf8').catch(() => '');
  const [dictionary, synonyms] = await Promise.all([read('dictionary.txt'), read('synonyms.yml')]);
  const terms = [...new Set(dictionary.split(/\r?\n/).map((l) => l.replace(/#.*/, '').trim()).filter(Boolean))];
  let parsed: string[][] = [];
  try {
    parsed = groups.parse(parseYaml(synonyms) ?? []);
  } catch {
    parsed = [];
  }
  return { terms, synonyms: parsed, concepts: CONCEPTS };
}
