import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import { pickEncoding } from './encoding.ts';

/**
 * The built client files, served from memory: the assets under `/_astro/`
 * (CSS and scripts, their names carrying their content hash) with a year's
 * immutable caching, and the files of `public/` (favicon, import template)
 * revalidated by ETag. Compressible ones are compressed once at start with
 * brotli at its best and gzip, so no request compresses anything. Astro runs
 * as middleware (astro.config.mjs), so a page request goes straight to it
 * without a look at the disk first.
 */
export interface StaticAssets {
  /** Answers a GET or HEAD for a known asset and returns true; false leaves the request to the next handler. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
}

const TYPES: Record<string, { type: string; compress: boolean }> = {
  '.css': { type: 'text/css; charset=utf-8', compress: true },
  '.js': { type: 'text/javascript; charset=utf-8', compress: true },
  '.mjs': { type: 'text/javascript; charset=utf-8', compress: true },
  '.json': { type: 'application/json; charset=utf-8', compress: true },
  '.svg': { type: 'image/svg+xml', compress: true },
  '.csv': { type: 'text/csv; charset=utf-8', compress: true },
  '.txt': { type: 'text/plain; charset=utf-8', compress: true },
  '.ico': { type: 'image/x-icon', compress: true },
  '.woff2': { type: 'font/woff2', compress: false },
  '.woff': { type: 'font/woff', compress: false },
  '.png': { type: 'image/png', compress: false },
  '.jpg': { type: 'image/jpeg', compress: false },
  '.webp': { type: 'image/webp', compress: false },
};

const ASSETS_PREFIX = '/_astro/';

interface Asset {
  type: string;
  cacheControl: string;
  etag: string;
  identity: Buffer;
  /** Absent where compressing would not make it smaller. */
  compressed?: { br: Buffer; gzip: Buffer };
}

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** The path as the file is named (`%E6%A8%A1` → 模); a malformed escape matches nothing. */
function decodedPath(p: string): string {
  if (!p.includes('%')) return p;
  try {
    return decodeURIComponent(p);
  } catch {
    return '';
  }
}

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'public, no-cache';

/** Reads and compresses every file under `clientDir` (a missing folder gives none); hidden files and unknown types are left out. */
export async function loadStaticAssets(clientDir: string): Promise<StaticAssets> {
  const files = await readdir(clientDir, { recursive: true, withFileTypes: true }).catch(() => []);
  const assets = new Map<string, Asset>();
  for (const entry of files) {
    const kind = TYPES[path.extname(entry.name).toLowerCase()];
    const full = path.join(entry.parentPath, entry.name);
    const url = `/${path.relative(clientDir, full).split(path.sep).join('/')}`;
    if (!entry.isFile() || !kind || url.split('/').some((part) => part.startsWith('.'))) continue;
    const identity = await readFile(full);
    const asset: Asset = {
      type: kind.type,
      cacheControl: url.startsWith(ASSETS_PREFIX) ? IMMUTABLE : REVALIDATE,
      etag: `"${createHash('sha256').update(identity).digest('base64url').slice(0, 32)}"`,
      identity,
    };
    if (kind.compress) {
      const br = await brotli(identity, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: identity.length } });
      const gz = await gzipAsync(identity, { level: 9 });
      // Both or neither: a file too small to gain from brotli does not gain from gzip either.
      if (br.length < identity.length && gz.length < identity.length) asset.compressed = { br, gzip: gz };
    }
    assets.set(url, asset);
  }

  return {
    handle(req, res) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      const url = req.url ?? '';
      const q = url.indexOf('?');
      const asset = assets.get(decodedPath(q < 0 ? url : url.slice(0, q)));
      if (!asset) return false;
      const headers: Record<string, string | number> = {
        'Content-Type': asset.type,
        'Cache-Control': asset.cacheControl,
        ETag: asset.etag,
        'X-Content-Type-Options': 'nosniff',
      };
      if (asset.compressed) headers.Vary = 'Accept-Encoding';
      if (req.headers['if-none-match'] === asset.etag) {
        res.writeHead(304, headers);
        res.end();
        return true;
      }
      const packed = asset.compressed;
      const encoding = packed ? pickEncoding(req.headers['accept-encoding']) : 'identity';
      const body = packed && encoding !== 'identity' ? packed[encoding] : asset.identity;
      if (encoding !== 'identity') headers['Content-Encoding'] = encoding;
      headers['Content-Length'] = body.length;
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    },
  };
}
