import { readdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { routeRules } from '../../src/server/auth/auth.routes.ts';
import { appRoot } from '../../src/server/shared/paths.ts';
import { testIndexPrefix } from '../helpers/db.ts';
import { chromiumPath, freeTestPort, hasChromium, startDayi, type RunningServer } from '../helpers/server.ts';

type Role = 'anonymous' | 'member' | 'engineer' | 'trainer' | 'admin';
const roles: Role[] = ['anonymous', 'member', 'engineer', 'trainer', 'admin'];
const demoEmail: Record<Exclude<Role, 'anonymous'>, string> = {
  member: 'member@demo.dayi',
  engineer: 'engineer1@demo.dayi',
  trainer: 'trainer@demo.dayi',
  admin: 'admin@demo.dayi',
};

/** Every route Astro serves, as it names them, read from src/pages. */
function filesystemRoutes(): string[] {
  const dir = path.join(appRoot(), 'src/pages');
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (/\.(astro|ts)$/.test(e.name)) {
        const rel = path.relative(dir, full).replace(/\.(astro|ts)$/, '').split(path.sep).join('/');
        out.push(`/${rel}`.replace(/\/index$/, '') || '/');
      }
    }
  };
  walk(dir);
  return out.sort();
}

let server: RunningServer;
const cookies: Partial<Record<Role, string>> = {};
const passwords: Record<string, string> = {};

beforeAll(async () => {
  // Embedded demo mode (PGlite, not production) seeds one account per role and prints them once.
  server = await startDayi({ PORT: await freeTestPort(), DATABASE_URL: undefined, MEILI_URL: inject('meiliUrl'), MEILI_MASTER_KEY: inject('meiliKey'), MEILI_INDEX_PREFIX: testIndexPrefix() });
  for (let i = 0; i < 100 && !server.output().includes('admin@demo.dayi'); i++) await new Promise((r) => setTimeout(r, 100));
  for (const m of server.output().matchAll(/^\s+(\S+@demo\.dayi)\s+(\S+)/gm)) passwords[m[1]!] = m[2]!;
  for (const role of roles.filter((r): r is Exclude<Role, 'anonymous'> => r !== 'anonymous')) {
    const res = await fetch(`${server.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: demoEmail[role], password: passwords[demoEmail[role]]! }),
    });
    expect(res.status).toBe(303);
    cookies[role] = /dayi_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1];
  }
});

afterAll(async () => {
  await server?.stop();
});

const get = (url: string, role: Role) =>
  fetch(`${server.url}${url}`, { redirect: 'manual', headers: cookies[role] ? { Cookie: `dayi_session=${cookies[role]}` } : {} });

describe('route × role matrix', () => {
  it('has a policy rule for every page and API route in src/pages, and no rule without a route', () => {
    expect(filesystemRoutes()).toEqual(Object.keys(routeRules).sort());
  });

  it('answers every route as its rule says, for every role', async () => {
    const adminList = await (await get('/admin/users', 'admin')).text();
    const someUserId = /\/admin\/users\/([0-9a-f-]{36})/.exec(adminList)![1]!;
    const sample: Record<string, string> = {
      '[manual]': 'user-guide',
      '[chapter]': 'search',
      '[...path]': 'manuals/user-guide/images/ask-form.svg',
      '[id]': someUserId,
    };
    const urlOf = (route: string) =>
      route.replace(/\[[^\]]+\]/g, (p) => sample[p] ?? (route.startsWith('/faq') ? 'account-forgot-password' : 'no-such-item'));
    const failures: string[] = [];
    for (const [route, rule] of Object.entries(routeRules)) {
      for (const role of roles) {
        const res = await get(urlOf(route), role);
        const location = res.headers.get('location') ?? '';
        const toLogin = res.status === 303 && location.startsWith('/login');
        let ok: boolean;
        if (['/403', '/404', '/500'].includes(route)) ok = !toLogin;
        else if (!rule.action) ok = !toLogin && res.status !== 401 && res.status !== 403;
        else {
          const allowed = rule.action === 'account.manage' ? role !== 'anonymous' : role === 'admin';
          const api = route.startsWith('/api/');
          ok = allowed ? res.status === 200 : role === 'anonymous' ? (api ? res.status === 401 : toLogin) : res.status === 403;
        }
        if (!ok) failures.push(`${route} as ${role}: ${res.status} ${location}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('keeps staff-only manuals from members, and shows them to engineers', async () => {
    expect((await get('/manuals/operations/backup', 'anonymous')).status).toBe(403);
    expect((await get('/manuals/operations/backup', 'member')).status).toBe(403);
    expect((await get('/manuals/operations/backup', 'engineer')).status).toBe(200);
    expect((await get('/manuals/trainer-guide', 'member')).status).toBe(200);
  });

  it('rejects a cross-site sign-in POST (origin check)', async () => {
    const res = await fetch(`${server.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Origin: 'http://evil.example', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'admin@demo.dayi', password: passwords['admin@demo.dayi']! }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('sets the session cookie HttpOnly, SameSite=Lax, and not Secure on plain http', async () => {
    const res = await fetch(`${server.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'member@demo.dayi', password: passwords['member@demo.dayi']! }),
    });
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i);
  });

  it('refuses a wrong password with a zh-CN message and 401', async () => {
    const res = await fetch(`${server.url}/login`, {
      method: 'POST',
      headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'trainer@demo.dayi', password: 'definitely wrong' }),
    });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('邮箱或密码不正确。');
  });
});

describe.skipIf(!hasChromium)('signing in and out in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it.each([
    ['engineer', '值班工程师', false],
    ['admin', '系统管理员', true],
  ] as const)('signs in as %s, shows that role’s menu, and signs out', async (role, roleLabel, seesAdmin) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/account`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.getByLabel('邮箱').fill(demoEmail[role]);
    await page.getByLabel('密码').fill(passwords[demoEmail[role]]!);
    await Promise.all([page.waitForURL((u) => u.pathname === '/account'), page.getByRole('button', { name: '登录' }).click()]);
    const menu = page.getByRole('navigation', { name: '账号菜单' });
    expect(await menu.textContent()).toContain(roleLabel);
    expect(await menu.getByRole('link', { name: '用户管理' }).count()).toBe(seesAdmin ? 1 : 0);
    await Promise.all([page.waitForURL((u) => u.pathname === '/'), menu.getByRole('button', { name: '退出登录' }).click()]);
    expect(await page.getByRole('navigation', { name: '账号菜单' }).getByRole('link', { name: '登录' }).count()).toBe(1);
    await page.goto(`${server.url}/account`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await context.close();
  });
});
