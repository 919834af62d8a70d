/**
 * `npm run bench:search`: generates 10 000 Chinese sections, reports the
 * indexing time, then /api/search latency (p50/p95) at concurrency 1 and 16
 * beside the same requests sent straight to Meilisearch. The app and
 * Meilisearch are pinned to different cores (taskset), so the ratio measures
 * our overhead rather than CPU contention. Then search quality over the
 * shipped content: the first labelled set, and the dev and test halves of the
 * question-style set written blind (hit@1, hit@5, MRR per kind, every miss).
 * `-- --quality` runs only the quality part. Prints figures; asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { openDatabase } from '../../db/client.ts';
import { runMigrations } from '../../db/migrate.ts';
import { loadContent } from '../../src/server/content/content.loader.ts';
import { syncContentPages } from '../../src/server/content/content.service.ts';
import { startEmbeddedMeili } from '../../src/server/search/embedded.ts';
import { createSearchService } from '../../src/server/search/search.client.ts';
import { buildDocuments } from '../../src/server/search/search.documents.ts';
import { createMeiliHttpClient } from '../../src/server/search/search.http.ts';
import { rebuildIndex } from '../../src/server/search/search.index.ts';
import { normalizeQuery } from '../../src/server/search/search.query.ts';
import { buildSearchRequest } from '../../src/server/search/search.request.ts';
import { createRerankModel, RERANK_WINDOW } from '../../src/server/search/search.rerank.ts';
import { systemClock } from '../../src/server/shared/clock.ts';
import { appRoot } from '../../src/server/shared/paths.ts';
import { freeTestPort, startDayi } from '../../tests/helpers/server.ts';
import { generateContent, rng } from './content-gen.ts';
import { evaluateRelevance, formatReport, indexForQuality, loadLabelledSet, type LabelledQuery } from '../../tests/search/relevance.ts';

const SECTIONS = Number(process.env.BENCH_SECTIONS ?? 10_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 600);
const root = appRoot();

function queries(): string[] {
  try {
    const list = parseYaml(readFileSync(path.join(root, 'tests/search/relevance-queries.yml'), 'utf8')) as { q: string }[];
    return list.map((x) => normalizeQuery(x.q));
  } catch {
    return ['忘记密码', '故障申告', '多久能修好', '古障', '7x24', '附件上传失败', '值班', '备份', 'gzsg', '浏览器'];
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function load(concurrency: number, total: number, send: (i: number) => Promise<void>): Promise<{ p50: number; p95: number; rps: number }> {
  const times: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        await send(i);
        times.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95), rps: total / elapsed };
}

function pin(pid: number, core: number): boolean {
  const r = spawnSync('taskset', ['-a', '-cp', String(core), String(pid)], { stdio: 'ignore' });
  return r.status === 0;
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

/** Search quality over the shipped demo content, on every labelled set and half. */
async function quality(meili: { url: string; apiKey: string }): Promise<void> {
  const demo = await loadContent(path.join(root, 'content'));
  const search = createSearchService({ url: meili.url, apiKey: meili.apiKey, kind: 'external', indexPrefix: 'quality' });
  await indexForQuality(search, demo);
  const questions = loadLabelledSet('questions');
  const sets = [
    { title: 'the first set (tests/search/relevance-*.yml, 60 queries written before the first tuning)', set: loadLabelledSet('relevance') },
    { title: 'the question-style set, dev half (tuned on)', set: questions.filter((q) => q.half === 'dev') },
    { title: 'the question-style set, test half (frozen, only reported)', set: questions.filter((q) => q.half === 'test') },
  ];
  for (const { title, set } of sets) {
    console.log(`\nSearch quality on ${title}; staff view:`);
    console.log(formatReport(await evaluateRelevance({ search, set })));
  }
  console.log('Targets on the test half: hit@5 ≥ 0.95 overall, ≥ 0.85 on paraphrase, 1.00 on exact and homophone.');
  await simulateAnswered(search, demo, sets[0]!.set, sets[1]!.set, sets[2]!.set);
  await search.stop();
}

/**
 * How the test half's paraphrases fare as answered questions accumulate: the
 * labelled queries outside the test half play questions answered with a link
 * to their first labelled section and rated well, each becoming an "asked as"
 * phrase of it. The points are 0, 50 and all of them (119 labelled queries
 * today; 200 would need more labelled questions than exist).
 */
async function simulateAnswered(search: ReturnType<typeof createSearchService>, demo: Awaited<ReturnType<typeof loadContent>>, ...sets: LabelledQuery[][]): Promise<void> {
  const test = sets.pop()!.filter((q) => q.kind === 'paraphrase');
  const pool = sets.flat().filter((q) => q.urls.length);
  // A fixed shuffle, so every run teaches the same questions in the same order.
  const r = rng(7);
  const order = pool.map((q) => ({ q, k: r() })).sort((a, b) => a.k - b.k).map((x) => x.q);
  console.log(`\nAnswered questions teaching the search (test-half paraphrases, ${test.length} queries):`);
  console.log('| answered | hit@1 | hit@5 | MRR |');
  console.log('|---|---|---|---|');
  for (const n of [0, 50, order.length]) {
    const asked = new Map<string, string[]>();
    for (const q of order.slice(0, n)) asked.set(q.urls[0]!, [...(asked.get(q.urls[0]!) ?? []), q.q]);
    const docs = buildDocuments(demo, () => new Date('2026-11-24T00:00:00Z'), asked);
    await rebuildIndex({ search, docs, synonyms: demo.synonyms });
    search.rerankModel = await createRerankModel(docs, demo);
    const { overall } = await evaluateRelevance({ search, set: test });
    console.log(`| ${n} | ${(overall.hit1 / overall.n).toFixed(2)} | ${(overall.hit5 / overall.n).toFixed(2)} | ${(overall.rr / overall.n).toFixed(2)} |`);
  }
}

const work = mkdtempSync(path.join(os.tmpdir(), 'dayi-bench-'));
const onlyQuality = process.argv.includes('--quality');
const meili = await startEmbeddedMeili({ dataDir: path.join(work, 'meili-data') });
try {
  if (!onlyQuality) await speed(meili);
  await quality(meili);
} finally {
  await meili.stop();
  if (!process.env.BENCH_KEEP) rmSync(work, { recursive: true, force: true });
}

/** Indexing time and /api/search latency beside Meilisearch's own, on generated content. */
async function speed(meili: Awaited<ReturnType<typeof startEmbeddedMeili>>): Promise<void> {
  const contentDir = path.join(work, 'content');
  const dataDir = path.join(work, 'data');
  console.log(`Generating ${SECTIONS} sections in ${contentDir} …`);
  await generateContent(contentDir, SECTIONS);
  const pinned = pin(meili.pid, 1);
  const search = createSearchService({ url: meili.url, apiKey: meili.apiKey, kind: 'external', indexPrefix: 'bench' });
  // Index the way `npm run search:reindex` does, on the same database the app will use.
  const database = await openDatabase({ kind: 'pglite', dir: path.join(dataDir, 'pglite') });
  await runMigrations(database);
  let t0 = performance.now();
  const store = await loadContent(contentDir);
  const changedAt = await syncContentPages({ db: database.db, clock: systemClock, store });
  const docs = buildDocuments(store, (p) => p.updated ?? changedAt.get(p.url)!);
  const loadMs = performance.now() - t0;
  t0 = performance.now();
  await rebuildIndex({ search, docs, synonyms: store.synonyms, batchSize: 1000 });
  const indexMs = performance.now() - t0;
  await database.close();
  console.log(`Content: ${store.pages.size} pages, ${docs.length} search documents (load + render ${(loadMs / 1000).toFixed(1)} s)`);
  console.log(`Indexing ${docs.length} documents into Meilisearch: ${(indexMs / 1000).toFixed(1)} s`);

  const app = await startDayi(
    { PORT: await freeTestPort(), DATA_DIR: dataDir, CONTENT_DIR: contentDir, MEILI_URL: meili.url, MEILI_MASTER_KEY: meili.apiKey, MEILI_INDEX_PREFIX: 'bench', DATABASE_URL: undefined, LOG_LEVEL: 'error', NODE_ENV: 'production', ALLOW_PGLITE: 'true', SESSION_SECRET: 'b'.repeat(40) },
    { timeoutMs: 180_000 },
  );
  const appPinned = pin(app.child.pid!, 0);
  console.log(pinned && appPinned ? 'Pinned: app on core 0, Meilisearch on core 1.' : 'taskset unavailable: app and Meilisearch share cores (ratio includes contention).');
  const qs = queries();
  const toApp = async (i: number) => {
    const res = await fetch(`${app.url}/api/search?q=${encodeURIComponent(qs[i % qs.length]!)}&limit=10`);
    if (!res.ok) throw new Error(`app answered ${res.status}`);
    await res.arrayBuffer();
  };
  // Straight to Meilisearch with the request the app builds, over the same HTTP client the app uses.
  const direct = createMeiliHttpClient();
  // What the app sends for a signed-out caller: the re-ranking window (RERANK_WINDOW) at public and member access,
  // counted per type and access level (what signing in would add comes from the same answer).
  const send = (body: unknown) =>
    direct.request(`${meili.url}/multi-search`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${meili.apiKey}` }, body: JSON.stringify(body) });
  const toMeili = async (i: number) => {
    const q = qs[i % qs.length]!;
    await send(buildSearchRequest({ indexPrefix: 'bench', q, limit: 10, access: ['public', 'member'], facets: ['shelf'], window: RERANK_WINDOW }));
  };
  await load(4, 100, toApp); // warm up both paths
  await load(4, 100, toMeili);
  const rows: string[] = [];
  for (const c of [1, 16]) {
    const a = await load(c, REQUESTS, toApp);
    const m = await load(c, REQUESTS, toMeili);
    rows.push(
      `| ${c} | ${a.p50.toFixed(1)} | ${a.p95.toFixed(1)} | ${a.rps.toFixed(0)} | ${m.p50.toFixed(1)} | ${m.p95.toFixed(1)} | ${m.rps.toFixed(0)} | ${(a.p50 / m.p50).toFixed(2)} | ${(a.p95 / m.p95).toFixed(2)} |`,
    );
  }
  console.log(`\n${REQUESTS} requests per row, ${qs.length} distinct queries, limit 10 (ms):`);
  console.log('| concurrency | app p50 | app p95 | app req/s | meili p50 | meili p95 | meili req/s | ratio p50 | ratio p95 |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  // Which queries cost Meilisearch the most (median of 5 runs each, concurrency 1).
  const perQuery: { q: string; ms: number }[] = [];
  for (let i = 0; i < qs.length; i++) {
    const runs: number[] = [];
    for (let k = 0; k < 5; k++) {
      const t1 = performance.now();
      await toMeili(i);
      runs.push(performance.now() - t1);
    }
    perQuery.push({ q: qs[i]!, ms: runs.sort((a, b) => a - b)[2]! });
  }
  perQuery.sort((a, b) => b.ms - a.ms);
  console.log(`\nSlowest queries straight to Meilisearch: ${perQuery.slice(0, 6).map((x) => `${x.q} ${x.ms.toFixed(0)} ms`).join(', ')}`);
  console.log(`\nApp RSS after the run: ${rssMb(app.child.pid!)} MB; Meilisearch RSS: ${rssMb(meili.pid)} MB`);
  console.log('Targets: p95 < 50 ms at concurrency 1; app/Meilisearch ratio ≤ 1.5.');
  await app.stop();
  direct.close();
  await search.stop();
}
