/**
 * What the search logs teach the admins (/admin/search): the top queries with
 * their click-through, queries whose clicks land below position 3, and —
 * from FAQ promotion — searches that found nothing and searches followed by a
 * question. From any of them an admin adds a synonym group or a dictionary
 * word: written to `content/search/`, which the content watcher reloads and
 * the indexer applies to the index's settings (no rebuild).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { and, count, desc, gt, gte, isNotNull, sql } from 'drizzle-orm';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { searchLog } from '../../../db/schema/index.ts';
import { auditRequest, type RequestMeta } from '../audit/audit.usecases.ts';
import type { ContentService } from '../content/content.service.ts';
import { writeContentFile } from '../content/content.write.ts';
import type { Clock } from '../shared/clock.ts';
import { createValidationError, fieldsOf } from '../shared/errors.ts';

export interface QueryStat {
  query: string;
  searches: number;
  /** Searches of it that were followed by a click on a hit. */
  clicks: number;
}

/** The most searched queries since `since`, with how many of those searches led to a click. */
export async function topQueries({ db, since, limit = 20 }: { db: Db; since: Date; limit?: number }): Promise<QueryStat[]> {
  return db
    .select({ query: searchLog.normalized, searches: count(), clicks: sql<number>`count(${searchLog.clickedAt})::int` })
    .from(searchLog)
    .where(gte(searchLog.at, since))
    .groupBy(searchLog.normalized)
    .orderBy(desc(count()), searchLog.normalized)
    .limit(limit);
}

/** Queries whose clicks landed below position 3: the answer was there, but not on top. */
export async function lowClickQueries({ db, since, limit = 20 }: { db: Db; since: Date; limit?: number }): Promise<(QueryStat & { averagePosition: number })[]> {
  return db
    .select({
      query: searchLog.normalized,
      searches: count(),
      clicks: count(),
      averagePosition: sql<number>`round(avg(${searchLog.clickedPosition}), 1)::float`,
    })
    .from(searchLog)
    .where(and(gte(searchLog.at, since), isNotNull(searchLog.clickedPosition), gt(searchLog.clickedPosition, 3)))
    .groupBy(searchLog.normalized)
    .orderBy(desc(count()), searchLog.normalized)
    .limit(limit);
}

const term = z
  .string()
  .trim()
  .min(1)
  .max(20, '每个词最多 20 个字。')
  .regex(/^[^\s,，、#:：[\]{}"'|]+$/, '词中不能有空格、逗号、引号或方括号。');

const synonymInputSchema = z.strictObject({
  words: z
    .string()
    .max(300)
    .transform((s) => [...new Set(s.split(/[\s,，、]+/).filter(Boolean))])
    .pipe(z.array(term).min(2, '请至少填写两个意思相同的词，用逗号分开。').max(12, '一组最多 12 个词。')),
});
const wordInputSchema = z.strictObject({ word: term.min(2, '专有词至少 2 个字。') });

/** A word as an item of a YAML flow sequence: plain when YAML reads it back as itself, else quoted (@, *, &, !, %, `, > lead in; true, 123, null). */
function yamlItem(word: string): string {
  try {
    const [read] = parseYaml(`[${word}]`, { logLevel: 'error' }) as unknown[];
    if (read === word) return word;
  } catch {
    // not a plain scalar: quoted below
  }
  return JSON.stringify(word);
}

const readText = (file: string) => readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? '' : Promise.reject(e)));
const withNewline = (text: string) => (text === '' || text.endsWith('\n') ? text : `${text}\n`);

interface EditDeps {
  db: Db;
  clock: Clock;
  contentDir: string;
  content?: Pick<ContentService, 'reload'>;
}

/** Adds a synonym group to `content/search/synonyms.yml` (written atomically, comments kept); audited. */
export async function addSynonymGroup({ deps, form, meta }: { deps: EditDeps; form: Record<string, string>; meta: RequestMeta }): Promise<{ words: string[] }> {
  const parsed = synonymInputSchema.safeParse({ words: form.words ?? '' });
  if (!parsed.success) throw createValidationError(fieldsOf(parsed.error));
  const words = parsed.data.words;
  const file = path.join(deps.contentDir, 'search/synonyms.yml');
  const text = await readText(file);
  await writeContentFile(deps.contentDir, 'search/synonyms.yml', `${withNewline(text)}- [${words.map(yamlItem).join(', ')}]\n`);
  await auditRequest({ db: deps.db, clock: deps.clock, meta, event: { action: 'search.synonyms.add', targetType: 'search', targetId: 'synonyms', after: { words } } });
  await deps.content?.reload();
  return { words };
}

/** Adds a word to `content/search/dictionary.txt` (kept whole by the search); a word already there is not added twice. */
export async function addDictionaryWord({ deps, form, meta }: { deps: EditDeps; form: Record<string, string>; meta: RequestMeta }): Promise<{ word: string; added: boolean }> {
  const parsed = wordInputSchema.safeParse({ word: form.word ?? '' });
  if (!parsed.success) throw createValidationError(fieldsOf(parsed.error));
  const { word } = parsed.data;
  const text = await readText(path.join(deps.contentDir, 'search/dictionary.txt'));
  if (text.split(/\r?\n/).some((l) => l.replace(/#.*/, '').trim() === word)) return { word, added: false };
  await writeContentFile(deps.contentDir, 'search/dictionary.txt', `${withNewline(text)}${word}\n`);
  await auditRequest({ db: deps.db, clock: deps.clock, meta, event: { action: 'search.dictionary.add', targetType: 'search', targetId: 'dictionary', after: { word } } });
  await deps.content?.reload();
  return { word, added: true };
}
