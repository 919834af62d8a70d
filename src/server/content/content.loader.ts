import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { resolveInsideSync } from '../shared/paths.ts';
import { parseFrontmatter, type ContentIssue } from './content.frontmatter.ts';
import { renderMarkdown, type Section, type TocEntry } from './content.render.ts';
import {
  accessLevels,
  chapterSchema,
  coursewareSchema,
  faqSchema,
  manualIndexSchema,
  synonymsSchema,
  type Access,
} from './content.schemas.ts';

export type PageKind = 'manual' | 'chapter' | 'faq' | 'courseware';

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
}

export interface Courseware extends Page {
  kind: 'courseware';
  slug: string;
  summary: string;
  audience: string;
}

export interface ContentStore {
  manuals: Manual[];
  faqs: Faq[];
  courseware: Courseware[];
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

const ASSET_TYPES = new Set(['.png', '.jpg', '.jpeg', '.gif', '.webp', '.svg']);
const SLUG = /^[a-z0-9][a-z0-9-]*$/;

export const assetUrl = (file: string) => `/content-files/${file.split('/').map(encodeURIComponent).join('/')}`;

/** The less public of two access levels. */
export function strictest(a: Access, b: Access): Access {
  return accessLevels.indexOf(a) >= accessLevels.indexOf(b) ? a : b;
}

async function walk(dir: string, base = dir): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(full, base)));
    else if (e.isFile()) out.push(path.relative(base, full).split(path.sep).join('/'));
  }
  return out.sort();
}

interface Parsed {
  file: string;
  hash: string;
  data: Record<string, unknown>;
  body: string;
  bodyLine: number;
}

/** What a file is, from where it lives; null for files that are not pages. */
function classify(file: string): { kind: PageKind; manual?: string; slug: string; order?: number } | null {
  let m = /^manuals\/([^/]+)\/index\.md$/.exec(file);
  if (m) return { kind: 'manual', slug: m[1]! };
  m = /^manuals\/([^/]+)\/(?:(\d+)-)?([^/]+)\.md$/.exec(file);
  if (m) return { kind: 'chapter', manual: m[1]!, slug: m[3]!, order: m[2] ? Number(m[2]) : undefined };
  m = /^faq\/([^/]+)\.md$/.exec(file);
  if (m) return { kind: 'faq', slug: m[1]! };
  m = /^courseware\/([^/]+)\.md$/.exec(file);
  if (m) return { kind: 'courseware', slug: m[1]! };
  return null;
}

function urlOf(c: NonNullable<ReturnType<typeof classify>>): string {
  switch (c.kind) {
    case 'manual':
      return `/manuals/${c.slug}`;
    case 'chapter':
      return `/manuals/${c.manual}/${c.slug}`;
    case 'faq':
      return `/faq/${c.slug}`;
    case 'courseware':
      return `/courseware/${c.slug}`;
  }
}

/**
 * Reads CONTENT_DIR into a store of rendered pages. A bad file is skipped with
 * `file:line: message` in `issues`; it never stops the rest from loading.
 */
export async function loadContent(contentDir: string): Promise<ContentStore> {
  const files = await walk(contentDir);
  const issues: ContentIssue[] = [];
  const all = createHash('sha256');
  const parsed = new Map<string, Parsed & { c: NonNullable<ReturnType<typeof classify>> }>();

  for (const file of files) {
    if (!file.endsWith('.md')) continue;
    const c = classify(file);
    if (!c) continue;
    await perFile(file, issues, async () => {
      const bytes = await readFile(path.join(contentDir, file));
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
      const schema: z.ZodType = { manual: manualIndexSchema, chapter: chapterSchema, faq: faqSchema, courseware: coursewareSchema }[c.kind];
      const result = schema.safeParse(fm.value.data);
      if (!result.success) {
        for (const issue of result.error.issues.slice(0, 3)) {
          const key = String(issue.path[0] ?? '');
          const where = key ? `${key}: ` : '';
          issues.push({ file, line: fm.value.keyLines.get(key) ?? 1, message: `${where}${issue.message}` });
        }
        return;
      }
      parsed.set(file, { file, hash, data: result.data as Record<string, unknown>, body: fm.value.body, bodyLine: fm.value.bodyLine, c });
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
  // The images each rendered page references, by the page's file.
  const refs = new Map<string, Set<string>>();

  for (const p of parsed.values()) {
    await perFile(p.file, issues, () => {
      const used = new Set<string>();
      const rendered = renderMarkdown({
        markdown: p.body,
        firstLine: p.bodyLine,
        file: p.file,
        resolvePage: (f) => urls.get(f) ?? null,
        resolveAsset: (f) => {
          if (!isAssetFile(contentDir, f)) return null;
          used.add(f);
          return assetUrl(f);
        },
      });
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
        faqs.push({ ...base, kind: 'faq', slug: p.c.slug, access: d.access as Access, category: d.category as string, order: d.order as number });
      } else {
        courseware.push({ ...base, kind: 'courseware', slug: p.c.slug, access: d.access as Access, summary: d.summary as string, audience: d.audience as string });
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

  const synonyms = await loadSynonyms(contentDir, issues, all);
  const dictionary = await loadDictionary(contentDir, all);
  const assets = assetAccess(pages.values(), refs);
  return { manuals: manualList, faqs, courseware, pages, assets, issues, synonyms, dictionary, hash: all.digest('hex') };
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

/** Whether `file` (relative to CONTENT_DIR) is an image that really lies inside CONTENT_DIR, symlinks resolved. */
function isAssetFile(contentDir: string, file: string): boolean {
  if (!ASSET_TYPES.has(path.extname(file).toLowerCase())) return false;
  const real = resolveInsideSync(contentDir, file);
  return real !== null && statSync(real, { throwIfNoEntry: false })?.isFile() === true;
}

/** Each referenced image's access: the strictest of the published pages that reference it. */
function assetAccess(pages: Iterable<Page>, refs: Map<string, Set<string>>): Map<string, Access> {
  const assets = new Map<string, Access>();
  for (const page of pages) {
    for (const file of refs.get(page.file) ?? []) assets.set(file, strictest(assets.get(file) ?? page.access, page.access));
  }
  return assets;
}

async function loadSynonyms(contentDir: string, issues: ContentIssue[], all: ReturnType<typeof createHash>): Promise<string[][]> {
  const file = 'search/synonyms.yml';
  let text: string;
  try {
    text = await readFile(path.join(contentDir, file), 'utf8');
  } catch {
    return [];
  }
  all.update(`${file}\0${text}\0`);
  try {
    const parsed = synonymsSchema.safeParse(parseYaml(text));
    if (parsed.success) return parsed.data;
    issues.push({ file, line: 1, message: `expected a list of groups of terms: ${parsed.error.issues[0]?.message}` });
  } catch (e) {
    const line = (e as { linePos?: { line: number }[] }).linePos?.[0]?.line ?? 1;
    issues.push({ file, line, message: `invalid YAML: ${(e as Error).message.split('\n')[0]}` });
  }
  return [];
}

async function loadDictionary(contentDir: string, all: ReturnType<typeof createHash>): Promise<string[]> {
  const file = 'search/dictionary.txt';
  try {
    const text = await readFile(path.join(contentDir, file), 'utf8');
    all.update(`${file}\0${text}\0`);
    return [...new Set(text.split(/\r?\n/).map((l) => l.replace(/#.*/, '').trim()).filter(Boolean))];
  } catch {
    return [];
  }
}

/** `path:line: message`, as the log and `npm run content:check` print it. */
export function formatIssue(i: ContentIssue): string {
  return `${i.file}:${i.line}: ${i.message}`;
}
