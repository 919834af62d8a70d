import type { FederatedMultiSearchParams, Locale, MultiSearchQueryWithFederation } from 'meilisearch';
import type { Access } from '../content/content.schemas.ts';
import { escapeText } from '../shared/html.ts';
import type { DocType } from './search.documents.ts';
import { toPinyin } from './search.documents.ts';
import { contentIndexUid, PINYIN_ATTRIBUTES, TEXT_ATTRIBUTES } from './search.index.ts';
import { understandQuery, type UnderstoodQuery } from './search.understand.ts';

// The federated request a search sends to Meilisearch, and how its highlighted snippets become HTML.

// Unlikely characters as highlight tags, so the text can be escaped before <mark> goes in.
const PRE = '\u0001';
const POST = '\u0002';

export function highlightToHtml(s: string): string {
  return escapeText(s).replaceAll(PRE, '<mark>').replaceAll(POST, '</mark>');
}

const HAN = /\p{Script=Han}/u;
/** Where an intent's words count: a section that answers "how long" says so in its heading. */
const HEADING_ATTRIBUTES = ['section', 'headings', 'title'];
/** Federation weights of the question queries beside the text query (1). Tuned on the dev half of tests/search/questions-*.yml. */
const WEIGHTS = { formal: 0.9, intent: 0.95 };
const LATIN_ONLY = /^[a-z]+$/;

/**
 * What a hit brings back: not its text (up to 4 000 characters, for every hit of the window), only the cropped snippet.
 * Measured on the demo content: 0.8 ms less per search in Meilisearch, and 40 % fewer bytes for the app to parse.
 */
const HIT_ATTRIBUTES = ['id', 'type', 'title', 'section', 'url', 'access'];
/** The least ranking score a hit of the pinyin query needs (measured on the demo content, see below). */
const PINYIN_MIN_SCORE = 0.2;

/**
 * The federated multi-search request for a query: the text query, plus a
 * pinyin query beside it so a homophone typo (古障) or pinyin initials (gzsg)
 * still find the section. `access` is enforced here, on the server. With
 * `facets`, the answer counts hits per type, or per type and access level
 * (under the same filters).
 */
export function buildSearchRequest({
  indexPrefix,
  q,
  type,
  page = 1,
  limit = 10,
  access,
  facets = ['type'],
  window,
  idsOnly = false,
  understood,
}: {
  indexPrefix: string;
  q: string;
  /** The query as understood (homophone typos read, see search.homophones.ts); by default understandQuery(q). */
  understood?: UnderstoodQuery;
  type?: DocType;
  page?: number;
  limit?: number;
  access: Access[];
  /** The attributes to count hits by (type, or shelf for type and access together); none when empty. */
  facets?: readonly ('type' | 'shelf')[];
  /** Ask for the first `window` hits instead of the page (they are re-ranked, then the page is cut). */
  window?: number;
  /** Hits carry their url only, without snippets: for counting. */
  idsOnly?: boolean;
}): FederatedMultiSearchParams {
  const uid = contentIndexUid(indexPrefix);
  const accessFilter = `access IN [${access.map((a) => JSON.stringify(a)).join(', ')}]`;
  const filter = type ? [accessFilter, `type = ${JSON.stringify(type)}`] : [accessFilter];
  const shape = idsOnly
    ? { attributesToRetrieve: ['url'] }
    : { attributesToRetrieve: HIT_ATTRIBUTES, attributesToCrop: ['text'], cropLength: 40, attributesToHighlight: ['text'], highlightPreTag: PRE, highlightPostTag: POST, cropMarker: '…' };
  const common = { indexUid: uid, filter, ...shape };
  // A question is searched by its topic (asking words dropped), beside its colloquial words in the
  // manuals' vocabulary and, when it asks for something (how long, who, where…), by headings that answer it.
  const u = understood ?? understandQuery(q);
  // Measured on the labelled set (tests/search): 'frequency' keeps the rare, telling words but
  // returns nothing when one word occurs nowhere; 'last' drops words from the end and rescues
  // those. Both run, federated; the pinyin query catches homophone typos (古障 → gu zhang).
  const text = { ...common, q: u.topic, locales: ['cmn'] as Locale[], attributesToSearchOn: TEXT_ATTRIBUTES };
  const queries: MultiSearchQueryWithFederation[] = [
    { ...text, matchingStrategy: 'frequency', federationOptions: { weight: 1 } },
    { ...text, matchingStrategy: 'last', federationOptions: { weight: 0.8 } },
  ];
  if (u.formal.length) {
    queries.push({ ...text, q: `${u.topic} ${u.formal.join(' ')}`, matchingStrategy: 'frequency', federationOptions: { weight: WEIGHTS.formal } });
  }
  if (u.intentTerms.length) {
    queries.push({ ...text, q: `${u.topic} ${u.formal.join(' ')} ${u.intentTerms.join(' ')}`, attributesToSearchOn: HEADING_ATTRIBUTES, matchingStrategy: 'frequency', federationOptions: { weight: WEIGHTS.intent } });
  }
  if (HAN.test(u.topic)) {
    // 'last' may drop every syllable but one (liang of 量子纠缠火箭发射 then matched 质量): a match that weak
    // (ranking score 0.07 for 1 of 8 syllables, against 0.39 for 2 of 5 and 0.97 for a whole homophone) is no match.
    queries.push({ ...common, q: toPinyin(u.topic), attributesToSearchOn: ['pinyin'], matchingStrategy: 'last', rankingScoreThreshold: PINYIN_MIN_SCORE, federationOptions: { weight: 0.9 } });
  } else if (LATIN_ONLY.test(q.replace(/\s/g, ''))) {
    queries.push({ ...common, q: q.replace(/\s/g, ''), attributesToSearchOn: PINYIN_ATTRIBUTES, matchingStrategy: 'all', federationOptions: { weight: 0.9 } });
  }
  const facetsByIndex = facets.length ? { facetsByIndex: { [uid]: [...facets] }, mergeFacets: {} } : {};
  const range = window ? { limit: window, offset: 0 } : { limit, offset: (page - 1) * limit };
  return { federation: { ...range, ...facetsByIndex }, queries };
}
