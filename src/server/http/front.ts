import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BlockList } from 'node:net';
import { bodyLimitFor, formatBytes } from './body-limits.ts';
import { isTrusted, normalizeAddress, resolveClientAddress } from './client-address.ts';

/** Where the front handler puts the resolved client address for the Astro middleware. */
export const CLIENT_ADDRESS_HEADER = 'x-dayi-client-address';
const FRONT_MARK = Symbol.for('dayi.front');

/** Whether requests reach Astro through the front handler (the built server), so its header is authoritative. */
export function behindFront(): boolean {
  return (globalThis as Record<symbol, unknown>)[FRONT_MARK] === true;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const FORWARDED = ['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port'];

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

function pathnameOf(target: string | undefined): string {
  try {
    return new URL(target ?? '/', 'http://dayi.invalid').pathname;
  } catch {
    return '/'; // Astro's handler answers a malformed target with 400 itself
  }
}

function refuse(req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string, extra: Record<string, string> = {}) {
  const api = (req.url ?? '').startsWith('/api/');
  const body = api
    ? JSON.stringify({ error: { code, message } })
    : `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>${message}</title><p>${message}</p><p><a href="/">返回首页</a></p></html>`;
  res.writeHead(status, {
    'Content-Type': api ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'X-Content-Type-Options': 'nosniff',
    ...extra,
  });
  res.end(body);
}

/** How long a refused upload may go on draining before its connection is cut. */
const LINGER_MS = 10_000;

/**
 * 413. A body declared too large is never read: the connection closes after
 * the answer. One found too large while reading is drained and discarded for a
 * while instead, because closing with unread data resets the connection before
 * the client has read the answer; a client that keeps sending is cut off.
 */
function tooLarge(req: IncomingMessage, res: ServerResponse, limit: number, { declared }: { declared: boolean }) {
  const message = `提交的内容过大（上限 ${formatBytes(limit)}），请删减后重试。`;
  if (declared) return refuse(req, res, 413, 'request.too_large', message, { Connection: 'close' });
  refuse(req, res, 413, 'request.too_large', message);
  const cut = setTimeout(() => req.socket.destroy(), LINGER_MS);
  cut.unref();
  req.once('end', () => clearTimeout(cut));
  req.resume();
}

/**
 * Everything that must hold before Astro sees a request, in front of the
 * adapter's handler: known methods only; the client address resolved one way
 * (forwarded headers dropped unless a trusted proxy sent them); request bodies
 * read under the route's limit — checked from Content-Length and while reading —
 * and handed to Astro already read, so no route can be made to buffer more.
 */
export function createFrontHandler({ trustProxy, trusted }: { trustProxy: boolean; trusted: BlockList }, next: Handler): Handler {
  (globalThis as Record<symbol, unknown>)[FRONT_MARK] = true;
  return (req, res) => {
    const method = req.method ?? 'GET';
    if (!METHODS.has(method)) {
      req.resume();
      return refuse(req, res, 405, 'method_not_allowed', '不支持该请求方法。', { Allow: [...METHODS].join(', ') });
    }
    const peer = normalizeAddress(req.socket.remoteAddress);
    if (!trustProxy || !peer || !isTrusted(trusted, peer)) for (const h of FORWARDED) delete req.headers[h];
    const client = resolveClientAddress({ peer: req.socket.remoteAddress, forwardedFor: req.headers['x-forwarded-for'], trustProxy, trusted });
    if (client) req.headers[CLIENT_ADDRESS_HEADER] = client;
    else delete req.headers[CLIENT_ADDRESS_HEADER];

    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return next(req, res);
    const limit = bodyLimitFor(pathnameOf(req.url));
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return tooLarge(req, res, limit, { declared: true });
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > limit) {
        refused = true;
        chunks.length = 0;
        return tooLarge(req, res, limit, { declared: false });
      }
      chunks.push(chunk);
    });
    req.once('end', () => {
      if (refused) return;
      // Astro's Node adapter takes a ready body from `req.body` instead of reading the stream.
      (req as IncomingMessage & { body?: Buffer }).body = Buffer.concat(chunks, size);
      next(req, res);
    });
    req.once('error', () => res.destroy());
  };
}
