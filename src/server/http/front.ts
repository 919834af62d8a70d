import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BlockList } from 'node:net';
import { holdUpload, releaseUpload, UPLOAD_HEADER } from '../uploads/uploads.pending.ts';
import { receiveMultipart, UnreadableForm, type ReceiveLimits } from '../uploads/uploads.receive.ts';
import { bodyLimitFor, DEFAULT_BODY_LIMIT, formatBytes, uploadKindOf, type UploadKind } from './body-limits.ts';
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
type BodiedRequest = IncomingMessage & { body?: Buffer };

/** How large each kind of upload's files may be and how many one form may carry. */
export interface UploadLimits {
  maxFileBytes: number;
  maxFiles: number;
}

/** Where uploads go and the limits of each kind (ATTACHMENT_MAX_MB, ATTACHMENTS_PER_QUESTION, COURSEWARE_MAX_MB, VIDEO_MAX_MB). */
export interface UploadSettings {
  filesDir: string;
  limits: Record<UploadKind, UploadLimits>;
}

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
export function createFrontHandler(
  { trustProxy, trusted, uploads }: { trustProxy: boolean; trusted: BlockList; uploads: UploadSettings },
  next: Handler,
): Handler {
  const receiveLimits = (kind: UploadKind): ReceiveLimits => {
    const { maxFileBytes, maxFiles } = uploads.limits[kind];
    return { maxFileBytes, maxFiles, maxFieldBytes: DEFAULT_BODY_LIMIT, maxTotalBytes: maxFiles * maxFileBytes + 2 * DEFAULT_BODY_LIMIT };
  };
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
    delete req.headers[UPLOAD_HEADER];

    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return next(req, res);
    const pathname = pathnameOf(req.url);
    const kind = uploadKindOf(pathname);
    if (kind && /^multipart\/form-data/i.test(req.headers['content-type'] ?? '')) return streamUploads(req, res, receiveLimits(kind));
    const limit = bodyLimitFor(pathname);
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
      (req as BodiedRequest).body = Buffer.concat(chunks, size);
      next(req, res);
    });
    req.once('error', () => res.destroy());
  };

  /**
   * A form with files: the files are streamed to FILES_DIR/incoming as
   * they arrive; the route gets the text fields as an ordinary urlencoded body
   * and finds the files by the upload header. Files the route does not take
   * are deleted when the response ends, whatever happened.
   */
  function streamUploads(req: IncomingMessage, res: ServerResponse, uploadLimits: ReceiveLimits) {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > uploadLimits.maxTotalBytes) return tooLarge(req, res, uploadLimits.maxTotalBytes, { declared: true });
    receiveMultipart(req, { filesDir: uploads.filesDir, limits: uploadLimits }).then(
      ({ fields, files, problems }) => {
        const body = Buffer.from(new URLSearchParams(fields).toString());
        req.headers['content-type'] = 'application/x-www-form-urlencoded';
        req.headers['content-length'] = String(body.length);
        (req as BodiedRequest).body = body;
        const key = holdUpload({ files, problems });
        req.headers[UPLOAD_HEADER] = key;
        res.once('close', () => void releaseUpload(key));
        next(req, res);
      },
      (e: unknown) => {
        if (res.headersSent || res.destroyed) return;
        if (e instanceof UnreadableForm && e.reason === 'too_large') return tooLarge(req, res, uploadLimits.maxTotalBytes, { declared: false });
        if (e instanceof UnreadableForm && e.reason === 'fields_too_large') return tooLarge(req, res, DEFAULT_BODY_LIMIT, { declared: false });
        req.resume();
        refuse(req, res, 400, 'request.malformed', '提交的表单无法读取，请刷新页面后重试。');
      },
    );
  }
}
