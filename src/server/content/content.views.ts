import { desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { contentPages, contentPageViews } from '../../../db/schema/index.ts';
import { canView, type Viewer } from './content.access.ts';
import type { Chapter, ContentStore, Courseware, Faq, Manual, Page, Video } from './content.loader.ts';
import type { ContentService } from './content.service.ts';
import type { Logger } from '../shared/logger.ts';

export type Lookup<T> = { status: 'ok'; value: T } | { status: 'not_found' } | { status: 'forbidden' };

function gate<T extends Page>(viewer: Viewer | null, page: T | undefined): Lookup<T> {
  if (!page) return { status: 'not_found' };
  if (!canView(viewer, page.access)) return { status: 'forbidden' };
  return { status: 'ok', value: page };
}

/** Manuals (and their chapters) the viewer may see. */
export function visibleManuals(store: ContentStore, viewer: Viewer | null): Manual[] {
  return store.manuals
    .filter((m) => canView(viewer, m.access))
    .map((m) => ({ ...m, chapters: m.chapters.filter((c) => canView(viewer, c.access)) }));
}

export function findManual(store: ContentStore, viewer: Viewer | null, slug: string): Lookup<Manual> {
  const found = gate(viewer, store.manuals.find((m) => m.slug === slug));
  if (found.status !== 'ok') return found;
  return { status: 'ok', value: { ...found.value, chapters: found.value.chapters.filter((c) => canView(viewer, c.access)) } };
}

export interface ChapterView {
  manual: Manual;
  chapter: Chapter;
  prev: Chapter | null;
  next: Chapter | null;
}

/** A chapter with its manual's visible chapters for the sidebar and previous/next. */
export function findChapter(store: ContentStore, viewer: Viewer | null, manualSlug: string, chapterSlug: string): Lookup<ChapterView> {
  const manual = findManual(store, viewer, manualSlug);
  if (manual.status !== 'ok') return manual;
  const all = store.manuals.find((m) => m.slug === manualSlug)!.chapters;
  const chapter = gate(viewer, all.find((c) => c.slug === chapterSlug));
  if (chapter.status !== 'ok') return chapter;
  const list = manual.value.chapters;
  const i = list.findIndex((c) => c.slug === chapterSlug);
  return { status: 'ok', value: { manual: manual.value, chapter: chapter.value, prev: list[i - 1] ?? null, next: list[i + 1] ?? null } };
}

/** FAQ entries the viewer may see, grouped by category in order. */
export function faqByCategory(store: ContentStore, viewer: Viewer | null): { category: string; entries: Faq[] }[] {
  const groups = new Map<string, Faq[]>();
  for (const f of store.faqs) {
    if (!canView(viewer, f.access)) continue;
    groups.set(f.category, [...(groups.get(f.category) ?? []), f]);
  }
  return [...groups].map(([category, entries]) => ({ category, entries }));
}

type AnyPage = Manual | Chapter | Faq | Courseware | Video;

export function findPage<K extends AnyPage['kind']>(store: ContentStore, viewer: Viewer | null, url: string, kind: K): Lookup<Extract<AnyPage, { kind: K }>> {
  const page = store.pages.get(url);
  return gate(viewer, page?.kind === kind ? (page as Extract<AnyPage, { kind: K }>) : undefined);
}

export interface ViewCounter {
  /** Counts a view of a knowledge page (chapter or FAQ entry); written with the next flush. */
  count(url: string, at: Date): void;
  /** Writes what was counted: the running totals ("most viewed" on the home page) and the hours (reports). */
  flush(): Promise<void>;
  /** Stops the timer and writes the rest. */
  stop(): Promise<void>;
}

/**
 * Page views counted in memory and written every few seconds, a row per page
 * and hour: a page served thousands of times a minute (from the page cache)
 * costs a few statements, not two writes a view. A crash loses at most the
 * last few seconds of counts, never anything a user submitted.
 */
export function createViewCounter({ db, log, flushMs = 5000 }: { db: Db; log: Pick<Logger, 'warn'>; flushMs?: number }): ViewCounter {
  let pending = new Map<string, { url: string; hour: Date; n: number }>();
  let writing: Promise<void> = Promise.resolve();
  const write = async (batch: typeof pending) => {
    if (!batch.size) return;
    const rows = [...batch.values()];
    const totals = new Map<string, number>();
    for (const r of rows) totals.set(r.url, (totals.get(r.url) ?? 0) + r.n);
    for (const [url, n] of totals) await db.update(contentPages).set({ views: sql`${contentPages.views} + ${n}` }).where(eq(contentPages.url, url));
    await db
      .insert(contentPageViews)
      .values(rows.map((r) => ({ hour: r.hour, url: r.url, views: r.n })))
      .onConflictDoUpdate({ target: [contentPageViews.hour, contentPageViews.url], set: { views: sql`${contentPageViews.views} + excluded.views` } });
  };
  const flush = () => {
    const batch = pending;
    pending = new Map();
    writing = writing.then(() => write(batch)).catch((err: unknown) => log.warn({ err }, 'writing page view counts failed'));
    return writing;
  };
  const timer = setInterval(() => void flush(), flushMs);
  timer.unref();
  return {
    count(url, at) {
      const hour = new Date(Math.floor(at.getTime() / 3_600_000) * 3_600_000);
      const key = `${hour.getTime()}|${url}`;
      const row = pending.get(key);
      if (row) row.n++;
      else pending.set(key, { url, hour, n: 1 });
    },
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}

/** The home page's lists: recently updated pages and most viewed FAQ, as the viewer may see them. */
export async function homeLists({
  db,
  content,
  viewer,
  limit = 6,
}: {
  db: Db;
  content: ContentService;
  viewer: Viewer | null;
  limit?: number;
}): Promise<{ recent: { page: Page; updatedAt: Date }[]; popularFaq: Faq[] }> {
  const store = content.store();
  const visible = [...store.pages.values()].filter((p) => p.kind !== 'manual' && canView(viewer, p.access));
  const recent = visible
    .map((page) => ({ page, updatedAt: content.updatedAt(page) }))
    .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime())
    .slice(0, limit);
  const faqUrls = store.faqs.filter((f) => canView(viewer, f.access)).map((f) => f.url);
  const rows = faqUrls.length
    ? await db
        .select({ url: contentPages.url, views: contentPages.views })
        .from(contentPages)
        .where(inArray(contentPages.url, faqUrls))
        .orderBy(desc(contentPages.views), contentPages.url)
        .limit(limit)
    : [];
  const popularFaq = rows.map((r) => store.pages.get(r.url)).filter((p): p is Faq => p?.kind === 'faq');
  return { recent, popularFaq };
}
