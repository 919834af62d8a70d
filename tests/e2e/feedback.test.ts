import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client.ts';
import { runMigrations } from '../../db/migrate.ts';
import { trainingInvitations, trainingSessions, users } from '../../db/schema/index.ts';
import { seedDemoAccounts } from '../../src/server/auth/demo.seed.ts';
import { systemClock } from '../../src/server/shared/clock.ts';
import { newId } from '../../src/server/shared/ids.ts';
import { seriousA11yViolations } from '../helpers/axe.ts';
import { launchChromium, openAt, submitAndWait } from '../helpers/browser.ts';
import { hasChromium, type RunningServer } from '../helpers/server.ts';
import { startTestServer } from '../helpers/test-server.ts';
import { tempDir } from '../helpers/tmp.ts';

let server: RunningServer;
let stop: () => Promise<void>;
let browser: Browser;
const passwords: Record<string, string> = {};
const trainingId = newId();
let trainerId = '';

/**
 * The embedded database prepared before the server starts (it holds PGlite's
 * lock while it runs): the demo accounts, and a training of the demo trainer's
 * to which the demo member is invited — the training pages are another
 * feature's, so the rows are written here directly.
 */
async function prepareDataDir(): Promise<string> {
  const dataDir = tempDir('dayi-feedback');
  const database = await openDatabase({ kind: 'pglite', dir: path.join(dataDir, 'pglite') });
  await runMigrations(database);
  const db = database.db;
  for (const a of (await seedDemoAccounts({ db, clock: systemClock }))!) passwords[a.email] = a.password;
  const [trainer] = await db.select().from(users).where(eq(users.email, 'trainer@demo.dayi'));
  const [member] = await db.select().from(users).where(eq(users.email, 'member@demo.dayi'));
  trainerId = trainer!.id;
  const now = new Date();
  const plan = {
    audienceKind: '成员单位用户',
    goals: '掌握信用信息报送',
    content: '',
    organizer: '信用中心',
    assessment: '不考核',
    passScore: null,
    notes: '',
  };
  await db
    .insert(trainingSessions)
    .values({
      id: trainingId,
      title: '信用信息报送培训',
      trainerId,
      form: 'lecture',
      status: 'published',
      audience: { userIds: [member!.id], unitIds: [], roles: [] },
      plan,
      createdById: trainerId,
      createdAt: now,
      updatedAt: now,
    });
  await db.insert(trainingInvitations).values({ sessionId: trainingId, userId: member!.id, invitedAt: now });
  await database.close();
  return dataDir;
}

/** Rates item `n` by clicking its radio as a person would (by the group's and the radio's names). */
async function rate(page: Page, n: number, value: number, itemText: string) {
  const name = value === 1 ? '1 差' : value === 4 ? '4 中' : value === 7 ? '7 好' : String(value);
  await page
    .getByRole('group', { name: `${n}. ${itemText}` })
    .getByRole('radio', { name, exact: true })
    .check();
}

const items = [
  '培训目标已达到？',
  '教师讲解技巧如何？',
  '是否鼓励培训人员参与课堂教学？',
  '是否很好地回答培训人员的提问？',
  '讲课内容是否丰富，吸引人？',
  '知识面是否宽广？',
  '所讲内容是否切题？',
  '培训内容对自身全面发展是否有启发？',
  '培训内容是否紧密结合实际？',
  '培训内容能应用到岗位上？',
  '教师对所讲内容掌握得深、理解得透？',
  '讲义编写质量？',
  '整体上，您对这次课程的满意程度是？',
];

/** Whether the page is wider than the screen (a phone would scroll sideways). */
const scrollsSideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);

beforeAll(async () => {
  const dataDir = await prepareDataDir();
  ({ server, stop } = await startTestServer({ DATABASE_URL: undefined, DATA_DIR: dataDir }));
  if (hasChromium) browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stop?.();
});

describe.skipIf(!hasChromium)('the training feedback form (培训效果评估表) in Chromium', () => {
  it('the trainer opens a form, an attendee fills it on a phone, a link holder too, and the trainer sees the results with the chart', async () => {
    const signedIn = (email: string, p: string, width?: number) =>
      openAt(browser, server.url, p, { width, height: 844, signIn: { email, password: passwords[email]! } });

    // The trainer opens the 结业 form of the training.
    const trainer = await signedIn('trainer@demo.dayi', `/training/${trainingId}/feedback`);
    expect(await trainer.page.getByRole('heading', { level: 1 }).textContent()).toBe('培训效果评估');
    expect(await seriousA11yViolations(trainer.page)).toEqual([]);
    await trainer.page.getByLabel('评估阶段').selectOption({ label: '结业' });
    await submitAndWait(trainer.page, '开放评估表');
    const formPath = new URL(trainer.page.url()).pathname;
    const formId = formPath.split('/').pop()!;
    expect(await trainer.page.getByRole('status').textContent()).toContain('评估表已开放');
    expect(await trainer.page.getByRole('img', { name: '评估链接二维码' }).count()).toBe(1);
    expect(await seriousA11yViolations(trainer.page)).toEqual([]);

    // Two single-use links, shown once as a printable list with QR codes.
    await trainer.page.getByRole('link', { name: '一次性评估链接' }).click();
    await trainer.page.getByLabel('生成数量').fill('2');
    await submitAndWait(trainer.page, '生成链接');
    expect(await trainer.page.getByRole('status').textContent()).toContain('已生成 2 个一次性链接');
    const linkUrls = await trainer.page.locator('.links .url').allTextContents();
    expect(linkUrls).toHaveLength(2);
    expect(await trainer.page.getByRole('img', { name: /评估链接二维码 第 \d 份/ }).count()).toBe(2);
    expect(await seriousA11yViolations(trainer.page)).toEqual([]);

    // The invited member, on a 390 px phone: one item left out is refused in Chinese, and what was filled in stays.
    const member = await signedIn('member@demo.dayi', `/feedback/${formId}`, 390);
    const mp = member.page;
    expect(await mp.getByRole('heading', { level: 1 }).textContent()).toBe('培训效果评估表');
    expect(await scrollsSideways(mp)).toBe(false);
    expect(await seriousA11yViolations(mp)).toEqual([]);
    for (let n = 1; n <= 12; n++) await rate(mp, n, n === 2 ? 3 : 6, items[n - 1]!);
    await mp.getByLabel('其他意见').fill('希望增加上机实操时间');
    await submitAndWait(mp, '提交评估表');
    expect(await mp.getByRole('alert').textContent()).toContain('还有 1 个题目没有打分');
    expect(await mp.locator('#r13-error').textContent()).toBe('请为第 13 题打分（1–7 分）。');
    expect(
      await mp
        .getByRole('group', { name: `1. ${items[0]}` })
        .getByRole('radio', { name: '6', exact: true })
        .isChecked(),
    ).toBe(true);
    expect(await mp.getByLabel('其他意见').inputValue()).toBe('希望增加上机实操时间');
    expect(await scrollsSideways(mp)).toBe(false);
    expect(await seriousA11yViolations(mp)).toEqual([]);
    await rate(mp, 13, 4, items[12]!);
    await submitAndWait(mp, '提交评估表');
    // 11 × 6 + 3 + 4 = 73; 73 × 100 / 91 = 80.2
    expect(await mp.getByRole('heading', { level: 1 }).textContent()).toBe('感谢您的评估');
    expect(await mp.locator('.score').textContent()).toContain('本表得分：80.2 分');
    expect(await seriousA11yViolations(mp)).toEqual([]);
    await mp.screenshot({ path: '/tmp/feedback-phone-thanks.png', fullPage: true });
    await member.context.close();

    // A link holder, not signed in, also on a phone: all 7s make 100; the link then only thanks.
    const linkPath = new URL(linkUrls[0]!).pathname;
    const anon = await openAt(browser, server.url, linkPath, { width: 390, height: 844 });
    for (let n = 1; n <= 13; n++) await rate(anon.page, n, 7, items[n - 1]!);
    await anon.page.getByLabel('姓名（选填）').fill('=HYPERLINK("x")');
    await submitAndWait(anon.page, '提交评估表');
    expect(await anon.page.locator('.score').textContent()).toContain('100.0 分');
    await anon.page.goto(`${server.url}${linkPath}`);
    expect(await anon.page.getByRole('heading', { level: 1 }).textContent()).toBe('感谢您的评估');
    expect(await anon.page.locator('form.feedback-form').count()).toBe(0);
    await anon.context.close();

    // The trainer's results: count, score, items, the chart as an image with its numbers, the comments.
    await trainer.page.goto(`${server.url}${formPath}`);
    const results = trainer.page;
    expect(await results.locator('.headline').textContent()).toMatch(/回收份数\s*2.*讲师总得分\s*90\.1/s);
    const chart = results.getByRole('img', { name: '评估表得分分布' });
    expect(await chart.count()).toBe(1);
    expect(await chart.locator('rect.bar').count()).toBe(5);
    expect(await results.getByRole('row', { name: /2\. 教师讲解技巧如何？/ }).textContent()).toContain('5.0');
    expect(await results.getByText('希望增加上机实操时间').count()).toBe(1);
    expect(await seriousA11yViolations(results)).toEqual([]);
    await results.screenshot({ path: '/tmp/feedback-results.png', fullPage: true });

    // The CSV, as Excel gets it.
    const cookie = (await trainer.context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const csv = await fetch(`${server.url}${formPath}/export`, { headers: { Cookie: cookie } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent('培训效果评估-信用信息报送培训-结业.csv')}`);
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').trimEnd().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^提交时间,第1题 培训目标已达到？,/);
    expect(lines[2]).toContain(`"'=HYPERLINK(""x"")"`);

    // The trainer's own results across trainings.
    await trainer.page.goto(`${server.url}/feedback/trainer/${trainerId}`);
    expect(await trainer.page.getByRole('heading', { level: 1 }).textContent()).toBe('讲师评估结果：赵讲师');
    expect(await trainer.page.getByRole('img', { name: '评估表得分分布' }).count()).toBe(1);
    expect(await seriousA11yViolations(trainer.page)).toEqual([]);
    await trainer.context.close();
  }, 180_000);

  it('refuses a cross-site post to a link, keeps other trainers and members out of a training’s results', async () => {
    const res = await fetch(`${server.url}/feedback/link/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Origin: 'http://evil.example', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'r1=7',
    });
    expect(res.status).toBe(403);
    const login = await fetch(`${server.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'member@demo.dayi', password: passwords['member@demo.dayi']! }),
    });
    const cookie = /dayi_session=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')![1];
    const asMember = await fetch(`${server.url}/training/${trainingId}/feedback`, { redirect: 'manual', headers: { Cookie: `dayi_session=${cookie}` } });
    expect(asMember.status).toBe(403);
    const theirs = await fetch(`${server.url}/feedback/trainer/${trainerId}`, { redirect: 'manual', headers: { Cookie: `dayi_session=${cookie}` } });
    expect(theirs.status).toBe(403);
    expect((await fetch(`${server.url}/feedback/link/no-such-token-at-all-000000`)).status).toBe(404);
  });
});
