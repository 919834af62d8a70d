import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPasswords, keptMailTo, rawRequest } from '../helpers/http.ts';
import { chromiumPath, hasChromium, type RunningServer } from '../helpers/server.ts';
import { startTestServer } from '../helpers/test-server.ts';
import { tempDir } from '../helpers/tmp.ts';

/**
 * What an outside probe broke, on the built server in embedded demo mode
 * (no PUBLIC_URL, no proxy): each case failed before its fix.
 */
let server: RunningServer;
let stop: () => Promise<void>;
let passwords: Record<string, string>;
const sessions: Record<string, string> = {};
const dataDir = tempDir('dayi-perm');

beforeAll(async () => {
  // A DATA_DIR left world-readable by an older version, with a file others could read.
  chmodSync(dataDir, 0o755);
  mkdirSync(path.join(dataDir, 'mail'), { mode: 0o755 });
  writeFileSync(path.join(dataDir, 'mail', 'old.eml'), 'Subject: old\n\nhttp://x/password/set?token=live', { mode: 0o644 });
  chmodSync(path.join(dataDir, 'mail', 'old.eml'), 0o644);
  ({ server, stop } = await startTestServer({ DATABASE_URL: undefined, DATA_DIR: dataDir }));
  passwords = await demoPasswords(server);
  for (const email of ['member@demo.dayi', 'admin@demo.dayi']) {
    const res = await form('/login', { email, password: passwords[email]! });
    expect(res.status).toBe(303);
    sessions[email] = /dayi_session=([^;]+)/.exec(String(res.headers['set-cookie']))![1]!;
  }
});
afterAll(async () => {
  await stop?.();
});

function form(target: string, fields: Record<string, string>, { as, headers = {} }: { as?: string; headers?: Record<string, string> } = {}) {
  return rawRequest(server.url, {
    method: 'POST',
    path: target,
    headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded', ...(as ? { Cookie: `dayi_session=${sessions[as]}` } : {}), ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}
const get = (target: string, as?: string) => rawRequest(server.url, { path: target, headers: as ? { Cookie: `dayi_session=${sessions[as]}` } : {} });
const postJson = (target: string, body: string) => rawRequest(server.url, { method: 'POST', path: target, headers: { Origin: server.url, 'Content-Type': 'application/json' }, body });

describe('links in mail', () => {
  it('never come from the Host header: a reset requested through a forged Host links to the address fixed at start', async () => {
    const evil = 'evil.example:8080';
    const res = await rawRequest(server.url, {
      method: 'POST',
      path: '/password/forgot',
      headers: { Host: evil, Origin: `http://${evil}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'trainer@demo.dayi' }).toString(),
    });
    expect(res.status).toBe(200);
    const mail = await keptMailTo(server.dataDir, 'trainer@demo.dayi');
    expect(mail).not.toContain('evil.example');
    expect(mail).toContain(`${server.url}/password/set?token=`);
    expect(server.output()).toContain(`Dayi 答疑 is running: ${server.url}`);
  });

  it.skipIf(!hasChromium)('work in Chromium: the set-password form on a token page is accepted by the origin check', async () => {
    // With `Referrer-Policy: no-referrer` Chromium sends `Origin: null`, and the form was refused as cross-site.
    const created = await form('/admin/users', { action: 'create', name: '链接测试', email: 'link.user@example.cn', roles: 'trainer', engineerTier: '1', unitId: '' }, { as: 'admin@demo.dayi' });
    expect(created.status).toBe(200);
    const link = /(http:\/\/\S+\/password\/set\?token=[A-Za-z0-9_-]+)/.exec(await keptMailTo(server.dataDir, 'link.user@example.cn'))![1]!;
    const browser = await chromium.launch({ executablePath: chromiumPath });
    try {
      const page = await browser.newPage();
      await page.goto(link);
      await page.getByLabel('新密码', { exact: true }).fill('river stone quiet morning');
      await page.getByLabel('再次输入新密码').fill('river stone quiet morning');
      await page.getByRole('button', { name: '保存密码' }).click();
      await page.waitForURL(/\/login\?done=password/);
    } finally {
      await browser.close();
    }
  });

  it('say on the admin home which address they use while PUBLIC_URL is unset', async () => {
    const page = await get('/admin', 'admin@demo.dayi');
    expect(page.status).toBe(200);
    expect(page.text).toContain('未设置 PUBLIC_URL');
    expect(page.text).toContain(server.url);
  });
});

describe('redirects', () => {
  it.each([
    ['/search/go?u=/%09/evil.example&p=1', undefined],
    ['/search/go?u=/%5Cevil.example&p=1', undefined],
    ['/login?next=/%09/evil.example', 'member@demo.dayi'],
    ['/login?next=%2F%0A%2Fevil.example', 'member@demo.dayi'],
  ])('%s stays on this site', async (target, as) => {
    const res = await get(target, as);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
  });

  it.each([
    ['a Chinese anchor', `/search/go?u=${encodeURIComponent('/manuals/user-guide/search#搜索技巧')}&p=1`, `/manuals/user-guide/search#${encodeURIComponent('搜索技巧')}`],
    ['CR and LF', '/search/go?u=/faq%0D%0ASet-Cookie:%20x=1&p=1', '/faqSet-Cookie:%20x=1'],
    ['an ideographic space', '/search/go?u=/faq/a%E3%80%80b&p=1', '/faq/a%E3%80%80b'],
  ])('%s in the target answers 303 with an encoded Location, not 500', async (_name, target, location) => {
    const res = await get(target);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(location);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('sends a feedback form back to a page of ours only', async () => {
    const res = await form('/api/feedback', { page: '/\\evil.example', helpful: 'yes' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/\?feedback=/);
  });

  it.skipIf(!hasChromium)('does not send Chromium to another site through a tab in the target', async () => {
    const browser = await chromium.launch({ executablePath: chromiumPath });
    try {
      const page = await browser.newPage();
      await page.goto(`${server.url}/search/go?u=/%09/evil.example&p=1`);
      expect(new URL(page.url()).origin).toBe(server.url);
    } finally {
      await browser.close();
    }
  });
});

describe('request bodies', () => {
  it('refuses a body declared larger than the limit with 413 before reading it', async () => {
    const res = await rawRequest(server.url, { method: 'POST', path: '/login', headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(300 * 1024 * 1024) }, body: undefined });
    expect(res.status).toBe(413);
    expect(res.text).toContain('提交的内容过大');
  });

  it('stops reading a chunked body at the limit and answers JSON 413 on the API', async () => {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const url = new URL(server.url);
      const req = request({ host: url.hostname, port: url.port, method: 'POST', path: '/api/search/log', headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' } }, (r) => {
        let body = '';
        r.on('data', (c: Buffer) => (body += c.toString()));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.on('error', () => {}); // the server closes the connection while we still write
      const chunk = Buffer.alloc(64 * 1024, 'a');
      let sent = 0;
      const pump = () => {
        while (sent < 64 && req.write(chunk)) sent++;
        if (sent < 64) req.once('drain', () => { sent++; pump(); });
        else req.end();
      };
      pump();
      setTimeout(() => reject(new Error('no answer')), 20_000).unref();
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'request.too_large' } });
    expect((await get('/')).status).toBe(200);
  });
});

describe('bad input answers 400, never 500', () => {
  it.each([
    ['login', () => form('/login', { email: 'a\0@x.cn', password: 'x' })],
    ['forgot', () => form('/password/forgot', { email: 'a\0@x.cn' })],
    ['search page', () => get('/search?q=%00')],
    ['search API', () => get('/api/search?q=%00')],
    ['search log', () => postJson('/api/search/log', '{"q":"a\\u0000","hits":1}')],
    ['feedback', () => postJson('/api/feedback', '{"page":"/faq/search-pinyin","helpful":"yes","comment":"\\u0000"}')],
    ['feedback null', () => postJson('/api/feedback', 'null')],
    ['profile', () => form('/account', { action: 'profile', name: 'a\0b', phone: '' }, { as: 'member@demo.dayi' })],
    ['audit filter', () => get('/admin/audit?actor=%00', 'admin@demo.dayi')],
    ['user filter', () => get('/admin/users?q=%00', 'admin@demo.dayi')],
    ['new user', () => form('/admin/users', { action: 'create', name: '空\0字符', email: 'nul@example.cn', roles: 'trainer', engineerTier: '1', unitId: '' }, { as: 'admin@demo.dayi' })],
  ])('%s with a NUL character', async (_name, send) => {
    const res = await send();
    expect(res.status).toBe(400);
    expect(res.text).not.toContain('Failed query');
  });

  it('answers TRACE with 405 and the allowed methods', async () => {
    const res = await rawRequest(server.url, { method: 'TRACE', path: '/' });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toContain('GET');
  });

  it('answers a malformed user id with 404 and an unknown unit with a field error', async () => {
    expect((await get(`/admin/users/${'-'.repeat(36)}`, 'admin@demo.dayi')).status).toBe(404);
    const res = await form('/admin/users', { action: 'create', name: '错单位', email: 'nounit@example.cn', roles: 'member', engineerTier: '1', unitId: '0193a000-0000-7000-8000-000000000000' }, { as: 'admin@demo.dayi' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('单位不存在');
  });

  it('never logs a failed query with its parameters', () => {
    expect(server.output()).not.toMatch(/Failed query|params:/);
  });
});

describe('headers and cookies', () => {
  it('sets the session cookie for the browser session only', async () => {
    const res = await form('/login', { email: 'engineer1@demo.dayi', password: passwords['engineer1@demo.dayi']! });
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toContain('dayi_session=');
    expect(cookie).not.toMatch(/Max-Age|Expires/i);
    expect(cookie).toMatch(/HttpOnly/i);
  });

  it('names the charset of every page and keeps the set-password page out of caches', async () => {
    expect((await get('/')).headers['content-type']).toBe('text/html; charset=utf-8');
    expect((await get('/faq/search-pinyin')).headers['content-type']).toBe('text/html; charset=utf-8');
    expect((await get('/password/set?token=nope')).headers['cache-control']).toContain('no-store');
  });

  it('sends no Strict-Transport-Security over plain http', async () => {
    expect((await get('/')).headers['strict-transport-security']).toBeUndefined();
  });
});

describe('feedback and logs', () => {
  it('shows only messages of our own in the feedback box, never text from the URL', async () => {
    const page = await get('/faq/search-pinyin?feedback=invalid&message=%E8%AF%B7%E6%8B%A8%E6%89%93%E8%AF%88%E9%AA%97%E7%94%B5%E8%AF%9D&reason=comment');
    expect(page.text).not.toContain('请拨打诈骗电话');
    expect(page.text).toContain('意见请控制在 500 字以内');
  });

  it('refuses an anonymous vote on a staff page as if the page did not exist', async () => {
    const res = await postJson('/api/feedback', JSON.stringify({ page: '/manuals/operations/install', helpful: 'no' }));
    expect(res.status).toBe(404);
  });

  it('stops recording anonymous search log rows past the limit', async () => {
    let last = '';
    for (let i = 0; i < 301; i++) last = (await postJson('/api/search/log', JSON.stringify({ q: `刷屏${i}`, hits: 0 }))).text;
    expect(JSON.parse(last)).toEqual({ id: null });
  });
});

describe('the data directory', () => {
  it('is readable by the service user only, and says what it fixed', () => {
    const open: string[] = [];
    const walk = (p: string) => {
      const st = statSync(p);
      const rel = path.relative(dataDir, p);
      // PGlite (Emscripten) creates files 0666 whatever the umask: those made while running are private through the 0700 directories
      // above them and are tightened at the next start, so only its directories and the files from its first start are checked here.
      const checked = st.isDirectory() || !rel.startsWith('pglite/') || rel === 'pglite/PG_VERSION';
      if (checked && st.mode & 0o077) open.push(`${rel || '.'} ${(st.mode & 0o777).toString(8)}`);
      if (st.isDirectory()) for (const name of readdirSync(p)) walk(path.join(p, name));
    };
    walk(dataDir);
    expect(open).toEqual([]);
    expect(statSync(path.join(dataDir, 'mail', 'old.eml')).mode & 0o777).toBe(0o600);
    expect(readdirSync(path.join(dataDir, 'mail')).length).toBeGreaterThan(1);
    expect(server.output()).toContain('removed group and other permissions');
  });
});
