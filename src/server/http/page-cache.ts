import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import type { Runtime } from '../runtime/runtime.ts';
import { gzipFrame, gzipWith, pickEncoding, type GzipFrame } from './encoding.ts';
import { cacheablePath } from './page-cache.paths.ts';
import { captureResponse } from './response-capture.ts';
import { VISITOR_COOKIE } from '../shared/cookies.ts';
import { cutAtName, fillName, nameBytes, sessionCookieValue, type NameTemplate, type SharedViewer } from './shared-pages.ts';

/**
 * A page cache in front of Astro for what is the same for everyone: anonymous
 * GETs of the knowledge pages (home, manuals, chapters, FAQ, courseware and
 * video pages). A request with a visitor cookie, a query string or another
 * method goes to Astro as before, and only a 200 HTML answer without cookies
 * or private caching is kept. Entries are kept with their gzip and brotli
 * bodies and a strong ETag (304 on a match), bounded by bytes (least recently
 * used first out) and by age; `clear()` drops everything at once (content
 * changes, announcements).
 *
 * With `checkSession`, a request with a session cookie is checked here (once:
 * the result goes on to Astro in its locals), and the pages that signed-in
 * people of the same roles share (src/server/http/shared-pages.ts) are kept
 * once per group, with the viewer's name written in on the way out (in gzip
 * from parts compressed once: src/server/http/encoding.ts).
 */
export interface PageCache {
  clear(): void;
  stats(): PageCacheStats;
  /** Serves `req` from the cache, or lets `next` answer and keeps what it may. */
  handle(req: IncomingMessage, res: ServerResponse, next: Next): void;
}

/** The handler behind the cache (Astro), with the locals it starts from. */
export type Next = (req: IncomingMessage, res: ServerResponse, locals?: Record<string, unknown>) => void;

export interface PageCacheStats {
  entries: number;
  bytes: number;
  maxBytes: number;
  hits: number;
  misses: number;
}

interface Common {
  headers: OutgoingHttpHeaders;
  storedAt: number;
  size: number;
  /** The cache generation it was rendered in: a render that began before a clear() is not kept. */
  generation: number;
}
/** An anonymous page, compressed once. */
interface Whole extends Common {
  identity: Buffer;
  gzip: Buffer;
  br: Buffer;
  etag: string;
}
/** A group's copy of a signed-in page, without the viewer's name; its gzip body made once around the name. */
interface Named extends Common {
  template: NameTemplate;
  gzip: GzipFrame;
}
type Entry = Whole | Named;

const VISITOR = new RegExp(`(?:^|;\\s*)${VISITOR_COOKIE}=`);

/** Headers of the rendered answer that belong to that one request. */
const PER_REQUEST = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'x-request-id', 'x-cache', 'etag', 'vary', 'cache-control']);

const etagOf = (body: Buffer) => `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;

const brotli = (body: Buffer, quality: number) => brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: quality, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length } });

export function createPageCache({
  maxBytes,
  ttlMs,
  homeTtlMs = ttlMs,
  now = () => Date.now(),
  onHit = () => {},
  onServed = () => {},
  checkSession,
}: {
  maxBytes: number;
  ttlMs: number;
  /** The home page's (its most-viewed list changes with every view). */
  homeTtlMs?: number;
  now?: () => number;
  /** Told of each page served from the cache (views are counted where the page would have counted them). */
  onHit?: (pathname: string) => void;
  /** Told of each answer from the cache, as Astro's middleware tells the metrics of the pages it renders. */
  onServed?: (served: { pathname: string; method: string; status: number; seconds: number }) => void;
  /** Checks a session cookie: what Astro gets as locals, and who may have the shared page (src/server/http/shared-pages.ts). */
  checkSession?: (req: IncomingMessage, pathname: string) => Promise<{ locals: Record<string, unknown>; viewer: SharedViewer | null }>;
}): PageCache {
  const entries = new Map<string, Entry>();
  let bytes = 0;
  let hits = 0;
  let misses = 0;
  let generation = 0;

  const drop = (key: string) => {
    const e = entries.get(key);
    if (!e) return;
    entries.delete(key);
    bytes -= e.size;
  };
  const store = (key: string, entry: Entry) => {
    // No single page takes more than half the cache.
    if (entry.generation !== generation || entry.size > maxBytes / 2) return;
    drop(key);
    entries.set(key, entry);
    bytes += entry.size;
    for (const oldest of entries.keys()) {
      if (bytes <= maxBytes) break;
      drop(oldest);
    }
  };
  /** The fresh entry under `key`, marked recently used; a stale one is dropped. */
  const lookup = (key: string, pathname: string): Entry | null => {
    const e = entries.get(key);
    if (e && now() - e.storedAt < (pathname === '/' ? homeTtlMs : ttlMs) && e.generation === generation) {
      entries.delete(key);
      entries.set(key, e);
      return e;
    }
    if (e) drop(key);
    return null;
  };

  const send = (req: IncomingMessage, res: ServerResponse, headers: OutgoingHttpHeaders, body: Buffer, encoding: string) => {
    const out: OutgoingHttpHeaders = { ...headers, 'content-length': body.length };
    if (encoding !== 'identity') out['content-encoding'] = encoding;
    res.writeHead(200, out);
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const serveWhole = (req: IncomingMessage, res: ServerResponse, e: Whole) => {
    const common: OutgoingHttpHeaders = { etag: e.etag, vary: 'Accept-Encoding, Cookie', 'cache-control': 'no-cache', 'x-request-id': randomUUID(), 'x-cache': 'hit' };
    if (req.headers['if-none-match']?.split(',').some((t) => t.trim() === e.etag)) {
      res.writeHead(304, common);
      res.end();
      return;
    }
    const encoding = pickEncoding(req.headers['accept-encoding']);
    send(req, res, { ...e.headers, ...common }, encoding === 'br' ? e.br : encoding === 'gzip' ? e.gzip : e.identity, encoding);
  };
  /**
   * A group's copy with the viewer's name, stored by no one. Gzip first: its body is the
   * parts compressed once around the name; brotli (only when gzip is refused) is made now.
   */
  const serveNamed = (req: IncomingMessage, res: ServerResponse, e: Named, name: string) => {
    const encoding = pickEncoding(req.headers['accept-encoding'], ['gzip', 'br']);
    const body = encoding === 'gzip' ? gzipWith(e.gzip, nameBytes(name)) : encoding === 'br' ? brotli(fillName(e.template, name), 4) : fillName(e.template, name);
    send(req, res, { ...e.headers, vary: 'Accept-Encoding, Cookie', 'cache-control': 'private, no-store', 'x-request-id': randomUUID(), 'x-cache': 'hit' }, body, encoding);
  };

  const served = (req: IncomingMessage, res: ServerResponse, pathname: string, answer: () => void) => {
    const started = performance.now();
    answer();
    onServed({ pathname, method: req.method ?? 'GET', status: res.statusCode, seconds: (performance.now() - started) / 1000 });
  };

  /** Lets Astro answer and keeps what `keep` makes of a 200 HTML answer that sets no cookie. */
  const renderAndKeep = (req: IncomingMessage, res: ServerResponse, next: Next, locals: Record<string, unknown> | undefined, keep: (page: Buffer, headers: OutgoingHttpHeaders, control: string) => void) => {
    const startedIn = generation;
    captureResponse(res, ({ status, headers, body }) => {
      if (startedIn !== generation || status !== 200 || req.method !== 'GET' || headers['set-cookie'] || headers['content-encoding']) return;
      if (!String(headers['content-type'] ?? '').startsWith('text/html')) return;
      const kept: OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(headers)) if (!PER_REQUEST.has(k) && v !== undefined) kept[k] = v;
      keep(body, kept, String(headers['cache-control'] ?? ''));
    });
    res.setHeader('X-Cache', 'miss');
    next(req, res, locals);
  };

  const anonymous = (req: IncomingMessage, res: ServerResponse, next: Next, target: string) => {
    const e = lookup(target, target);
    if (e && 'etag' in e) {
      hits++;
      onHit(target);
      return served(req, res, target, () => serveWhole(req, res, e));
    }
    misses++;
    const generationNow = generation;
    renderAndKeep(req, res, next, undefined, (identity, headers, control) => {
      if (/private|no-store/i.test(control)) return;
      const gzip = gzipSync(identity, { level: 6 });
      const br = brotli(identity, 5);
      store(target, { headers, identity, gzip, br, etag: etagOf(identity), storedAt: now(), size: identity.length + gzip.length + br.length + 512, generation: generationNow });
    });
  };

  const signedIn = (req: IncomingMessage, res: ServerResponse, next: Next, target: string, { locals, viewer }: { locals: Record<string, unknown>; viewer: SharedViewer | null }) => {
    if (!viewer) return next(req, res, locals);
    const key = `${target}\n${viewer.group}`;
    const e = lookup(key, target);
    if (e && 'template' in e) {
      hits++;
      onHit(target);
      return served(req, res, target, () => serveNamed(req, res, e, viewer.name));
    }
    misses++;
    const generationNow = generation;
    renderAndKeep(req, res, next, locals, (page, headers) => {
      const template = cutAtName(page, viewer.name);
      if (!template) return;
      const gzip = gzipFrame(template.before, template.after);
      store(key, { headers, template, gzip, storedAt: now(), size: page.length + gzip.head.length + gzip.tail.length + 512, generation: generationNow });
    });
  };

  return {
    clear() {
      entries.clear();
      bytes = 0;
      generation++;
    },
    stats: () => ({ entries: entries.size, bytes, maxBytes, hits, misses }),
    handle(req, res, next) {
      const method = req.method ?? 'GET';
      const target = req.url ?? '/';
      const cookie = req.headers.cookie ?? '';
      if (maxBytes <= 0 || (method !== 'GET' && method !== 'HEAD') || target.includes('?') || !cacheablePath(target)) return next(req, res);
      if (sessionCookieValue(cookie) !== undefined) {
        if (!checkSession) return next(req, res);
        // A failed check (the database away) is Astro's to answer, as without the cache.
        return void checkSession(req, target).then(
          (checked) => signedIn(req, res, next, target, checked),
          () => next(req, res),
        );
      }
      if (VISITOR.test(cookie)) return next(req, res);
      anonymous(req, res, next, target);
    },
  };
}

/** Counts a view of a chapter or FAQ entry served from the cache, as its page does when rendered. */
export function countCachedView(runtime: Pick<Runtime, 'content' | 'views' | 'clock'>, url: string): void {
  const kind = runtime.content.store().pages.get(url)?.kind;
  if (kind === 'faq' || kind === 'chapter') runtime.views.count(url, runtime.clock.now());
}
