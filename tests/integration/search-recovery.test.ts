import net from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createSearchService, type SearchService } from '../../src/server/search/search.client.ts';
import { freePort } from '../../src/server/search/embedded.ts';
import type { SearchDocument } from '../../src/server/search/search.documents.ts';
import { contentIndexUid, createIndexer } from '../../src/server/search/search.index.ts';
import { searchContent } from '../../src/server/search/search.query.ts';
import { testIndexPrefix } from '../helpers/db.ts';
import { silentLog } from '../helpers/runtime.ts';

/** A TCP relay to the run's Meilisearch that can be switched off and on, like an engine going down. */
async function relay(target: URL, port: number) {
  let server: net.Server | null = null;
  const sockets = new Set<net.Socket>();
  const up = () =>
    new Promise<void>((resolve) => {
      if (server) return resolve();
      server = net.createServer((client) => {
        const upstream = net.connect(Number(target.port), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', resolve);
    });
  const down = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      if (server) server.close(() => resolve());
      else resolve();
      server = null;
    });
  return { up, down };
}

const doc = (n: number): SearchDocument => ({
  id: `doc${n}`,
  type: 'faq',
  title: `恢复测试问题${n}`,
  section: `恢复测试问题${n}`,
  headings: [],
  text: '搜索引擎恢复后索引自动补齐。',
  url: `/faq/recovery-${n}`,
  access: 'public',
  shelf: 'faq:public',
  tags: [],
  asked: [],
  updated: 0,
  pinyin: '',
  initials: [],
  hash: `h${n}`,
});

let search: SearchService;
let link: Awaited<ReturnType<typeof relay>>;
let docs: SearchDocument[] = [doc(1)];

beforeAll(async () => {
  const port = await freePort();
  link = await relay(new URL(inject('meiliUrl')), port);
  search = createSearchService({ url: `http://127.0.0.1:${port}`, apiKey: inject('meiliKey'), kind: 'external', indexPrefix: testIndexPrefix() });
});

afterAll(async () => {
  await link?.up().catch(() => {});
  await search?.client?.deleteIndex(contentIndexUid(search.indexPrefix)).catch(() => {});
  await search?.stop();
  await link?.down();
});

describe('search engine outage', () => {
  it('answers 503 while the engine is down and catches the index up when it is back', async () => {
    const indexer = createIndexer({ search, log: silentLog, source: async () => ({ docs, synonyms: [] }), retryMs: 200 });
    try {
      await indexer.sync();
      expect(indexer.isBehind()).toBe(true);
      await expect(searchContent({ search, q: '恢复测试', access: ['public'] })).rejects.toMatchObject({ status: 503 });
      // Content changed while the engine was away.
      docs = [doc(1), doc(2)];
      await link.up();
      for (let i = 0; i < 100 && indexer.isBehind(); i++) await new Promise((r) => setTimeout(r, 100));
      expect(indexer.isBehind()).toBe(false);
      const res = await searchContent({ search, q: '恢复测试', access: ['public'] });
      expect(res.hits.map((h) => h.url).sort()).toEqual(['/faq/recovery-1', '/faq/recovery-2']);
    } finally {
      indexer.stop();
    }
  });
});
