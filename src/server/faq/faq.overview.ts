/**
 * The FAQ review page (/admin/faq) in one read: clusters (candidates first),
 * the content gaps of the last weeks, and how often each FAQ entry was
 * suggested while asking and how often it ended the asking.
 */
import type { Db } from '../../../db/client.ts';
import type { FaqSettings } from './faq.config.ts';
import { deflectionsByPage, searchesThenAsked, searchesWithoutResult, suggestionsByPage, type ContentGap } from './faq.gaps.ts';
import { listClusters, type ClusterSummary } from './faq.queries.ts';
import type { PreparedLexicon } from './similarity.text.ts';

/** How far back the gaps and the suggestion counts look. */
export const GAP_DAYS = 30;
/** Clusters below the candidate rule listed under the candidates. */
const OTHERS_SHOWN = 30;

export interface ReviewOverview {
  candidates: ClusterSummary[];
  /** Clusters of two or more that are not candidates (open, rejected or published), largest first. */
  others: ClusterSummary[];
  noResult: ContentGap[];
  thenAsked: ContentGap[];
  /** Per FAQ page URL since GAP_DAYS: shown beside the ask form, and asks it ended. */
  usage: Map<string, { suggested: number; solved: number }>;
}

export async function reviewOverview({ db, settings, lexicon, now }: { db: Db; settings: FaqSettings; lexicon: PreparedLexicon; now: Date }): Promise<ReviewOverview> {
  const since = new Date(now.getTime() - GAP_DAYS * 86_400_000);
  const [clusters, noResult, thenAsked, solved, suggested] = await Promise.all([
    listClusters({ db, settings, lexicon, now }),
    searchesWithoutResult({ db, since }),
    searchesThenAsked({ db, since }),
    deflectionsByPage({ db, since }),
    suggestionsByPage({ db, since }),
  ]);
  const usage = new Map<string, { suggested: number; solved: number }>();
  for (const url of new Set([...solved.keys(), ...suggested.keys()])) {
    if (url.startsWith('/faq/')) usage.set(url, { suggested: suggested.get(url) ?? 0, solved: solved.get(url) ?? 0 });
  }
  return {
    candidates: clusters.filter((c) => c.candidate),
    others: clusters.filter((c) => !c.candidate).slice(0, OTHERS_SHOWN),
    noResult,
    thenAsked,
    usage,
  };
}
