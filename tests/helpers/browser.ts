import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { chromiumPath } from './server.ts';

/** Debian's Chromium as the browser tests run it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
}

/**
 * A fresh browser session at `width`×`height` (JavaScript on unless said),
 * opened on `path`; with `signIn`, through the sign-in page that `path` leads
 * to, landing back on `path`.
 */
export async function openAt(
  browser: Browser,
  url: string,
  path: string,
  { width = 1366, height = 768, javaScriptEnabled = true, signIn }: { width?: number; height?: number; javaScriptEnabled?: boolean; signIn?: { email: string; password: string } } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width, height }, javaScriptEnabled });
  const page = await context.newPage();
  await page.goto(`${url}${path}`);
  if (signIn) {
    await page.getByLabel('邮箱').fill(signIn.email);
    await page.getByLabel('密码').fill(signIn.password);
    await Promise.all([page.waitForURL((u) => u.pathname === path.split('?')[0]), page.getByRole('button', { name: '登录' }).click()]);
  }
  return { context, page };
}

/** Clicks a form's button and waits for the page the server answers with (the redirect after a change, or the refusal). */
export async function submitAndWait(page: Page, name: string): Promise<void> {
  const navigated = page.waitForEvent('framenavigated', (f) => f === page.mainFrame());
  await page.getByRole('button', { name, exact: true }).click();
  await navigated;
  await page.waitForLoadState('load');
}
