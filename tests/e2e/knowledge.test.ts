import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRoot } from '../../src/server/shared/paths.ts';
import { seriousA11yViolations } from '../helpers/axe.ts';
import { chromiumPath, hasChromium, type RunningServer } from '../helpers/server.ts';
import { startTestServer } from '../helpers/test-server.ts';
import { tempDir } from '../helpers/tmp.ts';

let server: RunningServer;
let stop: () => Promise<void>;
let contentDir: string;

beforeAll(async () => {
  // The shipped demo content, copied so the tests can edit it.
  contentDir = tempDir('dayi-e2e-content');
  cpSync(path.join(appRoot(), 'content'), contentDir, { recursive: true });
  ({ server, stop } = await startTestServer({ CONTENT_DIR: contentDir }));
});

afterAll(async () => {
  await stop?.();
});

const api = async (query: string) => {
  const res = await fetch(`${server.url}/api/search?${query}`);
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('search API', () => {
  it('answers hits with deep links, total, type facets and timing', async () => {
    const { status, body } = await api(`q=${encodeURIComponent('忘记密码')}&limit=5`);
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['answer', 'facets', 'hiddenTotal', 'hits', 'tookMs', 'total']);
    expect(body.hits.length).toBeGreaterThan(0);
    expect(Object.keys(body.hits[0]).sort()).toEqual(['id', 'section', 'snippet', 'title', 'type', 'url']);
    expect(body.hits[0].id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(body.facets).toEqual({ manual: expect.any(Number), faq: expect.any(Number), courseware: expect.any(Number), video: expect.any(Number) });
    const faqOnly = await api(`q=${encodeURIComponent('忘记密码')}&type=faq`);
    expect(faqOnly.body.hits.every((h: { type: string }) => h.type === 'faq')).toBe(true);
  });

  it.each([
    ['q=', 'q'],
    [`q=${'长'.repeat(201)}`, 'q'],
    ['q=a&type=audio', 'type'],
    ['q=a&page=0', 'page'],
    ['q=a&limit=500', 'limit'],
  ])('rejects %s with a 400 error naming %s', async (query, field) => {
    const { status, body } = await api(query);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 'validation.failed', message: expect.any(String), fields: { [field]: expect.any(String) } });
  });

  it('never returns staff-only manuals to an anonymous caller', async () => {
    const { body } = await api(`q=${encodeURIComponent('值班表 升级')}&limit=50`);
    expect(body.hits.filter((h: { url: string }) => /engineer-guide|operations/.test(h.url))).toEqual([]);
    const page = await fetch(`${server.url}/manuals/operations/backup`);
    expect(page.status).toBe(403);
    expect(await page.text()).toContain('该内容需要登录后查看');
  });
});

describe('content changes on disk', () => {
  it('shows a new FAQ on its page, in the list and in search within seconds, without restart', async () => {
    writeFileSync(
      path.join(contentDir, 'faq/e2e-new-entry.md'),
      '---\ntitle: 如何申请电子证照互认？\ncategory: 数据报送\ntags: [证照]\n---\n在“证照互认”栏目提交申请，审核后生效。\n',
    );
    const page = await eventually(() => fetch(`${server.url}/faq/e2e-new-entry`), (r) => r.status === 200);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('如何申请电子证照互认？');
    const found = await eventually(() => api(`q=${encodeURIComponent('证照互认')}`), (r) => r.body.hits?.some((h: { url: string }) => h.url === '/faq/e2e-new-entry'));
    expect(found.body.hits.map((h: { url: string }) => h.url)).toContain('/faq/e2e-new-entry');
  });

  it('applies an edit saved by atomic rename, and drops a deleted page', async () => {
    const file = path.join(contentDir, 'faq/e2e-new-entry.md');
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, '---\ntitle: 如何申请电子证照互认？\ncategory: 数据报送\n---\n改为在“一网通办”提交，三个工作日内办结。\n');
    (await import('node:fs')).renameSync(tmp, file);
    const edited = await eventually(() => fetch(`${server.url}/faq/e2e-new-entry`).then((r) => r.text()), (s) => s.includes('一网通办'));
    expect(edited).toContain('三个工作日内办结');
    (await import('node:fs')).rmSync(file);
    const gone = await eventually(() => fetch(`${server.url}/faq/e2e-new-entry`), (r) => r.status === 404);
    expect(gone.status).toBe(404);
    const search = await eventually(() => api(`q=${encodeURIComponent('一网通办')}`), (r) => !r.body.hits?.some((h: { url: string }) => h.url === '/faq/e2e-new-entry'));
    expect(search.body.hits.map((h: { url: string }) => h.url)).not.toContain('/faq/e2e-new-entry');
  });

  it('skips a broken file and keeps serving the rest', async () => {
    writeFileSync(path.join(contentDir, 'faq/e2e-broken.md'), '---\ntitle: [oops\n---\n正文\n');
    await new Promise((r) => setTimeout(r, 1500));
    expect((await fetch(`${server.url}/faq/e2e-broken`)).status).toBe(404);
    expect((await fetch(`${server.url}/faq`)).status).toBe(200);
    expect(server.output()).toMatch(/faq\/e2e-broken\.md:\d+: invalid YAML/);
  });
});

describe.skipIf(!hasChromium)('knowledge base in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function typeWithIme(page: Page, selector: string, steps: string[], commit: string) {
    await page.focus(selector);
    const cdp = await page.context().newCDPSession(page);
    for (const text of steps) await cdp.send('Input.imeSetComposition', { text, selectionStart: text.length, selectionEnd: text.length });
    await cdp.send('Input.insertText', { text: commit });
  }

  it('searches only after the input method commits, then opens a result at its section', async () => {
    const page = await browser.newPage();
    const searches: string[] = [];
    page.on('request', (r) => r.url().includes('/api/search?') && searches.push(new URL(r.url()).searchParams.get('q') ?? ''));
    await page.goto(`${server.url}/`);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await typeWithIme(page, '#search-header', ['m', 'mi', 'mim', 'mima'], '密码');
    // While composing, nothing was searched; after the commit, exactly the committed text.
    const listbox = page.locator('#search-header-results');
    await listbox.locator('[role="option"]').first().waitFor();
    expect(searches).toEqual(['密码']);
    expect(await page.locator('#search-header').getAttribute('aria-expanded')).toBe('true');
    await page.keyboard.press('ArrowDown');
    const first = listbox.locator('[role="option"]').first();
    expect(await first.getAttribute('aria-selected')).toBe('true');
    // The open list, with an option active, passes axe too.
    expect(await seriousA11yViolations(page)).toEqual([]);
    const target = (await first.getAttribute('data-url'))!;
    await Promise.all([page.waitForURL((u) => u.pathname === target.split('#')[0]), page.keyboard.press('Enter')]);
    const anchor = decodeURIComponent(new URL(page.url()).hash.slice(1));
    if (anchor) expect(await page.locator(`[id="${anchor}"]`).count()).toBe(1);
    await page.close();
  });

  it('shows an edited content file on the page and in the search box without a reload of the server', async () => {
    const page = await browser.newPage();
    writeFileSync(path.join(contentDir, 'faq/e2e-browser.md'), '---\ntitle: 如何导出信用报告？\ncategory: 数据报送\n---\n在“信用报告”页点击“导出”。\n');
    await eventually(() => page.goto(`${server.url}/faq/e2e-browser`).then((r) => r!.status()), (status) => status === 200);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('如何导出信用报告？');
    expect(await seriousA11yViolations(page)).toEqual([]);
    writeFileSync(path.join(contentDir, 'faq/e2e-browser.md'), '---\ntitle: 如何导出信用报告？\ncategory: 数据报送\n---\n在“信用报告”页点击“下载PDF”。\n');
    const text = await eventually(async () => (await page.goto(`${server.url}/faq/e2e-browser`), await page.locator('.prose').textContent()) ?? '', (t) => t.includes('下载PDF'));
    expect(text).toContain('下载PDF');
    await page.fill('#search-header', '');
    await page.locator('#search-header').pressSequentially('导出信用报告');
    await page.locator('#search-header-results [role="option"]').first().waitFor();
    expect(await page.locator('#search-header-results [role="option"]').evaluateAll((os) => os.map((o) => (o as HTMLElement).dataset.url))).toContain('/faq/e2e-browser');
    await page.close();
  });

  it('shows results with facets on /search, and a way to ask when nothing matches', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/search?q=${encodeURIComponent('附件上传失败')}`);
    expect(await page.getByRole('navigation', { name: '按类型筛选' }).getByRole('link').count()).toBe(5);
    expect(await page.locator('ol.hits > li').count()).toBeGreaterThan(0);
    expect(await page.locator('ol.hits mark').count()).toBeGreaterThan(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.goto(`${server.url}/search?q=${encodeURIComponent('量子纠缠火箭发射')}`);
    const ask = page.getByRole('link', { name: /直接提问/ });
    expect(await ask.getAttribute('href')).toBe(`/ask?title=${encodeURIComponent('量子纠缠火箭发射')}`);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.close();
  });

  it('renders a chapter with sidebar, table of contents, breadcrumbs, previous/next and takes feedback', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/manuals/user-guide/search`);
    expect(await page.getByRole('navigation', { name: '当前位置' }).textContent()).toContain('成员单位用户手册');
    expect(await page.getByRole('navigation', { name: '本手册章节' }).getByRole('link').count()).toBeGreaterThan(3);
    expect(await page.getByRole('navigation', { name: '本页目录' }).getByRole('link').count()).toBeGreaterThan(1);
    expect(await page.locator('a[rel="prev"]').count()).toBe(1);
    expect(await page.locator('a[rel="next"]').count()).toBe(1);
    expect(await page.getByText(/^最后更新：\d{4}年\d{1,2}月\d{1,2}日( \d{2}:\d{2})?$/).count()).toBe(1);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByLabel('有帮助', { exact: true }).check();
    await page.getByLabel('还有什么建议？（选填）').fill('讲得很清楚');
    await Promise.all([page.waitForURL(/feedback=thanks/), page.getByRole('button', { name: '提交反馈' }).click()]);
    expect(await page.getByRole('status').textContent()).toContain('感谢您的反馈');
    await page.close();
  });
});
