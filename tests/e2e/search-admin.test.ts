import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContent } from '../../src/server/content/content.loader.ts';
import { appRoot } from '../../src/server/shared/paths.ts';
import { seriousA11yViolations } from '../helpers/axe.ts';
import { launchChromium, openAt, submitAndWait } from '../helpers/browser.ts';
import { demoPasswords, sessionCookie } from '../helpers/http.ts';
import { hasChromium, type RunningServer } from '../helpers/server.ts';
import { startTestServer } from '../helpers/test-server.ts';
import { tempDir } from '../helpers/tmp.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * Search statistics and vocabulary (/admin/search) and instant answers,
 * through the built server on a copy of the shipped content (adding a synonym
 * group or dictionary word writes content/search/*): a visitor searches a word
 * nothing contains and a question an FAQ entry answers (its answer shown inline
 * on /search and beside the ask form); an admin finds the word under
 * 搜索无结果, turns it into a synonym group that reaches the index within
 * seconds, adds a dictionary word and is told what is wrong with a bad group.
 */
let server: RunningServer;
let stop: () => Promise<void>;
let passwords: Record<string, string>;
let browser: Browser | undefined;
let contentDir: string;

/** In no content (蓝屏死机啦 is not made up enough: the similarity engine relates 蓝屏 and 死机 to the browser FAQ), so nothing is found until it is made a synonym of words that are. */
const MADE_UP = '鲸鱼飞艇';
/** With a word the content has as written: a several-word synonym is searched as a phrase (系统故障 finds nothing that way; the content says 系统严重故障). */
const GROUP = `${MADE_UP}，故障级别`;
const GARBLED = '导出的Excel打开是乱码';
const GARBLED_URL = '/faq/system-export-garbled';
const GARBLED_TITLE = '导出的 CSV 文件用 Excel 打开是乱码怎么办？';

interface Answer {
  url: string;
  title: string;
  html: string;
}
interface ApiResult {
  hits: { url: string; type: string }[];
  total: number;
  answer: Answer | null;
}

const signIn = (email: string) => sessionCookie(server.url, email, passwords[email]!);

async function apiSearch(q: string): Promise<ApiResult> {
  const res = await fetch(`${server.url}/api/search?q=${encodeURIComponent(q)}`);
  expect(res.status).toBe(200);
  return (await res.json()) as ApiResult;
}

const account = (email: string) => ({ email, password: passwords[email]! });
/** The instant answer on /search: a region of its own, under the label 常见问题中的答案. */
const answerRegion = (page: Page) => page.getByRole('region').filter({ hasText: '常见问题中的答案' });
/** A section of /admin/search by its heading (its table's scroll box is a region of the same name, inside it). */
const section = (page: Page, name: string) => page.getByRole('region', { name, exact: true }).first();
/** Where a /search/go link (the click log) leads. */
const target = (href: string | null) => new URL(href ?? '', server.url).searchParams.get('u');

beforeAll(async () => {
  contentDir = tempDir('dayi-e2e-search-admin-content');
  cpSync(path.join(appRoot(), 'content'), contentDir, { recursive: true });
  ({ server, stop } = await startTestServer({ DATABASE_URL: undefined, CONTENT_DIR: contentDir }));
  passwords = await demoPasswords(server);
  if (hasChromium) browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stop?.();
});

describe.skipIf(!hasChromium)('search statistics, vocabulary and instant answers in Chromium', () => {
  it('shows a matching FAQ answer inline on /search, in the API and beside the ask form', async () => {
    // The index is built in the background after start: wait until the FAQ entry is found.
    const api = await waitFor(async () => {
      const r = await apiSearch(GARBLED);
      return r.hits[0]?.url === GARBLED_URL ? r : undefined;
    }, 60_000);
    expect(api.answer).toMatchObject({ url: GARBLED_URL, title: GARBLED_TITLE });
    expect(api.answer!.html).toContain('65001: Unicode (UTF-8)');

    const { context, page } = await openAt(browser!, server.url, `/search?q=${encodeURIComponent(MADE_UP)}`);
    // A word in no content: nothing found, and the submitted search is logged with 0 hits.
    expect(await page.getByRole('status').textContent()).toBe(`没有找到与“${MADE_UP}”相关的内容。`);
    expect(await page.locator('ol.hits').count()).toBe(0);
    expect(await answerRegion(page).count()).toBe(0);
    expect((await apiSearch(MADE_UP)).total).toBe(0);

    // A question the FAQ answers: its answer inline, above the hits, the first of which is the entry.
    await page.goto(`${server.url}/search?q=${encodeURIComponent(GARBLED)}`);
    const answer = answerRegion(page);
    expect(await answer.count()).toBe(1);
    expect(await page.getByRole('region', { name: GARBLED_TITLE }).count()).toBe(1);
    const link = answer.getByRole('link', { name: GARBLED_TITLE });
    expect(target(await link.getAttribute('href'))).toBe(GARBLED_URL);
    const answerText = (await answer.textContent())!;
    expect(answerText).toContain('“数据”→“从文本/CSV”导入该文件');
    expect(answerText).toContain('65001: Unicode (UTF-8)');
    expect(target(await page.locator('ol.hits > li a').first().getAttribute('href'))).toBe(GARBLED_URL);
    expect(await seriousA11yViolations(page)).toEqual([]);

    // The page and the API agree, query by query; a vague query has no answer and the page no section.
    const answers: Record<string, string | null> = {};
    for (const q of ['重置密码', '培训']) {
      const r = await apiSearch(q);
      answers[q] = r.answer?.url ?? null;
      await page.goto(`${server.url}/search?q=${encodeURIComponent(q)}`);
      expect(await page.locator('ol.hits > li').count()).toBeGreaterThan(0);
      if (r.answer) {
        expect(r.answer.url).toBe(r.hits[0]!.url);
        expect(target(await answerRegion(page).getByRole('link', { name: r.answer.title }).getAttribute('href'))).toBe(r.answer.url);
      } else {
        expect(await answerRegion(page).count()).toBe(0);
      }
    }
    expect(answers['培训']).toBeNull();
    await context.close();

    // The ask form (anonymous is allowed): the answer appears above the suggestions, which are counted.
    const ask = await openAt(browser!, server.url, '/ask');
    const suggested = ask.page.waitForResponse((r) => new URL(r.url()).pathname === '/api/questions/suggested' && r.request().method() === 'POST');
    await ask.page.getByLabel('标题', { exact: true }).fill(GARBLED);
    const aside = ask.page.getByRole('complementary', { name: '这些内容也许能解决您的问题' });
    await aside.waitFor({ state: 'visible' });
    const box = ask.page.locator('[data-suggestions-answer]');
    await box.waitFor({ state: 'visible' });
    expect(await box.getByRole('link', { name: GARBLED_TITLE }).getAttribute('href')).toBe(GARBLED_URL);
    expect(await box.textContent()).toContain('常见问题中的答案');
    expect(await box.textContent()).toContain('65001: Unicode (UTF-8)');
    // Above the list, which has the entry too.
    expect(await box.evaluate((el) => !!(el.compareDocumentPosition(document.querySelector('[data-suggestions-list]')!) & Node.DOCUMENT_POSITION_FOLLOWING))).toBe(true);
    expect(await aside.locator('[data-suggestions-list] a').first().getAttribute('href')).toBe(GARBLED_URL);
    const report = await suggested;
    expect(report.status()).toBe(201);
    expect((JSON.parse(report.request().postData() ?? '{}') as { urls: string[] }).urls).toContain(GARBLED_URL);
    await ask.context.close();
  }, 120_000);

  it('lets an admin turn a search that found nothing into a synonym group, add a dictionary word, and explains a bad group', async () => {
    const synonymsFile = path.join(contentDir, 'search/synonyms.yml');
    const dictionaryFile = path.join(contentDir, 'search/dictionary.txt');
    const shippedSynonyms = readFileSync(path.join(appRoot(), 'content/search/synonyms.yml'), 'utf8');
    const shippedDictionary = readFileSync(path.join(appRoot(), 'content/search/dictionary.txt'), 'utf8');
    const admin = account('admin@demo.dayi');
    const { context, page } = await openAt(browser!, server.url, '/admin/search', { signIn: admin });
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('搜索统计与词库');

    // The searches from the first test, in their tables (queries as normalized: lower case).
    const top = section(page, '搜索最多的词');
    expect(await top.getByRole('row', { name: new RegExp(GARBLED.toLowerCase()) }).count()).toBe(1);
    const noResult = section(page, '搜索无结果');
    const row = noResult.getByRole('row', { name: new RegExp(MADE_UP) });
    expect(await row.count()).toBe(1);
    expect(await row.getByRole('cell').nth(1).textContent()).toBe('1');
    expect(await noResult.textContent()).not.toContain(GARBLED.toLowerCase());
    for (const name of ['搜索后 10 分钟内又提问', '点击的结果排在第 3 位以后', '用户的提问说法'])
      expect(await page.getByRole('heading', { level: 2, name, exact: true }).count()).toBe(1);
    expect(await section(page, '用户的提问说法').textContent()).toContain('还没有提问说法。');
    expect(await seriousA11yViolations(page)).toEqual([]);

    // 加为同义词 prefills the synonym input with the query; the admin completes the group.
    await Promise.all([page.waitForURL((u) => u.searchParams.get('words') === MADE_UP), row.getByRole('link', { name: '加为同义词' }).click()]);
    const words = page.getByLabel('同义词', { exact: true });
    expect(await words.inputValue()).toBe(MADE_UP);
    await words.fill(GROUP);
    await submitAndWait(page, '添加同义词组');
    expect(new URL(page.url()).searchParams.get('done')).toBe('synonyms');
    expect(await page.getByRole('status').allTextContents()).toContain('已添加同义词组，几秒钟内生效。');
    expect(readFileSync(synonymsFile, 'utf8')).toBe(`${shippedSynonyms.endsWith('\n') ? shippedSynonyms : `${shippedSynonyms}\n`}- [${MADE_UP}, 故障级别]\n`);
    expect(readFileSync(path.join(appRoot(), 'content/search/synonyms.yml'), 'utf8')).toBe(shippedSynonyms);

    // The synonym reaches the index's settings without a rebuild: the word now finds what 故障级别 finds.
    const found = await waitFor(async () => {
      const r = await apiSearch(MADE_UP);
      return r.total > 0 ? r : undefined;
    }, 15_000);
    expect(found.hits.map((h) => h.url)).toEqual(expect.arrayContaining(['/manuals/user-guide/ask#severity']));
    // And on the search page.
    const visitor = await openAt(browser!, server.url, `/search?q=${encodeURIComponent(MADE_UP)}`);
    expect(await visitor.page.locator('ol.hits > li').count()).toBeGreaterThan(0);
    await visitor.context.close();

    // A dictionary word.
    await page.getByLabel('专有词', { exact: true }).fill('信易贷');
    await submitAndWait(page, '添加专有词');
    expect(await page.getByRole('status').allTextContents()).toContain('已添加专有词，几秒钟内生效。');
    expect(readFileSync(dictionaryFile, 'utf8').split('\n')).toContain('信易贷');
    expect(readFileSync(path.join(appRoot(), 'content/search/dictionary.txt'), 'utf8')).toBe(shippedDictionary);
    // Again: already there, not added twice.
    await page.getByLabel('专有词', { exact: true }).fill('信易贷');
    await submitAndWait(page, '添加专有词');
    expect(await page.getByRole('status').allTextContents()).toContain('该词已在词库中。');
    expect(readFileSync(dictionaryFile, 'utf8').split('\n').filter((l) => l === '信易贷')).toHaveLength(1);

    // A word YAML would read as something else (@ is reserved, true a boolean) is written quoted: the file
    // still loads with every group (unquoted, the whole file failed to parse and search lost all synonyms).
    await page.getByLabel('同义词', { exact: true }).fill('@信用中国，true');
    await submitAndWait(page, '添加同义词组');
    expect(await page.getByRole('status').allTextContents()).toContain('已添加同义词组，几秒钟内生效。');
    const loaded = await loadContent(contentDir);
    expect(loaded.issues.filter((i) => i.file.startsWith('search/'))).toEqual([]);
    expect(loaded.synonyms.slice(-2)).toEqual([[MADE_UP, '故障级别'], ['@信用中国', 'true']]);
    expect(loaded.synonyms.length).toBeGreaterThan(2);
    const synonyms = readFileSync(synonymsFile, 'utf8');
    expect(synonyms.endsWith('\n- ["@信用中国", "true"]\n')).toBe(true);

    // One word is no group: refused with 400, the problem named, the input kept, nothing written.
    await page.getByLabel('同义词', { exact: true }).fill('蓝屏');
    const refused = page.waitForResponse((r) => new URL(r.url()).pathname === '/admin/search' && r.request().method() === 'POST');
    await submitAndWait(page, '添加同义词组');
    expect((await refused).status()).toBe(400);
    const alert = page.getByRole('alert');
    expect(await alert.textContent()).toContain('请至少填写两个意思相同的词，用逗号分开。');
    expect(await page.getByLabel('同义词', { exact: true }).inputValue()).toBe('蓝屏');
    expect(await page.getByLabel('同义词', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(readFileSync(synonymsFile, 'utf8')).toBe(synonyms);
    expect(await seriousA11yViolations(page)).toEqual([]);

    // The ask form's suggestion of the FAQ entry (first test) is counted on /admin/faq.
    await page.goto(`${server.url}/admin/faq`);
    const usage = section(page, '常见问题的推荐与自助解决');
    const usageRow = usage.getByRole('row', { name: new RegExp(GARBLED_TITLE.replace(/[?？]/g, '.')) });
    expect(await usageRow.count()).toBe(1);
    expect(Number(await usageRow.getByRole('cell').nth(1).textContent())).toBeGreaterThanOrEqual(1);
    await context.close();

    // At 390 px nothing scrolls sideways.
    const mobile = await openAt(browser!, server.url, '/admin/search', { signIn: admin, width: 390, height: 844 });
    expect(await mobile.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await seriousA11yViolations(mobile.page)).toEqual([]);
    await mobile.context.close();
  }, 120_000);

  it('is for admins only', async () => {
    const member = await fetch(`${server.url}/admin/search`, { redirect: 'manual', headers: { Cookie: await signIn('member@demo.dayi') } });
    await member.arrayBuffer();
    expect(member.status).toBe(403);
    const anon = await fetch(`${server.url}/admin/search`, { redirect: 'manual' });
    await anon.arrayBuffer();
    expect(anon.status).toBe(303);
    const post = await fetch(`${server.url}/admin/search`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Origin: server.url, Cookie: await signIn('member@demo.dayi'), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ action: 'dictionary', word: '不该加入' }),
    });
    await post.arrayBuffer();
    expect(post.status).toBe(403);
    expect(readFileSync(path.join(contentDir, 'search/dictionary.txt'), 'utf8')).not.toContain('不该加入');
  });
});
