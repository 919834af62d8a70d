import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { contentPages, pageFeedback, searchLog } from '../../db/schema/index.ts';
import { visibleAccess } from '../../src/server/content/content.access.ts';
import { startContent, type ContentService } from '../../src/server/content/content.service.ts';
import { recordFeedback } from '../../src/server/content/feedback.usecases.ts';
import { freePort } from '../../src/server/search/embedded.ts';
import { createSearchService, type SearchService } from '../../src/server/search/search.client.ts';
import { buildDocuments } from '../../src/server/search/search.documents.ts';
import { createRerankModel } from '../../src/server/search/search.rerank.ts';
import { contentIndexUid, rebuildIndex, syncIndex } from '../../src/server/search/search.index.ts';
import { policies } from '../../src/server/auth/auth.ratelimit.ts';
import { logSearch, logSearchClick } from '../../src/server/search/search.log.ts';
import { accessHiddenUntilSignIn, searchContent, validateQuery } from '../../src/server/search/search.query.ts';
import { createFixedClock } from '../../src/server/shared/clock.ts';
import { chapter, manualIndex, writeContent } from '../helpers/content.ts';
import { createTestDatabase, testIndexPrefix, type TestDatabase } from '../helpers/db.ts';
import { silentLog } from '../helpers/runtime.ts';

const clock = createFixedClock('2026-11-24T06:00:00Z');
let t: TestDatabase;
let dir: string;
let content: ContentService;
let search: SearchService;
const anon = visibleAccess(null);
const staff = visibleAccess({ id: 'u', roles: ['engineer'] });

const sync = async () => {
  const store = content.store();
  return syncIndex({ search, docs: buildDocuments(store, content.updatedAt), synonyms: store.synonyms });
};
const urls = async (q: string, access = anon) => (await searchContent({ search, q, access })).hits.map((h) => h.url);

beforeAll(async () => {
  t = await createTestDatabase();
  dir = writeContent({
    'manuals/guide/index.md': manualIndex('用户手册'),
    'manuals/guide/01-ask.md': chapter(
      '提问',
      '## 故障申告 {#fault}\n\n系统报错、无法使用时提交故障申告，7×24 小时受理，4小时内解决。\n\n## 附件 <b>说明</b>\n\n可以上传截图，<script>x</script> 大小不超过 20MB。',
    ),
    'manuals/guide/02-time.md': chapter('服务时限', '## 响应时限\n\n首次响应不超过 1 小时。'),
    'manuals/ops/index.md': manualIndex('运维手册', 'access: staff\n'),
    'manuals/ops/01-backup.md': chapter('备份', '## 备份数据库\n\n使用 pg_dump 备份故障数据。'),
    'faq/member-only.md': '---\ntitle: 数据报送截止时间？\naccess: member\n---\n每月 5 日前完成故障数据报送。\n',
    'search/synonyms.yml': '- [多久, 时限, 多长时间]\n',
    'search/dictionary.txt': '故障申告\n',
  });
  content = await startContent({ contentDir: dir, db: t.database.db, clock, log: silentLog, rescanMs: 500, debounceMs: 50 });
  search = createSearchService({ url: inject('meiliUrl'), apiKey: inject('meiliKey'), kind: 'external', indexPrefix: testIndexPrefix() });
  await sync();
});

afterAll(async () => {
  content?.stop();
  await search?.client?.deleteIndex(contentIndexUid(search.indexPrefix)).catch(() => {});
  await t?.drop();
});

describe('search over the knowledge base', () => {
  it('finds the section and deep-links to its anchor, with a highlighted, escaped snippet', async () => {
    const res = await searchContent({ search, q: '故障申告', access: anon });
    expect(res.hits[0]).toMatchObject({ type: 'manual', title: '提问', section: '故障申告', url: '/manuals/guide/ask#fault' });
    expect(res.hits[0]!.snippet).toContain('<mark>');
    expect(res.facets.manual).toBeGreaterThan(0);
    const attach = await searchContent({ search, q: '附件 截图', access: anon });
    expect(attach.hits[0]!.url).toBe(`/manuals/guide/ask#附件-说明`);
    expect(attach.hits[0]!.snippet).not.toContain('<script');
  });

  it('never shows member or staff content to an anonymous visitor', async () => {
    expect(await urls('故障')).not.toContain('/manuals/ops/backup#备份数据库');
    expect(await urls('故障')).not.toContain('/faq/member-only');
    const asStaff = await urls('故障', staff);
    expect(asStaff).toContain('/manuals/ops/backup#备份数据库');
    expect(asStaff).toContain('/faq/member-only');
  });

  it('tells a signed-out visitor how many member hits signing in would add, never counting staff-only ones', async () => {
    expect(accessHiddenUntilSignIn(null)).toEqual(['member']);
    expect(accessHiddenUntilSignIn({ id: 'm', roles: ['member'] })).toEqual([]);
    const res = await searchContent({ search, q: '故障', access: anon, hiddenAccess: accessHiddenUntilSignIn(null) });
    expect(res.hits.map((h) => h.url)).not.toContain('/faq/member-only');
    expect(res.hiddenTotal).toBe(1);
    const asMember = await searchContent({ search, q: '故障', access: visibleAccess({ id: 'm', roles: ['member'] }) });
    expect(asMember.total).toBe(res.total + res.hiddenTotal);
    expect(asMember.hiddenTotal).toBe(0);
    const manualsOnly = await searchContent({ search, q: '故障', type: 'manual', access: anon, hiddenAccess: ['member'] });
    expect(manualsOnly.hiddenTotal).toBe(0);
  });

  it('counts what signing in would add from the same search when the page is re-ranked, and the counts agree with a member\'s', async () => {
    const store = content.store();
    const rerankModel = await createRerankModel(buildDocuments(store, content.updatedAt), store);
    const asMember = await searchContent({ search, q: '故障 报送', access: visibleAccess({ id: 'm', roles: ['member'] }), rerankModel });
    expect(asMember.hits.map((h) => h.url)).toContain('/faq/member-only');
    const res = await searchContent({ search, q: '故障 报送', access: anon, hiddenAccess: ['member'], rerankModel });
    expect(res.hits.map((h) => h.url)).not.toContain('/faq/member-only');
    expect(res.hits.every((h) => !h.url.startsWith('/manuals/ops'))).toBe(true);
    expect(res.hiddenTotal).toBe(1);
    expect(res.total).toBe(res.hits.length);
    expect(asMember.total).toBe(res.total + res.hiddenTotal);
    // The type tabs count only what the visitor may open.
    expect(res.facets).toEqual({ ...asMember.facets, faq: asMember.facets.faq - 1 });
    const faqOnly = await searchContent({ search, q: '故障 报送', type: 'faq', access: anon, hiddenAccess: ['member'], rerankModel });
    expect(faqOnly).toMatchObject({ hits: [], total: 0, hiddenTotal: 1, facets: res.facets });
  });

  it('reads a homophone typo of a word found only in the text as that word (手理 → 受理)', async () => {
    const store = content.store();
    const rerankModel = await createRerankModel(buildDocuments(store, content.updatedAt), store);
    expect((await searchContent({ search, q: '手理', access: anon, rerankModel: null })).hits).toEqual([]);
    expect((await searchContent({ search, q: '手理', access: anon, rerankModel })).hits[0]?.url).toBe('/manuals/guide/ask#fault');
  });

  it('keeps the count of every type when one type is picked', async () => {
    const all = await searchContent({ search, q: '故障', access: staff });
    expect(all.facets.manual).toBeGreaterThan(0);
    expect(all.facets.faq).toBeGreaterThan(0);
    const faqOnly = await searchContent({ search, q: '故障', type: 'faq', access: staff });
    expect(faqOnly.hits.every((h) => h.type === 'faq')).toBe(true);
    expect(faqOnly.facets).toEqual(all.facets);
    expect(faqOnly.total).toBe(all.facets.faq);
  });

  it('finds 故障 from the homophone typo 古障 and from the initials gzsg', async () => {
    expect(await urls('古障申告')).toContain('/manuals/guide/ask#fault');
    expect(await urls('gzsg')).toContain('/manuals/guide/ask#fault');
  });

  it('matches mixed text: 7x24, 4小时, 20MB', async () => {
    expect(await urls('7x24')).toContain('/manuals/guide/ask#fault');
    expect(await urls('4小时')).toContain('/manuals/guide/ask#fault');
    expect(await urls('20mb')).toContain(`/manuals/guide/ask#附件-说明`);
  });

  it('uses the synonyms from content/search', async () => {
    expect(await urls('多久')).toContain('/manuals/guide/time#响应时限');
  });

  it('leaves the dictionary out of the index settings (it costs every query; the re-ranking model uses it)', async () => {
    expect(content.store().dictionary).toEqual(['故障申告']);
    const settings = await search.client!.index(contentIndexUid(search.indexPrefix)).getSettings();
    expect(settings.dictionary).toEqual([]);
    expect(settings.synonyms?.['多久']).toEqual(['时限', '多长时间']);
  });

  it('syncs incrementally: an edit re-adds one document, a deletion removes its documents', async () => {
    writeFileSync(path.join(dir, 'manuals/guide/02-time.md'), chapter('服务时限', '## 响应时限\n\n首次响应不超过 1 小时，节假日照常值守。'));
    clock.advance(60_000);
    await content.reload();
    expect(await sync()).toEqual({ added: 1, deleted: 0 });
    expect(await urls('节假日照常值守')).toContain('/manuals/guide/time#响应时限');
    const [row] = await t.database.db.select().from(contentPages).where(eq(contentPages.url, '/manuals/guide/time'));
    expect(row!.changedAt).toEqual(clock.now());
    rmSync(path.join(dir, 'manuals/guide/02-time.md'));
    await content.reload();
    expect(await sync()).toEqual({ added: 0, deleted: 1 });
    expect(await urls('节假日照常值守')).toEqual([]);
  });

  it('keeps "last updated" when a reload finds the same bytes', async () => {
    const page = content.store().pages.get('/manuals/guide/ask')!;
    const before = content.updatedAt(page);
    clock.advance(3_600_000);
    writeFileSync(path.join(dir, 'manuals/guide/01-ask.md'), (await import('node:fs')).readFileSync(path.join(dir, 'manuals/guide/01-ask.md')));
    await content.reload();
    expect(content.updatedAt(content.store().pages.get('/manuals/guide/ask')!)).toEqual(before);
  });

  it('rebuilds into a fresh index and swaps it in under the same name', async () => {
    const store = content.store();
    const docs = buildDocuments(store, content.updatedAt);
    const progress: number[] = [];
    await rebuildIndex({ search, docs, synonyms: store.synonyms, onProgress: (d) => progress.push(d), batchSize: 2 });
    expect(progress.at(-1)).toBe(docs.length);
    const stats = await search.client!.index(contentIndexUid(search.indexPrefix)).getStats();
    expect(stats.numberOfDocuments).toBe(docs.length);
    const names = (await search.client!.getIndexes({ limit: 1000 })).results.map((i) => i.uid);
    expect(names.filter((n) => n.startsWith(contentIndexUid(search.indexPrefix)))).toEqual([contentIndexUid(search.indexPrefix)]);
  });

  it('answers 503 when the engine is unreachable', async () => {
    const down = createSearchService({ url: `http://127.0.0.1:${await freePort()}`, kind: 'external', indexPrefix: 'x' });
    await expect(searchContent({ search: down, q: '故障', access: anon })).rejects.toMatchObject({ status: 503, code: 'service.unavailable' });
  });

  it.each([
    ['', 'q'],
    ['   ', 'q'],
    ['长'.repeat(201), 'q'],
  ])('rejects the query %j with a 400 naming the field', (q, field) => {
    expect(() => validateQuery(q)).toThrow(expect.objectContaining({ status: 400, fields: expect.objectContaining({ [field]: expect.any(String) }) }));
  });
});

describe('"asked as" phrases in the index', () => {
  it('finds a section by how an answered question was worded, and forgets it when the phrase goes', async () => {
    const store = content.store();
    const find = async (q: string) => (await searchContent({ search, q, access: anon, rerankModel: null })).hits.map((h) => h.url);
    expect(await find('蓝屏死机')).toEqual([]);
    await syncIndex({ search, docs: buildDocuments(store, content.updatedAt, new Map([['/manuals/guide/ask#fault', ['电脑蓝屏死机了找谁']]])), synonyms: store.synonyms });
    expect(await find('蓝屏死机')).toEqual(['/manuals/guide/ask#fault']);
    await sync();
    expect(await find('蓝屏死机')).toEqual([]);
  });
});

describe('search log and feedback', () => {
  it('logs a settled search and the result clicked, once', async () => {
    const { id: logged } = await logSearch({ db: t.database.db, clock, source: 'ip:127.0.0.1', query: ' 故障 ', normalized: '故障', hits: 3, kind: 'submitted' });
    const id = logged!;
    await logSearchClick({ db: t.database.db, clock, id, url: '/manuals/guide/ask#fault', position: 1 });
    await logSearchClick({ db: t.database.db, clock, id, url: '/other', position: 2 });
    const [row] = await t.database.db.select().from(searchLog).where(eq(searchLog.id, id));
    expect(row).toMatchObject({ normalized: '故障', hits: 3, kind: 'submitted', clickedUrl: '/manuals/guide/ask#fault', clickedPosition: 1 });
  });

  it('stops recording searches from one address past its limit, and starts again after the window', async () => {
    const source = 'ip:203.0.113.50';
    const log = () => logSearch({ db: t.database.db, clock, source, query: '刷屏', normalized: '刷屏', hits: 0, kind: 'instant' });
    for (let i = 0; i < policies.searchLog.free; i++) expect((await log()).id).not.toBeNull();
    expect((await log()).id).toBeNull();
    // Another address is not affected.
    expect((await logSearch({ db: t.database.db, clock, source: 'ip:203.0.113.51', query: '正常', normalized: '正常', hits: 1, kind: 'instant' })).id).not.toBeNull();
    expect(await t.database.db.select().from(searchLog).where(eq(searchLog.query, '刷屏'))).toHaveLength(policies.searchLog.free);
    clock.advance(policies.searchLog.windowMs + policies.searchLog.maxDelayMs);
    expect((await log()).id).not.toBeNull();
  });

  it('keeps one vote per page per visitor; voting again changes it', async () => {
    const store = content.store();
    await recordFeedback({ db: t.database.db, clock, store, voterKey: 'visitor:abc', viewer: null, input: { page: '/manuals/guide/ask', helpful: 'yes' } });
    await recordFeedback({ db: t.database.db, clock, store, voterKey: 'visitor:abc', viewer: null, input: { page: '/manuals/guide/ask', helpful: 'no', comment: '缺少截图' } });
    await recordFeedback({ db: t.database.db, clock, store, voterKey: 'visitor:def', viewer: null, input: { page: '/manuals/guide/ask', helpful: 'yes' } });
    const rows = await t.database.db.select().from(pageFeedback).where(eq(pageFeedback.pageUrl, '/manuals/guide/ask'));
    expect(rows.map((r) => [r.voterKey, r.helpful, r.comment]).sort()).toEqual([
      ['visitor:abc', false, '缺少截图'],
      ['visitor:def', true, null],
    ]);
  });

  it('refuses a vote on a page the voter may not read, as if it did not exist', async () => {
    const store = content.store();
    const vote = (viewer: { id: string; roles: ('member' | 'engineer')[] } | null) =>
      recordFeedback({ db: t.database.db, clock, store, voterKey: `v:${viewer?.id ?? 'anon'}`, viewer, input: { page: '/manuals/ops/backup', helpful: 'yes' } });
    await expect(vote(null)).rejects.toMatchObject({ status: 404 });
    await expect(vote({ id: 'm1', roles: ['member'] })).rejects.toMatchObject({ status: 404 });
    await expect(vote({ id: '0193a000-0000-7000-8000-0000000000e1', roles: ['engineer'] })).resolves.toEqual({ helpful: true });
  });

  it('rejects feedback for an unknown page or with an over-long comment', async () => {
    const store = content.store();
    await expect(recordFeedback({ db: t.database.db, clock, store, voterKey: 'v', viewer: null, input: { page: '/nope', helpful: 'yes' } })).rejects.toMatchObject({ status: 404 });
    await expect(recordFeedback({ db: t.database.db, clock, store, voterKey: 'v', viewer: null, input: { page: '/faq/member-only', helpful: 'yes', comment: '长'.repeat(501) } })).rejects.toMatchObject({ status: 400, fields: { comment: expect.any(String) } });
  });
});
