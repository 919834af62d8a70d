import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousA11yViolations } from '../helpers/axe.ts';
import { demoPasswords, keptMailTo } from '../helpers/http.ts';
import { launchChromium, openAt } from '../helpers/browser.ts';
import { hasChromium, type RunningServer } from '../helpers/server.ts';
import { startTestServer } from '../helpers/test-server.ts';

/**
 * Asking as people do it, in Chromium against the built server in demo mode:
 * a member asks (a suggestion shows while typing), an engineer answers on the
 * desk, the member sees the answer and rates it; an anonymous visitor asks and
 * follows the link in the receipt mail.
 */
let server: RunningServer;
let stop: () => Promise<void>;
let browser: Browser;
let passwords: Record<string, string>;

beforeAll(async () => {
  ({ server, stop } = await startTestServer({ DATABASE_URL: undefined }));
  passwords = await demoPasswords(server);
  if (hasChromium) browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await stop?.();
});

/** A browser session signed in as a demo account (through the sign-in page that 我的问题 leads to). */
const signedIn = (email: string, viewport = { width: 1366, height: 768 }) =>
  openAt(browser, server.url, '/my/questions', { ...viewport, signIn: { email, password: passwords[email]! } });

async function fillQuestion(page: Page, { kind, title, body, severity }: { kind: string; title: string; body: string; severity?: string }) {
  await page.getByRole('radio', { name: new RegExp(kind) }).check();
  if (severity) await page.getByRole('radio', { name: new RegExp(`^${severity} `) }).check();
  await page.getByLabel('标题').fill(title);
  await page.getByLabel('问题描述').fill(body);
}

describe.skipIf(!hasChromium)('asking in Chromium', () => {
  it('a member asks, sees a matching FAQ while typing, and finds the question under 我的问题', async () => {
    const { context, page } = await signedIn('member@demo.dayi');
    await page.goto(`${server.url}/ask`);
    expect(await page.getByLabel('联系邮箱（接收回执和答复）').inputValue()).toBe('member@demo.dayi');
    await fillQuestion(page, { kind: '技术咨询', title: '忘记密码了怎么办', body: '登录时提示密码错误，想重置密码。' });
    const suggestions = page.getByRole('complementary', { name: '这些内容也许能解决您的问题' });
    await expect.poll(() => suggestions.getByRole('link').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByRole('button', { name: '提交问题' }).click();
    await page.waitForURL(/\/track\//);
    expect(await page.getByRole('status').first().textContent()).toContain('问题已提交');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('忘记密码了怎么办');
    await page.goto(`${server.url}/my/questions`);
    expect(await page.getByRole('link', { name: /^\d{8}-\d{4}$/ }).count()).toBeGreaterThan(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await context.close();
  });

  it('records "这解决了我的问题" and submits nothing', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/ask`);
    await page.getByLabel('标题').fill('附件上传失败');
    const solved = page.getByRole('button', { name: '这解决了我的问题' }).first();
    await solved.waitFor({ timeout: 10_000 });
    await solved.click();
    await page.getByText('问题已经解决，无需再提交').waitFor();
    expect(new URL(page.url()).pathname).toBe('/ask');
    await context.close();
  });

  it('an anonymous visitor asks, is told what is missing without losing the text, and follows the mailed link', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/ask?title=${encodeURIComponent('信用报告导出失败')}`);
    expect(await page.getByLabel('标题').inputValue()).toBe('信用报告导出失败');
    await page.getByRole('radio', { name: /故障申告/ }).check();
    await page.getByLabel('问题描述').fill('点击导出后页面提示“服务器错误”，已重试三次。');
    await page.getByLabel('联系邮箱（接收回执和答复）').fill('visitor@example.cn');
    await page.getByRole('button', { name: '提交问题' }).click();
    expect(await page.getByText('故障申告请选择故障级别').count()).toBe(1);
    expect(await page.getByLabel('问题描述').inputValue()).toContain('已重试三次');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByRole('radio', { name: /^B / }).check();
    await page.getByRole('button', { name: '提交问题' }).click();
    await page.waitForURL(/\/track\//);
    const mail = await keptMailTo(server.dataDir, 'visitor@example.cn');
    expect(mail).toMatch(/\[答疑 \d{8}-\d{4}\] 信用报告导出失败/);
    const link = /(https?:\/\/\S+\/track\/[A-Za-z0-9_-]+)/.exec(mail)![1]!;
    await context.close();

    const fresh = await browser.newContext();
    const other = await fresh.newPage();
    await other.goto(link);
    expect(await other.getByRole('heading', { level: 1 }).textContent()).toBe('信用报告导出失败');
    expect(await other.getByText('已提交，等待受理').count()).toBeGreaterThan(0);
    expect(await seriousA11yViolations(other)).toEqual([]);
    await fresh.close();
    const json = (await (await fetch(link, { headers: { Accept: 'application/json' } })).json()) as { status: string; timeline: unknown[] };
    expect(json).toMatchObject({ status: 'new', severity: 'B', kind: 'fault' });
    expect(JSON.stringify(json)).not.toContain('visitor@example.cn');
    // A form without a usable version is out of date (409), never a failed query.
    const forged = await fetch(link, { method: 'POST', redirect: 'manual', headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'action=followup&version=abc&body=x' });
    expect(forged.status).toBe(409);
  });

  it('an engineer answers on the desk; the member reads the answer and rates it with a form, never by a link', { timeout: 90_000 }, async () => {
    const asked = await signedIn('member@demo.dayi');
    await asked.page.goto(`${server.url}/ask`);
    await fillQuestion(asked.page, { kind: '技术咨询', title: '红黑名单怎么查询', body: '想查本单位是否在红黑名单上，在哪个菜单？' });
    await asked.page.getByRole('button', { name: '提交问题' }).click();
    await asked.page.waitForURL(/\/track\//);
    const trackUrl = asked.page.url().split('?')[0]!;
    const number = /问题编号 (\d{8}-\d{4})/.exec((await asked.page.textContent('main')) ?? '')![1]!;

    const desk = await signedIn('engineer1@demo.dayi');
    await desk.page.goto(`${server.url}/desk/${number}`);
    await desk.page.getByRole('button', { name: /受理/ }).first().click();
    await desk.page.getByLabel(/回复内容/).fill('在“信用查询 > 红黑名单”菜单中输入统一社会信用代码即可查询。');
    await desk.page.getByRole('button', { name: /发送回复/ }).click();
    await desk.page.getByText('红黑名单”菜单').first().waitFor();
    await desk.context.close();

    // A mail scanner following the link casts nothing: a GET with rating fields changes nothing.
    await fetch(`${trackUrl}?action=rate&overall=1&attitude=1&business=1&technical=1`);
    await asked.page.goto(trackUrl);
    expect(await asked.page.getByText('红黑名单”菜单').count()).toBeGreaterThan(0);
    expect(await asked.page.getByText('已答复，等待您确认').count()).toBeGreaterThan(0);
    for (const legend of ['总体满意度', '服务态度', '业务水平', '技术水平'])
      await asked.page.getByRole('group', { name: legend }).getByRole('radio', { name: '5 分' }).check();
    await asked.page.getByRole('checkbox', { name: '解答清楚' }).check();
    expect(await seriousA11yViolations(asked.page)).toEqual([]);
    await asked.page.getByRole('button', { name: '提交评价' }).click();
    await asked.page.getByText('感谢您的评价').waitFor();
    expect(await asked.page.getByRole('heading', { name: '修改评价' }).count()).toBe(1);
    expect(await asked.page.getByText('评价了服务').count()).toBe(1);
    await asked.context.close();
  });
});
