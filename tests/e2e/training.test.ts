import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLocalDateTime } from '../../src/server/shared/time.ts';
import { seriousA11yViolations } from '../helpers/axe.ts';
import { launchChromium, openAt, submitAndWait } from '../helpers/browser.ts';
import { demoPasswords, keptMailTo } from '../helpers/http.ts';
import { hasChromium, type RunningServer } from '../helpers/server.ts';
import { startTestServer } from '../helpers/test-server.ts';

let server: RunningServer;
let stop: () => Promise<void>;
let passwords: Record<string, string>;
let browser: Browser;

/** A time `minutes` from now as a `datetime-local` field takes it, in the server's zone (APP_TIME_ZONE's default). */
const localIn = (minutes: number) => formatLocalDateTime(new Date(Date.now() + minutes * 60_000), 'Asia/Shanghai');
const signedIn = (email: string, path: string, size: { width?: number; height?: number } = {}) =>
  openAt(browser, server.url, path, { ...size, signIn: { email, password: passwords[email]! } });
/** Pages in a PDF: its /Type /Page objects (not the /Pages tree). */
const pdfPages = (pdf: Buffer) => (pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) ?? []).length;
const fitsPhone = async (page: Page) => expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

beforeAll(async () => {
  ({ server, stop } = await startTestServer({ DATABASE_URL: undefined }));
  passwords = await demoPasswords(server);
  if (hasChromium) browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stop?.();
});

describe('the demo training of embedded demo mode', () => {
  it('is seeded with a lesson running now whose printed code signs the demo member in', async () => {
    const printed = /Demo training: (.+), sign-in code (\d{6})/.exec(server.output());
    expect(printed?.[1]).toBe('示例培训：信用信息报送操作');
    const login = await fetch(`${server.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'member@demo.dayi', password: passwords['member@demo.dayi']! }),
    });
    const cookie = /dayi_session=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')![1];
    const res = await fetch(`${server.url}/training/checkin`, {
      method: 'POST',
      headers: { Origin: server.url, Cookie: `dayi_session=${cookie}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ code: printed![2]! }),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('签到成功');
  });
});

describe.skipIf(!hasChromium)('a training from plan to summary in Chromium', () => {
  let archive = '';
  let code = '';

  it('lets the trainer plan a training, add a lesson happening now and publish the notice to the member', async () => {
    const { context, page } = await signedIn('trainer@demo.dayi', '/training/new');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByLabel('培训名称').fill('信用信息报送操作培训');
    await page.getByLabel('按邮箱邀请（每行一个）').fill('member@demo.dayi');
    await page.getByLabel('组织单位', { exact: true }).fill('市发展改革委');
    await page.getByLabel('培训对象').fill('成员单位用户');
    await page.getByLabel('培训内容').fill('一、信用信息报送流程\n二、常见错误与撤回');
    await page.getByLabel('考核方式').fill('上机操作');
    await page.getByLabel('合格分数').fill('60');
    await submitAndWait(page, '保存草稿');
    expect(await page.getByRole('status').textContent()).toContain('培训方案已保存为草稿');
    archive = new URL(page.url()).pathname;

    // A lesson that ends before it starts is refused next to the field, with what was typed kept.
    await page.locator('#new-startsAt').fill(localIn(-10));
    await page.locator('#new-endsAt').fill(localIn(-20));
    await page.locator('#new-place').fill('三楼培训室');
    await submitAndWait(page, '添加场次');
    expect(await page.locator('#new-endsAt-error').textContent()).toBe('结束时间须晚于开始时间。');
    expect(await page.locator('#new-place').inputValue()).toBe('三楼培训室');
    await page.locator('#new-endsAt').fill(localIn(120));
    await submitAndWait(page, '添加场次');
    expect(await page.getByRole('status').textContent()).toContain('场次已添加');
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.getByRole('link', { name: '通知', exact: true }).click();
    expect(await page.locator('main').textContent()).toContain('通知邮件会发给培训对象中的 1 个在用账号');
    await submitAndWait(page, '发布通知');
    expect(await page.getByRole('status').textContent()).toContain('培训通知已发布');
    expect(await page.locator('table').textContent()).toContain('张成员');
    expect(await keptMailTo(server.dataDir, 'member@demo.dayi', (s) => s.includes('培训通知'))).toContain('信用信息报送操作培训');

    await page.getByRole('link', { name: '签到', exact: true }).click();
    code = (await page.locator('.code').first().textContent())!.trim();
    expect(code).toMatch(/^\d{6}$/);
    expect(await page.getByRole('img', { name: `签到二维码，签到码 ${code}` }).locator('svg').count()).toBe(1);
    await page.screenshot({ path: '/tmp/training-checkin-tab.png', fullPage: true });
    expect(await seriousA11yViolations(page)).toEqual([]);
    await context.close();
  });

  it('signs the member in on a phone 390 px wide with the room’s code, once however often they try', async () => {
    const { context, page } = await signedIn('member@demo.dayi', '/training/checkin', { width: 390, height: 844 });
    await fitsPhone(page);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByLabel('签到码').fill('000000' === code ? '111111' : '000000');
    await submitAndWait(page, '签到');
    expect(await page.getByRole('alert').textContent()).toContain('签到码不正确');
    await page.getByLabel('签到码').fill(code);
    await submitAndWait(page, '签到');
    expect(await page.getByRole('status').textContent()).toContain('签到成功');
    expect(await page.getByRole('status').textContent()).toContain('信用信息报送操作培训');
    await page.screenshot({ path: '/tmp/training-checkin-phone.png', fullPage: true });
    await fitsPhone(page);
    expect(await seriousA11yViolations(page)).toEqual([]);
    // The QR's link fills the code in; signing in again counts once.
    await page.goto(`${server.url}/training/checkin?code=${code}`);
    expect(await page.getByLabel('签到码').inputValue()).toBe(code);
    await submitAndWait(page, '签到');
    expect(await page.getByRole('status').textContent()).toContain('您已签到，无需重复签到');
    // 我的培训 shows the invitation and the sign-in.
    await page.goto(`${server.url}/training`);
    const card = page.locator('.invitation', { hasText: '信用信息报送操作培训' });
    expect(await card.textContent()).toContain('已签到');
    // The lesson is under way: answers closed three days before it, so there is nothing left to confirm.
    expect(await card.textContent()).toContain('确认已于');
    expect(await card.getByRole('button', { name: '参加', exact: true }).count()).toBe(0);
    await fitsPhone(page);
    expect(await seriousA11yViolations(page)).toEqual([]);
    // The training's own page shows the member their invitation, not the archive.
    await card.getByRole('link', { name: '信用信息报送操作培训' }).click();
    await page.waitForURL(`**${archive}`);
    expect(await page.locator('.tabs').count()).toBe(0);
    expect(await page.locator('.invitation').textContent()).toContain('三楼培训室');
    await fitsPhone(page);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await context.close();
  });

  it('records a class question for the desk, answers it from the archive, and marks a failed attendee for a retake', async () => {
    const { context, page } = await signedIn('trainer@demo.dayi', `${archive}?tab=checkin`);
    expect(await page.locator('.lesson').textContent()).toContain('已签到 1 人');
    expect(await page.getByLabel(/张成员/).isChecked()).toBe(true);

    await page.getByRole('link', { name: '问题表' }).click();
    await page.getByLabel('问题', { exact: true }).fill('撤回的数据还能再次报送吗');
    await page.getByLabel('提问学员').selectOption({ label: '张成员（示例成员单位）' });
    await submitAndWait(page, '登记问题');
    expect(await page.getByRole('status').textContent()).toContain('问题已登记');
    const item = page.locator('.questions li').first();
    expect(await item.textContent()).toContain('提问：张成员 · 处理中');
    const number = (await item.locator('strong').textContent())!.trim();
    expect(await seriousA11yViolations(page)).toEqual([]);

    // The engineers see it on the desk like any other question, channel 培训.
    const desk = await signedIn('engineer1@demo.dayi', `/desk/${number}`);
    expect(await desk.page.locator('main').textContent()).toContain('撤回的数据还能再次报送吗');
    expect(await desk.page.locator('main').textContent()).toContain('培训');
    await desk.context.close();

    await item.getByText('答复', { exact: true }).click();
    await item.getByLabel('答复内容').fill('可以：撤回后修改，再次报送即可。');
    await submitAndWait(page, '发送答复');
    expect(await page.getByRole('status').textContent()).toContain('答复已发送');
    expect(await page.locator('.questions li').first().textContent()).toContain('可以：撤回后修改，再次报送即可。');
    // The trainee had the receipt of the recorded question, with its tracking link.
    expect(await keptMailTo(server.dataDir, 'member@demo.dayi', (s) => s.includes(number))).toContain('已由讲师 赵讲师 登记');

    await page.getByRole('link', { name: '考核' }).click();
    await page.getByLabel('张成员 的考核结果').selectOption('failed');
    await page.getByLabel('张成员 的成绩').fill('45');
    await submitAndWait(page, '保存');
    expect(await page.locator('tbody').textContent()).toContain('需补考');
    await page.screenshot({ path: '/tmp/training-assessment.png', fullPage: true });
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.goto(`${server.url}/training`);
    expect(await page.locator('table.trainings .retake').first().textContent()).toBe('张成员');
    await context.close();
  });

  it('prints the registration record (培训实施登记表) and the summary report on exactly one A4 page each', async () => {
    const { context, page } = await signedIn('trainer@demo.dayi', `${archive}/register`);
    const sheet = page.locator('.sheet');
    for (const text of ['培训实施登记表', '信用信息报送操作培训', '市发展改革委', '成员单位用户', '实到 1 人（应到 1 人）', '集中授课', '三楼培训室', '赵讲师', '信用信息报送流程'])
      expect(await sheet.textContent()).toContain(text);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/training-register.png', fullPage: true });
    expect(pdfPages(await page.pdf({ format: 'A4', path: '/tmp/training-register.pdf' }))).toBe(1);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header').first().isVisible()).toBe(false);
    // Back to the browser's own media (an emulated 'screen' would also apply to page.pdf).
    await page.emulateMedia({ media: null });

    await page.goto(`${server.url}${archive}/summary`);
    await page.getByLabel('讲师总结和改进建议').fill('学员对撤回操作不熟，下次增加上机练习。');
    await submitAndWait(page, '保存总结');
    const report = page.locator('.sheet');
    for (const text of ['培训总结报告书', '签到率 100%', '参加考核 1 人，合格 0 人，通过率 0%', '仍需补考：张成员', '课上登记问题 1 个，已答复 1 个', '下次增加上机练习'])
      expect(await report.textContent()).toContain(text);
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(pdfPages(await page.pdf({ format: 'A4', path: '/tmp/training-summary.pdf' }))).toBe(1);
    await context.close();
  });

  it('fits a phone 390 px wide on every tab of the archive and both records, without serious accessibility violations', async () => {
    const { context, page } = await signedIn('trainer@demo.dayi', archive, { width: 390, height: 844 });
    for (const path of ['', '?tab=notice', '?tab=checkin', '?tab=questions', '?tab=assessment', '/register', '/summary']) {
      await page.goto(`${server.url}${archive}${path}`);
      await fitsPhone(page);
      expect(await seriousA11yViolations(page)).toEqual([]);
    }
    await context.close();
  });
});
