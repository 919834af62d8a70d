import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { classify, isAssetFile, readAll, urlOf, walk } from './content.files.ts';
import { parseFrontmatter, type ContentIssue } from './content.frontmatter.ts';
import { renderMarkdown, type Rendered, type Section, type TocEntry } from './content.render.ts';
import { compareVersions } from '../courseware/courseware.versions.ts';
import {
  accessLevels,
  chapterSchema,
  coursewareSchema,
  coursewareVersionSchema,
  faqSchema,
  manualIndexSchema,
  videoSchema,
  type Access,
} from './content.schemas.ts';
import type { Cue } from '../videos/videos.captions.ts';
import { loadCaptions, loadDictionary, loadSynonyms } from './content.sidecars.ts';

export type PageKind = 'manual' | 'chapter' | 'faq' | 'courseware' | 'video';

export interface Page {
  kind: PageKind;
  /** Path relative to CONTENT_DIR, forward slashes. */
  file: string;
  url: string;
  title: string;
  access: Access;
  /** sha256 of the file's bytes. */
  hash: string;
  /** `updated` from frontmatter, when given. */
  updated?: Date;
  tags: string[];
  html: string;
  toc: TocEntry[];
  sections: Section[];
}

export interface Chapter extends Page {
  kind: 'chapter';
  manual: string;
  slug: string;
  order: number;
}

export interface Manual extends Page {
  kind: 'manual';
  slug: string;
  summary: string;
  order: number;
  chapters: Chapter[];
}

export interface Faq extends Page {
  kind: 'faq';
  slug: string;
  category: string;
  order: number;
  /** Promoted from a cluster of questions at /admin/faq: which, when, by whom. */
  promoted?: { questions: string[]; at: string; by: string };
}

export type CoursewareVersion = z.output<typeof coursewareVersionSchema>;

export interface Courseware extends Page {
  kind: 'courseware';
  slug: string;
  summary: string;
  audience: string;
  /** Newest first (by version number); the first is the current one. */
  versions: CoursewareVersion[];
}

export type VideoMeta = z.output<typeof videoSchema>;

export interface Video extends Page {
  kind: 'video';
  slug: string;
  summary: string;
  audience: string;
  /** The course (content/courseware) this lesson belongs to, by slug. */
  course?: string;
  /** The media in FILES_DIR. */
  media: Pick<VideoMeta, 'file' | 'name' | 'size' | 'sha256'>;
  duration?: number;
  poster?: string;
  chapters: VideoMeta['chapters'];
  /** The captions from `videos/<slug>.vtt`, in time order; empty when there are none (or they failed to load). */
  cues: Cue[];
}

export interface ContentStore {
  manuals: Manual[];
  faqs: Faq[];
  courseware: Courseware[];
  /** Newest first. */
  videos: Video[];
  /** Every published page by URL. */
  pages: Map<string, Page>;
  /**
   * Each image a published page references (path relative to CONTENT_DIR, forward
   * slashes), with the strictest access of those pages. An image not here is staff-only.
   */
  assets: Map<string, Access>;
  issues: ContentIssue[];
  synonyms: string[][];
  dictionary: string[];
  /** Hash over all files: changes when anything does. */
  hash: string;
}

const SLUG = /^[a-z0-9][a-z0-9-]*$/;

export const assetUrl = (file: string) => `/content-files/${file.split('/').map(encodeURIComponent).join('/')}`;

/** The less public of two access levels. */
export function strictest(a: Access, b: Access): Access {
  return accessLevels.indexOf(a) >= accessLevels.indexOf(b) ? a : b;
}

interface Parsed {
  file: string;
  hash: string;
  data: Record<string, unknown>;
  body: string;
  bodyLine: number;
  /** A video's captions. */
  cues?: Cue[];
}

/**
 * What rendering each file gave last time, and what the render looked up: the
 * URLs of the pages it linked and of the images it showed. A reload renders a
 * file again only when its bytes changed or one of those lookups would now
 * answer differently (a linked page removed, an image added), so an edit to
 * one file of a large tree costs one render, not the tree's.
 */
export type RenderCache = Map<string, { hash: string; rendered: Rendered; pages: [string, string | null][]; assets: [string, string | null][] }>;

export const createRenderCache = (): RenderCache => new Map();

/**
 * Reads CONTENT_DIR into a store of rendered pages. A bad file is skipped with
 * `file:line: message` in `issues`; it never stops the rest from loading.
 * With a `cache` (kept between loads), files whose render would not change are
 * not rendered again.
 */
export async function loadContent(contentDir: string, cache?: RenderCache): Promise<ContentStore> {
  const files = await walk(contentDir);
  const issues: ContentIssue[] = [];
  const all = createHash('sha256');
  const parsed = new Map<string, Parsed & { c: NonNullable<ReturnType<typeof classify>> }>();

  const pageFiles = files.flatMap((file) => {
    const c = file.endsWith('.md') ? classify(file) : null;
    return c ? [{ file, c }] : [];
  });
  // Read side by side (the disk's latency, not ours, is most of a load); parse in order.
  const reads = await readAll(contentDir, pageFiles.map((f) => f.file));
  for (const { file, c } of pageFiles) {
    await perFile(file, issues, async () => {
      const bytes = await reads.get(file)!;
      const hash = createHash('sha256').update(bytes).digest('hex');
      all.update(`${file}\0${hash}\0`);
      if (!SLUG.test(c.slug) || (c.manual && !SLUG.test(c.manual))) {
        issues.push({ file, line: 1, message: 'file and folder names must be lower-case letters, digits and hyphens' });
        return;
      }
      const fm = parseFrontmatter(bytes.toString('utf8'));
      if (!fm.ok) {
        issues.push({ file, line: fm.line, message: fm.message });
        return;
      }
      const schema: z.ZodType = { manual: manualIndexSchema, chapter: chapterSchema, faq: faqSchema, courseware: coursewareSchema, video: videoSchema }[c.kind];
      const result = schema.safeParse(fm.value.data);
      if (!result.success) {
        for (const issue of result.error.issues.slice(0, 3)) {
          const key = String(issue.path[0] ?? '');
          const where = key ? `${key}: ` : '';
          issues.push({ file, line: fm.value.keyLines.get(key) ?? 1, message: `${where}${issue.message}` });
        }
        return;
      }
      const cues = c.kind === 'video' ? await loadCaptions(contentDir, `videos/${c.slug}.vtt`, issues, all) : undefined;
      parsed.set(file, { file, hash, data: result.data as Record<string, unknown>, body: fm.value.body, bodyLine: fm.value.bodyLine, c, cues });
    });
  }

  // Manuals need a valid index.md; their chapters are skipped otherwise.
  for (const [file, p] of parsed) {
    if (p.c.kind === 'chapter' && !parsed.has(`manuals/${p.c.manual}/index.md`)) {
      issues.push({ file, line: 1, message: `manual "${p.c.manual}" has no valid index.md` });
      parsed.delete(file);
    }
  }

  const urls = new Map([...parsed.values()].map((p) => [p.file, urlOf(p.c)]));
  const pages = new Map<string, Page>();
  const manuals = new Map<string, Manual>();
  const chapters: Chapter[] = [];
  const faqs: Faq[] = [];
  const courseware: Courseware[] = [];
  const videos: Video[] = [];
  // The images each rendered page references, by the page's file.
  const refs = new Map<string, Set<string>>();

  for (const p of parsed.values()) {
    await perFile(p.file, issues, () => {
      const resolvePage = (f: string) => urls.get(f) ?? null;
      const resolveAsset = (f: string) => (isAssetFile(contentDir, f) ? assetUrl(f) : null);
      let hit = cache?.get(p.file);
      if (!hit || hit.hash !== p.hash || hit.pages.some(([f, u]) => resolvePage(f) !== u) || hit.assets.some(([f, u]) => resolveAsset(f) !== u)) {
        const pages: [string, string | null][] = [];
        const assets: [string, string | null][] = [];
        const rendered = renderMarkdown({
          markdown: p.body,
          firstLine: p.bodyLine,
          file: p.file,
          resolvePage: (f) => {
            const u = resolvePage(f);
            pages.push([f, u]);
            return u;
          },
          resolveAsset: (f) => {
            const u = resolveAsset(f);
            assets.push([f, u]);
            return u;
          },
        });
        hit = { hash: p.hash, rendered, pages, assets };
        cache?.set(p.file, hit);
      }
      const { rendered } = hit;
      const used = new Set(hit.assets.filter(([, u]) => u !== null).map(([f]) => f));
      if (rendered.issues.length) {
        for (const i of rendered.issues) issues.push({ file: p.file, line: i.line, message: i.message });
        return;
      }
      refs.set(p.file, used);
      const d = p.data;
      const base = {
        file: p.file,
        url: urls.get(p.file)!,
        title: d.title as string,
        hash: p.hash,
        updated: d.updated as Date | undefined,
        tags: (d.tags as string[] | undefined) ?? [],
        html: rendered.html,
        toc: rendered.toc,
        sections: rendered.sections,
      };
      if (p.c.kind === 'manual') {
        manuals.set(p.c.slug, { ...base, kind: 'manual', slug: p.c.slug, access: d.access as Access, summary: d.summary as string, order: d.order as number, chapters: [] });
      } else if (p.c.kind === 'chapter') {
        chapters.push({ ...base, kind: 'chapter', manual: p.c.manual!, slug: p.c.slug, access: (d.access as Access | undefined) ?? 'public', order: (d.order as number | undefined) ?? p.c.order ?? 100 });
      } else if (p.c.kind === 'faq') {
        faqs.push({ ...base, kind: 'faq', slug: p.c.slug, access: d.access as Access, category: d.category as string, order: d.order as number, ...(d.promoted ? { promoted: d.promoted as Faq['promoted'] } : {}) });
      } else if (p.c.kind === 'courseware') {
        const versions = [...(d.versions as CoursewareVersion[])].sort((a, b) => compareVersions(b.version, a.version));
        courseware.push({ ...base, kind: 'courseware', slug: p.c.slug, access: d.access as Access, summary: d.summary as string, audience: d.audience as string, versions });
      } else {
        const v = d as VideoMeta;
        videos.push({
          ...base,
          kind: 'video',
          slug: p.c.slug,
          access: v.access,
          summary: v.summary,
          audience: v.audience,
          course: v.course,
          media: { file: v.file, name: v.name, size: v.size, sha256: v.sha256 },
          duration: v.duration,
          poster: v.poster,
          chapters: v.chapters,
          cues: p.cues ?? [],
        });
      }
    });
  }

  for (const ch of chapters) {
    const manual = manuals.get(ch.manual);
    if (!manual) continue; // its index.md failed to render
    // A chapter is never more public than its manual.
    ch.access = strictest(manual.access, ch.access);
    manual.chapters.push(ch);
  }
  const byOrder = <T extends { order: number; title: string }>(a: T, b: T) => a.order - b.order || a.title.localeCompare(b.title, 'zh-CN');
  const manualList = [...manuals.values()].sort(byOrder);
  for (const m of manualList) {
    m.chapters.sort(byOrder);
    pages.set(m.url, m);
    for (const ch of m.chapters) pages.set(ch.url, ch);
  }
  faqs.sort((a, b) => a.category.localeCompare(b.category, 'zh-CN') || byOrder(a, b));
  for (const f of faqs) pages.set(f.url, f);
  courseware.sort((a, b) => a.title.localeCompare(b.title, 'zh-CN'));
  for (const c of courseware) pages.set(c.url, c);
  videos.sort((a, b) => (b.updated?.getTime() ?? 0) - (a.updated?.getTime() ?? 0) || a.title.localeCompare(b.title, 'zh-CN'));
  for (const v of videos) pages.set(v.url, v);

  if (cache) for (const file of cache.keys()) if (!parsed.has(file)) cache.delete(file);
  const synonyms = await loadSynonyms(contentDir, issues, all);
  const dictionary = await loadDictionary(contentDir, all);
  const assets = assetAccess(pages.values(), refs);
  return { manuals: manualList, faqs, courseware, videos, pages, assets, issues, synonyms, dictionary, hash: all.digest('hex') };
}

/**
 * Runs one file's step. Whatever it throws becomes that file's issue, so a bad
 * file is always skipped with its file:line error and the rest still loads.
 */
async function perFile(file: string, issues: ContentIssue[], step: () => Promise<void> | void): Promise<void> {
  try {
    await step();
  } catch (err) {
    issues.push({ file, line: 1, message: `cannot load: ${err instanceof Error ? err.message : String(err)}` });
  }
}

/** Each referenced image's access: the strictest of the published pages that reference it. */
function assetAccess(pages: Iterable<Page>, refs: Map<string, Set<string>>): Map<string, Access> {
  const assets = new Map<string, Access>();
  for (const page of pages) {
    for (const file of refs.get(page.file) ?? []) assets.set(file, strictest(assets.get(file) ?? page.access, page.access));
  }
  return assets;
}

/** `path:line: message`, as the log and `npm run content:check` print it. */
export function formatIssue(i: ContentIssue): string {
  return `${i.file}:${i.line}: ${i.message}`;
}
