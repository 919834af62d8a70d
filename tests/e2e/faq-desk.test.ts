import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousA11yViolations } from '../helpers/axe.ts';
import { demoPasswords } from '../helpers/http.ts';
import { launchChromium, openAt, submitAndWait } from '../helpers/browser.ts';
import { hasChromium, type RunningServer } from '../helpers/server.ts';
import { startTestServer } from '../helpers/test-server.ts';

let server: RunningServer;
let stop: () => Promise<void>;
let passwords: Record<string, string>;
let browser: Browser;

async function ask(title: string, email: string): Promise<string> {
  const res = await fetch(`${server.url}/api/questions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ kind: 'consult', title, body: `${title}，试了几次都一样。`, email }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { number: string }).number;
}

beforeAll(async () => {
  ({ server, stop } = await startTestServer({ DATABASE_URL: undefined }));
  passwords = await demoPasswords(server);
  if (hasChromium) browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stop?.();
});

describe.skipIf(!hasChromium)("the desk's similar questions in Chromium", () => {
  it('shows an earlier answered question like this one and quotes its answer into the reply box, at 390 px too', async () => {
    const first = await ask('上传处罚数据报错E7781', 'one@example.cn');
    const signIn = { email: 'engineer1@demo.dayi', password: passwords['engineer1@demo.dayi']! };
    const { context, page } = await openAt(browser, server.url, `/desk/${first}`, { signIn });
    await submitAndWait(page, '受理此问题');
    await page.getByLabel('回复内容').fill('E7781 表示模板版本过旧，请下载最新模板后重新导入。');
    await submitAndWait(page, '发送回复');
    await context.close();

    const second = await ask('导入处罚信息时提示错误码 E7781', 'two@example.cn');
    // The faq.assign job indexes the question for matching; the page asks the index each time.
    let panel = 0;
    const mobile = await openAt(browser, server.url, `/desk/${second}`, { signIn, width: 390, height: 844 });
    for (let i = 0; i < 40 && !panel; i++) {
      await mobile.page.goto(`${server.url}/desk/${second}`);
      panel = await mobile.page.getByRole('heading', { name: '相似问题' }).count();
      if (!panel) await new Promise((r) => setTimeout(r, 500));
    }
    const section = mobile.page.getByRole('region', { name: '相似问题' });
    expect(await section.getByRole('link', { name: '上传处罚数据报错E7781' }).count()).toBe(1);
    expect(await section.textContent()).toContain('E7781');
    expect(await section.textContent()).toMatch(/相似度 \d+%/);
    await mobile.page.getByLabel('回复内容').fill('您好，');
    await section.getByRole('button', { name: '引用此答复' }).click();
    expect(await mobile.page.getByLabel('回复内容').inputValue()).toBe('您好，\n\nE7781 表示模板版本过旧，请下载最新模板后重新导入。');
    expect(await seriousA11yViolations(mobile.page)).toEqual([]);
    expect(await mobile.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await mobile.page.screenshot({ path: '/tmp/desk-similar-390.png', fullPage: true });
    await mobile.context.close();
  }, 120_000);
});
