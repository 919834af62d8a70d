import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousA11yViolations } from '../helpers/axe.ts';
import { demoPasswords } from '../helpers/http.ts';
import { chromiumPath, hasChromium, type RunningServer } from '../helpers/server.ts';
import { startTestServer } from '../helpers/test-server.ts';

// Usability review, issue 9: what a clerk meets on the search and error pages, in a real browser.
// Embedded demo mode (no DATABASE_URL), for the demo accounts; the shipped content.

const desktop = { width: 1366, height: 768 };
const phone = { width: 390, height: 844 };
/** Public FAQ and manual hits, and member-only FAQs (report-*) that a signed-out clerk cannot see. */
const MIXED = '数据报送';
const NOTHING = '量子纠缠火箭发射';

let server: RunningServer;
let stop: () => Promise<void>;
let passwords: Record<string, string>;
let browser: Browser;

beforeAll(async () => {
  ({ server, stop } = await startTestServer({ DATABASE_URL: undefined }));
  passwords = await demoPasswords(server);
  if (hasChromium)
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
});

afterAll(async () => {
  await browser?.close();
  await stop?.();
});

interface Answer {
  total: number;
  hiddenTotal: number;
  facets: Record<'manual' | 'faq' | 'courseware' | 'video', number>;
}

const api = async (q: string, type?: string): Promise<Answer> =>
  (await fetch(`${server.url}/api/search?${new URLSearchParams({ q, ...(type ? { type } : {}) })}`)).json() as Promise<Answer>;

const open = async (viewport = desktop) => browser.newPage({ viewport, ...(viewport === phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}) });

async function signIn(page: Page, email: string) {
  await page.getByLabel('邮箱').fill(email);
  await page.getByLabel('密码').fill(passwords[email]!);
  await page.getByRole('button', { name: '登录' }).click();
}

async function typeInHeader(page: Page, q: string) {
  await page.locator('#search-header').pressSequentially(q);
  await page.locator('#search-header-results [role="option"]').first().waitFor();
}

const liveRegion = (page: Page) => page.locator('#search-header-status');

/** Where a sign-in link returns to: its `next`, however it is percent-encoded. */
const nextOf = (href: string | null) => {
  const u = new URL(href ?? '', 'http://x');
  return u.pathname === '/login' ? u.searchParams.get('next') : null;
};

describe.skipIf(!hasChromium)('a signed-out clerk is told what signing in would show', () => {
  it('says "登录后可查看另外 N 条结果" on /search, and signing in through that link lands on the same search with N more', async () => {
    const anon = await api(MIXED);
    expect(anon.hiddenTotal).toBeGreaterThan(0);
    const page = await open();
    const searchUrl = `/search?${new URLSearchParams({ q: MIXED })}`;
    await page.goto(`${server.url}${searchUrl}`);
    const more = page.getByRole('link', { name: `登录后可查看另外 ${anon.hiddenTotal} 条结果` });
    expect(nextOf(await more.getAttribute('href'))).toBe(searchUrl);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await more.click();
    await signIn(page, 'member@demo.dayi');
    await page.waitForURL((u) => u.pathname === '/search' && u.searchParams.get('q') === MIXED);
    expect(await page.locator('p.count').textContent()).toContain(`找到约 ${anon.total + anon.hiddenTotal} 条结果`);
    expect(await page.getByRole('link', { name: /登录后可查看/ }).count()).toBe(0);
    await page.close();
  });

  it('offers the same in the header instant list, as an option, and the live region says it', async () => {
    const anon = await api(MIXED);
    const page = await open(phone);
    await page.goto(`${server.url}/faq`);
    await typeInHeader(page, MIXED);
    const option = page.getByRole('option', { name: `登录后可查看另外 ${anon.hiddenTotal} 条结果` });
    expect(nextOf(await option.getAttribute('data-href'))).toBe(`/search?${new URLSearchParams({ q: MIXED })}`);
    expect(await liveRegion(page).textContent()).toBe(`找到 ${anon.total} 条结果；登录后可查看另外 ${anon.hiddenTotal} 条结果`);
    expect(await seriousA11yViolations(page)).toEqual([]);
    // The list stays on the phone's screen.
    const box = (await page.locator('#search-header-results').boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(phone.width);
    await page.close();
  });
});

describe.skipIf(!hasChromium)('a page for staff only', () => {
  it('tells a signed-in member which role it needs and whom to ask, not to sign in', async () => {
    const page = await open();
    await page.goto(`${server.url}/login`);
    await signIn(page, 'member@demo.dayi');
    await page.waitForURL((u) => u.pathname === '/');
    const res = await page.goto(`${server.url}/manuals/operations/backup`);
    expect(res!.status()).toBe(403);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('该内容仅对运维人员开放');
    const text = await page.locator('main').textContent();
    expect(text).toContain('值班工程师');
    expect(text).toContain('联系系统管理员');
    expect(text).not.toContain('请登录');
    expect(await page.locator('main').getByRole('link', { name: '登录' }).count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });

  it('asks a signed-out visitor to sign in, and comes back to the page', async () => {
    const page = await open();
    await page.goto(`${server.url}/manuals/operations/backup`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('该内容需要登录后查看');
    expect(nextOf(await page.locator('main').getByRole('link', { name: '登录' }).getAttribute('href'))).toBe('/manuals/operations/backup');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });
});

describe.skipIf(!hasChromium)('type tabs on /search', () => {
  it('keep the counts of the whole query after a type is picked', async () => {
    const all = await api('密码');
    expect(all.facets.manual).toBeGreaterThan(0);
    expect(all.facets.faq).toBeGreaterThan(0);
    const page = await open();
    await page.goto(`${server.url}/search?q=${encodeURIComponent('密码')}`);
    const tabs = page.getByRole('navigation', { name: '按类型筛选' }).getByRole('link');
    const before = await tabs.allTextContents();
    const sum = all.facets.manual + all.facets.faq + all.facets.courseware + all.facets.video;
    expect(before).toEqual([`全部（${sum}）`, `手册（${all.facets.manual}）`, `常见问题（${all.facets.faq}）`, `培训课件（${all.facets.courseware}）`, `培训视频（${all.facets.video}）`]);
    await Promise.all([page.waitForURL(/type=faq/), tabs.filter({ hasText: '常见问题' }).click()]);
    expect(await tabs.allTextContents()).toEqual(before);
    expect(await tabs.filter({ hasText: '常见问题' }).getAttribute('aria-current')).toBe('page');
    expect(new Set(await page.locator('ol.hits .type').allTextContents())).toEqual(new Set(['常见问题']));
    expect(await page.locator('p.count').textContent()).toContain(`找到约 ${all.facets.faq} 条结果`);
    await page.close();
  });
});

describe.skipIf(!hasChromium)('a typo is searched as the word meant', () => {
  it('puts the browser section first for 兼荣模式 (兼容 typed with a homophone), with no serious accessibility problem', async () => {
    const page = await open();
    await page.goto(`${server.url}/search?q=${encodeURIComponent('兼荣模式')}`);
    expect(await page.locator('ol.hits > li small').first().textContent()).toBe('/manuals/user-guide/getting-started#browser');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });
});

describe.skipIf(!hasChromium)('no dead ends', () => {
  it.each([
    ['desktop', desktop],
    ['phone', phone],
  ])('a search with no results says so and offers next steps (%s)', async (name, viewport) => {
    const page = await open(viewport);
    await page.goto(`${server.url}/search?q=${encodeURIComponent(NOTHING)}`);
    expect(await page.locator('p.count').textContent()).toBe(`没有找到与“${NOTHING}”相关的内容。`);
    expect(await page.locator('main').textContent()).not.toContain('0 条结果');
    const suggestions = page.locator('section.none');
    for (const [label, href] of [
      ['手册', '/manuals'],
      ['常见问题', '/faq'],
      ['培训课件', '/courseware'],
    ])
      expect(await suggestions.getByRole('link', { name: label, exact: true }).getAttribute('href')).toBe(href);
    expect(await suggestions.getByRole('link', { name: /直接提问/ }).count()).toBe(1);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: `/tmp/search-none-${name}.png`, fullPage: true });
    await page.close();
  });

  it('a type with no hits says so and links back to all types', async () => {
    const all = await api('密码');
    const none = (['manual', 'faq', 'courseware'] as const).find((k) => all.facets[k] === 0);
    expect(none).toBeDefined();
    const label = { manual: '手册', faq: '常见问题', courseware: '培训课件' }[none!];
    const page = await open();
    await page.goto(`${server.url}/search?q=${encodeURIComponent('密码')}&type=${none}`);
    expect(await page.locator('p.count').textContent()).toBe(`没有找到与“密码”相关的${label}。`);
    const sum = all.facets.manual + all.facets.faq + all.facets.courseware + all.facets.video;
    expect(await page.getByRole('link', { name: `查看全部类型中的 ${sum} 条结果` }).getAttribute('href')).toBe(`/search?q=${encodeURIComponent('密码')}`);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });

  it.each([
    ['desktop', desktop],
    ['phone', phone],
  ])('an empty /search shows the page with its heading, box and a hint (%s)', async (name, viewport) => {
    const page = await open(viewport);
    const res = await page.goto(`${server.url}/search`);
    expect(res!.status()).toBe(200);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('搜索');
    expect(await page.getByRole('search', { name: '搜索帮助内容' }).count()).toBe(1);
    expect(await page.locator('main').textContent()).toContain('输入问题或关键词');
    expect(await page.locator('main').getByRole('link', { name: '常见问题', exact: true }).getAttribute('href')).toBe('/faq');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: `/tmp/search-empty-${name}.png`, fullPage: true });
    await page.close();
  });

  it.each([
    ['desktop', desktop],
    ['phone', phone],
  ])('the 404 page offers a search and the main sections (%s)', async (name, viewport) => {
    const page = await open(viewport);
    const res = await page.goto(`${server.url}/manuals/no-such-manual/nowhere`);
    expect(res!.status()).toBe(404);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('页面不存在');
    const links = page.getByRole('navigation', { name: '常用入口' }).getByRole('link');
    expect(await links.evaluateAll((as) => as.map((a) => [a.textContent?.trim(), a.getAttribute('href')]))).toEqual([
      ['手册', '/manuals'],
      ['常见问题', '/faq'],
      ['培训课件', '/courseware'],
      ['返回首页', '/'],
    ]);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: `/tmp/404-${name}.png`, fullPage: true });
    await page.locator('#search-hero').fill('忘记密码');
    await Promise.all([page.waitForURL((u) => u.pathname === '/search' && u.searchParams.get('q') === '忘记密码'), page.locator('#search-hero').press('Enter')]);
    await page.close();
  });

  it.each([
    ['desktop', desktop],
    ['phone', phone],
  ])('/search with results reads well (%s)', async (name, viewport) => {
    const page = await open(viewport);
    await page.goto(`${server.url}/search?q=${encodeURIComponent(MIXED)}`);
    expect(await page.locator('ol.hits > li').count()).toBeGreaterThan(0);
    // The header box and the page's box are two search landmarks with distinct names.
    expect(await page.getByRole('search').evaluateAll((fs) => fs.map((f) => f.getAttribute('aria-label')))).toEqual(['全站搜索', '搜索帮助内容']);
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
    await page.screenshot({ path: `/tmp/search-${name}.png`, fullPage: viewport === desktop });
    await page.close();
  });
});

describe.skipIf(!hasChromium)('the instant search box', () => {
  it('announces the count, closes on Esc keeping the query, and Enter then searches for what was typed', async () => {
    const { total } = await api('密码');
    const page = await open();
    await page.goto(`${server.url}/`);
    const input = page.locator('#search-header');
    await typeInHeader(page, '密码');
    expect(await liveRegion(page).textContent()).toBe(`找到 ${total} 条结果`);
    expect(await liveRegion(page).getAttribute('aria-live')).toBe('polite');
    expect(await page.getByRole('option', { name: `查看全部 ${total} 条结果` }).getAttribute('data-href')).toBe(`/search?q=${encodeURIComponent('密码')}`);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/instant-desktop.png' });
    await input.press('Escape');
    expect(await page.locator('#search-header-results').isHidden()).toBe(true);
    expect(await input.getAttribute('aria-expanded')).toBe('false');
    expect(await input.inputValue()).toBe('密码');
    await Promise.all([page.waitForURL((u) => u.pathname === '/search' && u.searchParams.get('q') === '密码'), input.press('Enter')]);
    await page.close();
  });

  it('reopens with ↓ after Esc and opens the active option with Enter; a second Esc clears the field', async () => {
    const page = await open();
    await page.goto(`${server.url}/`);
    const input = page.locator('#search-header');
    await typeInHeader(page, '密码');
    await input.press('Escape');
    await input.press('ArrowDown');
    const first = page.locator('#search-header-results [role="option"]').first();
    expect(await first.getAttribute('aria-selected')).toBe('true');
    expect(await input.getAttribute('aria-activedescendant')).toBe(await first.getAttribute('id'));
    await input.press('Escape');
    await input.press('Escape');
    expect(await input.inputValue()).toBe('');
    await typeInHeader(page, '密码');
    await input.press('ArrowDown');
    const target = (await first.getAttribute('data-url'))!;
    await Promise.all([page.waitForURL((u) => u.pathname === target.split('#')[0]), input.press('Enter')]);
    await page.close();
  });

  it('says when nothing was found, and offers the suggestions page', async () => {
    const page = await open(phone);
    await page.goto(`${server.url}/`);
    await typeInHeader(page, NOTHING);
    expect(await liveRegion(page).textContent()).toBe('没有找到相关内容');
    const option = page.getByRole('option', { name: '没有找到相关内容，查看搜索建议' });
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/instant-phone.png' });
    await Promise.all([page.waitForURL((u) => u.pathname === '/search' && u.searchParams.get('q') === NOTHING), option.click()]);
    await page.close();
  });
});
