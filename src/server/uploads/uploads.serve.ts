import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { contentDisposition } from './uploads.download.ts';

/** A stored file to send: where it is, what it is, what it is called for the person saving it. */
export interface ServedFile {
  /** Absolute path (already resolved inside FILES_DIR). */
  file: string;
  /** The name to save it as (Chinese kept, RFC 5987 `filename*`). */
  name: string;
  /** Its checked content type. */
  contentType: string;
  size: number;
  modifiedAt: Date;
  /** Its sha256, when known: a strong ETag. Otherwise the ETag is made of size and mtime. */
  sha256?: string;
  /** `inline` to show (video, PDF in place), `attachment` to save. */
  disposition: 'inline' | 'attachment';
}

/** What was answered, for counting downloads: a full body, a part of it, or no body. */
export type ServedAs = { status: 200 } | { status: 206; start: number; end: number } | { status: 304 | 416 };

/** `"sha256:…"`, or a weak tag of size and mtime. */
export function etagOf(f: Pick<ServedFile, 'sha256' | 'size' | 'modifiedAt'>): string {
  return f.sha256 ? `"${f.sha256}"` : `W/"${f.size.toString(16)}-${Math.floor(f.modifiedAt.getTime() / 1000).toString(16)}"`;
}

const strip = (tag: string) => tag.trim().replace(/^W\//, '');

/** Whether an `If-None-Match` list names `etag` (weak comparison, as RFC 9110 asks for it). */
function noneMatch(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => strip(t) === strip(etag));
}

/** Seconds, as HTTP dates carry them. */
const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/**
 * The single byte range asked for, as [start, end] inclusive; `null` when the
 * header is to be ignored (malformed, or several ranges: the whole file is
 * sent instead, which RFC 9110 allows); `'unsatisfiable'` when it starts
 * beyond the end.
 */
export function parseRange(header: string, size: number): [number, number] | null | 'unsatisfiable' {
  const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header.trim());
  if (!m) return null;
  const [, a, b] = m;
  if (a === '' && b === '') return null;
  if (a === '') {
    // The last `b` bytes.
    const n = Number(b);
    if (n === 0) return 'unsatisfiable';
    return size === 0 ? 'unsatisfiable' : [Math.max(0, size - n), size - 1];
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (b !== '' && Number(b) < start) return null;
  if (start >= size) return 'unsatisfiable';
  return [start, end];
}

/** Whether `If-Range` still names this file (an ETag, strong only, or a date no older than its mtime). */
function ifRangeHolds(header: string, etag: string, modifiedAt: Date): boolean {
  const h = header.trim();
  if (h.startsWith('"') || h.startsWith('W/')) return !h.startsWith('W/') && !etag.startsWith('W/') && h === etag;
  const date = Date.parse(h);
  return Number.isFinite(date) && seconds(modifiedAt) <= Math.floor(date / 1000);
}

/**
 * Sends a stored file the way downloads and video players expect: ETag and
 * Last-Modified with 304 for a copy still current, `Accept-Ranges` and one
 * byte range per request (206 with its `Content-Range`, 416 beyond the end,
 * several ranges answered with the whole file), `If-Range` for resuming only
 * the same file, HEAD without a body, and never sniffed by the browser.
 * Access must have been checked before.
 */
export function serveFile(request: Request, f: ServedFile, { cacheControl = 'private, no-cache' }: { cacheControl?: string } = {}): { response: Response; servedAs: ServedAs } {
  const etag = etagOf(f);
  const common: Record<string, string> = {
    ETag: etag,
    'Last-Modified': f.modifiedAt.toUTCString(),
    'Accept-Ranges': 'bytes',
    'Cache-Control': cacheControl,
    'X-Content-Type-Options': 'nosniff',
  };
  const h = request.headers;
  const inm = h.get('if-none-match');
  const ims = h.get('if-modified-since');
  const fresh = inm !== null ? noneMatch(inm, etag) : ims !== null && Number.isFinite(Date.parse(ims)) && seconds(f.modifiedAt) <= Math.floor(Date.parse(ims) / 1000);
  if (fresh && (request.method === 'GET' || request.method === 'HEAD')) {
    return { response: new Response(null, { status: 304, headers: common }), servedAs: { status: 304 } };
  }

  const headers: Record<string, string> = {
    ...common,
    'Content-Type': f.contentType,
    'Content-Disposition': contentDisposition(f.disposition, f.name),
  };
  const rangeHeader = h.get('range');
  const ifRange = h.get('if-range');
  const range = rangeHeader && (ifRange === null || ifRangeHolds(ifRange, etag, f.modifiedAt)) ? parseRange(rangeHeader, f.size) : null;
  const body = (start: number, end: number) =>
    request.method === 'HEAD' || end < start ? null : (Readable.toWeb(createReadStream(f.file, { start, end })) as ReadableStream<Uint8Array>);

  if (range === 'unsatisfiable') {
    return {
      response: new Response(null, { status: 416, headers: { ...common, 'Content-Range': `bytes */${f.size}` } }),
      servedAs: { status: 416 },
    };
  }
  if (range) {
    const [start, end] = range;
    return {
      response: new Response(body(start, end), {
        status: 206,
        headers: { ...headers, 'Content-Range': `bytes ${start}-${end}/${f.size}`, 'Content-Length': String(end - start + 1) },
      }),
      servedAs: { status: 206, start, end },
    };
  }
  return {
    response: new Response(body(0, f.size - 1), { status: 200, headers: { ...headers, 'Content-Length': String(f.size) } }),
    servedAs: { status: 200 },
  };
}
