import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeRules } from '../../src/server/auth/auth.routes.ts';
import { appRoot } from '../../src/server/shared/paths.ts';
import { chromiumPath, hasChromium, type RunningServer } from '../helpers/server.ts';
import { startTestServer } from '../helpers/test-server.ts';

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
let stop: () => Promise<void>;
const cookies: Partial<Record<Role, string>> = {};
const passwords: Record<string, string> = {};

beforeAll(async () => {
  // Embedded demo mode (PGlite, not production) seeds one account per role and prints them once.
  ({ server, stop } = await startTestServer({ DATABASE_URL: undefined }));
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
  await stop?.();
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

describe('accounts end to end over HTTP', () => {
  const post = (url: string, role: Role, body: URLSearchParams | FormData) =>
    fetch(`${server.url}${url}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Origin: server.url, ...(cookies[role] ? { Cookie: `dayi_session=${cookies[role]}` } : {}) },
      body,
    });

  /** The text of the newest kept mail to `address` (DATA_DIR/mail/*.eml), parsed as a mail client would. */
  async function mailTo(address: string): Promise<string> {
    const dir = path.join(server.dataDir, 'mail');
    for (let i = 0; i < 100; i++) {
      const files = (() => {
        try {
          return readdirSync(dir).filter((f) => f.endsWith('.eml'));
        } catch {
          return [];
        }
      })();
      for (const f of files) {
        const mail = await simpleParser(readFileSync(path.join(dir, f)));
        const to = Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : [];
        if (to.some((a) => a.value.some((v) => v.address === address))) return `${mail.subject}\n${mail.text}`;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`no mail to ${address}`);
  }
  const linkIn = (text: string) => /(\/password\/set\?token=[A-Za-z0-9_-]+)/.exec(text)![1]!;

  it('an admin invites a user, who sets a password from the mailed link and signs in', async () => {
    const res = await post('/admin/users', 'admin', new URLSearchParams({ action: 'create', name: '周六', email: 'zhou6@example.cn', roles: 'trainer', engineerTier: '1', unitId: '' }));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('用户已创建，邀请邮件已发出。');
    const link = linkIn(await mailTo('zhou6@example.cn'));
    const page = await fetch(`${server.url}${link}`);
    expect(await page.text()).toContain('zhou6@example.cn');
    const set = await post(link, 'anonymous', new URLSearchParams({ password: 'spring river long walk', confirm: 'spring river long walk' }));
    expect(set.status).toBe(303);
    expect(set.headers.get('location')).toBe('/login?done=password');
    const again = await post(link, 'anonymous', new URLSearchParams({ password: 'autumn lake short path', confirm: 'autumn lake short path' }));
    expect(await again.text()).toContain('链接无效或已过期');
    const login = await post('/login', 'anonymous', new URLSearchParams({ email: 'zhou6@example.cn', password: 'spring river long walk' }));
    expect(login.status).toBe(303);
  });

  it('imports users from an uploaded CSV, and lists every bad line without importing any', async () => {
    const good = new FormData();
    good.set('action', 'import');
    good.set('file', new Blob(['\uFEFF单位,姓名,邮箱,角色\nDEMO,吴七,wu7@example.cn,成员单位用户\n,郑八,zheng8@vendor.cn,专家工程师\n'], { type: 'text/csv' }), 'users.csv');
    const ok = await post('/admin/users', 'admin', good);
    expect(await ok.text()).toContain('已导入 2 个用户');
    const bad = new FormData();
    bad.set('action', 'import');
    bad.set('file', new Blob(['name,email,roles,unit\n王九,wang9@example.cn,member,DEMO\n冯十,bad-address,member,DEMO\n'], { type: 'text/csv' }), 'users.csv');
    const rejected = await post('/admin/users', 'admin', bad);
    expect(rejected.status).toBe(400);
    const html = await rejected.text();
    expect(html).toContain('第 3 行');
    expect((await (await get('/admin/users?q=wang9', 'admin')).text())).not.toContain('wang9@example.cn');
  });

  it('says the same after "忘记密码" whether or not the address exists', async () => {
    const known = await (await post('/password/forgot', 'anonymous', new URLSearchParams({ email: 'trainer@demo.dayi' }))).text();
    const unknown = await (await post('/password/forgot', 'anonymous', new URLSearchParams({ email: 'nobody@example.cn' }))).text();
    const message = '如果该邮箱已注册并已激活';
    expect(known).toContain(message);
    expect(unknown).toContain(message);
    expect(await mailTo('trainer@demo.dayi')).toContain('重置密码');
  });

  it('shows admins the audit log, filtered by action', async () => {
    const html = await (await get('/admin/audit?action=login.failed', 'admin')).text();
    expect(html).toContain('login.failed');
    expect(html).not.toContain('login.succeeded');
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
