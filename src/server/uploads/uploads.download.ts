import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { inlineTypes } from './uploads.sniff.ts';

/**
 * `Content-Disposition` keeping a Chinese file name intact: the UTF-8 name in
 * `filename*` (RFC 6266/8187, what current browsers use) and an ASCII stand-in
 * in `filename` for old clients, with the extension kept.
 */
export function contentDisposition(type: 'inline' | 'attachment', name: string): string {
  const ext = path.extname(name).replace(/[^A-Za-z0-9.]/g, '');
  const stem = name.slice(0, name.length - path.extname(name).length).replace(/[^\x20-\x7e]|["\\%;]/g, '_');
  const ascii = `${stem || 'file'}${ext}`;
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * A stored file as a download: its checked type, the original name, never
 * sniffed by the browser, never cached by shared caches; screenshots show in
 * place, inside a sandbox that runs nothing; everything else is saved.
 */
export function fileResponse({ file, name, contentType, size }: { file: string; name: string; contentType: string; size: number }): Response {
  const inline = inlineTypes.has(contentType);
  return new Response(Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>, {
    headers: {
      'Content-Type': contentType,
      'Content-Length': String(size),
      'Content-Disposition': contentDisposition(inline ? 'inline' : 'attachment', name),
      'Content-Security-Policy': "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private, no-store',
    },
  });
}
