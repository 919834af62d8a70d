/**
 * Usability review, issue 9: the admin and account pages speak zh-CN, not code,
 * and the user forms neither fail on their own defaults nor lose what was typed.
 * Each browser test runs with JavaScript off where the form must work without it.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousA11yViolations } from '../helpers/axe.ts';
import { demoPasswords } from '../helpers/http.ts';
import { chromiumPath, hasChromium, type RunningServer } from '../helpers/server.ts';
import { startTestServer } from '../helpers/test-server.ts';

let server: RunningServer;
let stop: () => Promise<void>;
let passwords: Record<string, string>;
let adminCookie: string;

beforeAll(async () => {
  ({ server, stop } = await startTestServer({ DATABASE_URL: undefined }));
  passwords = await demoPasswords(server);
  const res = await fetch(`${server.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: 'admin@demo.dayi', password: passwords['admin@demo.dayi']! }),
  });
  adminCookie = /dayi_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1]!;
});

afterAll(async () => {
  await stop?.();
});

/** The rows of a page's table (the filter above it names every action). */
const tbody = (html: string) => /<tbody[^>]*>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';

const asAdmin = (url: string, body?: URLSearchParams | FormData) =>
  fetch(`${server.url}${url}`, { method: body ? 'POST' : 'GET', redirect: 'manual', headers: { Origin: server.url, Cookie: `dayi_session=${adminCookie}` }, body });

describe('admin forms over HTTP', () => {
  it('refuses a phone number that is not one, and keeps what was typed', async () => {
    const res = await asAdmin('/admin/users', new URLSearchParams({ action: 'create', name: '钱十二', email: 'qian12@example.cn', phone: 'abc', roles: 'trainer' }));
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('电话只能包含数字');
    for (const kept of ['value="钱十二"', 'value="qian12@example.cn"', 'value="abc"']) expect(html).toContain(kept);
    const ok = await asAdmin('/admin/users', new URLSearchParams({ action: 'create', name: '钱十二', email: 'qian12@example.cn', phone: '023-6379 0000 转 8001', roles: 'trainer' }));
    expect(await ok.text()).toContain('用户已创建');
  });

  it('offers a UTF-8 CSV template with a BOM whose header the import reads', async () => {
    const page = await (await asAdmin('/admin/users')).text();
    expect(page).toContain('href="/templates/users-import.csv"');
    expect(page).toContain('“角色”列可填写：成员单位用户、值班工程师（一线/二线/三线）、培训讲师、系统管理员');
    const bytes = new Uint8Array(await (await fetch(`${server.url}/templates/users-import.csv`)).arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(new TextDecoder().decode(bytes.slice(3)).split(/\r?\n/)[0]).toBe('单位,姓名,邮箱,角色');
    const form = new FormData();
    form.set('action', 'import');
    form.set('file', new Blob([bytes], { type: 'text/csv' }), 'users-import.csv');
    const preview = await (await asAdmin('/admin/users', form)).text();
    // Only the example unit is unknown here; the header and both role spellings are understood.
    expect(preview).toContain('第 2 行：单位“SFGW”不存在');
    expect(preview).not.toContain('表头');
    expect(preview).not.toContain('无法识别');
  });

  it('shows the audit log in zh-CN: action names, whom it concerns, details as lines', async () => {
    const html = await (await asAdmin('/admin/audit?action=user.created')).text();
    const body = tbody(html);
    expect(body).toContain('新建用户');
    expect(body).toContain('钱十二（qian12@example.cn）');
    expect(body).toContain('角色：培训讲师');
    expect(body).not.toMatch(/user\.created|[0-9a-f]{8}-[0-9a-f]{4}-|\{"/);
    await fetch(`${server.url}/login`, { method: 'POST', headers: { Origin: server.url }, body: new URLSearchParams({ email: 'trainer@demo.dayi', password: 'not the password' }) });
    const failed = await (await asAdmin('/admin/audit?action=login.failed')).text();
    expect(tbody(failed)).toContain('原因：密码错误');
    expect(tbody(failed)).toContain('登录失败');
    expect(tbody(failed)).not.toContain('登录成功');
  });
});

describe.skipIf(!hasChromium)('admin and account pages in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function signedIn(email: string, { javaScript = true } = {}): Promise<Page> {
    const context = await browser.newContext({ javaScriptEnabled: javaScript });
    const page = await context.newPage();
    await page.goto(`${server.url}/login`);
    await page.getByLabel('邮箱').fill(email);
    await page.getByLabel('密码').fill(passwords[email]!);
    await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.locator('#main').getByRole('button', { name: '登录' }).click()]);
    return page;
  }

  it('creates a user: no role preset, the tier only for engineers (CSS, no script), input kept on error', async () => {
    const page = await signedIn('admin@demo.dayi');
    await page.goto(`${server.url}/admin/users`);
    const create = page.locator('form', { has: page.getByRole('button', { name: '新建用户' }) });
    expect(await create.getByRole('checkbox', { checked: true }).count()).toBe(0);
    const tier = create.getByLabel('工程师级别');
    expect(await tier.isVisible()).toBe(false);
    await create.getByRole('checkbox', { name: '值班工程师' }).check();
    expect(await tier.isVisible()).toBe(true);
    await create.getByRole('checkbox', { name: '值班工程师' }).uncheck();

    await create.getByLabel('姓名').fill('孙十三');
    await create.getByLabel('邮箱').fill('sun13@example.cn');
    await create.getByRole('checkbox', { name: '成员单位用户' }).check();
    await Promise.all([page.waitForLoadState(), create.getByRole('button', { name: '新建用户' }).click()]);
    expect(await page.getByRole('alert').textContent()).toContain('成员单位用户必须选择所属单位');
    expect(await create.getByLabel('姓名').inputValue()).toBe('孙十三');
    expect(await create.getByLabel('邮箱').inputValue()).toBe('sun13@example.cn');
    expect(await create.getByRole('checkbox', { name: '成员单位用户' }).isChecked()).toBe(true);
    expect(await seriousA11yViolations(page)).toEqual([]);

    await create.getByLabel('单位', { exact: true }).selectOption({ index: 1 });
    await Promise.all([page.waitForLoadState(), create.getByRole('button', { name: '新建用户' }).click()]);
    expect(await page.getByRole('status').textContent()).toContain('用户已创建');
    await page.context().close();
  });

  it('asks before disabling an account, without JavaScript', async () => {
    const page = await signedIn('admin@demo.dayi', { javaScript: false });
    await page.goto(`${server.url}/admin/users?q=sun13`);
    await page.getByRole('link', { name: '管理' }).click();
    await page.getByRole('button', { name: '停用账号' }).click();
    const confirm = page.getByRole('region', { name: '确认停用账号' });
    expect(await confirm.textContent()).toContain('孙十三（sun13@example.cn）将无法登录');
    expect(await page.locator('.facts').textContent()).toContain('待激活');
    // axe needs script: the same confirmation, checked in a browser that runs it.
    const checker = await signedIn('admin@demo.dayi');
    await checker.goto(page.url());
    expect(await seriousA11yViolations(checker)).toEqual([]);
    await checker.context().close();
    await confirm.getByRole('button', { name: '确认停用' }).click();
    expect(await page.getByRole('status').textContent()).toContain('账号已停用');
    expect(await page.locator('.facts').textContent()).toContain('已停用');
    await page.context().close();
  });

  it('names the signed-in devices and asks for the new password twice on /account', async () => {
    const page = await signedIn('trainer@demo.dayi');
    await page.goto(`${server.url}/account`);
    expect(await page.getByRole('table').textContent()).toContain('Chrome（无界面） · Linux');
    await page.getByLabel('当前密码').fill(passwords['trainer@demo.dayi']!);
    await page.getByLabel('新密码（至少 12 个字符）').fill('spring river long walk');
    await page.getByLabel('再次输入新密码').fill('spring river long talk');
    await Promise.all([page.waitForLoadState(), page.getByRole('button', { name: '修改密码' }).click()]);
    expect(await page.getByRole('alert').textContent()).toBe('两次输入的密码不一致。');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.context().close();
  });

  it('shows the system page to an admin and starts a rebuild of the search index from it', async () => {
    const page = await signedIn('admin@demo.dayi');
    await page.goto(`${server.url}/admin/system`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('系统运行状态');
    const search = page.getByRole('region', { name: '搜索索引' });
    expect(await search.textContent()).toMatch(/Meilisearch · 正常/);
    expect(await page.getByRole('region', { name: '后台任务' }).textContent()).toContain('服务时限提醒与升级');
    expect(await page.getByRole('region', { name: '磁盘空间' }).textContent()).toMatch(/可用 [\d.]+ (GB|MB)，共/);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await Promise.all([page.waitForURL(/done=rebuild/), search.getByRole('button', { name: '重建搜索索引' }).click()]);
    expect(await page.getByRole('status').textContent()).toContain('已开始重建搜索索引');
    await page.context().close();
  });

  it('starts the admin on a home page of what waits: the question asked today unassigned, nobody on duty yet, operations well', async () => {
    const form = new URLSearchParams({ kind: 'consult', title: '管理首页统计用的问题', body: '这个问题用来检查管理首页的统计数字。', email: 'home@example.cn' });
    const asked = await fetch(`${server.url}/ask`, { method: 'POST', redirect: 'manual', headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' }, body: form });
    expect(asked.status).toBe(303);
    const page = await signedIn('admin@demo.dayi');
    await page.goto(`${server.url}/admin`);
    const questions = page.getByRole('region', { name: '问题' });
    expect(await questions.getByRole('link', { name: /未受理 \d+/ }).textContent()).toMatch(/未受理 [1-9]/);
    expect(await questions.textContent()).toMatch(/新提问 [1-9]\d* 个/);
    expect(await page.getByRole('region', { name: '当前值班' }).textContent()).toContain('尚未排班');
    expect(await page.getByRole('region', { name: '运行' }).textContent()).toContain('查看系统运行状态');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await questions.getByRole('link', { name: /未受理/ }).click();
    expect(page.url()).toContain('/desk?queue=unassigned');
    await page.context().close();
  });
});
