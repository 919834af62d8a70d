import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { visibleAccess } from '../../src/server/content/content.access.ts';
import { startContent, type ContentService } from '../../src/server/content/content.service.ts';
import { createSearchService, type SearchService } from '../../src/server/search/search.client.ts';
import { buildDocuments } from '../../src/server/search/search.documents.ts';
import { contentIndexUid, syncIndex } from '../../src/server/search/search.index.ts';
import { searchContent } from '../../src/server/search/search.query.ts';
import { createFixedClock } from '../../src/server/shared/clock.ts';
import { chapter, manualIndex, writeContent } from '../helpers/content.ts';
import { createTestDatabase, testIndexPrefix, type TestDatabase } from '../helpers/db.ts';
import { silentLog } from '../helpers/runtime.ts';

/** The search result cache: repeated searches from memory, never across access levels or an index change. */
const clock = createFixedClock('2026-12-06T02:00:00Z');
let t: TestDatabase;
let dir: string;
let content: ContentService;
let search: SearchService;
const anon = visibleAccess(null);
const member = visibleAccess({ id: 'u', roles: ['member'] });

const sync = async () => {
  const store = content.store();
  await syncIndex({ search, docs: buildDocuments(store, content.updatedAt), synonyms: store.synonyms });
};

beforeAll(async () => {
  t = await createTestDatabase();
  dir = writeContent({
    'manuals/guide/index.md': manualIndex('用户手册'),
    'manuals/guide/01-report.md': chapter('数据报送', '## 报送时间\n\n每月 5 日前完成行政许可数据报送。'),
    'faq/member-only.md': '---\ntitle: 报送截止以后还能补报吗？\naccess: member\n---\n截止以后可以在补报窗口补报行政许可数据。\n',
  });
  content = await startContent({ contentDir: dir, db: t.database.db, clock, log: silentLog, rescanMs: 60_000, watchFiles: false });
  search = createSearchService({ url: inject('meiliUrl'), apiKey: inject('meiliKey'), kind: 'external', indexPrefix: testIndexPrefix() });
  await sync();
});
afterAll(async () => {
  content?.stop();
  await search?.client?.deleteIndex(contentIndexUid(search.indexPrefix)).catch(() => {});
  await search?.stop();
  await t?.drop();
});

const urls = async (q: string, access = anon) => (await searchContent({ search, q, access })).hits.map((h) => h.url);

describe('the search result cache', () => {
  it('answers a repeated search from memory with the same result, whatever spaces and width the query had', async () => {
    const first = await searchContent({ search, q: '行政许可 报送', access: anon });
    const before = search.results.stats();
    const again = await searchContent({ search, q: '  行政许可　报送 ', access: anon });
    expect(search.results.stats().hits).toBe(before.hits + 1);
    expect({ ...again, tookMs: 0 }).toEqual({ ...first, tookMs: 0 });
  });

  it('never answers one access level with what another may see', async () => {
    expect(await urls('补报窗口')).toEqual([]);
    expect(await urls('补报窗口', member)).toContain('/faq/member-only');
    expect(await urls('补报窗口')).toEqual([]);
    expect((await searchContent({ search, q: '补报窗口', access: anon, hiddenAccess: ['member'] })).hiddenTotal).toBe(1);
  });

  it('forgets everything when the index changes', async () => {
    expect(await urls('信用承诺书')).toEqual([]);
    writeFileSync(path.join(dir, 'manuals/guide/02-pledge.md'), chapter('信用承诺', '## 承诺书\n\n信用承诺书的填写和上传方法。'));
    await content.reload();
    // Before the index has it, a repeat is still the cached empty answer; after the sync, the new chapter is found.
    expect(await urls('信用承诺书')).toEqual([]);
    await sync();
    expect(await urls('信用承诺书')).toContain('/manuals/guide/pledge#承诺书');
  });
});
