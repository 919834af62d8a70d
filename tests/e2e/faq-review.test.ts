import { cpSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { appRoot } from '../../src/server/shared/paths.ts';
import { seriousA11yViolations } from '../helpers/axe.ts';
import { launchChromium, openAt, submitAndWait } from '../helpers/browser.ts';
import { testIndexPrefix } from '../helpers/db.ts';
import { demoPasswords, keptMailTo, sessionCookie } from '../helpers/http.ts';
import { hasChromium, type RunningServer } from '../helpers/server.ts';
import { startTestServer } from '../helpers/test-server.ts';
import { tempDir } from '../helpers/tmp.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * FAQ promotion through the built server, on a copy of the shipped content
 * (publishing writes content/faq/<slug>.md): three askers ask the same thing
 * in their own words, an engineer answers one, a reviewer finds the candidate
 * at /admin/faq, edits the prefilled draft, previews and publishes it; the
 * entry is then on its page, in search, linked from the askers' tracking
 * pages and mailed to them, and the reviewer edits it from its page.
 */
let server: RunningServer;
let stop: () => Promise<void>;
let passwords: Record<string, string>;
let browser: Browser;
let contentDir: string;
let adminCookie: string;
const indexPrefix = testIndexPrefix();

const ASKS = [
  ['信用修复申请在哪里提交', 'faq-a@example.cn', '张三'],
  ['请问行政处罚的信用修复怎么申请', 'faq-b@example.cn', '李四'],
  ['信用修复怎么申请，需要什么材料', 'faq-c@example.cn', '王五'],
] as const;
const REPLY = '登录平台后进入“信用修复”栏目，选择对应的行政处罚信息，上传整改材料后提交即可。';
const EDITED = '在平台首页进入“信用修复”栏目，选中要修复的行政处罚信息，上传履行完毕的证明和信用承诺书后提交；提交后会生成回执编号 XFHZ7731，凭编号查询审核进度。';
const NEW_TITLE = '行政处罚信息的信用修复怎么申请？';

async function ask(title: string, email: string, name: string): Promise<{ id: string; number: string; trackingUrl: string }> {
  const res = await fetch(`${server.url}/api/questions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      kind: 'consult',
      title,
      body: `${title}？我们单位有一条行政处罚信息，想申请信用修复。`,
      email,
      name,
    }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as {
    id: string;
    number: string;
    trackingUrl: string;
  };
}

/**
 * Waits until the faq.assign job has put question `id` into the questions
 * index, where the next question's job looks for its match (the job does not
 * wait for Meilisearch, so a question asked right after another may miss it).
 */
async function waitIndexed(id: string): Promise<void> {
  await waitFor(async () => {
    const res = await fetch(`${inject('meiliUrl')}/indexes/${indexPrefix}-questions/documents/${id}`, { headers: { Authorization: `Bearer ${inject('meiliKey')}` } });
    await res.arrayBuffer();
    return res.status === 200 ? true : undefined;
  }, 30_000);
}

const signIn = (email: string) => sessionCookie(server.url, email, passwords[email]!);

/** The review list's text as the admin sees it, until it contains `wanted` (the faq.assign job runs after each ask). */
async function waitForOverview(wanted: string): Promise<void> {
  let last = '';
  try {
    await waitFor(async () => {
      const res = await fetch(`${server.url}/admin/faq`, {
        headers: { Cookie: adminCookie },
      });
      last = (await res.text()).replace(/<[^>]+>/g, '');
      return last.includes(wanted) ? true : undefined;
    }, 30_000);
  } catch {
    throw new Error(`/admin/faq never showed "${wanted}":\n${last.replace(/\s+/g, ' ').slice(0, 3000)}`);
  }
}

const noSidewaysScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

beforeAll(async () => {
  contentDir = tempDir('dayi-e2e-faq-content');
  cpSync(path.join(appRoot(), 'content'), contentDir, { recursive: true });
  ({ server, stop } = await startTestServer({
    DATABASE_URL: undefined,
    CONTENT_DIR: contentDir,
    MEILI_INDEX_PREFIX: indexPrefix,
  }));
  passwords = await demoPasswords(server);
  adminCookie = await signIn('admin@demo.dayi');
  if (hasChromium) browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stop?.();
});

describe.skipIf(!hasChromium)('FAQ promotion in Chromium', () => {
  it('clusters paraphrased questions, lets a reviewer edit, preview and publish the candidate, and links the entry everywhere', async () => {
    // 1. Three askers, three wordings, one after the other: each joins the cluster of the ones before (the faq.assign job).
    const asked = [];
    for (const [i, [title, email, name]] of ASKS.entries()) {
      asked.push(await ask(title, email, name));
      await waitIndexed(asked[i]!.id);
      if (i > 0) await waitForOverview(`${i + 1} 个问题 · ${i + 1} 位提问人 · 0 个已答复`);
    }
    // Not yet a candidate: nothing is answered.
    const before = await (
      await fetch(`${server.url}/admin/faq`, {
        headers: { Cookie: adminCookie },
      })
    ).text();
    expect(before).toContain('暂无达到条件的问题组。');

    // 2. engineer1 answers the first one on the desk.
    const engineer = {
      email: 'engineer1@demo.dayi',
      password: passwords['engineer1@demo.dayi']!,
    };
    const desk = await openAt(browser, server.url, `/desk/${asked[0]!.number}`, { signIn: engineer });
    await submitAndWait(desk.page, '受理此问题');
    await desk.page.getByLabel('回复内容').fill(REPLY);
    await submitAndWait(desk.page, '发送回复');
    await desk.context.close();
    await waitForOverview('3 个问题 · 3 位提问人 · 1 个已答复');

    // 3. The admin reaches the list from the user menu; the candidate is there.
    const admin = {
      email: 'admin@demo.dayi',
      password: passwords['admin@demo.dayi']!,
    };
    const { context, page } = await openAt(browser, server.url, '/account', {
      signIn: admin,
    });
    await page.getByRole('navigation', { name: '账号菜单' }).locator('summary').click();
    await Promise.all([page.waitForURL((u) => u.pathname === '/admin/faq'), page.getByRole('navigation', { name: '账号菜单' }).getByRole('link', { name: '常见问题整理' }).click()]);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('常见问题整理');
    const candidates = page.getByRole('region', { name: /候选问题组/ });
    expect(await candidates.getByRole('heading').textContent()).toBe('候选问题组（1）');
    expect(await candidates.textContent()).toContain('3 个问题 · 3 位提问人 · 1 个已答复');
    const titles: string[] = ASKS.map(([t]) => t);
    const listed = (await candidates.getByRole('link').textContent())!;
    expect(titles).toContain(listed);
    expect(await seriousA11yViolations(page)).toEqual([]);

    await Promise.all([page.waitForURL((u) => u.pathname.startsWith('/admin/faq/')), candidates.getByRole('link', { name: listed }).click()]);
    const reviewPath = new URL(page.url()).pathname;
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(`审核问题组：${listed}`);
    const questions = page.getByRole('region', { name: '组内问题' });
    expect(await questions.getByRole('listitem').count()).toBe(3);
    const qText = (await questions.textContent())!;
    for (const { number } of asked) expect(qText).toContain(number);
    for (const t of titles) expect(qText).toContain(t);
    expect(qText).toContain('本组的第一个问题');
    expect(qText.match(/与 Q?[\w-]+ 相似度 0\.\d\d，共同词：[^—\s]/g)?.length).toBe(2);
    expect(await questions.getByRole('button', { name: /^移出本组：/ }).count()).toBe(3);
    const best = page.getByRole('region', { name: '评价最好的答复' });
    expect(await best.textContent()).toContain(REPLY);
    expect(await best.textContent()).toContain(`来自 ${asked[0]!.number}`);

    // The draft, prefilled.
    const draft = page.getByRole('region', { name: '常见问题草稿' });
    expect(titles).toContain(await draft.getByLabel('问题', { exact: true }).inputValue());
    expect(await draft.getByLabel('答案（Markdown）').inputValue()).toBe(REPLY);
    const slug = await draft.getByLabel('地址名').inputValue();
    // The prefilled title in pinyin, word by word (信用修复 → xinyong-xiufu).
    expect(slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(slug).toContain('xinyong-xiufu');
    expect(await draft.getByRole('radio', { name: /成员单位/ }).isChecked()).toBe(true);
    expect(await draft.getByRole('checkbox', { name: '发邮件告诉组内问题的提问人' }).isChecked()).toBe(true);
    expect(await page.getByRole('region', { name: '合并或驳回' }).getByRole('button', { name: '驳回（不是常见问题）' }).count()).toBe(1);

    // Edit it and preview: the form keeps every edit, the preview shows the answer as the page will.
    await draft.getByLabel('答案（Markdown）').fill(EDITED);
    await draft.getByLabel('分类').fill('信用修复');
    await draft.getByRole('radio', { name: /^公开/ }).check();
    await submitAndWait(page, '预览');
    const preview = page.getByRole('region', { name: '预览效果' });
    expect(await preview.textContent()).toContain(EDITED);
    expect(await page.getByLabel('答案（Markdown）').inputValue()).toBe(EDITED);
    expect(await page.getByLabel('分类').inputValue()).toBe('信用修复');
    expect(await page.getByLabel('地址名').inputValue()).toBe(slug);
    expect(await page.getByRole('radio', { name: /^公开/ }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: '发邮件告诉组内问题的提问人' }).isChecked()).toBe(true);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/faq-review.png', fullPage: true });

    // At 390 px, with a preview shown too, nothing scrolls sideways. 预览 works before
    // the required 分类 is filled in (only 发布 needs every field).
    const mobile = await openAt(browser, server.url, reviewPath, {
      signIn: admin,
      width: 390,
      height: 844,
    });
    expect(await noSidewaysScroll(mobile.page)).toBeLessThanOrEqual(390);
    expect(await mobile.page.getByLabel('分类').inputValue()).toBe('');
    await mobile.page.getByLabel('答案（Markdown）').fill(EDITED);
    await submitAndWait(mobile.page, '预览');
    expect(await mobile.page.getByRole('region', { name: '预览效果' }).textContent()).toContain(EDITED);
    expect(await noSidewaysScroll(mobile.page)).toBeLessThanOrEqual(390);
    expect(await seriousA11yViolations(mobile.page)).toEqual([]);
    await mobile.context.close();

    // Publish.
    await submitAndWait(page, '发布为常见问题');
    expect(new URL(page.url()).pathname).toBe(reviewPath);
    expect(await page.getByRole('status').allTextContents()).toContain('已发布为常见问题，已通知 3 位提问人。');
    expect(await page.getByRole('link', { name: listed }).last().getAttribute('href')).toBe(`/faq/${slug}`);
    expect(await page.getByRole('region', { name: '常见问题草稿' }).count()).toBe(0);
    const file = path.join(contentDir, 'faq', `${slug}.md`);
    expect(existsSync(file)).toBe(true);
    expect(existsSync(path.join(appRoot(), 'content', 'faq', `${slug}.md`))).toBe(false);
    const written = readFileSync(file, 'utf8');
    expect(written).toContain('category: 信用修复');
    expect(written).toContain('access: public');
    expect(written).toContain(EDITED);

    // No longer a candidate; listed as published among the others.
    await page.goto(`${server.url}/admin/faq`);
    expect(
      await page
        .getByRole('region', { name: /候选问题组/ })
        .getByRole('heading')
        .textContent(),
    ).toBe('候选问题组（0）');
    expect(
      await page
        .getByRole('row', { name: new RegExp(listed) })
        .getByRole('cell')
        .last()
        .textContent(),
    ).toBe('已发布');

    // 4. The entry is public: an anonymous visitor reads it.
    const visitor = await browser.newContext();
    const anon = await visitor.newPage();
    const res = await anon.goto(`${server.url}/faq/${slug}`);
    expect(res?.status()).toBe(200);
    expect(await anon.getByRole('heading', { level: 1 }).textContent()).toBe(listed);
    expect(await anon.locator('.prose').first().textContent()).toContain('回执编号 XFHZ7731');
    expect(await anon.getByRole('link', { name: '编辑这条常见问题' }).count()).toBe(0);

    // In search within seconds.
    let hits = '';
    for (let i = 0; i < 60 && !hits.includes(`/faq/${slug}`); i++) {
      if (i) await anon.waitForTimeout(500);
      await anon.goto(`${server.url}/search?q=${encodeURIComponent('回执编号 XFHZ7731')}`);
      hits = (await anon.locator('ol.hits').count()) ? ((await anon.locator('ol.hits').textContent()) ?? '') : '';
    }
    expect(hits).toContain(`/faq/${slug}`);

    // The askers' tracking page links to it.
    await anon.goto(`${server.url}${new URL(asked[1]!.trackingUrl).pathname}`);
    const linked = anon.locator('p', { hasText: '此问题已整理为常见问题：' });
    expect(await linked.count()).toBe(1);
    expect(await linked.getByRole('link').getAttribute('href')).toBe(`/faq/${slug}`);
    expect(await linked.getByRole('link').textContent()).toBe(listed);
    await visitor.close();

    // Each asker is told once, with the link.
    for (const [, email] of ASKS) {
      const mail = await keptMailTo(server.dataDir, email, (s) => s.includes('已整理为常见问题'));
      expect(mail).toContain(`【答疑】您的问题已整理为常见问题：${listed}`);
      expect(mail).toContain(`/faq/${slug}`);
    }

    // 5. The reviewer sees where it came from and edits it from its page.
    await page.goto(`${server.url}/faq/${slug}`);
    const staff = page.getByRole('complementary', { name: '工作人员可见' });
    expect(await staff.textContent()).toMatch(/由 3 个用户问题整理，.+ 于 .+ 发布。/);
    await Promise.all([page.waitForURL((u) => u.pathname === `/faq/${slug}/edit`), staff.getByRole('link', { name: '编辑这条常见问题' }).click()]);
    expect(await page.getByLabel('问题', { exact: true }).inputValue()).toBe(listed);
    expect(await page.getByLabel('答案（Markdown）').inputValue()).toBe(EDITED);
    expect(await page.getByLabel('分类').inputValue()).toBe('信用修复');
    expect(await page.getByRole('radio', { name: /^公开/ }).isChecked()).toBe(true);
    await page.getByLabel('问题', { exact: true }).fill(NEW_TITLE);
    await submitAndWait(page, '预览');
    expect(await page.getByRole('region', { name: '预览效果' }).textContent()).toContain(NEW_TITLE);
    expect(await page.getByLabel('问题', { exact: true }).inputValue()).toBe(NEW_TITLE);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await submitAndWait(page, '保存');
    expect(new URL(page.url()).pathname).toBe(`/faq/${slug}`);
    expect(new URL(page.url()).searchParams.get('saved')).toBe('1');
    expect(await page.getByRole('status').allTextContents()).toContain('已保存修改。');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(NEW_TITLE);
    expect(await page.locator('.prose').first().textContent()).toContain('回执编号 XFHZ7731');
    expect(readFileSync(file, 'utf8')).toContain(`title: ${NEW_TITLE}`);
    await context.close();
  }, 240_000);
});
