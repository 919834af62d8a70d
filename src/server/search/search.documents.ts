import { createHash } from 'node:crypto';
import { pinyin } from 'pinyin-pro';
import type { ContentStore, Courseware, Page, Video } from '../content/content.loader.ts';
import type { Access } from '../content/content.schemas.ts';
import { captionWindows, formatTimestamp } from '../videos/videos.captions.ts';

export type DocType = 'manual' | 'faq' | 'courseware' | 'video';

/** One search document: a manual section, an FAQ, a courseware item, a video, or about 30 s of a video's captions. */
export interface SearchDocument {
  id: string;
  type: DocType;
  /** The page title. */
  title: string;
  /** The section heading (the page title for whole-page documents). */
  section: string;
  headings: string[];
  text: string;
  /** Deep link: page URL plus `#anchor`. */
  url: string;
  access: Access;
  /** `type:access` (manual:public): one search counts the hits per type at each access level. */
  shelf: string;
  tags: string[];
  /** "Asked as": titles of answered questions this page answered (see search.asked.ts). */
  asked: string[];
  /** Unix seconds. */
  updated: number;
  /** Toneless pinyin syllables of title and headings, for homophone typos (古障 → gu zhang). */
  pinyin: string;
  /** Pinyin initials of title and headings (故障申告 → gzsg), for initials search. */
  initials: string[];
  /** Hash of everything above, for incremental sync. */
  hash: string;
}

const HAN = /\p{Script=Han}/u;

/**
 * Remembers a text function's answers: titles and headings repeat across a
 * page's sections and across every reload, and pinyin is most of building the
 * documents. Bounded: forgets everything past `max` entries.
 */
function remembered(fn: (text: string) => string, max = 50_000): (text: string) => string {
  const seen = new Map<string, string>();
  return (text) => {
    let out = seen.get(text);
    if (out === undefined) {
      if (seen.size >= max) seen.clear();
      out = fn(text);
      seen.set(text, out);
    }
    return out;
  };
}

/** "故障申告" → "gu zhang shen gao"; non-Chinese text is kept as is. */
export const toPinyin = remembered((text) => {
  if (!HAN.test(text)) return text.toLowerCase();
  return pinyin(text, { toneType: 'none', nonZh: 'consecutive', v: true }).toLowerCase().replace(/\s+/g, ' ').trim();
});

/** "故障申告" → "gzsg". */
export const toInitials = remembered((text) => {
  if (!HAN.test(text)) return '';
  return pinyin(text.replace(/[^\p{Script=Han}]/gu, ''), { pattern: 'first', toneType: 'none', type: 'array' }).join('').toLowerCase();
});

/** Meilisearch ids allow only [A-Za-z0-9_-]: a hash of `url#anchor`. */
export function documentId(url: string): string {
  return createHash('sha256').update(url).digest('base64url').slice(0, 22);
}

const MAX_TEXT = 4000;

/** "7×24" and "7*24" are written "7x24" in the index (and in queries), so either spelling matches. */
export function foldTimes(text: string): string {
  return text.replace(/(\d)\s*[×xX*＊]\s*(\d)/g, '$1x$2');
}

function finish(d: Omit<SearchDocument, 'id' | 'hash' | 'pinyin' | 'initials' | 'asked' | 'shelf'> & { asked?: string[] }): SearchDocument {
  const names = [d.title, ...d.headings];
  const doc = {
    id: documentId(d.url),
    ...d,
    shelf: `${d.type}:${d.access}`,
    title: foldTimes(d.title),
    section: foldTimes(d.section),
    text: foldTimes(d.text.slice(0, MAX_TEXT)),
    asked: d.asked ?? [],
    pinyin: [...new Set(names.map(toPinyin))].join(' | '),
    initials: [...new Set(names.map(toInitials).filter(Boolean))],
  };
  return { ...doc, hash: createHash('sha256').update(JSON.stringify(doc)).digest('hex').slice(0, 16) };
}

function docType(page: Page): DocType | null {
  if (page.kind === 'chapter') return 'manual';
  if (page.kind === 'faq') return 'faq';
  if (page.kind === 'courseware') return 'courseware';
  if (page.kind === 'video') return 'video';
  return null;
}

/**
 * Section-level documents for every searchable page in the store. `asked`
 * holds the "asked as" phrases by URL; a phrase for a whole manual page goes
 * to its first section.
 */
export function buildDocuments(store: ContentStore, updatedAt: (page: Page) => Date, asked: Map<string, string[]> = new Map()): SearchDocument[] {
  const docs: SearchDocument[] = [];
  for (const page of store.pages.values()) {
    const type = docType(page);
    if (!type) continue;
    const updated = Math.floor(updatedAt(page).getTime() / 1000);
    const common = { type, title: page.title, access: page.access, tags: page.tags, updated };
    if (page.kind === 'video') {
      docs.push(...videoDocuments(page as Video, common));
      continue;
    }
    if (type !== 'manual') {
      // An FAQ or courseware item is one document: the whole page answers one thing.
      let text = page.sections.map((s) => [...s.headings, s.text].join(' ')).join(' ');
      // A course is found by its summary, audience and what each version changed, too.
      if (page.kind === 'courseware') {
        const c = page as Courseware;
        text = [c.summary, c.audience, text, ...c.versions.map((v) => `${v.version} ${v.changelog}`)].filter(Boolean).join(' ');
      }
      docs.push(finish({ ...common, section: page.title, headings: [], text, url: page.url, asked: asked.get(page.url) }));
      continue;
    }
    page.sections.forEach((s, i) => {
      const url = s.anchor ? `${page.url}#${s.anchor}` : page.url;
      const phrases = [...(asked.get(url) ?? []), ...(i === 0 && url !== page.url ? (asked.get(page.url) ?? []) : [])];
      docs.push(finish({ ...common, section: s.headings.at(-1) ?? page.title, headings: s.headings, text: s.text, url, asked: [...new Set(phrases)] }));
    });
  }
  return docs;
}

/**
 * A video is found by its page (title, summary, chapters, notes) and by what
 * is said in it: its captions in windows of about 30 s, each a document that
 * opens the video at the window's first second (`?t=`), headed by its time
 * and the chapter it falls in.
 */
function videoDocuments(video: Video, common: Pick<SearchDocument, 'type' | 'title' | 'access' | 'tags' | 'updated'>): SearchDocument[] {
  const notes = video.sections.map((s) => [...s.headings, s.text].join(' ')).join(' ');
  const text = [video.summary, video.audience, ...video.chapters.map((c) => c.title), notes].filter(Boolean).join(' ');
  const docs = [finish({ ...common, section: video.title, headings: [], text, url: video.url })];
  for (const w of captionWindows(video.cues)) {
    const chapter = video.chapters.filter((c) => c.at <= w.start + 0.5).at(-1);
    const second = Math.floor(w.start);
    docs.push(
      finish({
        ...common,
        section: chapter ? `${formatTimestamp(second)} · ${chapter.title}` : formatTimestamp(second),
        headings: chapter ? [chapter.title] : [],
        text: w.text,
        url: `${video.url}?t=${second}`,
      }),
    );
  }
  return docs;
}
