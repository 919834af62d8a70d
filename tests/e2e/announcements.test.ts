import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousA11yViolations } from '../helpers/axe.ts';
import { launchChromium, openAt, submitAndWait } from '../helpers/browser.ts';
import { demoPasswords, keptMailTo } from '../helpers/http.ts';
import { hasChromium, type RunningServer } from '../helpers/server.ts';
import { startTestServer } from '../helpers/test-server.ts';

let server: RunningServer;
let stop: () => Promise<void>;
let passwords: Record<string, string>;
let browser: Browser | undefined;

beforeAll(async () => {
  ({ server, stop } = await startTestServer({ DATABASE_URL: undefined }));
  passwords = await demoPasswords(server);
  if (hasChromium) browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await stop?.();
});

describe.skipIf(!hasChromium)('announcements in the browser', () => {
  it('a trainer publishes an upgrade notice: it shows on the home page and is mailed to the chosen role; withdrawn, it is gone', async () => {
    const { page, context } = await openAt(browser!, server.url, '/announcements', { width: 390, height: 844, signIn: { email: 'trainer@demo.dayi', password: passwords['trainer@demo.dayi']! } });
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.getByLabel('类型').selectOption('upgrade');
    await page.getByLabel('标题').fill('平台 v5.2 升级通知');
    await page.getByLabel('内容（Markdown）').fill('12 月 1 日 20:00–22:00 升级，期间**暂停数据报送**。');
    await page.getByLabel('成员单位用户').check();
    await submitAndWait(page, '发布');
    expect(await page.getByRole('status').textContent()).toMatch(/公告已发布，已向 \d+ 位用户发送邮件/);
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(await keptMailTo(server.dataDir, 'member@demo.dayi', (s) => s.includes('版本升级'))).toContain('暂停数据报送');

    const home = await (await fetch(`${server.url}/`)).text();
    expect(home).toContain('平台 v5.2 升级通知');
    expect(home).toContain('<strong>暂停数据报送</strong>');

    await submitAndWait(page, '撤下：平台 v5.2 升级通知');
    expect(await page.getByRole('status').textContent()).toContain('公告已撤下');
    expect(await (await fetch(`${server.url}/`)).text()).not.toContain('平台 v5.2 升级通知');
    await context.close();
  }, 90_000);
});
