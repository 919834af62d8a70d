import { readdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Action } from '../../src/server/auth/auth.policy.ts';
import { routeRules } from '../../src/server/auth/auth.routes.ts';
import { appRoot } from '../../src/server/shared/paths.ts';
import { seriousA11yViolations } from '../helpers/axe.ts';
import { chromiumPath, hasChromium, type RunningServer } from '../helpers/server.ts';
import { demoPasswords, keptMailTo } from '../helpers/http.ts';
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

/** Who each action lets in, written out here rather than read from the policy under test; unlisted actions are admin-only. */
const allowedRoles: Partial<Record<Action, Role[]>> = {
  'account.manage': ['member', 'engineer', 'trainer', 'admin'],
  'questions.own': ['member', 'engineer', 'trainer', 'admin'],
  'desk.use': ['engineer', 'admin'],
  'faq.review': ['engineer', 'admin'],
  'reports.view': ['engineer', 'admin'],
  'courseware.publish': ['trainer', 'admin'],
  'videos.publish': ['trainer', 'admin'],
  'announcements.manage': ['trainer', 'admin'],
  'training.create': ['trainer', 'admin'],
  // The route lets every trainer in; a training that is not theirs answers 404 (see resourceHidden).
  'training.manage': ['trainer', 'admin'],
  'training.attend': ['member', 'engineer', 'trainer', 'admin'],
};

/** Routes of one record whose route rule lets a role in, but the record does not (answered 404, as if it did not exist). */
const resourceHidden: Record<string, Role[]> = {
  '/questions/[number]': ['trainer'],
  '/questions/[number]/files/[id]': ['trainer'],
  // No training has the sample id: its page and records answer 404 to everyone the rule lets in.
  '/training/[id]': ['member', 'engineer', 'trainer', 'admin'],
  '/training/[id]/register': ['trainer', 'admin'],
  '/training/[id]/summary': ['trainer', 'admin'],
  '/training/[id]/feedback': ['trainer', 'admin'],
  '/training/[id]/feedback/[formId]': ['trainer', 'admin'],
  '/training/[id]/feedback/[formId]/links': ['trainer', 'admin'],
  '/training/[id]/feedback/[formId]/export': ['trainer', 'admin'],
  '/feedback/[formId]': ['member', 'engineer', 'trainer', 'admin'],
  // The sample id is another user's: a trainer sees only their own results, an admin anyone's.
  '/feedback/trainer/[id]': ['trainer'],
  // The sample id is a user's, not a cluster's.
  '/admin/faq/[id]': ['engineer', 'admin'],
};

let server: RunningServer;
let stop: () => Promise<void>;
const cookies: Partial<Record<Role, string>> = {};
const passwords: Record<string, string> = {};

beforeAll(async () => {
  // Embedded demo mode (PGlite, not production) seeds one account per role and prints them once.
  ({ server, stop } = await startTestServer({ DATABASE_URL: undefined }));
  Object.assign(passwords, await demoPasswords(server));
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
    // A question of the member's, for the routes that show one.
    const asked = await fetch(`${server.url}/api/questions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Cookie: `dayi_session=${cookies.member}` },
      body: JSON.stringify({ kind: 'consult', title: '路由测试的问题', body: '用来检查每个角色能否打开问题页面。', email: 'member@demo.dayi' }),
    });
    const { number: questionNumber } = (await asked.json()) as { number: string };
    // An attachment of it (a follow-up with a screenshot), for the route that serves one.
    const memberPage = () => get(`/questions/${questionNumber}`, 'member').then((r) => r.text());
    const followup = new FormData();
    followup.append('action', 'followup');
    followup.append('version', /name="version" value="(\d+)"/.exec(await memberPage())![1]!);
    followup.append('attachments', new Blob([Buffer.from('ERROR 路由测试\n')]), '日志.log');
    const posted = await fetch(`${server.url}/questions/${questionNumber}`, {
      method: 'POST',
      redirect: 'manual',
      body: followup,
      headers: { Origin: server.url, Cookie: `dayi_session=${cookies.member}` },
    });
    expect(posted.status).toBe(303);
    const attachmentId = /\/files\/([0-9a-f-]{36})/.exec(await memberPage())![1]!;
    // A mail kept as a file (its receipt), for the route that serves one.
    await keptMailTo(server.dataDir, 'member@demo.dayi');
    const keptMail = readdirSync(path.join(server.dataDir, 'mail')).find((f) => f.endsWith('.eml'))!;
    const sample: Record<string, string> = {
      '[number]': questionNumber,
      '[manual]': 'user-guide',
      '[chapter]': 'search',
      '[...path]': 'manuals/user-guide/images/ask-form.svg',
      '[id]': someUserId,
      '[file]': keptMail,
      '[version]': 'v3.2',
      '[table]': 'kinds',
    };
    const urlOf = (route: string) =>
      route.replace(/\[[^\]]+\]/g, (p) =>
        route.includes('/files/') && p === '[id]' ? attachmentId : (sample[p] ?? (route.startsWith('/faq') ? 'account-forgot-password' : route.startsWith('/courseware') ? 'data-reporting' : route.includes('/videos/') ? 'data-reporting-demo' : 'no-such-item')),
      );
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
          const allowed = (allowedRoles[rule.action] ?? ['admin']).includes(role);
          const api = route.startsWith('/api/');
          // A page of one record answers 404 to a signed-in user who may not see that record (the trainer did not ask the question).
          const hidden = resourceHidden[route]?.includes(role);
          ok = hidden ? res.status === 404 : allowed ? res.status === 200 : role === 'anonymous' ? (api ? res.status === 401 : toLogin) : res.status === 403;
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

  const mailTo = (address: string) => keptMailTo(server.dataDir, address);
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

  const upload = (bytes: BlobPart) => {
    const form = new FormData();
    form.set('action', 'import');
    form.set('file', new Blob([bytes], { type: 'text/csv' }), 'users.csv');
    return post('/admin/users', 'admin', form);
  };
  /** The fields of the confirm form on a preview page, as the browser posts them back (multipart). */
  function confirmFields(html: string): FormData {
    const at = html.indexOf('value="import-confirm"');
    expect(at).toBeGreaterThan(-1);
    const form = html.slice(html.lastIndexOf('<form', at), html.indexOf('</form>', at));
    const unescape = (v: string) => v.replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    expect(form).toContain('enctype="multipart/form-data"');
    const fields = new FormData();
    for (const m of form.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)"/g)) fields.set(m[1]!, unescape(m[2]!));
    return fields;
  }
  const listed = async (q: string) => (await get(`/admin/users?q=${encodeURIComponent(q)}`, 'admin')).text();

  it('previews an uploaded CSV as decoded, imports nothing before the admin confirms, then imports it', async () => {
    const res = await upload('\uFEFF单位,姓名,邮箱,角色\nDEMO,吴七,wu7@example.cn,成员单位用户\n,郑八,zheng8@vendor.cn,专家工程师\n');
    expect(res.status).toBe(200);
    const preview = await res.text();
    for (const shown of ['导入预览', '文件编码：UTF-8', '共 2 个用户可导入', '吴七', 'wu7@example.cn', '郑八', '值班工程师（二线）', '确认导入']) expect(preview).toContain(shown);
    expect(preview).not.toContain('已导入');
    expect(await listed('wu7')).not.toContain('wu7@example.cn');

    const ok = await post('/admin/users', 'admin', confirmFields(preview));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('已导入 2 个用户');
    expect(await listed('wu7')).toContain('wu7@example.cn');
    expect(await mailTo('zheng8@vendor.cn')).toContain('郑八，您好');
  });

  it('shows 郑叶 and 谢霞 of a GB18030 file as written, not as the UTF-8 reading of the same bytes', async () => {
    const ascii = (s: string) => [...Buffer.from(s)];
    // 郑叶 D6A3 D2B6 and 谢霞 D0BB CFBC in GB18030; as UTF-8 the same bytes read “֣Ҷ” and “лϼ”.
    const bytes = new Uint8Array([
      ...ascii('name,email,roles\r\n'), 0xd6, 0xa3, 0xd2, 0xb6, ...ascii(',zheng.ye@vendor.cn,trainer\r\n'),
      0xd0, 0xbb, 0xcf, 0xbc, ...ascii(',xie.xia@vendor.cn,trainer\r\n'),
    ]);
    const preview = await (await upload(bytes)).text();
    for (const shown of ['文件编码：GB18030（GBK）', '郑叶', '谢霞']) expect(preview).toContain(shown);
    for (const misread of ['֣Ҷ', 'лϼ']) expect(preview).not.toContain(misread);
    expect(await listed('zheng.ye')).not.toContain('zheng.ye@vendor.cn');

    expect(await (await post('/admin/users', 'admin', confirmFields(preview))).text()).toContain('已导入 2 个用户');
    expect(await listed('zheng.ye')).toContain('郑叶');
    expect(await mailTo('zheng.ye@vendor.cn')).toContain('郑叶，您好');
  });

  it('lists every bad line of an upload without a confirm button, and imports none', async () => {
    const rejected = await upload('name,email,roles,unit\n王九,wang9@example.cn,member,DEMO\n冯十,bad-address,member,DEMO\n');
    expect(rejected.status).toBe(400);
    const html = await rejected.text();
    expect(html).toContain('第 3 行：邮箱“bad-address”格式不正确');
    expect(html).not.toContain('确认导入');
    expect(await listed('wang9')).not.toContain('wang9@example.cn');
  });

  it('refuses a file in neither UTF-8 nor GB18030, and checks posted-back text again on confirm', async () => {
    const unreadable = await upload(new Uint8Array([...Buffer.from('name,email,roles\n'), 0xff, ...Buffer.from(',feng@vendor.cn,trainer\n')]));
    expect(unreadable.status).toBe(400);
    expect(await unreadable.text()).toContain('无法识别文件编码');

    const forged = new URLSearchParams({ action: 'import-confirm', encoding: 'utf-8', text: 'name,email,roles\n冯十一,feng11@vendor.cn,老板\n' });
    const refused = await post('/admin/users', 'admin', forged);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('第 2 行：角色“老板”无法识别');
    expect(await listed('feng11')).not.toContain('feng11@vendor.cn');
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
    // The rows only: the filter above them names every action.
    const rows = /<tbody[^>]*>([\s\S]*?)<\/tbody>/.exec(html)![1]!;
    expect(rows).toContain('登录失败');
    expect(rows).not.toContain('登录成功');
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
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByLabel('邮箱').fill(demoEmail[role]);
    await page.getByLabel('密码').fill(passwords[demoEmail[role]]!);
    await Promise.all([page.waitForURL((u) => u.pathname === '/account'), page.getByRole('button', { name: '登录' }).click()]);
    expect(await seriousA11yViolations(page)).toEqual([]);
    const menu = page.getByRole('navigation', { name: '账号菜单' });
    expect(await menu.textContent()).toContain(roleLabel);
    // The name opens the account menu.
    await menu.locator('summary').click();
    expect(await menu.getByRole('link', { name: '用户管理' }).count()).toBe(seesAdmin ? 1 : 0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await Promise.all([page.waitForURL((u) => u.pathname === '/'), menu.getByRole('button', { name: '退出登录' }).click()]);
    expect(await page.getByRole('navigation', { name: '账号菜单' }).getByRole('link', { name: '登录' }).count()).toBe(1);
    await page.goto(`${server.url}/account`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await context.close();
  });
});
