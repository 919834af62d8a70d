import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import type { Runtime } from '../runtime/runtime.ts';

/**
 * A page cache in front of Astro for what is the same for everyone: anonymous
 * GETs of the knowledge pages (home, manuals, chapters, FAQ, courseware and
 * video pages). A request with a session or visitor cookie, a query string or
 * another method goes to Astro as before, and only a 200 HTML answer without
 * cookies or private caching is kept. Entries are kept with their gzip and
 * brotli bodies and a strong ETag (304 on a match), bounded by bytes (least
 * recently used first out) and by age; `clear()` drops everything at once
 * (content changes, announcements).
 */
export interface PageCache {
  clear(): void;
  stats(): PageCacheStats;
  /** Serves `req` from the cache, or lets `next` answer and keeps what it may. */
  handle(req: IncomingMessage, res: ServerResponse, next: (req: IncomingMessage, res: ServerResponse) => void): void;
}

export interface PageCacheStats {
  entries: number;
  bytes: number;
  maxBytes: number;
  hits: number;
  misses: number;
}

interface Entry {
  headers: OutgoingHttpHeaders;
  identity: Buffer;
  gzip: Buffer;
  br: Buffer;
  etag: string;
  storedAt: number;
  size: number;
  /** The cache generation it was rendered in: a render that began before a clear() is not kept. */
  generation: number;
}

/** The pages that are the same for every anonymous visitor (not their edit, upload or media routes). */
const CACHEABLE = [
  /^\/$/,
  /^\/manuals(\/[a-z0-9-]+){0,2}$/,
  /^\/faq(\/[a-z0-9-]+)?$/,
  /^\/courseware(\/[a-z0-9-]+)?$/,
  /^\/videos(\/[a-z0-9-]+)?$/,
];
const NOT_PAGES = new Set(['/courseware/new', '/videos/new']);

export function cacheablePath(pathname: string): boolean {
  return !NOT_PAGES.has(pathname) && CACHEABLE.some((r) => r.test(pathname));
}

/** Cookies that make a page the visitor's own: the session and the anonymous visitor id. */
const PERSONAL_COOKIE = /(?:^|;\s*)(dayi_session|dayi_vid)=/;

/** Headers of the rendered answer that belong to that one request. */
const PER_REQUEST = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'x-request-id', 'x-cache', 'etag', 'vary', 'cache-control']);

const etagOf = (body: Buffer) => `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;

/** The encoding the client takes best: br, then gzip, else none (q=0 refuses). */
export function pickEncoding(accept: string | undefined): 'br' | 'gzip' | 'identity' {
  const offered = new Map<string, number>();
  for (const part of (accept ?? '').split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
    if (name) offered.set(name, q === undefined ? 1 : Number(q));
  }
  const accepts = (name: string) => (offered.get(name) ?? offered.get('*') ?? 0) > 0;
  if (accepts('br')) return 'br';
  if (accepts('gzip')) return 'gzip';
  return 'identity';
}

export function createPageCache({
  maxBytes,
  ttlMs,
  homeTtlMs = ttlMs,
  now = () => Date.now(),
  onHit = () => {},
}: {
  maxBytes: number;
  ttlMs: number;
  /** The home page's (its most-viewed list changes with every view). */
  homeTtlMs?: number;
  now?: () => number;
  /** Told of each page served from the cache (views are counted where the page would have counted them). */
  onHit?: (pathname: string) => void;
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

  const serve = (req: IncomingMessage, res: ServerResponse, e: Entry) => {
    const common: OutgoingHttpHeaders = { etag: e.etag, vary: 'Accept-Encoding, Cookie', 'cache-control': 'no-cache', 'x-request-id': randomUUID(), 'x-cache': 'hit' };
    if (req.headers['if-none-match']?.split(',').some((t) => t.trim() === e.etag)) {
      res.writeHead(304, common);
      res.end();
      return;
    }
    const encoding = pickEncoding(req.headers['accept-encoding']);
    const body = encoding === 'br' ? e.br : encoding === 'gzip' ? e.gzip : e.identity;
    const headers: OutgoingHttpHeaders = { ...e.headers, ...common, 'content-length': body.length };
    if (encoding !== 'identity') headers['content-encoding'] = encoding;
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  /** Lets Astro answer, keeping a copy of what it wrote, and stores it when it may be shared. */
  const renderAndKeep = (key: string, req: IncomingMessage, res: ServerResponse, next: (req: IncomingMessage, res: ServerResponse) => void) => {
    const startedIn = generation;
    let status = 0;
    let headers: OutgoingHttpHeaders = {};
    const chunks: Buffer[] = [];
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.writeHead = ((code: number, ...rest: unknown[]) => {
      status = code;
      const h = rest.find((r) => r && typeof r === 'object') as OutgoingHttpHeaders | undefined;
      if (h) headers = Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
      return writeHead(code, ...rest);
    }) as ServerResponse['writeHead'];
    const keep = (chunk: unknown) => {
      if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
      else if (typeof chunk === 'string') chunks.push(Buffer.from(chunk));
    };
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      keep(chunk);
      return write(chunk, ...rest);
    }) as ServerResponse['write'];
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (chunk && typeof chunk !== 'function') keep(chunk);
      const r = end(chunk, ...rest);
      const all = { ...Object.fromEntries(Object.entries(res.getHeaders()).map(([k, v]) => [k.toLowerCase(), v])), ...headers };
      const type = String(all['content-type'] ?? '');
      const control = String(all['cache-control'] ?? '');
      if (status === 200 && req.method === 'GET' && type.startsWith('text/html') && !all['set-cookie'] && !/private|no-store/i.test(control) && !all['content-encoding']) {
        const identity = Buffer.concat(chunks);
        const kept: OutgoingHttpHeaders = {};
        for (const [k, v] of Object.entries(all)) if (!PER_REQUEST.has(k) && v !== undefined) kept[k] = v;
        const gzip = gzipSync(identity, { level: 6 });
        const br = brotliCompressSync(identity, { params: { [zlib.BROTLI_PARAM_QUALITY]: 5, [zlib.BROTLI_PARAM_SIZE_HINT]: identity.length } });
        store(key, { headers: kept, identity, gzip, br, etag: etagOf(identity), storedAt: now(), size: identity.length + gzip.length + br.length + 512, generation: startedIn });
      }
      return r;
    }) as ServerResponse['end'];
    res.setHeader('X-Cache', 'miss');
    next(req, res);
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
      if (maxBytes <= 0 || (method !== 'GET' && method !== 'HEAD') || target.includes('?') || !cacheablePath(target) || PERSONAL_COOKIE.test(req.headers.cookie ?? '')) return next(req, res);
      const e = entries.get(target);
      if (e && now() - e.storedAt < (target === '/' ? homeTtlMs : ttlMs) && e.generation === generation) {
        hits++;
        // Recently used: to the end of the eviction order.
        entries.delete(target);
        entries.set(target, e);
        onHit(target);
        return serve(req, res, e);
      }
      if (e) drop(target);
      misses++;
      renderAndKeep(target, req, res, next);
    },
  };
}

/** Counts a view of a chapter or FAQ entry served from the cache, as its page does when rendered. */
export function countCachedView(runtime: Pick<Runtime, 'content' | 'views' | 'clock'>, url: string): void {
  const kind = runtime.content.store().pages.get(url)?.kind;
  if (kind === 'faq' || kind === 'chapter') runtime.views.count(url, runtime.clock.now());
}
