import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRoot } from '../../src/server/shared/paths.ts';
import { demoPasswords, rawRequest, sessionCookie } from '../helpers/http.ts';
import type { RunningServer } from '../helpers/server.ts';
import { startTestServer } from '../helpers/test-server.ts';
import { tempDir } from '../helpers/tmp.ts';

/**
 * The page cache in front of Astro (src/server/http/page-cache.ts), through
 * the built server: what it keeps, what it never keeps, how it answers (ETag,
 * 304, gzip, brotli) and when it lets go; and the signed-in pages it keeps
 * once per group of roles (src/server/http/shared-pages.ts).
 */
let server: RunningServer;
let stop: () => Promise<void>;
let contentDir: string;
let passwords: Record<string, string>;
const chapter = '/manuals/user-guide/search';

beforeAll(async () => {
  contentDir = tempDir('dayi-cache-content');
  cpSync(path.join(appRoot(), 'content'), contentDir, { recursive: true });
  // Embedded demo mode: one account per role, so signed-in requests can be compared.
  ({ server, stop } = await startTestServer({ DATABASE_URL: undefined, CONTENT_DIR: contentDir }));
  passwords = await demoPasswords(server);
});
afterAll(async () => {
  await stop?.();
});

const get = (url: string, headers: Record<string, string> = {}) => fetch(`${server.url}${url}`, { headers, redirect: 'manual' });
/** A first request whose answer is read to its end: fetch resolves at the headers, and the page is kept only once its render finished. */
const warm = async (url: string, headers: Record<string, string> = {}) => void (await (await get(url, headers)).arrayBuffer());
/** The raw bytes as sent (fetch would decompress a compressed body by itself). */
const raw = (url: string, headers: Record<string, string>) => rawRequest(server.url, { path: url, headers });

describe('the anonymous page cache', () => {
  it('answers a repeated anonymous page from memory, byte for byte what Astro rendered, in gzip or brotli when asked', async () => {
    const first = await get(chapter);
    expect(first.headers.get('x-cache')).toBe('miss');
    const rendered = Buffer.from(await first.arrayBuffer());
    const again = await raw(chapter, {});
    expect(again.headers['x-cache']).toBe('hit');
    expect(again.body.equals(rendered)).toBe(true);
    // The same security headers as the rendered page.
    expect(again.headers['content-security-policy']).toBe(first.headers.get('content-security-policy'));
    expect(again.headers['x-frame-options']).toBe('DENY');
    const gz = await raw(chapter, { 'Accept-Encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(rendered)).toBe(true);
    const br = await raw(chapter, { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.body.length).toBeLessThan(rendered.length / 2);
    expect(brotliDecompressSync(br.body).equals(rendered)).toBe(true);
    expect(br.headers.vary).toBe('Accept-Encoding, Cookie');
  });

  it('answers 304 to a matching If-None-Match, and HEAD without a body', async () => {
    await warm(chapter);
    const etag = (await get(chapter)).headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    const revalidated = await raw(chapter, { 'If-None-Match': etag });
    expect(revalidated.status).toBe(304);
    expect(revalidated.body.length).toBe(0);
    expect((await raw(chapter, { 'If-None-Match': '"other"' })).status).toBe(200);
    const head = await fetch(`${server.url}${chapter}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('x-cache')).toBe('hit');
    expect(await head.text()).toBe('');
  });

  it('never serves the anonymous copy to a signed-in user, nor keeps a page for a visitor with a vote cookie, a query string or another method', async () => {
    await warm('/faq');
    expect((await get('/faq')).headers.get('x-cache')).toBe('hit');
    const cookie = await sessionCookie(server.url, 'member@demo.dayi', passwords['member@demo.dayi']!);
    const member = await get('/faq', { Cookie: cookie });
    expect(member.headers.get('x-cache')).not.toBe('hit');
    expect(member.headers.get('cache-control')).toBe('private, no-store');
    expect(await member.text()).toContain('退出');
    expect((await get('/faq', { Cookie: 'dayi_vid=abcdefghijklmnop1234' })).headers.get('x-cache')).toBeNull();
    expect((await get('/faq?category=账号')).headers.get('x-cache')).toBeNull();
    const post = await fetch(`${server.url}/faq`, { method: 'POST', headers: { Origin: server.url } });
    expect(post.headers.get('x-cache')).toBeNull();
  });

  it('never keeps a page an anonymous visitor may not read', async () => {
    for (let i = 0; i < 2; i++) {
      const staff = await get('/manuals/operations/backup');
      expect(staff.status).toBe(403);
      expect(staff.headers.get('x-cache')).not.toBe('hit');
    }
  });

  it('shows a content change on the next request after the reload, and a new announcement on the home page at once', async () => {
    expect(await (await get(chapter)).text()).not.toContain('缓存测试新增的一句话');
    const file = path.join(contentDir, 'manuals/user-guide/02-search.md');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n\n缓存测试新增的一句话。\n`);
    const started = Date.now();
    let text = '';
    while (Date.now() - started < 10_000 && !text.includes('缓存测试新增的一句话')) {
      await new Promise((r) => setTimeout(r, 200));
      text = await (await get(chapter)).text();
    }
    expect(text).toContain('缓存测试新增的一句话');

    await warm('/');
    expect((await get('/')).headers.get('x-cache')).toBe('hit');
    const admin = await sessionCookie(server.url, 'admin@demo.dayi', passwords['admin@demo.dayi']!);
    // Shown for a week from now (local time of the server's zone is close enough: a day either way is still ahead).
    const expiresAt = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 16);
    const published = await fetch(`${server.url}/announcements`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Cookie: admin, Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ kind: 'upgrade', title: '缓存测试：今晚系统升级', body: '今晚 22:00 起升级。', access: 'public', expiresAt }),
    });
    expect(published.status).toBe(303);
    const home = await get('/');
    expect(home.headers.get('x-cache')).toBe('miss');
    expect(await home.text()).toContain('缓存测试：今晚系统升级');
  });
  it("sends the page's stylesheets and scripts in brotli, the same bytes the build wrote, cached as immutable", async () => {
    const html = await (await get(chapter)).text();
    const urls = [...new Set([...html.matchAll(/(?:href|src)="(\/_astro\/[^"]+\.(?:css|js))"/g)].map((m) => m[1]!))];
    expect(urls.some((u) => u.endsWith('.css'))).toBe(true);
    for (const url of urls) {
      const br = await raw(url, { 'Accept-Encoding': 'gzip, deflate, br' });
      expect(br.status, url).toBe(200);
      expect(br.headers['cache-control'], url).toBe('public, max-age=31536000, immutable');
      const built = readFileSync(path.join(appRoot(), 'dist', 'client', url));
      const sent = br.headers['content-encoding'] === 'br' ? brotliDecompressSync(br.body) : br.body;
      expect(sent.equals(built), url).toBe(true);
      // Anything past a few hundred bytes travels compressed.
      if (built.length > 500) expect(br.headers['content-encoding'], url).toBe('br');
    }
  });
});

describe('signed-in pages shared by a group of roles', () => {
  /** The same page rendered by Astro for this request: a query string always goes past the cache. */
  const rendered = async (url: string, cookie: string) => {
    const res = await get(`${url}?uncached=1`, { Cookie: cookie });
    expect(res.headers.get('x-cache')).toBeNull();
    return Buffer.from(await res.arrayBuffer());
  };
  const rename = async (cookie: string, name: string) => {
    const res = await fetch(`${server.url}/account`, {
      method: 'POST',
      headers: { Cookie: cookie, Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ action: 'profile', name, phone: '' }),
    });
    expect(res.status).toBe(200);
  };

  it("serves a member the group's copy with their own name, byte for byte what Astro renders for them", async () => {
    const member = await sessionCookie(server.url, 'member@demo.dayi', passwords['member@demo.dayi']!);
    await warm(chapter, { Cookie: member });
    const hit = await raw(chapter, { Cookie: member });
    expect(hit.headers['x-cache']).toBe('hit');
    expect(hit.headers['cache-control']).toBe('private, no-store');
    expect(hit.headers['content-security-policy']).toBeTruthy();
    expect(hit.body.equals(await rendered(chapter, member))).toBe(true);
    const br = await raw(chapter, { Cookie: member, 'Accept-Encoding': 'br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.body).equals(hit.body)).toBe(true);
    const gz = await raw(chapter, { Cookie: member, 'Accept-Encoding': 'gzip' });
    expect(gunzipSync(gz.body).equals(hit.body)).toBe(true);

    // Another name (one that needs escaping) in the same group: the copy made for the first name, with the new one written in.
    const before = hit.body.toString('utf8');
    const oldName = /<span class="who"[^>]*>([^<]*)<\/span>/.exec(before)![1]!;
    await rename(member, `缓存<测试>&"'者`);
    const renamed = await raw(chapter, { Cookie: member });
    expect(renamed.headers['x-cache']).toBe('hit');
    expect(renamed.body.toString('utf8')).toMatch(/<span class="who"[^>]*>缓存&lt;测试&gt;&amp;&quot;&#39;者<\/span>/);
    expect(renamed.body.toString('utf8')).not.toContain(oldName);
    expect(renamed.body.equals(await rendered(chapter, member))).toBe(true);
    await rename(member, oldName);
  });

  it('keeps one copy per group of roles: an admin never gets the member copy, nor a member the admin one', async () => {
    const member = await sessionCookie(server.url, 'member@demo.dayi', passwords['member@demo.dayi']!);
    const admin = await sessionCookie(server.url, 'admin@demo.dayi', passwords['admin@demo.dayi']!);
    await warm('/manuals', { Cookie: member });
    const adminPage = await get('/manuals', { Cookie: admin });
    expect(adminPage.headers.get('x-cache')).toBe('miss');
    expect(await adminPage.text()).toContain('href="/admin/users"');
    const memberPage = await get('/manuals', { Cookie: member });
    expect(memberPage.headers.get('x-cache')).toBe('hit');
    expect(await memberPage.text()).not.toContain('href="/admin/users"');
    // The staff-only manual: the admin's copy, never one a member could be given.
    for (let i = 0; i < 2; i++) expect((await get('/manuals/operations/backup', { Cookie: member })).status).toBe(403);
    await warm('/manuals/operations/backup', { Cookie: admin });
    expect((await get('/manuals/operations/backup', { Cookie: admin })).headers.get('x-cache')).toBe('hit');
    expect((await get('/manuals/operations/backup', { Cookie: member })).status).toBe(403);
  });

  it('leaves a session cookie it cannot read as Astro does to Astro, which still signs the person in', async () => {
    const member = await sessionCookie(server.url, 'member@demo.dayi', passwords['member@demo.dayi']!);
    // Astro's cookie parser trims the value; the front layer's does not, so it finds no session here.
    const spaced = member.replace('dayi_session=', 'dayi_session= ');
    const page = await get('/faq', { Cookie: spaced });
    expect(page.headers.get('set-cookie')).toBeNull();
    expect(await page.text()).toContain('退出');
  });

  it("never shares pages with one person's state, and ends with the session", async () => {
    const engineer = await sessionCookie(server.url, 'engineer1@demo.dayi', passwords['engineer1@demo.dayi']!);
    const member = await sessionCookie(server.url, 'member@demo.dayi', passwords['member@demo.dayi']!);
    for (let i = 0; i < 2; i++) {
      // A reviewer's FAQ entry shows its usage; a member's courseware page what they follow and saw.
      expect((await get('/faq/account-locked', { Cookie: engineer })).headers.get('x-cache')).toBeNull();
      expect((await get('/courseware/data-reporting', { Cookie: member })).headers.get('x-cache')).toBeNull();
    }
    await warm('/faq', { Cookie: member });
    expect((await get('/faq', { Cookie: member })).headers.get('x-cache')).toBe('hit');
    const out = await fetch(`${server.url}/logout`, { method: 'POST', redirect: 'manual', headers: { Cookie: member, Origin: server.url } });
    expect(out.status).toBe(303);
    const after = await get('/faq', { Cookie: member });
    expect(after.headers.get('x-cache')).toBeNull();
    expect(await after.text()).not.toContain('退出');
  });
});
