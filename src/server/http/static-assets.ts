import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import { pickEncoding } from './page-cache.ts';

/**
 * The built client assets under `/_astro/` (CSS and scripts, their names
 * carrying their content hash), served from memory: compressed once at start
 * with brotli at its best and gzip, so no request compresses anything, with a
 * year's immutable caching and an ETag. The adapter's own static handler
 * sends them uncompressed; everything not found here still goes to it.
 */
export interface StaticAssets {
  /** Answers a GET or HEAD for a known asset and returns true; false leaves the request to the next handler. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** How many assets, and their bytes as sent without and with brotli. */
  stats(): { files: number; bytes: number; brBytes: number };
}

const TYPES: Record<string, { type: string; compress: boolean }> = {
  '.css': { type: 'text/css; charset=utf-8', compress: true },
  '.js': { type: 'text/javascript; charset=utf-8', compress: true },
  '.mjs': { type: 'text/javascript; charset=utf-8', compress: true },
  '.json': { type: 'application/json; charset=utf-8', compress: true },
  '.svg': { type: 'image/svg+xml', compress: true },
  '.woff2': { type: 'font/woff2', compress: false },
  '.woff': { type: 'font/woff', compress: false },
  '.png': { type: 'image/png', compress: false },
  '.jpg': { type: 'image/jpeg', compress: false },
  '.webp': { type: 'image/webp', compress: false },
};

export const ASSETS_PREFIX = '/_astro/';

interface Asset {
  type: string;
  etag: string;
  identity: Buffer;
  /** Absent where compressing would not make it smaller. */
  compressed?: { br: Buffer; gzip: Buffer };
}

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Reads and compresses every asset of `<clientDir>/_astro` (a missing folder gives none). */
export async function loadStaticAssets(clientDir: string): Promise<StaticAssets> {
  const dir = path.join(clientDir, ASSETS_PREFIX);
  const names = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const assets = new Map<string, Asset>();
  for (const entry of names) {
    const kind = TYPES[path.extname(entry.name).toLowerCase()];
    if (!entry.isFile() || !kind) continue;
    const identity = await readFile(path.join(dir, entry.name));
    const asset: Asset = { type: kind.type, etag: `"${createHash('sha256').update(identity).digest('base64url').slice(0, 32)}"`, identity };
    if (kind.compress) {
      const br = await brotli(identity, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: identity.length } });
      const gz = await gzipAsync(identity, { level: 9 });
      // Both or neither: a file too small to gain from brotli does not gain from gzip either.
      if (br.length < identity.length && gz.length < identity.length) asset.compressed = { br, gzip: gz };
    }
    assets.set(`${ASSETS_PREFIX}${entry.name}`, asset);
  }

  return {
    handle(req, res) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      const url = req.url ?? '';
      if (!url.startsWith(ASSETS_PREFIX)) return false;
      const q = url.indexOf('?');
      const asset = assets.get(q < 0 ? url : url.slice(0, q));
      if (!asset) return false;
      const headers: Record<string, string | number> = {
        'Content-Type': asset.type,
        'Cache-Control': 'public, max-age=31536000, immutable',
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
    stats() {
      let bytes = 0;
      let brBytes = 0;
      for (const a of assets.values()) {
        bytes += a.identity.length;
        brBytes += (a.compressed?.br ?? a.identity).length;
      }
      return { files: assets.size, bytes, brBytes };
    },
  };
}
