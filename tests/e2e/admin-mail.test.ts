/**
 * /admin/mail on the built server without SMTP_URL: the outbox with each mail's
 * status, and the mail kept as files, readable and downloadable by admins only.
 * (Retrying a failed mail is covered in tests/integration/mail-admin.test.ts.)
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousA11yViolations } from '../helpers/axe.ts';
import { demoPasswords, keptMailTo, rawRequest } from '../helpers/http.ts';
import { chromiumPath, hasChromium, type RunningServer } from '../helpers/server.ts';
import { startTestServer } from '../helpers/test-server.ts';

let server: RunningServer;
let stop: () => Promise<void>;
let passwords: Record<string, string>;
let browser: Browser | undefined;
let subject: string;

beforeAll(async () => {
  ({ server, stop } = await startTestServer({ DATABASE_URL: undefined }));
  passwords = await demoPasswords(server);
  const res = await rawRequest(server.url, {
    method: 'POST',
    path: '/password/forgot',
    headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: 'trainer@demo.dayi' }).toString(),
  });
  expect(res.status).toBe(200);
  subject = (await keptMailTo(server.dataDir, 'trainer@demo.dayi')).split('\n')[0]!;
  if (hasChromium) browser = await chromium.launch({ executablePath: chromiumPath });
});

afterAll(async () => {
  await browser?.close();
  await stop?.();
});

async function signedIn(email: string, path: string, viewport = { width: 1366, height: 768 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser!.newContext({ viewport });
  const page = await context.newPage();
  await page.goto(`${server.url}${path}`);
  await page.getByLabel('邮箱').fill(email);
  await page.getByLabel('密码').fill(passwords[email]!);
  await Promise.all([page.waitForURL((u) => u.pathname === path), page.getByRole('button', { name: '登录' }).click()]);
  return { context, page };
}

describe.skipIf(!hasChromium)('/admin/mail in Chromium', () => {
  it('shows a sent reset mail and the file it was kept as, which opens as text and downloads as .eml', async () => {
    const { context, page } = await signedIn('admin@demo.dayi', '/admin/mail');
    const row = page.getByRole('row').filter({ hasText: 'trainer@demo.dayi' }).first();
    await expect.poll(async () => {
      await page.reload();
      return row.textContent();
    }).toContain('已发送');
    expect(await row.textContent()).toContain('重置密码');
    expect(await row.textContent()).toContain(subject);
    expect(await page.getByRole('navigation', { name: '按发送状态筛选' }).getByRole('link', { name: /已发送/ }).textContent()).toMatch(/已发送\s*[1-9]/);

    const files = page.getByRole('region', { name: '保存在服务器上的邮件' });
    const view = files.getByRole('link', { name: '查看' }).first();
    const href = (await view.getAttribute('href'))!;
    expect(href).toMatch(/^\/admin\/mail\/[0-9a-f-]{36}\.eml\?view=1$/);
    const download = await page.request.get(`${server.url}${href.replace('?view=1', '')}`);
    expect(download.headers()['content-type']).toBe('message/rfc822');
    expect(download.headers()['content-disposition']).toMatch(/^attachment; filename="[0-9a-f-]{36}\.eml"$/);
    await Promise.all([page.waitForURL(`**${href}`), view.click()]);
    const text = await page.locator('body').textContent();
    expect(text).toContain(`Subject: ${subject}`);
    expect(text).toContain('To: trainer@demo.dayi');
    expect(text).toMatch(/\/password\/set\?token=/);
    await context.close();
    // Nobody signed in is sent to sign in first.
    const anonymous = await fetch(`${server.url}${href}`, { redirect: 'manual' });
    expect(anonymous.headers.get('location')).toMatch(/^\/login/);
  });

  it('is for admins only, and serves nothing but kept mail files', async () => {
    const { context, page } = await signedIn('engineer1@demo.dayi', '/desk');
    expect((await page.request.get(`${server.url}/admin/mail`, { maxRedirects: 0 })).status()).toBe(403);
    await context.close();
    const admin = await signedIn('admin@demo.dayi', '/admin/mail');
    for (const bad of ['..%2F..%2Fpglite', 'notes.txt', '00000000-0000-0000-0000-000000000000.eml', '..%2Fmail%2Fx.eml'])
      expect((await admin.page.request.get(`${server.url}/admin/mail/${bad}`, { maxRedirects: 0 })).status(), bad).toBe(404);
    await admin.context.close();
  });

  it.each([
    [1366, 768],
    [390, 844],
  ])('fits %i px wide without serious accessibility violations', async (width, height) => {
    const { context, page } = await signedIn('admin@demo.dayi', '/admin/mail', { width, height });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: `/tmp/admin-mail-${width}.png`, fullPage: true });
    await context.close();
  });
});
