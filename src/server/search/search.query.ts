import type { FederatedMultiSearchParams, Locale, MultiSearchQueryWithFederation } from 'meilisearch';
import type { Access } from '../content/content.schemas.ts';
import { createErrorFactory, createServiceUnavailableError, createValidationError } from '../shared/errors.ts';
import type { SearchService } from './search.client.ts';
import type { DocType } from './search.documents.ts';
import { foldTimes, toPinyin } from './search.documents.ts';
import { contentIndexUid, PINYIN_ATTRIBUTES, TEXT_ATTRIBUTES } from './search.index.ts';

export const MAX_QUERY_LENGTH = 200;
export const docTypes = ['manual', 'faq', 'courseware'] as const satisfies readonly DocType[];

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
  facets: Record<DocType, number>;
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

// Unlikely characters as highlight tags, so the text can be escaped before <mark> goes in.
const PRE = '\u0001';
const POST = '\u0002';

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export function highlightToHtml(s: string): string {
  return escapeHtml(s).replaceAll(PRE, '<mark>').replaceAll(POST, '</mark>');
}

const HAN = /\p{Script=Han}/u;
const LATIN_ONLY = /^[a-z]+$/;

/**
 * The federated multi-search request for a query: the text query, plus a
 * pinyin query beside it so a homophone typo (古障) or pinyin initials (gzsg)
 * still find the section. `access` is enforced here, on the server.
 */
export function buildSearchRequest({
  indexPrefix,
  q,
  type,
  page = 1,
  limit = 10,
  access,
}: {
  indexPrefix: string;
  q: string;
  type?: DocType;
  page?: number;
  limit?: number;
  access: Access[];
}): FederatedMultiSearchParams {
  const uid = contentIndexUid(indexPrefix);
  const accessFilter = `access IN [${access.map((a) => JSON.stringify(a)).join(', ')}]`;
  const filter = type ? [accessFilter, `type = ${JSON.stringify(type)}`] : [accessFilter];
  const common = {
    indexUid: uid,
    filter,
    attributesToCrop: ['text'],
    cropLength: 40,
    attributesToHighlight: ['text'],
    highlightPreTag: PRE,
    highlightPostTag: POST,
    cropMarker: '…',
  };
  // Measured on the labelled set (tests/search): 'frequency' keeps the rare, telling words but
  // returns nothing when one word occurs nowhere; 'last' drops words from the end and rescues
  // those. Both run, federated; the pinyin query catches homophone typos (古障 → gu zhang).
  const text = { ...common, q, locales: ['cmn'] as Locale[], attributesToSearchOn: TEXT_ATTRIBUTES };
  const queries: MultiSearchQueryWithFederation[] = [
    { ...text, matchingStrategy: 'frequency', federationOptions: { weight: 1 } },
    { ...text, matchingStrategy: 'last', federationOptions: { weight: 0.8 } },
  ];
  if (HAN.test(q)) {
    queries.push({ ...common, q: toPinyin(q), attributesToSearchOn: ['pinyin'], matchingStrategy: 'last', federationOptions: { weight: 0.9 } });
  } else if (LATIN_ONLY.test(q.replace(/\s/g, ''))) {
    queries.push({ ...common, q: q.replace(/\s/g, ''), attributesToSearchOn: PINYIN_ATTRIBUTES, matchingStrategy: 'all', federationOptions: { weight: 0.9 } });
  }
  return {
    federation: { limit, offset: (page - 1) * limit, facetsByIndex: { [uid]: ['type'] }, mergeFacets: {} },
    queries,
  };
}

/** Searches the content index (see buildSearchRequest) and shapes the hits for pages and the API. */
export async function searchContent({
  search,
  q,
  type,
  page = 1,
  limit = 10,
  access,
}: {
  search: SearchService;
  q: string;
  type?: DocType;
  page?: number;
  limit?: number;
  access: Access[];
}): Promise<SearchResult> {
  const client = search.client;
  if (!client) throw createSearchUnavailableError();
  const started = performance.now();
  const params = buildSearchRequest({ indexPrefix: search.indexPrefix, q, type, page, limit, access });
  let res;
  try {
    res = await client.multiSearch(params);
  } catch (e) {
    const cause = (e as { cause?: { code?: string; httpStatus?: number } }).cause;
    if (cause?.code === 'index_not_found') return { hits: [], total: 0, facets: emptyFacets(), tookMs: 0, page, limit };
    // Meilisearch answered with an error: our request was wrong. No answer at all: the engine is down.
    if (cause?.httpStatus) throw createSearchFailedError();
    throw createSearchUnavailableError();
  }
  const facets = emptyFacets();
  for (const [k, v] of Object.entries(res.facetDistribution?.type ?? {})) if (k in facets) facets[k as DocType] = v;
  const hits = res.hits.map((h) => {
    const f = (h._formatted ?? {}) as Record<string, string>;
    return {
      id: String(h.id),
      type: h.type as DocType,
      title: String(h.title),
      section: String(h.section),
      url: String(h.url),
      snippet: highlightToHtml(f.text ?? ''),
    };
  });
  return {
    hits,
    total: res.estimatedTotalHits ?? hits.length,
    facets,
    tookMs: Math.round(performance.now() - started),
    page,
    limit,
  };
}

const createSearchFailedError = createErrorFactory({ code: 'search.failed', message: '搜索出错，请换个说法再试。', status: 502 });

function emptyFacets(): Record<DocType, number> {
  return { manual: 0, faq: 0, courseware: 0 };
}
