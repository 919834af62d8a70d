import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousA11yViolations } from '../helpers/axe.ts';
import { demoPasswords, keptMailTo } from '../helpers/http.ts';
import { launchChromium, openAt, submitAndWait } from '../helpers/browser.ts';
import { hasChromium, type RunningServer } from '../helpers/server.ts';
import { startTestServer } from '../helpers/test-server.ts';

let server: RunningServer;
let stop: () => Promise<void>;
let passwords: Record<string, string>;
let browser: Browser;

/** Asks a question the way a script would (anonymous, JSON); returns its number. */
async function ask(title: string, email = 'asker@example.cn'): Promise<string> {
  const res = await fetch(`${server.url}/api/questions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ kind: 'consult', title, body: `${title}：试了几次都是这样，换了浏览器也一样。`, email }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { number: string }).number;
}

/** A browser session signed in as a demo account, at `width`×`height`, opened on `path`. */
const signedIn = (email: string, path: string, options: { width?: number; height?: number; javaScriptEnabled?: boolean } = {}) =>
  openAt(browser, server.url, path, { ...options, signIn: { email, password: passwords[email]! } });

const queues = (page: Page) => page.getByRole('navigation', { name: '值班台队列' });
const submit = submitAndWait;

beforeAll(async () => {
  ({ server, stop } = await startTestServer({ DATABASE_URL: undefined }));
  passwords = await demoPasswords(server);
  if (hasChromium) browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stop?.();
});

describe.skipIf(!hasChromium)('the engineer desk in Chromium', () => {
  it('takes a new question from 未受理, replies with a linked FAQ and adds a note', async () => {
    const number = await ask('打印预览时页面空白', 'reply-to-me@example.cn');
    const { context, page } = await signedIn('engineer1@demo.dayi', '/desk?queue=unassigned');
    const unassigned = queues(page).getByRole('link', { name: /未受理/ });
    expect(await unassigned.getAttribute('aria-current')).toBe('page');
    expect(Number(await unassigned.locator('[data-count]').textContent())).toBeGreaterThanOrEqual(1);
    const row = page.getByRole('row').filter({ hasText: number });
    expect(await row.textContent()).toContain('新问题');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/desk-list-1366.png', fullPage: true });

    await Promise.all([page.waitForURL(`**/desk/${number}`), row.getByRole('link', { name: '打印预览时页面空白' }).click()]);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('打印预览时页面空白');
    expect(await page.getByText('reply-to-me@example.cn').count()).toBeGreaterThan(0);
    await submit(page, '受理此问题');
    expect(await page.getByRole('status').textContent()).toContain('您已受理该问题。');
    expect(await page.locator('.facts').textContent()).toContain('李一线');

    const reply = page.getByLabel('回复内容');
    await reply.fill('您好，请先按下面的说明重新登录：\n');
    const linkBox = page.getByRole('combobox', { name: '插入常见问题或手册链接' });
    await linkBox.fill('忘记密码');
    const option = page.getByRole('option').filter({ hasText: '/faq/account-forgot-password' });
    await option.waitFor();
    await linkBox.press('ArrowDown');
    for (let i = 0; i < 8 && (await option.getAttribute('aria-selected')) !== 'true'; i++) await linkBox.press('ArrowDown');
    await linkBox.press('Enter');
    expect(new URL(page.url()).pathname).toBe(`/desk/${number}`);
    expect(await reply.inputValue()).toMatch(/^您好，请先按下面的说明重新登录：\n\[[^\]]+\]\(\/faq\/account-forgot-password\)$/);
    await submit(page, '发送回复');
    expect(await page.getByRole('status').textContent()).toContain('回复已发送');
    expect(await page.locator('.timeline a[href="/faq/account-forgot-password"]').count()).toBe(1);

    await page.getByLabel('备注内容').fill('已电话联系提问人，确认是浏览器插件拦截了弹窗。');
    await submit(page, '添加备注');
    expect(await page.getByRole('status').textContent()).toContain('内部备注已添加。');
    const timeline = await page.locator('.timeline').textContent();
    expect(timeline).toContain('受理了问题');
    expect(timeline).toContain('已电话联系提问人');
    expect(await page.locator('.timeline .internal').count()).toBe(1);
    expect(await page.locator('.status-line').textContent()).toContain('已答复');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/desk-answered-1366.png', fullPage: true });

    // The asker's mail carries the reply with the FAQ link made absolute, and nothing of the note.
    const mail = await keptMailTo(server.dataDir, 'reply-to-me@example.cn', (subject) => subject.startsWith('回复：'));
    expect(mail).toContain(`${server.url}/faq/account-forgot-password`);
    expect(mail).not.toContain('浏览器插件');
    await context.close();
  });

  it('keeps a second engineer’s typed reply and shows a zh-CN message when someone changed the question first', async () => {
    const number = await ask('两位工程师同时打开的问题');
    const first = await signedIn('engineer1@demo.dayi', `/desk/${number}`);
    const second = await signedIn('engineer2@demo.dayi', `/desk/${number}`);
    await submit(first.page, '受理此问题');
    await second.page.getByLabel('回复内容').fill('我这边写好的答复');
    await submit(second.page, '发送回复');
    expect(await second.page.getByRole('alert').textContent()).toContain('该问题刚刚被其他人更新过');
    expect(await second.page.getByLabel('回复内容').inputValue()).toBe('我这边写好的答复');
    expect(await second.page.locator('.facts').textContent()).toContain('李一线');
    expect(await second.page.locator('.timeline').textContent()).not.toContain('我这边写好的答复');
    // The page now carries the current version: sending again goes through.
    await submit(second.page, '发送回复');
    expect(await second.page.getByRole('status').textContent()).toContain('回复已发送');
    await first.context.close();
    await second.context.close();
  });

  it('merges a duplicate; its asker follows the kept question from their own mailed link, read-only', async () => {
    const kept = await ask('单位信息修改后不生效', 'kept-owner@example.cn');
    const dup = await ask('改了单位名称没有变化', 'dup-asker@example.cn');
    const { context, page } = await signedIn('engineer1@demo.dayi', `/desk/${dup}`);
    await page.getByLabel('作为重复问题合并到（问题编号）').fill(kept);
    await submit(page, '合并');
    expect(await page.getByRole('status').textContent()).toContain('问题已合并');
    await page.goto(`${server.url}/desk/${kept}`);
    await page.getByLabel(/回复内容/).fill('单位信息修改需管理员审核，审核通过后次日生效。');
    await submit(page, '发送回复');
    await context.close();

    const merged = await keptMailTo(server.dataDir, 'dup-asker@example.cn', (s) => s.startsWith('已合并'));
    const link = /(https?:\/\/\S+\/track\/[A-Za-z0-9_-]+)/.exec(merged)![1]!;
    const follow = await keptMailTo(server.dataDir, 'dup-asker@example.cn', (s) => s.startsWith('进展'));
    expect(follow).toContain('审核通过后次日生效');
    const visitor = await browser.newContext();
    const own = await visitor.newPage();
    await own.goto(link);
    expect(await own.getByRole('heading', { level: 1 }).textContent()).toBe('改了单位名称没有变化');
    const followed = own.getByRole('region', { name: new RegExp(`合并后的问题 ${kept}`) });
    expect(await followed.textContent()).toContain('审核通过后次日生效');
    // Read-only: no follow-up, rating or resolve form for the kept question on the duplicate's page.
    expect(await own.getByRole('button', { name: /提交补充说明|问题已解决|提交评价/ }).count()).toBe(0);
    expect(await seriousA11yViolations(own)).toEqual([]);
    await visitor.close();
  });

  it('filters and shows the counts without JavaScript', async () => {
    const { context, page } = await signedIn('engineer2@demo.dayi', '/desk?queue=open', { javaScriptEnabled: false });
    expect(Number(await queues(page).locator('[data-count="open"]').textContent())).toBeGreaterThanOrEqual(2);
    await page.getByLabel('编号或关键词').fill('打印预览');
    await submit(page, '筛选');
    expect(new URL(page.url()).searchParams.get('q')).toBe('打印预览');
    expect(await page.getByRole('row').filter({ hasText: '打印预览时页面空白' }).count()).toBe(1);
    expect(await page.getByRole('row').filter({ hasText: '两位工程师' }).count()).toBe(0);
    // The link search needs JavaScript; without it the reply box is a plain markdown textarea.
    await Promise.all([page.waitForURL(/\/desk\/\d{8}-\d{4}$/), page.getByRole('link', { name: '打印预览时页面空白' }).click()]);
    expect(await page.getByRole('combobox', { name: '插入常见问题或手册链接' }).isVisible()).toBe(false);
    expect(await page.getByLabel('回复内容').isVisible()).toBe(true);
    await context.close();
  });

  it('refreshes the header counts every 30 s', async () => {
    const { context, page } = await signedIn('engineer2@demo.dayi', '/desk?queue=open');
    await page.clock.install();
    await page.reload();
    const count = queues(page).locator('[data-count="unassigned"]');
    const before = Number(await count.textContent());
    await ask('轮询计数用的新问题');
    await page.clock.fastForward(30_000);
    await expect.poll(async () => Number(await count.textContent())).toBe(before + 1);
    await context.close();
  });

  it.each([
    [1366, 768],
    [390, 844],
  ])('fits %i px wide without serious accessibility violations', async (width, height) => {
    const number = await ask(`窄屏检查的问题 ${width}`);
    const { context, page } = await signedIn('admin@demo.dayi', '/desk?queue=open', { width, height });
    for (const [name, path] of [
      ['list', '/desk?queue=open'],
      ['question', `/desk/${number}`],
    ] as const) {
      await page.goto(`${server.url}${path}`);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      expect(await seriousA11yViolations(page)).toEqual([]);
      await page.screenshot({ path: `/tmp/desk-${name}-${width}.png`, fullPage: true });
    }
    await context.close();
  });
});
