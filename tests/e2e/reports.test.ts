import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousA11yViolations } from '../helpers/axe.ts';
import { launchChromium, openAt } from '../helpers/browser.ts';
import { demoPasswords, sessionCookie } from '../helpers/http.ts';
import { hasChromium, type RunningServer } from '../helpers/server.ts';
import { startTestServer } from '../helpers/test-server.ts';

/**
 * The monthly service report (/admin/reports) through the built server: the
 * member asks a few questions this month; the admin reads the whole service's
 * report in Chromium (cover, sections, figures, charts, axe at 1366 and 390 px),
 * prints it to an A4 PDF (cover and each section on a page of their own) and
 * exports a table as CSV; an engineer sees only their own report, a member is
 * refused, and a month that does not exist is refused in Chinese.
 */
let server: RunningServer;
let stop: () => Promise<void>;
let passwords: Record<string, string>;
let browser: Browser;
let adminCookie: string;

// The report's month: the current one on the server's clock (Asia/Shanghai), where the questions asked below fall.
const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date()).slice(0, 7);
const ASKED = [
  { kind: 'consult', title: '服务报告测试：如何导出统计数据' },
  { kind: 'consult', title: '服务报告测试：账号权限怎么申请' },
  { kind: 'fault', severity: 'C', title: '服务报告测试：查询页面打不开' },
] as const;
const ADMIN_SECTIONS = ['总览', '问题构成', '服务时限达成', '满意度', '自助服务与搜索'];

const signIn = (email: string) => sessionCookie(server.url, email, passwords[email]!);
const account = (email: string) => ({ email, password: passwords[email]! });
const reportPath = `/admin/reports?period=${month}`;
const sectionHeadings = (page: Page) => page.locator('section.report-section > h2').allTextContents();
const pageWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

beforeAll(async () => {
  ({ server, stop } = await startTestServer({ DATABASE_URL: undefined }));
  passwords = await demoPasswords(server);
  adminCookie = await signIn('admin@demo.dayi');
  const memberCookie = await signIn('member@demo.dayi');
  for (const q of ASKED) {
    const res = await fetch(`${server.url}/api/questions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Cookie: memberCookie },
      body: JSON.stringify({ ...q, body: `${q.title}，这是用来检查服务报告统计的问题。`, email: 'member@demo.dayi' }),
    });
    expect(res.status).toBe(201);
  }
  if (hasChromium) browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stop?.();
});

describe.skipIf(!hasChromium)('service report in Chromium', () => {
  it("shows the admin the whole service's report for this month, readable at 1366 and 390 px", async () => {
    const { context, page } = await openAt(browser, server.url, reportPath, { signIn: account('admin@demo.dayi') });
    expect(new URL(page.url()).search).toBe(`?period=${month}`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('服务报告');
    expect(await page.locator('div.cover h2.doc-title').textContent()).toContain('服务总结报告');
    expect(await page.locator('div.cover').textContent()).toContain(`报告期：${Number(month.slice(0, 4))}年${Number(month.slice(5))}月`);
    const headings = await sectionHeadings(page);
    for (const h of ADMIN_SECTIONS) expect(headings).toContain(h);

    // The 总览 figure 提问数 counts at least the questions asked above (the demo may hold more).
    const overview = page.getByRole('region', { name: '总览' });
    const asked = overview.locator('.figure', { has: page.locator('dt', { hasText: /^提问数$/ }) }).locator('dd.current');
    expect(Number(await asked.textContent())).toBeGreaterThanOrEqual(ASKED.length);
    // Server-rendered charts, each named by its <title>.
    const charts = page.locator('svg[role="img"]');
    expect(await charts.count()).toBeGreaterThan(0);
    expect((await charts.first().locator('title').textContent())?.trim()).not.toBe('');
    expect(await page.getByRole('button', { name: '打印 / 存为 PDF' }).count()).toBe(1);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await context.close();

    const mobile = await openAt(browser, server.url, reportPath, { signIn: account('admin@demo.dayi'), width: 390, height: 844 });
    expect(await sectionHeadings(mobile.page)).toEqual(headings);
    expect(await pageWidth(mobile.page)).toBeLessThanOrEqual(390);
    expect(await seriousA11yViolations(mobile.page)).toEqual([]);
    await mobile.context.close();
  }, 120_000);

  it('prints as an A4 PDF: cover and each section on pages of their own, without the site chrome and the forms', async () => {
    const { context, page } = await openAt(browser, server.url, reportPath, { signIn: account('admin@demo.dayi') });
    expect(await page.locator('body > header').first().isVisible()).toBe(true);
    expect(await page.locator('.period-forms').isVisible()).toBe(true);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('body > header').first().isVisible()).toBe(false);
    expect(await page.locator('.period-forms').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: '打印 / 存为 PDF' }).isVisible()).toBe(false);
    expect(await page.locator('div.cover').isVisible()).toBe(true);
    expect(await page.locator('div.cover h2.doc-title').isVisible()).toBe(true);

    // The cover ends its page; every section after the first starts a new one (the cover's break puts the first on its own).
    expect(await page.locator('div.cover').evaluate((e) => getComputedStyle(e).breakAfter)).toBe('page');
    const breaks = await page.locator('section.report-section').evaluateAll((els) => els.map((e) => getComputedStyle(e).breakBefore));
    expect(breaks.slice(1).every((b) => b === 'page')).toBe(true);
    const sections = (await sectionHeadings(page)).length;
    expect(sections).toBeGreaterThanOrEqual(ADMIN_SECTIONS.length);
    const pdf = await page.pdf({ format: 'A4' });
    const text = pdf.toString('latin1');
    expect(text.startsWith('%PDF')).toBe(true);
    // Chromium (Skia) writes each page object uncompressed, so /Type /Page (not /Pages) counts them; /Count of the page tree root agrees.
    const pages = text.match(/\/Type\s*\/Page[^s]/g)?.length ?? 0;
    const counts = [...text.matchAll(/\/Type\s*\/Pages\b[^>]*?\/Count\s+(\d+)|\/Count\s+(\d+)[^>]*?\/Type\s*\/Pages\b/g)].map((m) => Number(m[1] ?? m[2]));
    expect(Math.max(...counts)).toBe(pages);
    expect(pages).toBeGreaterThan(sections);
    await context.close();
  }, 120_000);

  it('exports the 按类别 table as a UTF-8 CSV with a BOM, with the admin session', async () => {
    const html = await (await fetch(`${server.url}${reportPath}`, { headers: { Cookie: adminCookie } })).text();
    const href = /<a[^>]*href="([^"]+)"[^>]*aria-label="按类别：导出 CSV"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
    expect(href).toBe(`/admin/reports/kinds.csv?period=${month}`);
    const res = await fetch(`${server.url}${href}`, { headers: { Cookie: adminCookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes).trimEnd().split('\r\n');
    expect(lines[0]!.split(',')).toContain('类别');
    const row = (label: string) => lines.find((l) => l.startsWith(`${label},`))?.split(',');
    expect(Number(row('技术咨询')?.[1])).toBeGreaterThanOrEqual(2);
    expect(Number(row('故障申告')?.[1])).toBeGreaterThanOrEqual(1);
    // Without a session the export is not served.
    expect((await fetch(`${server.url}${href}`, { redirect: 'manual' })).status).not.toBe(200);
  });

  it("shows an engineer their own report without the whole service's sections, and refuses a member", async () => {
    const res = await fetch(`${server.url}${reportPath}`, { headers: { Cookie: await signIn('engineer1@demo.dayi') } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(/<h1[^>]*>([^<]*)<\/h1>/.exec(html)?.[1]).toBe('我的服务报告');
    const h2s = [...html.matchAll(/<section class="report-section[^>]*>\s*<h2[^>]*>([^<]*)<\/h2>/g)].map((m) => m[1]);
    expect(h2s).toContain('总览');
    for (const absent of ['自助服务与搜索', '课件、视频与培训', '常见问题整理']) expect(h2s).not.toContain(absent);

    const member = await fetch(`${server.url}${reportPath}`, { headers: { Cookie: await signIn('member@demo.dayi') }, redirect: 'manual' });
    expect(member.status).toBe(403);
    await member.arrayBuffer();
  });

  it('answers a month that does not exist with 400 and says so in Chinese', async () => {
    const { context, page } = await openAt(browser, server.url, '/admin/reports?period=2026-13', { signIn: account('admin@demo.dayi') });
    const res = await page.goto(`${server.url}/admin/reports?period=2026-13`);
    expect(res?.status()).toBe(400);
    expect(await page.getByRole('alert').textContent()).toContain('报告期请写成月份（如 2026-11）或季度（如 2026-Q4）。');
    expect(await page.locator('div.cover').count()).toBe(0);
    expect(await page.getByLabel('月份', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await context.close();
  });
});
