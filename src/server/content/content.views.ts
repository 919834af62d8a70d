import { desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { contentPages, contentPageViews } from '../../../db/schema/index.ts';
import { canView, type Viewer } from './content.access.ts';
import type { Chapter, ContentStore, Courseware, Faq, Manual, Page, Video } from './content.loader.ts';
import type { ContentService } from './content.service.ts';

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

/**
 * Counts a view of a knowledge page: the running total ("most viewed" on the
 * home page) and the hour's count (the reports' page views for any period).
 */
export async function countView({ db, url, at }: { db: Db; url: string; at: Date }): Promise<void> {
  const hour = new Date(Math.floor(at.getTime() / 3_600_000) * 3_600_000);
  await db.update(contentPages).set({ views: sql`${contentPages.views} + 1` }).where(eq(contentPages.url, url));
  await db
    .insert(contentPageViews)
    .values({ hour, url, views: 1 })
    .onConflictDoUpdate({ target: [contentPageViews.hour, contentPageViews.url], set: { views: sql`${contentPageViews.views} + 1` } });
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
