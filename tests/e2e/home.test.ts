import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousA11yViolations } from '../helpers/axe.ts';
import { chromiumPath, hasChromium, type RunningServer } from '../helpers/server.ts';
import { startTestServer } from '../helpers/test-server.ts';

let server: RunningServer;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ server, stop } = await startTestServer());
});

afterAll(async () => {
  await stop?.();
});

describe('home page over HTTP', () => {
  it('sends security headers and a request id', async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("frame-ancestors 'none'");
    // No inline script may run, so injected markup cannot execute script.
    expect(/script-src [^;]*unsafe-inline/.test(csp)).toBe(false);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('rejects a cross-site form POST (origin check)', async () => {
    const res = await fetch(`${server.url}/`, {
      method: 'POST',
      headers: { Origin: 'http://evil.example', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    });
    expect(res.status).toBe(403);
  });

  it('answers an unknown page with a zh-CN 404', async () => {
    const res = await fetch(`${server.url}/no-such-page`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('页面不存在');
  });
});

describe.skipIf(!hasChromium)('home page in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows the zh-CN shell: header search, navigation, commitments and footer', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${server.url}/`);
    expect(await page.title()).toBe('答疑 · 公共信用信息平台 · 帮助中心');
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('有问题，先来这里找答案');
    const nav = page.getByRole('navigation', { name: '主导航' });
    for (const name of ['手册', '常见问题', '培训课件', '培训视频', '我要提问'])
      expect(await nav.getByRole('link', { name, exact: true }).count()).toBe(1);
    // Two search boxes (header and hero), each a combobox once the instant-search script runs.
    expect(await page.getByRole('combobox', { name: '搜索帮助内容' }).count()).toBe(2);
    expect(await page.getByRole('banner').count()).toBe(1);
    expect(await page.getByRole('main').count()).toBe(1);
    expect(await page.getByRole('contentinfo').count()).toBe(1);
    await expect(page.getByRole('row', { name: /故障申告/ }).textContent()).resolves.toContain('1 小时内');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('opens a zh-CN status page from the footer, the JSON staying at /api/health', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    await page.getByRole('contentinfo').getByRole('link', { name: '系统状态' }).click();
    await page.waitForURL(/\/status$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('系统状态');
    expect(await page.getByText('各项服务运行正常').count()).toBe(1);
    expect(await page.getByRole('row', { name: /数据库/ }).textContent()).toContain('正常');
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(((await (await fetch(`${server.url}/api/health`)).json()) as { status: string }).status).toBe('ok');
    await page.close();
  });

  it('lets a keyboard user skip to the content', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: '跳到主要内容' });
    expect(await skip.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    await page.close();
  });

  it('fits a phone screen without sideways scrolling, and works without JavaScript', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await page.getByRole('heading', { level: 1 }).isVisible()).toBe(true);
    await context.close();
  });
});
