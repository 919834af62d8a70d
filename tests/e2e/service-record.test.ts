import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLocalDateTime } from '../../src/server/shared/time.ts';
import { seriousA11yViolations } from '../helpers/axe.ts';
import { launchChromium, openAt, submitAndWait } from '../helpers/browser.ts';
import { demoPasswords } from '../helpers/http.ts';
import { hasChromium, type RunningServer } from '../helpers/server.ts';
import { startTestServer } from '../helpers/test-server.ts';

let server: RunningServer;
let stop: () => Promise<void>;
let passwords: Record<string, string>;
let browser: Browser;

/** Reports a fault the way a script would (anonymous, JSON); returns its number and tracking path. */
async function reportFault(title: string): Promise<{ number: string; trackingPath: string }> {
  const res = await fetch(`${server.url}/api/questions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ kind: 'fault', severity: 'B', title, body: `${title}：全单位都一样，已经影响上报。`, email: 'fault-asker@example.cn', name: '赵科长', phone: '010-12345678' }),
  });
  expect(res.status).toBe(201);
  const { number, trackingUrl } = (await res.json()) as { number: string; trackingUrl: string };
  return { number, trackingPath: new URL(trackingUrl).pathname };
}

/** A time `hoursAgo` before now as a `datetime-local` field takes it, in the server's zone (APP_TIME_ZONE's default). */
const localTime = (hoursAgo: number) => formatLocalDateTime(new Date(Date.now() - hoursAgo * 3_600_000), 'Asia/Shanghai');

const signedIn = (email: string, path: string, options: { javaScriptEnabled?: boolean } = {}) =>
  openAt(browser, server.url, path, { ...options, signIn: { email, password: passwords[email]! } });

/** Pages in a PDF: its /Type /Page objects (not the /Pages tree). */
const pdfPages = (pdf: Buffer) => (pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) ?? []).length;

beforeAll(async () => {
  ({ server, stop } = await startTestServer({ DATABASE_URL: undefined }));
  passwords = await demoPasswords(server);
  if (hasChromium) browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stop?.();
});

describe.skipIf(!hasChromium)('the service record (现场服务记录) in Chromium', () => {
  it('fills the record of a fault, shows it on the timeline for engineers only, and prints it on one A4 page', async () => {
    const { number, trackingPath } = await reportFault('信用报告打印时服务器报错');
    const { context, page } = await signedIn('engineer1@demo.dayi', `/desk/${number}`);
    const entry = page.locator('.service-record');
    expect(await entry.textContent()).toContain('未填写');
    await Promise.all([page.waitForURL(`**/desk/${number}/service-record`), entry.getByRole('link', { name: '现场服务记录' }).click()]);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('现场服务记录');
    expect(await seriousA11yViolations(page)).toEqual([]);

    // A departure before the arrival is refused next to the field, with everything typed kept.
    await page.getByLabel('到达时间').fill(localTime(3));
    await page.getByLabel('离开时间').fill(localTime(4));
    await page.getByLabel('故障现象').fill('打印信用报告时提示“服务器错误”，全单位一致。');
    await submitAndWait(page, '保存记录');
    expect(await page.getByRole('alert').textContent()).toContain('提交的内容有误');
    expect(await page.locator('#departedAt-error').textContent()).toBe('离开时间不能早于到达时间。');
    expect(await page.getByLabel('离开时间').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('故障现象').inputValue()).toBe('打印信用报告时提示“服务器错误”，全单位一致。');
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.getByLabel('离开时间').fill(localTime(1));
    await page.getByLabel('诊断结果').fill('报表服务的临时目录写满，生成 PDF 失败。');
    await page.getByLabel('使用的备件或补丁').fill('补丁 RPT-2026-11（报表服务 3.2.1）');
    await page.getByLabel('处理结果').fill('清理临时目录并安装补丁，打印恢复正常。');
    await page.getByLabel('用户确认人').fill('王主任');
    await page.getByLabel('用户确认时间').fill(localTime(1.5));
    await submitAndWait(page, '保存记录');
    expect(new URL(page.url()).search).toBe('?done=saved');
    expect(await page.getByRole('status').textContent()).toContain('现场服务记录已保存。');
    expect(await page.getByLabel('诊断结果').inputValue()).toBe('报表服务的临时目录写满，生成 PDF 失败。');
    expect(await page.getByLabel('服务工程师').locator('option:checked').textContent()).toBe('李一线');
    await page.screenshot({ path: '/tmp/service-record-form.png', fullPage: true });

    // On the desk: the link says it is filled, the timeline names the fields, marked internal.
    await page.goto(`${server.url}/desk/${number}`);
    expect(await page.locator('.service-record').textContent()).toContain('已填写');
    const event = page.locator('.timeline-service_record');
    expect(await event.textContent()).toContain('填写了现场服务记录：服务工程师、到达时间、离开时间、故障现象、诊断结果、使用的备件或补丁、处理结果、用户确认人、用户确认时间');
    expect(await event.textContent()).toContain('仅工程师可见');
    await page.screenshot({ path: '/tmp/service-record-desk.png', fullPage: true });

    // The asker's tracking page (and its JSON) knows nothing of it.
    const tracking = await fetch(`${server.url}${trackingPath}`, { headers: { Accept: 'application/json' } });
    const json = (await tracking.json()) as { timeline: { kind: string }[] };
    expect(json.timeline.map((e) => e.kind)).toEqual(['submitted']);
    expect(JSON.stringify(json)).not.toContain('临时目录');
    expect(await (await fetch(`${server.url}${trackingPath}`)).text()).not.toContain('现场服务记录');

    // The print view: one A4 page with the question, the record and both signature lines.
    await page.goto(`${server.url}/desk/${number}/service-record`);
    await Promise.all([page.waitForURL(/\?print=1$/), page.getByRole('link', { name: '打印', exact: true }).click()]);
    const sheet = page.locator('.sheet');
    for (const text of [number, '信用报告打印时服务器报错', 'B 关键', '赵科长', '010-12345678', '李一线', '报表服务的临时目录写满', 'RPT-2026-11', '王主任', '用户确认签字', '工程师签字'])
      expect(await sheet.textContent()).toContain(text);
    expect(await page.getByRole('button', { name: '打印' }).isVisible()).toBe(true);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/service-record-print.png', fullPage: true });
    const pdf = await page.pdf({ format: 'A4', path: '/tmp/service-record.pdf' });
    expect(pdfPages(pdf)).toBe(1);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header').first().isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: '打印' }).isVisible()).toBe(false);
    await context.close();
  });

  it('keeps a second engineer’s typed record and shows what the first saved, without JavaScript', async () => {
    const { number } = await reportFault('两位工程师同时填写的记录');
    const path = `/desk/${number}/service-record`;
    const first = await signedIn('engineer1@demo.dayi', path);
    const second = await signedIn('engineer2@demo.dayi', path, { javaScriptEnabled: false });
    await first.page.getByLabel('故障现象').fill('第一位工程师看到的现象');
    await submitAndWait(first.page, '保存记录');
    await second.page.getByLabel('诊断结果').fill('第二位工程师的诊断');
    await second.page.getByLabel('离开时间').fill(localTime(1));
    // A refusal for another reason first: the form keeps the version it was opened at, so the next save still notices.
    await submitAndWait(second.page, '保存记录');
    expect(await second.page.locator('#departedAt-error').textContent()).toBe('填写离开时间前，请先填写到达时间。');
    await second.page.getByLabel('离开时间').fill('');
    await submitAndWait(second.page, '保存记录');
    expect(await second.page.getByRole('alert').textContent()).toContain('该问题刚刚被其他人更新过');
    expect(await second.page.getByLabel('诊断结果').inputValue()).toBe('第二位工程师的诊断');
    expect(await second.page.locator('details.latest').textContent()).toContain('第一位工程师看到的现象');
    // The form now carries the current version: saving again goes through, with what this engineer typed.
    await second.page.getByLabel('故障现象').fill('第一位工程师看到的现象');
    await submitAndWait(second.page, '保存记录');
    expect(await second.page.getByRole('status').textContent()).toContain('现场服务记录已保存。');
    expect(await second.page.getByLabel('诊断结果').inputValue()).toBe('第二位工程师的诊断');
    await first.context.close();
    await second.context.close();
  });

  it('fits a phone 390 px wide, form and print view, without serious accessibility violations', async () => {
    const { number } = await reportFault('窄屏检查的故障');
    const { context, page } = await openAt(browser, server.url, `/desk/${number}/service-record`, { width: 390, height: 844, signIn: { email: 'admin@demo.dayi', password: passwords['admin@demo.dayi']! } });
    for (const path of [`/desk/${number}/service-record`, `/desk/${number}/service-record?print=1`]) {
      await page.goto(`${server.url}${path}`);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      expect(await seriousA11yViolations(page)).toEqual([]);
    }
    await context.close();
  });

  it('says a consultation has no service record, and offers no link to one', async () => {
    const res = await fetch(`${server.url}/api/questions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'consult', title: '怎么导出本月报表', body: '想知道在哪里导出本月的报表。', email: 'consult@example.cn' }),
    });
    const { number } = (await res.json()) as { number: string };
    const { context, page } = await signedIn('engineer2@demo.dayi', `/desk/${number}`);
    expect(await page.locator('.service-record').count()).toBe(0);
    await page.goto(`${server.url}/desk/${number}/service-record`);
    expect(await page.locator('main').textContent()).toContain('只有故障申告需要填写现场服务记录。本问题的类型是“技术咨询”。');
    expect(await page.locator('form.record-form').count()).toBe(0);
    await context.close();
  });
});
