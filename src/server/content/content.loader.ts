import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
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
  issues: ContentIssue[];
  synonyms: string[][];
  dictionary: string[];
  /** Hash over all files: changes when anything does. */
  hash: string;
}

const ASSET_TYPES = new Set(['.png', '.jpg', '.jpeg', '.gif', '.webp', '.svg']);
const SLUG = /^[a-z0-9][a-z0-9-]*$/;

export const assetUrl = (file: string) => `/content-files/${file.split('/').map(encodeURIComponent).join('/')}`;

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
    const bytes = await readFile(path.join(contentDir, file));
    const hash = createHash('sha256').update(bytes).digest('hex');
    all.update(`${file}\0${hash}\0`);
    if (!SLUG.test(c.slug) || (c.manual && !SLUG.test(c.manual))) {
      issues.push({ file, line: 1, message: 'file and folder names must be lower-case letters, digits and hyphens' });
      continue;
    }
    const fm = parseFrontmatter(bytes.toString('utf8'));
    if (!fm.ok) {
      issues.push({ file, line: fm.line, message: fm.message });
      continue;
    }
    const schema: z.ZodType = { manual: manualIndexSchema, chapter: chapterSchema, faq: faqSchema, courseware: coursewareSchema }[c.kind];
    const result = schema.safeParse(fm.value.data);
    if (!result.success) {
      for (const issue of result.error.issues.slice(0, 3)) {
        const key = String(issue.path[0] ?? '');
        const where = key ? `${key}: ` : '';
        issues.push({ file, line: fm.value.keyLines.get(key) ?? 1, message: `${where}${issue.message}` });
      }
      continue;
    }
    parsed.set(file, { file, hash, data: result.data as Record<string, unknown>, body: fm.value.body, bodyLine: fm.value.bodyLine, c });
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

  for (const p of parsed.values()) {
    const rendered = renderMarkdown({
      markdown: p.body,
      firstLine: p.bodyLine,
      file: p.file,
      resolvePage: (f) => urls.get(f) ?? null,
      resolveAsset: (f) => {
        if (!ASSET_TYPES.has(path.extname(f).toLowerCase()) || f.startsWith('..')) return null;
        const full = path.join(contentDir, f);
        return existsSync(full) && statSync(full).isFile() ? assetUrl(f) : null;
      },
    });
    if (rendered.issues.length) {
      for (const i of rendered.issues) issues.push({ file: p.file, line: i.line, message: i.message });
      continue;
    }
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
  return { manuals: manualList, faqs, courseware, pages, issues, synonyms, dictionary, hash: all.digest('hex') };
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
