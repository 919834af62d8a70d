import type { FederatedMultiSearchParams, Meilisearch, SearchResponse } from 'meilisearch';
import { visibleAccess, type Viewer } from '../content/content.access.ts';
import type { Access } from '../content/content.schemas.ts';
import { escapeText } from '../shared/html.ts';
import { createErrorFactory, createServiceUnavailableError, createValidationError } from '../shared/errors.ts';
import type { SearchService } from './search.client.ts';
import type { DocType } from './search.documents.ts';
import { documentId, foldTimes } from './search.documents.ts';
import { buildSearchRequest, highlightToHtml } from './search.request.ts';
import { queryVectors, rerank, RERANK_WINDOW, retrieve, topicSimilarity, type QueryVectors, type RerankDoc, type RerankModel } from './search.rerank.ts';
import { understandQuery, type UnderstoodQuery } from './search.understand.ts';
import { homophoneCorrections } from './search.homophones.ts';
import { featureKey } from '../faq/similarity.text.ts';
import { modelKey } from './search.cache.ts';

export const MAX_QUERY_LENGTH = 200;
export const docTypes = ['manual', 'faq', 'courseware', 'video'] as const satisfies readonly DocType[];

export interface SearchHit {
  id: string;
  type: DocType;
  title: string;
  section: string;
  url: string;
  /** HTML: escaped text with <mark> around matches. */
  snippet: string;
}

export interface SearchResult {
  hits: SearchHit[];
  total: number;
  /** Hits per type for the whole query, whatever type is picked, so the type tabs keep their counts. */
  facets: Record<DocType, number>;
  /** Hits of the same query (type included) at `hiddenAccess` levels: what signing in would add. */
  hiddenTotal: number;
  /** The FAQ entry whose answer is shown inline: the first hit, when it clearly matches (see INSTANT_ANSWER). */
  answerUrl: string | null;
  tookMs: number;
  page: number;
  limit: number;
}

export const createSearchUnavailableError = () =>
  createServiceUnavailableError({ search: '搜索服务暂时不可用，请稍后再试，或直接浏览手册与常见问题。' });

/** Trims, folds full-width characters and spaces: the form logged and grouped by reports. */
export function normalizeQuery(q: string): string {
  return foldTimes(q.normalize('NFKC').replace(/\s+/g, ' ').trim().toLowerCase());
}

export function validateQuery(q: string | null | undefined): string {
  const query = normalizeQuery(q ?? '');
  if (!query) throw createValidationError({ q: '请输入要搜索的内容。' }, '请输入要搜索的内容。');
  if (query.length > MAX_QUERY_LENGTH)
    throw createValidationError({ q: `搜索内容不能超过 ${MAX_QUERY_LENGTH} 个字。` }, `搜索内容不能超过 ${MAX_QUERY_LENGTH} 个字。`);
  return query;
}

/**
 * The access levels a viewer would gain by signing in: for a signed-out
 * visitor, what every signed-in user may see (member content); none once
 * signed in. Staff-only content is not among them, since signing in as a
 * member unit user would not show it.
 */
export function accessHiddenUntilSignIn(viewer: Viewer | null): Access[] {
  if (viewer) return [];
  const anonymous = visibleAccess(null);
  return visibleAccess(ANY_SIGNED_IN_USER).filter((a) => !anonymous.includes(a));
}

const ANY_SIGNED_IN_USER: Viewer = { id: 'any-signed-in-user', roles: ['member'] };

/**
 * Searches the content index (see buildSearchRequest) and shapes the hits for
 * pages and the API. Beside the page of hits, in parallel: the counts per type
 * without the type filter (a filtered facet distribution would say 0 for every
 * other type). With `hiddenAccess`, what signing in would show: the total of
 * the same search at the wider access, less this one's (searchCountingHidden).
 * Repeated searches come from the result cache (search.cache.ts).
 */
export async function searchContent({
  search,
  q,
  type,
  page = 1,
  limit = 10,
  access,
  hiddenAccess = [],
  rerankModel = search.rerankModel,
}: {
  search: SearchService;
  q: string;
  type?: DocType;
  page?: number;
  limit?: number;
  access: Access[];
  hiddenAccess?: Access[];
  /** The similarity model over the indexed documents; without one, the engine's order stands. */
  rerankModel?: RerankModel | null;
}): Promise<SearchResult> {
  const client = search.client;
  if (!client) throw createSearchUnavailableError();
  const started = performance.now();
  const key = JSON.stringify([normalizeQuery(q), type ?? '', page, limit, [...access].sort(), [...hiddenAccess].sort(), modelKey(rerankModel)]);
  const cached = search.results.get(key);
  if (cached) return { ...cached, tookMs: Math.round(performance.now() - started) };
  const generation = search.results.generation();
  const args = { client, search, q, u: understand(q, rerankModel), type, page, limit, access, rerankModel };
  const wider = [...new Set([...access, ...hiddenAccess])];
  let result: SearchResult;
  if (!hiddenAccess.length) result = await searchUncached({ ...args, started });
  else if (rerankWindow(args)) result = await searchCountingHidden({ ...args, wider, started });
  else {
    // Past the re-ranking window the page is cut by the engine, at one access level: the count is a second search.
    const [own, widerTotal] = await Promise.all([searchUncached({ ...args, started }), totalAt({ ...args, access: wider })]);
    result = { ...own, hiddenTotal: Math.max(0, widerTotal - own.total) };
  }
  search.results.set(key, result, generation);
  return result;
}

/** One search as the uncached paths run it: the query, where it looks and which page. */
interface SearchArgs {
  client: Meilisearch;
  search: SearchService;
  q: string;
  u: UnderstoodQuery;
  type: DocType | undefined;
  page: number;
  limit: number;
  access: Access[];
  rerankModel: RerankModel | null;
}

/** The query understood (search.understand.ts), with the known words its homophone typos stand for among the manual vocabulary. */
function understand(q: string, rerankModel: RerankModel | null): UnderstoodQuery {
  const u = understandQuery(q);
  const meant = rerankModel ? homophoneCorrections(rerankModel.homophones, u.topic, (pair) => rerankModel.model.df.has(featureKey('bigram', pair))).filter((w) => !u.formal.includes(w)) : [];
  return meant.length ? { ...u, formal: [...u.formal, ...meant] } : u;
}

/** Pages within the re-ranking window come from the window, in the new order. */
const rerankWindow = ({ rerankModel, page, limit }: SearchArgs) => (rerankModel && page * limit <= RERANK_WINDOW ? RERANK_WINDOW : undefined);

/** The engine's own candidates that Meilisearch did not return (same access and type). */
function engineExtras({ access, type }: SearchArgs, rerankModel: RerankModel, qv: QueryVectors, found: Set<string>) {
  return retrieve(rerankModel, qv, (d) => access.includes(d.access) && (!type || d.type === type) && !found.has(d.url));
}

/** The total `searchUncached` would report at `access`, from urls alone (no snippets, no re-ranking). */
async function totalAt(args: SearchArgs): Promise<number> {
  const { client, search, q, type, page, limit, access, rerankModel } = args;
  const window = rerankWindow(args);
  const res = await runSearch(client, buildSearchRequest({ indexPrefix: search.indexPrefix, q, understood: args.u, type, page, limit, access, facets: [], window, idsOnly: true }));
  if (!res) return 0;
  const total = res.estimatedTotalHits ?? res.hits.length;
  if (!window || !rerankModel) return total;
  const extra = engineExtras(args, rerankModel, queryVectors(rerankModel, args.u), new Set(res.hits.map((h) => String(h.url))));
  return Math.max(total, res.hits.length + extra.length);
}

async function searchUncached(args: SearchArgs & { started: number }): Promise<SearchResult> {
  const { client, search, q, type, page, limit, access, rerankModel, started } = args;
  const request = (over: { type?: DocType; page?: number; limit: number; facets: 'type'[]; window?: number }) =>
    runSearch(client, buildSearchRequest({ indexPrefix: search.indexPrefix, q, understood: args.u, type, access, ...over }));
  const window = rerankWindow(args);
  // The type counts ask for one hit, not none: Meilisearch applies a query's ranking score threshold to its
  // estimated total only when it ranks (with limit 0 the pinyin query's weak matches would be counted).
  const [res, counts] = await Promise.all([request({ page, limit, facets: type ? [] : ['type'], window }), type ? request({ type: undefined, limit: 1, facets: ['type'] }) : null]);
  if (!res) return emptyResult(page, limit);
  const facets = typeCounts(counts ?? res, access);
  const hits = res.hits.map(toHit);
  const total = res.estimatedTotalHits ?? res.hits.length;
  if (!window || !rerankModel) return shaped({ hits, total, facets, page, limit, started });
  return shaped({ ...rankWindow(args, rerankModel, queryVectors(rerankModel, args.u), hits, total), facets, page, limit, started });
}

/**
 * A signed-out search and its "另外 N 条" in one request. The engine searches the window at the wider
 * access (own and hidden levels), as a signed-in member's search does, so its total is the member's total
 * exactly; the page is the window's hits at the own levels with the engine's own candidates, ranked again;
 * the own counts (total and per type) come from the `shelf` facet (type and access together).
 */
async function searchCountingHidden(args: SearchArgs & { wider: Access[]; started: number }): Promise<SearchResult> {
  const { client, search, q, type, page, limit, access, wider, started } = args;
  const rerankModel = args.rerankModel!;
  const request = (over: { type?: DocType; limit: number; window?: number }) =>
    runSearch(client, buildSearchRequest({ indexPrefix: search.indexPrefix, q, understood: args.u, access: wider, facets: ['shelf'], ...over }));
  const [res, counts] = await Promise.all([request({ type, limit, window: RERANK_WINDOW }), type ? request({ limit: 1 }) : null]);
  if (!res) return emptyResult(page, limit);
  const qv = queryVectors(rerankModel, args.u);
  const found = res.hits.map((h) => ({ hit: toHit(h), access: h.access as Access }));
  const widerExtras = engineExtras({ ...args, access: wider }, rerankModel, qv, new Set(found.map((f) => f.hit.url)));
  const widerTotal = Math.max(res.estimatedTotalHits ?? res.hits.length, found.length + widerExtras.length);
  const own = found.filter((f) => access.includes(f.access)).map((f) => f.hit);
  const ownTotal = Object.values(typeCounts(res, access)).reduce((a, b) => a + b, 0);
  const ranked = rankWindow(args, rerankModel, qv, own, ownTotal);
  return { ...shaped({ ...ranked, facets: typeCounts(counts ?? res, access), page, limit, started }), hiddenTotal: Math.max(0, widerTotal - ranked.total) };
}

/** The window's hits joined by the engine's own candidates (same access and type), all ranked again; the first page may show an answer. */
function rankWindow(args: SearchArgs, rerankModel: RerankModel, qv: QueryVectors, found: (SearchHit & { engineScore: number })[], total: number) {
  const extra = engineExtras(args, rerankModel, qv, new Set(found.map((h) => h.url)));
  const hits = rerank([...found, ...extra.map((e) => engineHit(rerankModel.docs[rerankModel.byUrl.get(e.url)!]!))], rerankModel, qv);
  const answerUrl = args.page === 1 ? clearAnswer(hits, rerankModel, qv) : null;
  return { hits: hits.slice((args.page - 1) * args.limit, args.page * args.limit), total: Math.max(total, hits.length), answerUrl };
}

function shaped({ hits, total, facets, answerUrl = null, page, limit, started }: { hits: (SearchHit & { engineScore: number })[]; total: number; facets: Record<DocType, number>; answerUrl?: string | null; page: number; limit: number; started: number }): SearchResult {
  return { hits: hits.map(({ engineScore: _, ...h }) => h), total, facets, hiddenTotal: 0, answerUrl, tookMs: Math.round(performance.now() - started), page, limit };
}

function emptyResult(page: number, limit: number): SearchResult {
  return { hits: [], total: 0, facets: emptyFacets(), hiddenTotal: 0, answerUrl: null, tookMs: 0, page, limit };
}

/** One federated search; null when the index does not exist yet (nothing indexed). */
async function runSearch(client: Meilisearch, params: FederatedMultiSearchParams): Promise<SearchResponse | null> {
  try {
    return await client.multiSearch(params);
  } catch (e) {
    const cause = (e as { cause?: { code?: string; httpStatus?: number } }).cause;
    if (cause?.code === 'index_not_found') return null;
    // Meilisearch answered with an error: our request was wrong. No answer at all: the engine is down.
    if (cause?.httpStatus) throw createSearchFailedError();
    throw createSearchUnavailableError();
  }
}

function toHit(h: Record<string, unknown>): SearchHit & { engineScore: number } {
  const f = (h._formatted ?? {}) as Record<string, string>;
  return {
    engineScore: (h._federation as { weightedRankingScore?: number } | undefined)?.weightedRankingScore ?? 0,
    id: String(h.id),
    type: h.type as DocType,
    title: String(h.title),
    section: String(h.section),
    url: String(h.url),
    snippet: highlightToHtml(f.text ?? ''),
  };
}

/**
 * When an FAQ entry's answer is shown inline: it is the first hit, at least
 * `min` like the query's topic, and ahead of the second hit by `margin`.
 * Tuned on the dev half of the question-style set and the first set.
 */
export const INSTANT_ANSWER = { min: 0.25, margin: 0.1 };

function clearAnswer(hits: { url: string; type: DocType }[], rm: RerankModel, qv: QueryVectors): string | null {
  const [first, second] = hits;
  if (first?.type !== 'faq') return null;
  const score = topicSimilarity(rm, qv, first.url);
  const next = second ? topicSimilarity(rm, qv, second.url) : 0;
  return score >= INSTANT_ANSWER.min && score - next >= INSTANT_ANSWER.margin ? first.url : null;
}

/** A hit for a document only the similarity engine found: its text's start as the snippet, nothing marked. */
function engineHit(d: RerankDoc): SearchHit & { engineScore: number } {
  return { engineScore: 0, id: documentId(d.url), type: d.type, title: d.title, section: d.section, url: d.url, snippet: escapeText(d.text.length > 80 ? `${d.text.slice(0, 80)}…` : d.text) };
}

/** Hits per type, from the `type` facet, or from the `shelf` facet at the `access` levels. */
function typeCounts(res: SearchResponse, access: Access[]): Record<DocType, number> {
  const facets = emptyFacets();
  for (const [k, v] of Object.entries(res.facetDistribution?.type ?? {})) if (k in facets) facets[k as DocType] = v;
  for (const [k, v] of Object.entries(res.facetDistribution?.shelf ?? {})) {
    const [t, a] = k.split(':') as [DocType, Access];
    if (t in facets && access.includes(a)) facets[t] += v;
  }
  return facets;
}

const createSearchFailedError = createErrorFactory({ code: 'search.failed', message: '搜索出错，请换个说法再试。', status: 502 });

function emptyFacets(): Record<DocType, number> {
  return { manual: 0, faq: 0, courseware: 0, video: 0 };
}
