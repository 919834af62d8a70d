import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { rawRequest } from '../../../tests/helpers/http.ts';
import { tempDir } from '../../../tests/helpers/tmp.ts';
import { loadStaticAssets } from './static-assets.ts';

let server: Server | undefined;
afterEach(() => server?.close());

const css = Buffer.from(Array.from({ length: 200 }, (_, i) => `.c${i}{color:#123456;margin:0 auto}`).join('\n'));
const font = Buffer.from([0x77, 0x4f, 0x46, 0x32, ...Array.from({ length: 300 }, (_, i) => (i * 7) % 256)]);

/** A client folder with a stylesheet, a tiny script and a font, served with "next" answering what the assets leave. */
async function serve(): Promise<string> {
  const client = tempDir('static-assets');
  mkdirSync(path.join(client, '_astro'));
  writeFileSync(path.join(client, '_astro', 'Base.abc123.css'), css);
  writeFileSync(path.join(client, '_astro', 'tiny.def456.js'), 'x');
  writeFileSync(path.join(client, '_astro', 'font.789.woff2'), font);
  writeFileSync(path.join(client, '_astro', 'notes.md'), 'not a type we serve');
  // public/ as the build copies it: not hashed, so revalidated; hidden files stay unserved.
  mkdirSync(path.join(client, 'templates'));
  writeFileSync(path.join(client, 'templates', '用户导入模板.csv'), 'email,name\n'.repeat(50));
  mkdirSync(path.join(client, '.git'));
  writeFileSync(path.join(client, '.git', 'config.txt'), 'secret');
  const assets = await loadStaticAssets(client);
  server = createServer((req, res) => {
    if (assets.handle(req, res)) return;
    res.writeHead(404, { 'X-Next': 'yes' });
    res.end();
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

/** The bytes as sent, not decompressed. */
const raw = (url: string, headers: Record<string, string> = {}, method = 'GET') => {
  const u = new URL(url);
  return rawRequest(u.origin, { method, path: u.pathname + u.search, headers });
};

describe('the static assets', () => {
  it('sends a stylesheet in brotli or gzip as asked, the same bytes as the file, cached for a year', async () => {
    const base = await serve();
    const url = `${base}/_astro/Base.abc123.css`;
    const br = await raw(url, { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(Number(br.headers['content-length'])).toBe(br.body.length);
    expect(br.body.length).toBeLessThan(css.length / 5);
    expect(brotliDecompressSync(br.body).equals(css)).toBe(true);
    const gz = await raw(url, { 'Accept-Encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(css)).toBe(true);
    const plain = await raw(`${url}?v=2`);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.equals(css)).toBe(true);
  });

  it('sends files that would not shrink as they are, answers 304 and HEAD, and leaves everything else to the next handler', async () => {
    const base = await serve();
    const woff = await raw(`${base}/_astro/font.789.woff2`, { 'Accept-Encoding': 'br' });
    expect(woff.headers['content-encoding']).toBeUndefined();
    expect(woff.headers['content-type']).toBe('font/woff2');
    expect(woff.body.equals(font)).toBe(true);
    const tiny = await raw(`${base}/_astro/tiny.def456.js`, { 'Accept-Encoding': 'br' });
    expect([tiny.headers['content-encoding'], tiny.body.toString()]).toEqual([undefined, 'x']);

    const etag = String(woff.headers.etag);
    expect((await raw(`${base}/_astro/font.789.woff2`, { 'If-None-Match': etag })).status).toBe(304);
    const head = await raw(`${base}/_astro/Base.abc123.css`, { 'Accept-Encoding': 'br' }, 'HEAD');
    expect([head.status, head.body.length, Number(head.headers['content-length']) > 0]).toEqual([200, 0, true]);

    const csv = await raw(`${base}/templates/${encodeURIComponent('用户导入模板.csv')}`, { 'Accept-Encoding': 'gzip' });
    expect([csv.status, csv.headers['content-type'], csv.headers['cache-control']]).toEqual([200, 'text/csv; charset=utf-8', 'public, no-cache']);
    expect(gunzipSync(csv.body).toString()).toBe('email,name\n'.repeat(50));

    for (const url of ['/_astro/missing.css', '/_astro/notes.md', '/_astro/', '/favicon.svg', '/.git/config.txt', '/templates/%E0%A4%A']) {
      expect((await raw(`${base}${url}`)).headers['x-next'], url).toBe('yes');
    }
    expect((await raw(`${base}/_astro/Base.abc123.css`, {}, 'POST')).headers['x-next']).toBe('yes');
  });
});
