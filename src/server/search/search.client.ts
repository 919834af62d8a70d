import { Meilisearch } from 'meilisearch';
import type { Config } from '../config/config.ts';
import type { RerankModel } from './search.rerank.ts';
import { createSearchResultCache, type SearchResultCache } from './search.cache.ts';
import type { SearchResult } from './search.query.ts';
import type { Logger } from '../shared/logger.ts';
import { startEmbeddedMeili, type EmbeddedMeili } from './embedded.ts';
import { createMeiliHttpClient } from './search.http.ts';

/**
 * The one search client. `client` is null when no engine could be had: the
 * site keeps serving, search answers 503, and derived indexes catch up later.
 */
export interface SearchService {
  kind: 'external' | 'embedded';
  client: Meilisearch | null;
  url: string | null;
  indexPrefix: string;
  /** Why there is no engine, when there is none. */
  unavailableReason: string | null;
  /** The re-ranking model over the documents last indexed from this process (null until then). */
  rerankModel: RerankModel | null;
  /** Results of repeated searches (search.cache.ts); cleared by every index change this process makes. */
  results: SearchResultCache<SearchResult>;
  health(): Promise<{ ok: boolean; error?: string }>;
  stop(): Promise<void>;
}

export function createSearchService({
  url,
  apiKey,
  kind,
  indexPrefix,
  embedded,
}: {
  url: string;
  apiKey?: string;
  kind: 'external' | 'embedded';
  indexPrefix: string;
  embedded?: EmbeddedMeili;
}): SearchService {
  const http = createMeiliHttpClient();
  const client = new Meilisearch({ host: url, apiKey, timeout: 10_000, httpClient: http.request });
  return {
    kind,
    client,
    url,
    indexPrefix,
    unavailableReason: null,
    rerankModel: null,
    results: createSearchResultCache<SearchResult>(),
    async health() {
      try {
        const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
        return res.ok ? { ok: true } : { ok: false, error: `HTTP ${res.status}` };
      } catch (e) {
        return { ok: false, error: (e as Error).message };
      }
    },
    async stop() {
      http.close();
      await embedded?.stop();
    },
  };
}

function unavailableSearch(kind: SearchService['kind'], reason: string, indexPrefix: string): SearchService {
  return {
    kind,
    client: null,
    url: null,
    indexPrefix,
    unavailableReason: reason,
    rerankModel: null,
    results: createSearchResultCache<SearchResult>({ maxEntries: 0 }),
    health: async () => ({ ok: false, error: reason }),
    stop: async () => {},
  };
}

/** Connects to MEILI_URL, or starts the embedded engine; never throws. */
export async function startSearch({ config, log }: { config: Config; log: Logger }): Promise<SearchService> {
  if (config.search.kind === 'external') {
    return createSearchService({
      url: config.search.url.replace(/\/$/, ''),
      apiKey: config.search.apiKey,
      kind: 'external',
      indexPrefix: config.meiliIndexPrefix,
    });
  }
  try {
    const embedded = await startEmbeddedMeili({ dataDir: config.dataDir, bin: config.search.bin, log });
    return createSearchService({
      url: embedded.url,
      apiKey: embedded.apiKey,
      kind: 'embedded',
      indexPrefix: config.meiliIndexPrefix,
      embedded,
    });
  } catch (e) {
    const reason = (e as Error).message;
    log.error({ reason }, 'no search engine: pages and questions keep working, search answers 503');
    return unavailableSearch('embedded', reason, config.meiliIndexPrefix);
  }
}
