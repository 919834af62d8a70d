import path from 'node:path/posix';
import { Marked, Renderer, type Token, type Tokens } from 'marked';
import sanitizeHtml from 'sanitize-html';

export interface TocEntry {
  depth: 2 | 3;
  text: string;
  id: string;
}

/** One h2/h3 section (or the text before the first h2), the unit search indexes. */
export interface Section {
  /** Heading id; '' for the part before the first heading. */
  anchor: string;
  /** Heading path, e.g. ['提交问题', '选择问题类型']; empty for the intro. */
  headings: string[];
  text: string;
}

export interface RenderIssue {
  line: number;
  message: string;
}

export interface RenderInput {
  markdown: string;
  /** Line of the file where `markdown` starts (after frontmatter). */
  firstLine: number;
  /** The file, relative to CONTENT_DIR with forward slashes. */
  file: string;
  /** Site URL of another content file (relative to CONTENT_DIR), or null when there is none. */
  resolvePage(file: string): string | null;
  /** URL of an asset file (relative to CONTENT_DIR), or null when it does not exist. */
  resolveAsset(file: string): string | null;
}

export interface Rendered {
  html: string;
  toc: TocEntry[];
  sections: Section[];
  issues: RenderIssue[];
}

const EXPLICIT_ID = /\s*\{#([A-Za-z0-9_-]+)\}\s*$/;

/**
 * A heading's anchor: lower-case, punctuation dropped, spaces to hyphens; CJK
 * characters kept, so Chinese headings get readable, stable ids.
 */
export function slugify(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
    .replace(/\s+/g, '-');
}

const sanitizeOptions: sanitizeHtml.IOptions = {
  allowedTags: [
    ...sanitizeHtml.defaults.allowedTags,
    'img',
    'del',
    'ins',
    'sup',
    'sub',
    'input',
  ],
  allowedAttributes: {
    a: ['href', 'title', 'rel'],
    img: ['src', 'alt', 'title', 'width', 'height', 'loading'],
    h1: ['id'],
    h2: ['id'],
    h3: ['id'],
    h4: ['id'],
    h5: ['id'],
    h6: ['id'],
    code: ['class'],
    th: ['align'],
    td: ['align'],
    ol: ['start'],
    input: ['type', 'checked', 'disabled'],
  },
  allowedClasses: { code: [/^language-[\w-]+$/] },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: { img: ['http', 'https', 'data'] },
  allowProtocolRelative: false,
  transformTags: {
    a: (tagName, attribs) => {
      const external = /^https?:\/\//i.test(attribs.href ?? '');
      return { tagName, attribs: external ? { ...attribs, rel: 'noopener noreferrer' } : attribs };
    },
    input: (tagName, attribs) => ({ tagName, attribs: { ...attribs, disabled: '' } }),
  },
};

/** The one sanitizer for every piece of rendered markdown, content files and user input alike. */
export function sanitize(html: string): string {
  return sanitizeHtml(html, sanitizeOptions);
}

function isRelative(href: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:/i.test(href) && !href.startsWith('/') && !href.startsWith('#') && !href.startsWith('//');
}

/** A relative link's path with %-escapes decoded, or null when an escape is malformed. */
function decodePath(href: string): string | null {
  try {
    return decodeURI(href);
  } catch {
    return null;
  }
}

function plainText(html: string): string {
  return sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} })
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Renders a content file's markdown: ids, TOC, rewritten links, sanitized HTML, search sections. */
export function renderMarkdown(input: RenderInput): Rendered {
  const issues: RenderIssue[] = [];
  const lineOf = (needle: string) => {
    const i = input.markdown.indexOf(needle);
    return input.firstLine + (i < 0 ? 0 : input.markdown.slice(0, i).split('\n').length - 1);
  };
  const dir = path.dirname(input.file);
  const badEscape = (href: string) => void issues.push({ line: lineOf(`](${href}`), message: `bad link ${href}: malformed %-escape` });

  // Marked copies these onto its own renderer, so `this` is that renderer (with its parser).
  const baseLink = Renderer.prototype.link;
  const baseImage = Renderer.prototype.image;
  const renderer = new Renderer();
  renderer.heading = function ({ tokens, depth, ...rest }: Tokens.Heading & { id?: string }) {
    const id = (rest as { id?: string }).id;
    return `<h${depth}${id ? ` id="${id}"` : ''}>${this.parser.parseInline(tokens)}</h${depth}>\n`;
  };
  renderer.link = function (token: Tokens.Link) {
    if (!isRelative(token.href)) return baseLink.call(this, token);
    const [target = '', anchor] = token.href.split('#');
    if (!target.endsWith('.md')) return baseLink.call(this, token);
    const decoded = decodePath(target);
    if (decoded === null) {
      badEscape(token.href);
      return baseLink.call(this, { ...token, href: '#' });
    }
    const url = input.resolvePage(path.normalize(path.join(dir, decoded)));
    if (!url) {
      issues.push({ line: lineOf(`](${token.href}`), message: `broken link to ${token.href}` });
      return baseLink.call(this, { ...token, href: '#' });
    }
    return baseLink.call(this, { ...token, href: anchor ? `${url}#${anchor}` : url });
  };
  renderer.image = function (token: Tokens.Image) {
    if (!isRelative(token.href)) return baseImage.call(this, token);
    const decoded = decodePath(token.href);
    if (decoded === null) {
      badEscape(token.href);
      return '';
    }
    const url = input.resolveAsset(path.normalize(path.join(dir, decoded)));
    if (!url) {
      issues.push({ line: lineOf(`](${token.href}`), message: `missing image ${token.href}` });
      return '';
    }
    return baseImage.call(this, { ...token, href: url });
  };

  const marked = new Marked({ gfm: true, renderer });
  const tokens = marked.lexer(input.markdown);

  // Anchors: explicit {#id} wins; otherwise the slug, made unique within the page.
  const used = new Map<string, number>();
  const toc: TocEntry[] = [];
  for (const token of tokens) {
    if (token.type !== 'heading') continue;
    const h = token as Tokens.Heading & { id?: string };
    const explicit = EXPLICIT_ID.exec(h.text);
    if (explicit) {
      h.text = h.text.replace(EXPLICIT_ID, '');
      const last = h.tokens[h.tokens.length - 1];
      if (last && 'text' in last) {
        last.text = last.text.replace(EXPLICIT_ID, '');
        last.raw = last.raw.replace(EXPLICIT_ID, '');
      }
    }
    const base = explicit?.[1] ?? (slugify(plainText(marked.parseInline(h.text) as string)) || 'section');
    const n = used.get(base) ?? 0;
    used.set(base, n + 1);
    h.id = n === 0 ? base : `${base}-${n}`;
    if (h.depth === 2 || h.depth === 3) toc.push({ depth: h.depth, text: plainText(marked.parseInline(h.text) as string), id: h.id });
  }

  // Sections: split the token list at h2/h3.
  const groups: { anchor: string; headings: string[]; tokens: Token[] }[] = [{ anchor: '', headings: [], tokens: [] }];
  let h2 = '';
  for (const token of tokens) {
    if (token.type === 'heading' && (token.depth === 2 || token.depth === 3)) {
      const h = token as Tokens.Heading & { id: string };
      const title = plainText(marked.parseInline(h.text) as string);
      if (h.depth === 2) h2 = title;
      groups.push({ anchor: h.id, headings: h.depth === 2 || !h2 ? [title] : [h2, title], tokens: [] });
    } else {
      groups[groups.length - 1]!.tokens.push(token);
    }
  }
  const html = sanitize(marked.parser(tokens) as string);
  const sections = groups
    .map((g) => {
      const list = Object.assign([...g.tokens], { links: tokens.links });
      return { anchor: g.anchor, headings: g.headings, text: plainText(marked.parser(list) as string) };
    })
    .filter((s) => s.anchor !== '' || s.text !== '');
  return { html, toc, sections, issues: dedupe(issues) };
}

function dedupe(issues: RenderIssue[]): RenderIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.line}:${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
