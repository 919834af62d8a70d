/**
 * /admin/sla on the built server, without JavaScript: the admin changes the
 * suggestion targets and adds a make-up working day (调休); a refused form
 * keeps what was typed. (Seeding, due times and audit are covered in
 * tests/integration/sla.test.ts.)
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousA11yViolations } from '../helpers/axe.ts';
import { launchChromium, openAt, submitAndWait } from '../helpers/browser.ts';
import { demoPasswords } from '../helpers/http.ts';
import { hasChromium, type RunningServer } from '../helpers/server.ts';
import { startTestServer } from '../helpers/test-server.ts';

let server: RunningServer;
let stop: () => Promise<void>;
let passwords: Record<string, string>;
let browser: Browser;

/** A browser session signed in as the demo admin on `path`; page.evaluate (axe, layout checks) needs JavaScript on. */
const asAdmin = (path: string, options: { width?: number; height?: number; javaScriptEnabled?: boolean } = {}) =>
  openAt(browser, server.url, path, { ...options, signIn: { email: 'admin@demo.dayi', password: passwords['admin@demo.dayi']! } });

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

describe.skipIf(!hasChromium)('/admin/sla in Chromium', () => {
  it('lets the admin change the suggestion targets and add a 调休 day, without JavaScript', async () => {
    const { context, page } = await asAdmin('/admin/sla', { javaScriptEnabled: false });
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('服务时限与工作日历');

    const targets = page.getByRole('region', { name: '时限' });
    const suggestion = targets.getByRole('row', { name: /意见建议/ });
    expect(await suggestion.getByLabel('意见建议 首次响应（小时）').inputValue()).toBe('4');
    expect(await suggestion.getByLabel('意见建议 计时方式').inputValue()).toBe('working');
    await suggestion.getByLabel('意见建议 首次响应（小时）').fill('2');
    await suggestion.getByLabel('意见建议 首次响应（分钟）').fill('30');
    await suggestion.getByLabel('意见建议 解决（小时）').fill('16');
    await submitAndWait(page, '保存时限');
    expect(new URL(page.url()).searchParams.get('done')).toBe('targets');
    expect(await page.getByRole('status').textContent()).toContain('时限已保存');
    expect(await suggestion.getByLabel('意见建议 首次响应（小时）').inputValue()).toBe('2');
    expect(await suggestion.getByLabel('意见建议 首次响应（分钟）').inputValue()).toBe('30');
    expect(await suggestion.getByLabel('意见建议 解决（小时）').inputValue()).toBe('16');

    // A resolution shorter than the first reply is refused, naming the field, with the typed values kept.
    const faultA = targets.getByRole('row', { name: /故障申告 A 紧急/ });
    await faultA.getByLabel('故障申告 A 紧急 解决（小时）').fill('0');
    await faultA.getByLabel('故障申告 A 紧急 解决（分钟）').fill('30');
    await submitAndWait(page, '保存时限');
    expect(await page.getByRole('alert').first().textContent()).toContain('提交的内容有误');
    expect(await faultA.textContent()).toContain('解决时限不能短于首次响应时限。');
    expect(await faultA.getByLabel('故障申告 A 紧急 解决（分钟）').inputValue()).toBe('30');
    expect(await faultA.getByLabel('故障申告 A 紧急 解决（小时）').getAttribute('aria-invalid')).toBe('true');

    // Saturday 12 December 2026 made a working day (调休).
    await page.goto(`${server.url}/admin/sla`);
    await page.getByLabel('日期', { exact: true }).fill('2026-12-12');
    await page.getByLabel('上班（工作日）').check();
    await page.getByLabel(/^名称/).fill('年终结算补班');
    await submitAndWait(page, '保存这一天');
    expect(await page.getByRole('status').textContent()).toContain('已保存这一天的安排');
    const days = page.getByRole('region', { name: '2026 年的节假日与调休' });
    const row = days.getByRole('row', { name: /2026-12-12/ });
    expect((await row.textContent())!.replace(/\s+/g, ' ')).toMatch(/2026-12-12 ?周六 ?调休上班 ?年终结算补班 ?管理员更正/);

    // An overlapping interval is refused with the times kept.
    await page.getByLabel('第 2 段开始').fill('11:00');
    await submitAndWait(page, '保存设置');
    expect(await page.locator('#intervals-error').textContent()).toContain('不能重叠');
    expect(await page.getByLabel('第 2 段开始').inputValue()).toBe('11:00');
    await context.close();
  });

  it.each([
    [1366, 768],
    [390, 844],
  ])('passes axe at %i×%i with the saved values shown, fits the screen, and the admin home links to it', async (width, height) => {
    const { context, page } = await asAdmin('/admin', { width, height });
    await Promise.all([page.waitForURL('**/admin/sla'), page.getByRole('main').getByRole('link', { name: '服务时限与日历' }).click()]);
    expect(await page.getByLabel('意见建议 首次响应（小时）').inputValue()).toBe('2');
    await page.getByLabel('年份').selectOption('2026');
    await submitAndWait(page, '查看');
    expect(await page.getByRole('region', { name: '2026 年的节假日与调休' }).textContent()).toContain('年终结算补班');
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    const dir = process.env.DAYI_SCREENSHOT_DIR;
    if (dir) await page.screenshot({ path: `${dir}/dayi-admin-sla-${width}.png`, fullPage: true });
    await context.close();
  });

  it('is for admins only', async () => {
    const res = await fetch(`${server.url}/admin/sla`, { redirect: 'manual' });
    expect(res.headers.get('location')).toMatch(/^\/login/);
  });
});
