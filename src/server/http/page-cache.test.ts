import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { pickEncoding } from './encoding.ts';
import { cacheablePath, cachedRoutePattern } from './page-cache.paths.ts';
import { createPageCache, type PageCache } from './page-cache.ts';

let server: Server | undefined;
afterEach(() => server?.close());

/** A server whose pages are `size` bytes of HTML, rendered by `render` (counted), behind `cache`. */
async function serve(cache: PageCache, render: (url: string, res: ServerResponse) => void): Promise<string> {
  server = createServer((req: IncomingMessage, res: ServerResponse) => cache.handle(req, res, (r, s) => render(r.url!, s)));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

const html = (res: ServerResponse, body: string) => {
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(body);
};

describe('the page cache', () => {
  it('takes br over gzip, honours q=0, and falls back to no encoding', () => {
    expect(pickEncoding('gzip, deflate, br')).toBe('br');
    expect(pickEncoding('gzip;q=1.0, br;q=0')).toBe('gzip');
    expect(pickEncoding('identity')).toBe('identity');
    expect(pickEncoding(undefined)).toBe('identity');
    expect(pickEncoding('*')).toBe('br');
  });

  it('keeps knowledge pages only, not their edit, upload or media routes', () => {
    for (const p of ['/', '/manuals', '/manuals/user-guide', '/manuals/user-guide/search', '/faq', '/faq/account-locked', '/courseware/data-reporting', '/videos/demo']) expect(cacheablePath(p)).toBe(true);
    for (const p of ['/faq/account-locked/edit', '/courseware/new', '/videos/new', '/videos/demo/media', '/desk', '/admin', '/api/search', '/manuals/a/b/c'])
      expect(cacheablePath(p)).toBe(false);
  });

  it("names a cached page's route as Astro names it, for the metrics", () => {
    expect(['/', '/manuals', '/manuals/user-guide', '/manuals/user-guide/search', '/faq', '/faq/account-locked', '/courseware', '/courseware/data-reporting', '/videos/demo'].map(cachedRoutePattern)).toEqual([
      '/',
      '/manuals',
      '/manuals/[manual]',
      '/manuals/[manual]/[chapter]',
      '/faq',
      '/faq/[slug]',
      '/courseware',
      '/courseware/[slug]',
      '/videos/[slug]',
    ]);
  });

  it('drops the least recently used pages past its byte limit, and pages past their age', async () => {
    let clock = 0;
    const renders: string[] = [];
    // Two entries fit, three do not.
    const cache = createPageCache({ maxBytes: 30_000, ttlMs: 1000, now: () => clock });
    const base = await serve(cache, (url, res) => {
      renders.push(url);
      // Random letters compress to about 60 %: each entry costs about 11 500 bytes (text, gzip, brotli).
      html(res, Array.from({ length: 5000 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join(''));
    });
    for (const url of ['/faq/a', '/faq/b', '/faq/a', '/faq/c', '/faq/a', '/faq/b']) await (await fetch(base + url)).text();
    // a, b, c rendered; a stayed (recently used), b was the oldest when c came in, so b rendered again.
    expect(renders).toEqual(['/faq/a', '/faq/b', '/faq/c', '/faq/b']);
    expect(cache.stats().bytes).toBeLessThanOrEqual(30_000);
    clock = 1001;
    await (await fetch(`${base}/faq/a`)).text();
    expect(renders.at(-1)).toBe('/faq/a');
  });

  it('does not keep a page whose rendering began before a clear', async () => {
    let release: () => void = () => {};
    const cache = createPageCache({ maxBytes: 1e6, ttlMs: 60_000 });
    let n = 0;
    const base = await serve(cache, (_url, res) => {
      n++;
      if (n === 1) release = () => html(res, 'old');
      else html(res, 'new');
    });
    const slow = fetch(`${base}/faq/x`).then((r) => r.text());
    await new Promise((r) => setTimeout(r, 50));
    cache.clear();
    release();
    expect(await slow).toBe('old');
    expect(await (await fetch(`${base}/faq/x`)).text()).toBe('new');
    expect(cache.stats()).toMatchObject({ entries: 1, misses: 2, hits: 0 });
  });
});
