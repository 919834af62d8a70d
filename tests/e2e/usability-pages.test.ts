/**
 * Usability review, issue 9: what a clerk meets on a phone and on a desktop — the
 * page text before the navigation, no sideways scrolling, a way to reach a person,
 * coming back after signing in, honest dates — checked in Chromium, with axe.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousA11yViolations } from '../helpers/axe.ts';
import { demoPasswords } from '../helpers/http.ts';
import { chromiumPath, hasChromium, type RunningServer } from '../helpers/server.ts';
import { startTestServer } from '../helpers/test-server.ts';

const HOTLINE = '023-6379 0000 转 8001';
const CHAPTER = '/manuals/user-guide/getting-started';
const FAQ = '/faq/account-locked';
const screens = [
  { name: 'desktop', width: 1366, height: 768 },
  { name: 'phone', width: 390, height: 844 },
] as const;

let server: RunningServer;
let stop: () => Promise<void>;
let passwords: Record<string, string>;

beforeAll(async () => {
  ({ server, stop } = await startTestServer({ DATABASE_URL: undefined, SERVICE_HOTLINE: HOTLINE, SERVICE_EMAIL: 'helpdesk@example.cn' }));
  passwords = await demoPasswords(server);
});

afterAll(async () => {
  await stop?.();
});

describe('contacts and content over HTTP', () => {
  it('finds the FAQ by the very words of the lockout message', async () => {
    const q = encodeURIComponent('操作过于频繁，请在 30 秒后再试');
    const { hits } = (await (await fetch(`${server.url}/api/search?q=${q}`)).json()) as { hits: { url: string }[] };
    expect(hits[0]?.url.split('#')[0]).toBe(FAQ);
  });

  it('tells, in the user manual, the sign-in rules the app enforces', async () => {
    const text = await (await fetch(`${server.url}${CHAPTER}`)).text();
    for (const truth of ['12～128 个字符', '72 小时', '没有单独的用户名', '选择“我的账号”', '再输入两次新密码', '个人不能修改']) expect(text).toContain(truth);
    for (const untrue of ['初始密码', '至少 8 位', '统一分配的用户名']) expect(text).not.toContain(untrue);
  });
});

describe.skipIf(!hasChromium)('pages on a phone and on a desktop, in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function signIn(page: Page, email: string) {
    await page.goto(`${server.url}/login`);
    await page.getByLabel('邮箱').fill(email);
    await page.getByLabel('密码').fill(passwords[email]!);
    await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.locator('#main').getByRole('button', { name: '登录' }).click()]);
  }

  /** Sideways overflow of the page itself (tables may scroll inside their own box). */
  const pageWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

  async function shoot(page: Page, name: string, width: number) {
    const dir = process.env.DAYI_SCREENSHOT_DIR;
    if (dir) await page.screenshot({ path: `${dir}/dayi-${name}-${width}.png` });
  }

  describe.each(screens)('on a $name ($width×$height)', ({ width, height }) => {
    let context: BrowserContext;
    let page: Page;
    beforeAll(async () => {
      context = await browser.newContext({ viewport: { width, height } });
      page = await context.newPage();
    });
    afterAll(async () => {
      await context?.close();
    });

    it.each([
      ['home', '/'],
      ['chapter', CHAPTER],
      ['faq', FAQ],
    ])('shows the %s page without serious accessibility problems or sideways scrolling', async (name, url) => {
      await page.goto(`${server.url}${url}`);
      await shoot(page, name, width);
      expect(await seriousA11yViolations(page)).toEqual([]);
      expect(await pageWidth(page)).toBeLessThanOrEqual(width);
    });

    it('starts a chapter with its title and text within the first screen, navigation folded on a phone', async () => {
      await page.goto(`${server.url}${CHAPTER}`);
      const h1 = await page.getByRole('heading', { level: 1 }).boundingBox();
      expect(h1!.y).toBeLessThan(height / 2);
      const firstParagraph = await page.locator('.prose p').first().boundingBox();
      expect(firstParagraph!.y + firstParagraph!.height).toBeLessThan(height);
      const fold = page.getByText('目录：本页各节与本手册其他章节');
      if (width < 800) {
        expect(await page.locator('header').evaluate((h) => h.getBoundingClientRect().height)).toBeLessThan(170);
        await fold.click();
        expect(await page.getByRole('navigation', { name: '本手册章节' }).getByRole('link').count()).toBeGreaterThan(3);
        expect(await seriousA11yViolations(page)).toEqual([]);
      } else {
        expect(await fold.isVisible()).toBe(false);
        expect(await page.getByRole('navigation', { name: '本页目录' }).isVisible()).toBe(true);
      }
    });

    it('shows table-of-contents links as links: primary colour, underlined', async () => {
      await page.goto(`${server.url}${CHAPTER}`);
      if (width < 800) await page.getByText('目录：本页各节与本手册其他章节').click();
      const style = await page.getByRole('navigation', { name: '本页目录' }).getByRole('link').first().evaluate((a) => {
        const s = getComputedStyle(a);
        return { line: s.textDecorationLine, color: s.color };
      });
      expect(style).toEqual({ line: 'underline', color: 'rgb(11, 87, 208)' });
    });

    it('shows the service hotline in the footer, and on the error pages', async () => {
      await page.goto(`${server.url}/`);
      const footer = page.locator('footer');
      expect(await footer.getByRole('link', { name: HOTLINE }).getAttribute('href')).toBe('tel:02363790000,8001');
      expect(await footer.textContent()).toContain('7×24 小时');
      expect(await footer.getByRole('link', { name: 'helpdesk@example.cn' }).getAttribute('href')).toBe('mailto:helpdesk@example.cn');
      // A bad request shows the error page (a NUL in the query is refused with 400).
      await page.goto(`${server.url}/?q=%00`);
      await shoot(page, 'error', width);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('出错了');
      expect(await page.locator('#main').getByRole('link', { name: HOTLINE }).count()).toBe(1);
      expect(await seriousA11yViolations(page)).toEqual([]);
    });

    it('links FAQ tags to a search for them, dated by day only', async () => {
      await page.goto(`${server.url}${FAQ}`);
      const tag = page.locator('.tags').getByRole('link', { name: '账号锁定' });
      expect(await tag.getAttribute('href')).toBe(`/search?q=${encodeURIComponent('账号锁定')}`);
      expect(await page.getByText(/^最后更新：\d{4}年\d{1,2}月\d{1,2}日$/).count()).toBe(1);
    });

    it('shows thanks instead of the form after feedback, with a way back to change it', async () => {
      await page.goto(`${server.url}${FAQ}`);
      await page.getByLabel('没帮助', { exact: true }).check();
      await Promise.all([page.waitForURL(/feedback=thanks/), page.getByRole('button', { name: '提交反馈' }).click()]);
      const box = page.locator('#feedback');
      expect(await box.getByRole('status').textContent()).toContain('感谢您的反馈');
      expect(await box.locator('form').count()).toBe(0);
      await box.getByRole('link', { name: '修改反馈' }).click();
      await page.waitForURL((u) => !u.search.includes('feedback'));
      expect(await page.locator('#feedback form').count()).toBe(1);
    });
  });

  it('comes back to the chapter, and to the search, after signing in from the header', async () => {
    const page = await browser.newPage();
    for (const url of [CHAPTER, `/search?q=${encodeURIComponent('密码')}`]) {
      await page.goto(`${server.url}${url}`);
      const login = page.getByRole('navigation', { name: '账号菜单' }).getByRole('link', { name: '登录' });
      expect(await login.getAttribute('href')).toBe(`/login?next=${encodeURIComponent(url)}`);
      await login.click();
      await page.getByLabel('邮箱').fill('member@demo.dayi');
      await page.getByLabel('密码').fill(passwords['member@demo.dayi']!);
      await Promise.all([page.waitForURL((u) => u.pathname !== '/login'), page.locator('#main').getByRole('button', { name: '登录' }).click()]);
      expect(page.url()).toBe(`${server.url}${url}`);
      await page.context().clearCookies();
    }
    await page.close();
  });

  it('prints a chapter with the manual it belongs to and its address', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}${CHAPTER}`);
    await page.emulateMedia({ media: 'print' });
    const source = page.locator('.print-source');
    expect(await source.isVisible()).toBe(true);
    expect(await source.textContent()).toMatch(/^摘自《成员单位用户手册》，网址：http:\/\/[^/]+\/manuals\/user-guide\/getting-started$/);
    expect(await page.locator('header').isVisible()).toBe(false);
    await page.close();
  });

  it.each(screens)('shows /account and /admin/users to an admin on a $name without sideways scrolling', async ({ width, height }) => {
    const context = await browser.newContext({ viewport: { width, height } });
    const page = await context.newPage();
    await signIn(page, 'admin@demo.dayi');
    for (const [name, url] of [['account', '/account'], ['admin-users', '/admin/users'], ['admin-audit', '/admin/audit']] as const) {
      await page.goto(`${server.url}${url}`);
      await shoot(page, name, width);
      expect(await seriousA11yViolations(page), url).toEqual([]);
      expect(await pageWidth(page), url).toBeLessThanOrEqual(width);
    }
    // The account menu opens from the name and lists the admin pages.
    const menu = page.getByRole('navigation', { name: '账号菜单' });
    await menu.locator('summary').click();
    expect(await menu.getByRole('link', { name: '我的账号' }).isVisible()).toBe(true);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await context.close();
  });

  it('shows a member the 403 page with the hotline', async () => {
    const page = await browser.newPage();
    await signIn(page, 'member@demo.dayi');
    await page.goto(`${server.url}/admin/users`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('没有权限访问');
    expect(await page.locator('#main').getByRole('link', { name: HOTLINE }).count()).toBe(1);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });
});
