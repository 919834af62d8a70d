import { readFileSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, searchLog } from '../../db/schema/index.ts';
import { loadContent } from '../../src/server/content/content.loader.ts';
import { addDictionaryWord, addSynonymGroup, lowClickQueries, topQueries } from '../../src/server/search/search.admin.ts';
import { createFixedClock } from '../../src/server/shared/clock.ts';
import { newId } from '../../src/server/shared/ids.ts';
import { writeContent } from '../helpers/content.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const clock = createFixedClock('2026-12-06T02:00:00Z');
const meta = { actor: null, ip: null, requestId: null };
let t: TestDatabase;
let dir: string;

beforeAll(async () => {
  t = await createTestDatabase();
  dir = writeContent({
    'faq/a.md': '---\ntitle: 账号怎么开通？\ncategory: 账号\n---\n\n请联系单位管理员。\n',
    'search/synonyms.yml': '# 同义词组\n- [账号, 帐号]',
    'search/dictionary.txt': '# 专有词\n双公示\n',
  });
});

afterAll(async () => {
  await t?.drop();
});

const deps = () => ({ db: t.database.db, clock, contentDir: dir });

describe('the search vocabulary from /admin/search', () => {
  it('adds a synonym group the content loader reads, keeping the comments and groups before it, and audits it', async () => {
    const { words } = await addSynonymGroup({ deps: deps(), form: { words: '开号，开账号、 新建用户 开号' }, meta });
    expect(words).toEqual(['开号', '开账号', '新建用户']);
    const text = readFileSync(path.join(dir, 'search/synonyms.yml'), 'utf8');
    expect(text).toBe('# 同义词组\n- [账号, 帐号]\n- [开号, 开账号, 新建用户]\n');
    expect((await loadContent(dir)).synonyms).toEqual([['账号', '帐号'], ['开号', '开账号', '新建用户']]);
    const [audit] = await t.database.db.select().from(auditEvents).where(eq(auditEvents.action, 'search.synonyms.add'));
    expect(audit?.after).toEqual({ words: ['开号', '开账号', '新建用户'] });
  });

  it('quotes a word YAML would read otherwise, so the file stays valid and keeps every group', async () => {
    await addSynonymGroup({ deps: deps(), form: { words: '@信用中国，true，null' }, meta });
    const store = await loadContent(dir);
    expect(store.issues).toEqual([]);
    expect(store.synonyms.at(-1)).toEqual(['@信用中国', 'true', 'null']);
    expect(store.synonyms).toHaveLength(3);
  });

  it.each([
    [{ words: '开号' }, 'words'],
    [{ words: '' }, 'words'],
    [{ words: '开号，[坏的]' }, 'words'],
    [{ words: Array.from({ length: 13 }, (_, i) => `词${i}`).join(',') }, 'words'],
  ])('refuses the group %j, naming the field, and writes nothing', async (form, field) => {
    const before = readFileSync(path.join(dir, 'search/synonyms.yml'), 'utf8');
    await expect(addSynonymGroup({ deps: deps(), form, meta })).rejects.toMatchObject({ status: 400, fields: { [field]: expect.any(String) } });
    expect(readFileSync(path.join(dir, 'search/synonyms.yml'), 'utf8')).toBe(before);
  });

  it('adds a dictionary word once', async () => {
    expect(await addDictionaryWord({ deps: deps(), form: { word: '信易贷' }, meta })).toEqual({ word: '信易贷', added: true });
    expect(await addDictionaryWord({ deps: deps(), form: { word: '信易贷' }, meta })).toEqual({ word: '信易贷', added: false });
    expect(await addDictionaryWord({ deps: deps(), form: { word: '双公示' }, meta })).toEqual({ word: '双公示', added: false });
    expect(readFileSync(path.join(dir, 'search/dictionary.txt'), 'utf8')).toBe('# 专有词\n双公示\n信易贷\n');
    expect((await loadContent(dir)).dictionary).toEqual(['双公示', '信易贷']);
    await expect(addDictionaryWord({ deps: deps(), form: { word: '信' }, meta })).rejects.toMatchObject({ status: 400, fields: { word: expect.any(String) } });
  });
});

describe('what the search logs say', () => {
  const logged = (normalized: string, { hits = 3, position = null as number | null, daysAgo = 1 } = {}) =>
    t.database.db.insert(searchLog).values({
      id: newId(),
      at: new Date(clock.now().getTime() - daysAgo * 86_400_000),
      query: normalized,
      normalized,
      hits,
      kind: 'submitted',
      clickedPosition: position,
      clickedUrl: position ? '/faq/a' : null,
      clickedAt: position ? clock.now() : null,
    });

  it('counts the top queries with their clicks, and the queries whose clicks land below position 3', async () => {
    for (let i = 0; i < 4; i++) await logged('开号', { position: i === 0 ? 1 : null });
    await logged('导出乱码', { position: 5 });
    await logged('导出乱码', { position: 7 });
    await logged('导出乱码', { position: 2 });
    await logged('很久以前', { position: 6, daysAgo: 40 });
    const since = new Date(clock.now().getTime() - 30 * 86_400_000);
    expect(await topQueries({ db: t.database.db, since })).toEqual([
      { query: '开号', searches: 4, clicks: 1 },
      { query: '导出乱码', searches: 3, clicks: 3 },
    ]);
    expect(await lowClickQueries({ db: t.database.db, since })).toEqual([{ query: '导出乱码', searches: 2, clicks: 2, averagePosition: 6 }]);
  });
});
