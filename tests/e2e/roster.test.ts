import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousA11yViolations } from '../helpers/axe.ts';
import { launchChromium, openAt, submitAndWait } from '../helpers/browser.ts';
import { demoPasswords, keptMailTo } from '../helpers/http.ts';
import { hasChromium, type RunningServer } from '../helpers/server.ts';
import { startTestServer } from '../helpers/test-server.ts';

/** The duty roster in Chromium: an admin sets it up, and a question asked afterwards lands with the engineer on duty. */
let server: RunningServer;
let stop: () => Promise<void>;
let passwords: Record<string, string>;
let browser: Browser;

beforeAll(async () => {
  ({ server, stop } = await startTestServer({ DATABASE_URL: undefined }));
  passwords = await demoPasswords(server);
  if (hasChromium) browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await stop?.();
});

const signedIn = (email: string, path: string) => openAt(browser, server.url, path, { signIn: { email, password: passwords[email]! } });

describe.skipIf(!hasChromium)('the duty roster in Chromium', () => {
  it('an admin adds a round-the-clock shift with 李一线 on it; the next question is routed to him and mailed', { timeout: 90_000 }, async () => {
    const { context, page } = await signedIn('admin@demo.dayi', '/admin/roster');
    expect(await page.getByText('还没有班次').count()).toBe(1);
    await page.getByLabel('班次名称').fill('全天班');
    await page.getByLabel('开始时间').fill('00:00');
    await page.getByLabel('结束时间').fill('00:00');
    await page.getByLabel('适用日期').selectOption({ label: '每天' });
    await submitAndWait(page, '添加班次');
    expect(await page.getByRole('status').textContent()).toContain('班次已保存');
    const pattern = page.locator('form', { has: page.getByRole('button', { name: '排入', exact: true }) });
    await pattern.getByLabel('人员').selectOption({ label: '李一线' });
    await pattern.getByLabel('值班角色').selectOption({ label: '一线工程师（现场）' });
    await submitAndWait(page, '排入');
    const week = page.getByRole('region', { name: '一周值班安排' });
    expect((await week.textContent())?.match(/一线 李一线/g)).toHaveLength(7);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await context.close();

    const visitor = await browser.newContext();
    const ask = await visitor.newPage();
    await ask.goto(`${server.url}/ask`);
    expect(await ask.getByRole('region', { name: /当前值班/ }).textContent()).toContain('一线 李一线');
    await visitor.close();

    const res = await fetch(`${server.url}/api/questions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'consult', title: '值班表分派测试', body: '提交后应当自动分派给值班工程师。', email: 'roster@example.cn' }),
    });
    const { number } = (await res.json()) as { number: string };
    const mail = await keptMailTo(server.dataDir, 'engineer1@demo.dayi', (s) => s.includes(number));
    expect(mail).toContain('值班一线 李一线，当前未结 0 个，唯一在岗');

    const desk = await signedIn('engineer1@demo.dayi', '/desk?queue=mine');
    const row = desk.page.getByRole('row').filter({ hasText: number });
    expect(await row.count()).toBe(1);
    // Its next deadline (the first reply, an hour after arrival by default) is in the 时限 column.
    expect(await row.locator('td[data-label="时限"] time').textContent()).toMatch(/^\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}$/);
    await desk.page.goto(`${server.url}/desk/${number}`);
    expect(await desk.page.locator('.timeline').textContent()).toContain('按值班表分派给 李一线（值班一线 李一线');
    await desk.page.goto(`${server.url}/desk/duty`);
    expect(await desk.page.getByRole('region', { name: /当前值班/ }).textContent()).toContain('李一线');
    expect(await seriousA11yViolations(desk.page)).toEqual([]);
    await desk.context.close();
  });
});
