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

const complaintText = '等了三天才有人回复，回复的内容也和我的问题无关。';
const answerText = '非常抱歉，已请二线工程师今天联系您处理。';

/** Asks a question the way a script would (anonymous, JSON); returns its number and tracking path. */
async function ask(title: string): Promise<{ number: string; trackPath: string }> {
  const res = await fetch(`${server.url}/api/questions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ kind: 'consult', title, body: `${title}：按手册操作后仍然不行。`, email: 'complainer@example.cn' }),
  });
  expect(res.status).toBe(201);
  const { number, trackingUrl } = (await res.json()) as { number: string; trackingUrl: string };
  return { number, trackPath: new URL(trackingUrl).pathname };
}

const open = (path: string, options: { width?: number; height?: number; javaScriptEnabled?: boolean } = {}) => openAt(browser, server.url, path, options);

/** A browser session signed in as the demo admin, opened on `path`. */
const asAdmin = (path: string, size: { width?: number; height?: number } = {}) =>
  openAt(browser, server.url, path, { ...size, signIn: { email: 'admin@demo.dayi', password: passwords['admin@demo.dayi']! } });

const submit = submitAndWait;

const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

beforeAll(async () => {
  ({ server, stop } = await startTestServer({ DATABASE_URL: undefined }));
  passwords = await demoPasswords(server);
  if (hasChromium) browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stop?.();
});

describe.skipIf(!hasChromium)('complaints in Chromium', () => {
  it('takes a complaint from the tracking page (without JavaScript), lets the admin answer it, and shows the answer to the asker', async () => {
    const { number, trackPath } = await ask('导出报表时提示无权限');
    const asker = await open(trackPath, { javaScriptEnabled: false });
    await asker.page.getByText('我要投诉').click();
    const box = asker.page.getByLabel(/投诉内容/);
    expect(await box.isVisible()).toBe(true);
    await box.fill(complaintText);
    await submit(asker.page, '提交投诉');
    expect(await asker.page.getByRole('status').textContent()).toContain('投诉已提交');
    expect(await asker.page.locator('.complaints').textContent()).toContain('处理中');
    expect(await asker.page.getByText('我要投诉').count()).toBe(0);

    const mail = await keptMailTo(server.dataDir, 'admin@demo.dayi', (subject) => subject.startsWith('【投诉】'));
    expect(mail).toContain(number);

    const admin = await asAdmin(`/desk/${number}`);
    expect(await admin.page.getByRole('note').filter({ hasText: '正等待管理员答复' }).textContent()).toContain(complaintText);
    await admin.page.goto(`${server.url}/admin/complaints`);
    const item = admin.page.locator('article').filter({ hasText: number });
    expect(await item.getByRole('link', { name: number }).getAttribute('href')).toBe(`/desk/${number}`);
    expect(await item.textContent()).toContain(complaintText);
    await item.getByLabel('答复内容').fill(answerText);
    const navigated = admin.page.waitForURL(/done=answered/);
    await item.getByRole('button', { name: '发送答复' }).click();
    await navigated;
    expect(await admin.page.getByRole('status').textContent()).toContain('答复已发送');
    expect(await admin.page.locator('article').filter({ hasText: number }).textContent()).toContain(answerText);
    await admin.context.close();

    await asker.page.goto(`${server.url}${trackPath}`);
    expect(await asker.page.locator('.complaints').textContent()).toContain(answerText);
    expect(await asker.page.locator('.timeline').textContent()).toContain('答复了投诉');
    // Answered, the asker may complain again.
    expect(await asker.page.getByText('我要投诉').count()).toBe(1);
    await asker.context.close();
  });

  it.each([
    [1366, 768],
    [390, 844],
  ])('has no serious accessibility problems or sideways scrolling at %i×%i', async (width, height) => {
    const { trackPath } = await ask(`在 ${width} 宽的屏幕上查看进度`);
    const size = { width, height };
    const asker = await open(trackPath, size);
    await asker.page.getByText('我要投诉').click();
    expect(await asker.page.getByLabel(/投诉内容/).isVisible()).toBe(true);
    expect(await seriousA11yViolations(asker.page)).toEqual([]);
    expect(await overflow(asker.page)).toBeLessThanOrEqual(0);
    await asker.page.screenshot({ path: `/tmp/complaint-track-${width}.png`, fullPage: true });
    await asker.page.getByLabel(/投诉内容/).fill(complaintText);
    await submit(asker.page, '提交投诉');
    expect(await asker.page.getByRole('status').textContent()).toContain('投诉已提交');
    await asker.context.close();

    const admin = await asAdmin('/admin/complaints', size);
    expect(await admin.page.getByLabel('答复内容').count()).toBeGreaterThan(0);
    expect(await seriousA11yViolations(admin.page)).toEqual([]);
    expect(await overflow(admin.page)).toBeLessThanOrEqual(0);
    await admin.page.screenshot({ path: `/tmp/complaints-admin-${width}.png`, fullPage: true });
    await admin.context.close();
  });
});
