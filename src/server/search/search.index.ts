import type { Meilisearch, Settings } from 'meilisearch';
import type { Logger } from '../shared/logger.ts';
import type { SearchDocument } from './search.documents.ts';
import type { SearchService } from './search.client.ts';

export const contentIndexUid = (prefix: string) => `${prefix}-content`;

/** Text attributes in ranking order: a heading match outranks a body match; how users asked comes last. */
export const TEXT_ATTRIBUTES = ['section', 'title', 'headings', 'tags', 'text', 'asked'];
export const PINYIN_ATTRIBUTES = ['pinyin', 'initials'];

/**
 * Chinese function words and question fillers (怎么, 吗, 在哪 …) that say nothing about the topic.
 * Ignored in queries, so "回答没解决还能再问吗" is matched on 回答 / 没解决 / 再问.
 */
export const CHINESE_STOP_WORDS = [
  '我', '的', '了', '吗', '呢', '啊', '吧', '呀', '怎么', '怎么办', '如何', '怎样', '什么', '哪', '哪里', '在哪', '在哪里',
  '能不能', '可以', '是不是', '有没有', '一下', '这个', '那个', '还', '能', '会', '要', '想', '请问', '到', '把', '给',
  '被', '让', '了吗', '该', '得', '都', '就', '又', '也', '谁', '看',
];

/** Synonym groups → Meilisearch's map of each term to the others in its group. */
export function synonymMap(groups: string[][]): Record<string, string[]> {
  const map: Record<string, Set<string>> = {};
  for (const group of groups) {
    for (const term of group) {
      map[term] ??= new Set();
      for (const other of group) if (other !== term) map[term].add(other);
    }
  }
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, [...v]]));
}

/**
 * The content index's settings. The platform dictionary (content/search/dictionary.txt) is not among
 * them: Meilisearch 1.21 spent about 1.2 ms more per query with a custom dictionary, one word or twenty,
 * and a search sends up to ten queries (five federated, twice for a signed-out visitor). Without it
 * Meilisearch split 信用修复 or 行政许可 into their words, so 许可 finds 行政许可; the re-ranking model
 * still weighs each dictionary word as a whole (search.rerank.build.ts). Measured with bench:search on
 * the demo content: Meilisearch's p50 per search 35 → 22 ms; hit@5 equal on the first set and the dev
 * half (the same misses), one more on the test half, once 恢复信用 joined the 信用修复 synonym group.
 */
export function indexSettings({ synonyms }: { synonyms: string[][] }): Settings {
  return {
    searchableAttributes: [...TEXT_ATTRIBUTES, ...PINYIN_ATTRIBUTES],
    filterableAttributes: ['type', 'access', 'shelf', 'tags'],
    sortableAttributes: ['updated'],
    displayedAttributes: ['id', 'type', 'title', 'section', 'headings', 'url', 'text', 'updated', 'access', 'tags'],
    localizedAttributes: [{ attributePatterns: [...TEXT_ATTRIBUTES], locales: ['cmn'] }],
    synonyms: synonymMap(synonyms),
    // Empty, not left out: an index built with the dictionary loses it on the next sync.
    dictionary: [],
    stopWords: CHINESE_STOP_WORDS,
    faceting: { maxValuesPerFacet: 20 },
    pagination: { maxTotalHits: 1000 },
  };
}

async function waitAll(client: Meilisearch, tasks: { taskUid: number }[]): Promise<void> {
  for (const t of tasks) {
    const done = await client.tasks.waitForTask(t.taskUid, { timeout: 120_000, interval: 50 });
    if (done.status === 'failed') throw new Error(`Meilisearch task ${t.taskUid} failed: ${done.error?.message}`);
  }
}

/** The id → hash of every document in the index (for incremental sync). */
async function indexedHashes(client: Meilisearch, uid: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const index = client.index<{ id: string; hash: string }>(uid);
  for (let offset = 0; ; offset += 1000) {
    let page;
    try {
      page = await index.getDocuments({ fields: ['id', 'hash'], limit: 1000, offset });
    } catch (e) {
      if ((e as { cause?: { code?: string } }).cause?.code === 'index_not_found') return out;
      throw e;
    }
    for (const d of page.results) out.set(d.id, d.hash);
    if (page.results.length < 1000) return out;
  }
}

/**
 * Brings the live index in line with `docs`: adds changed documents, deletes
 * removed ones, applies settings. Returns what it changed.
 */
export async function syncIndex({
  search,
  docs,
  synonyms,
}: {
  search: SearchService;
  docs: SearchDocument[];
  synonyms: string[][];
}): Promise<{ added: number; deleted: number }> {
  const client = search.client;
  if (!client) throw new Error('no search engine');
  const uid = contentIndexUid(search.indexPrefix);
  const index = client.index(uid);
  const existing = await indexedHashes(client, uid);
  const tasks: { taskUid: number }[] = [];
  tasks.push(await index.updateSettings(indexSettings({ synonyms })));
  const changed = docs.filter((d) => existing.get(d.id) !== d.hash);
  const wanted = new Set(docs.map((d) => d.id));
  const removed = [...existing.keys()].filter((id) => !wanted.has(id));
  for (let i = 0; i < changed.length; i += 1000) tasks.push(await index.addDocuments(changed.slice(i, i + 1000), { primaryKey: 'id' }));
  if (removed.length) tasks.push(await index.deleteDocuments(removed));
  await waitAll(client, tasks);
  // Settings (synonyms, words) may have changed too: every cached result goes.
  search.results.clear();
  return { added: changed.length, deleted: removed.length };
}

/**
 * Full rebuild: a fresh index is filled and then swapped in atomically, so
 * searches never see a half-built index. `onProgress` gets (done, total).
 */
export async function rebuildIndex({
  search,
  docs,
  synonyms,
  onProgress,
  batchSize = 500,
}: {
  search: SearchService;
  docs: SearchDocument[];
  synonyms: string[][];
  onProgress?: (done: number, total: number) => void;
  batchSize?: number;
}): Promise<void> {
  const client = search.client;
  if (!client) throw new Error('no search engine');
  const live = contentIndexUid(search.indexPrefix);
  const fresh = `${live}-rebuild-${Date.now()}`;
  await waitAll(client, [await client.createIndex(fresh, { primaryKey: 'id' })]);
  const index = client.index(fresh);
  await waitAll(client, [await index.updateSettings(indexSettings({ synonyms }))]);
  onProgress?.(0, docs.length);
  for (let i = 0; i < docs.length; i += batchSize) {
    await waitAll(client, [await index.addDocuments(docs.slice(i, i + batchSize), { primaryKey: 'id' })]);
    onProgress?.(Math.min(i + batchSize, docs.length), docs.length);
  }
  const liveExists = await client.index(live).getRawInfo().then(() => true, () => false);
  // With no live index yet, the swap renames the fresh one (first) to the live name (second).
  await waitAll(client, [
    await client.swapIndexes([{ indexes: liveExists ? [live, fresh] : [fresh, live], rename: !liveExists }]),
  ]);
  search.results.clear();
  if (liveExists) await waitAll(client, [await client.deleteIndex(fresh)]);
}

/**
 * Keeps the index in step with the content. A failed sync (engine down) is
 * retried every `retryMs`, so the index catches up when the engine is back.
 */
export function createIndexer({
  search,
  log,
  source,
  retryMs = 5000,
}: {
  search: SearchService;
  log: Logger;
  source: () => Promise<{ docs: SearchDocument[]; synonyms: string[][] }>;
  retryMs?: number;
}) {
  let dirty = true;
  let running: Promise<void> | null = null;
  let lastError: string | null = null;
  let lastSyncAt: Date | null = null;
  let rebuildNext = false;
  const run = async () => {
    dirty = false;
    const full = rebuildNext;
    rebuildNext = false;
    try {
      const input = await source();
      const result = full ? await rebuildIndex({ search, ...input }).then(() => ({ added: 0, deleted: 0 })) : await syncIndex({ search, ...input });
      lastError = null;
      lastSyncAt = new Date();
      if (full) log.info('search index rebuilt');
      else if (result.added || result.deleted) log.info(result, 'search index synced');
    } catch (err) {
      dirty = true;
      if (full) rebuildNext = true;
      const message = (err as Error).message;
      if (message !== lastError) log.warn({ err: message }, 'search index sync failed; will retry');
      lastError = message;
    }
  };
  const sync = (): Promise<void> => {
    if (running) {
      dirty = true;
      return running;
    }
    running = run().finally(() => {
      running = null;
    });
    return running;
  };
  const timer = setInterval(() => {
    if (dirty && !running && search.client) void sync();
  }, retryMs);
  timer.unref();
  return {
    sync,
    /** Whether the index may lag the content: a change is waiting, or a sync is still running. */
    isBehind: () => dirty || running !== null,
    /** A full rebuild into a fresh index, swapped in (after a sync already running); retried like a sync if the engine is down. */
    rebuild: (): Promise<void> => {
      rebuildNext = true;
      dirty = true;
      return running ? running.then(() => sync()) : sync();
    },
    /** When the index last caught up with the content in this process, and the last failure since, if any. */
    state: () => ({ lastSyncAt, lastError }),
    stop: () => clearInterval(timer),
  };
}

export type Indexer = ReturnType<typeof createIndexer>;
