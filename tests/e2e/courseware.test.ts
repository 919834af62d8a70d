import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRoot } from '../../src/server/shared/paths.ts';
import { seriousA11yViolations } from '../helpers/axe.ts';
import { launchChromium, openAt, submitAndWait } from '../helpers/browser.ts';
import { demoPasswords, keptMailTo, sessionCookie } from '../helpers/http.ts';
import { hasChromium, type RunningServer } from '../helpers/server.ts';
import { startTestServer } from '../helpers/test-server.ts';
import { tempDir } from '../helpers/tmp.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * Courseware through the built server: a copy of the shipped content (the
 * web writes into CONTENT_DIR, never into the checkout) with the demo files
 * in FILES_DIR, plus one staff-only course. Demo accounts sign in.
 */
let server: RunningServer;
let stop: () => Promise<void>;
let passwords: Record<string, string>;
let browser: Browser | undefined;
let contentDir: string;
let filesDir: string;
const cookies: Record<string, string> = {};
const PDF_V32 = path.join(appRoot(), 'demo/files/courseware/data-reporting/v3.2/data-reporting-v3.2.pdf');
const pdfSize = readFileSync(PDF_V32).length;

const signIn = (email: string) => sessionCookie(server.url, email, passwords[email]!);
const get = (url: string, cookie?: string, headers: Record<string, string> = {}) => fetch(`${server.url}${url}`, { redirect: 'manual', headers: { ...headers, ...(cookie ? { Cookie: cookie } : {}) } });
const downloads = async (slug: string, version: string) => {
  const html = await (await get(`/courseware/${slug}`, cookies.trainer)).text();
  return Number(new RegExp(`data-downloads="${version.replace('.', '\\.')}"[^>]*>(\\d+)<`).exec(html)?.[1]);
};
const incoming = () => (existsSync(path.join(filesDir, 'incoming')) ? readdirSync(path.join(filesDir, 'incoming')) : []);

beforeAll(async () => {
  contentDir = tempDir('dayi-e2e-content');
  filesDir = tempDir('dayi-e2e-files');
  cpSync(path.join(appRoot(), 'content'), contentDir, { recursive: true });
  cpSync(path.join(appRoot(), 'demo/files'), filesDir, { recursive: true });
  const staff = readFileSync(path.join(contentDir, 'courseware/credit-repair.md'), 'utf8').replace('title: 信用修复业务指引', 'title: 信用修复系统运维手册').replace('access: member', 'access: staff');
  writeFileSync(path.join(contentDir, 'courseware/ops-manual.md'), staff);
  ({ server, stop } = await startTestServer({ DATABASE_URL: undefined, CONTENT_DIR: contentDir, FILES_DIR: filesDir }));
  passwords = await demoPasswords(server);
  cookies.member = await signIn('member@demo.dayi');
  cookies.engineer = await signIn('engineer1@demo.dayi');
  cookies.trainer = await signIn('trainer@demo.dayi');
  if (hasChromium) browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await stop?.();
});

describe('courseware downloads', () => {
  it('lets each role download what the course access allows', async () => {
    const cases: [string, string | undefined, number][] = [
      ['/courseware/data-reporting/download/v3.2', undefined, 200],
      ['/courseware/credit-repair/download/v1.1', undefined, 303],
      ['/courseware/credit-repair/download/v1.1', cookies.member, 200],
      ['/courseware/ops-manual/download/v1.1', cookies.member, 403],
      ['/courseware/ops-manual/download/v1.1', cookies.engineer, 200],
      ['/courseware/data-reporting/download/v9.9', undefined, 404],
      ['/courseware/data-reporting/download/..%2F..%2Fetc', undefined, 404],
    ];
    const got = [];
    for (const [url, cookie] of cases) {
      const res = await get(url, cookie);
      await res.arrayBuffer();
      got.push(res.status);
    }
    expect(got).toEqual(cases.map((c) => c[2]));
    expect((await get('/courseware/credit-repair/download/v1.1')).headers.get('location')).toBe(`/login?next=${encodeURIComponent('/courseware/credit-repair')}`);
  });

  it('names the file in Chinese (RFC 5987), tags it with its sha256 and honours single ranges only', async () => {
    const url = '/courseware/data-reporting/download/v3.2';
    const whole = await get(url);
    expect(whole.headers.get('content-disposition')).toBe(`attachment; filename="${'_'.repeat(11)}-v3.2.pdf"; filename*=UTF-8''${encodeURIComponent('双公示数据报送操作教程-v3.2.pdf')}`);
    expect(whole.headers.get('etag')).toBe('"d0b2422afef3b74cc17e5dc0b09dabc0cfbf633176c22f7de32a81977be9a6ef"');
    expect(whole.headers.get('content-type')).toBe('application/pdf');
    expect(whole.headers.get('last-modified')).toBeTruthy();
    expect(Buffer.from(await whole.arrayBuffer())).toEqual(readFileSync(PDF_V32));

    const part = await get(url, undefined, { Range: 'bytes=100-199' });
    expect([part.status, part.headers.get('content-range'), (await part.arrayBuffer()).byteLength]).toEqual([206, `bytes 100-199/${pdfSize}`, 100]);
    const beyond = await get(url, undefined, { Range: `bytes=${pdfSize + 10}-` });
    await beyond.arrayBuffer();
    expect([beyond.status, beyond.headers.get('content-range')]).toEqual([416, `bytes */${pdfSize}`]);
    const several = await get(url, undefined, { Range: 'bytes=0-1,5-6' });
    expect([several.status, (await several.arrayBuffer()).byteLength]).toEqual([200, pdfSize]);
    const cached = await get(url, undefined, { 'If-None-Match': whole.headers.get('etag')! });
    expect(cached.status).toBe(304);
  });

  it('counts a whole download or the first piece of a resumed one, not every piece', async () => {
    const before = await downloads('report-templates', 'v1.1');
    const url = '/courseware/report-templates/download/v1.1';
    for (const range of [undefined, 'bytes=0-99', 'bytes=100-', 'bytes=99999-']) await (await get(url, cookies.member, range ? { Range: range } : {})).arrayBuffer();
    expect((await downloads('report-templates', 'v1.1')) - before).toBe(2);
  });
});

describe('publishing versions over HTTP', () => {
  it('leaves no file and no version when the upload is cut off mid-file', async () => {
    const page = await (await get('/courseware/data-reporting/versions', cookies.trainer)).text();
    expect(page).toContain('发布新版本');
    const boundary = '----dayi' + Date.now();
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="version"\r\n\r\nv9.0\r\n--${boundary}\r\nContent-Disposition: form-data; name="changelog"\r\n\r\n中断\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="tutorial.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
    );
    const url = new URL(server.url);
    await new Promise<void>((resolve) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write(
          `POST /courseware/data-reporting/versions HTTP/1.1\r\nHost: ${url.host}\r\nOrigin: ${server.url}\r\nCookie: ${cookies.trainer}\r\n` +
            `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${head.length + 100_000}\r\n\r\n`,
        );
        socket.write(head);
        socket.write(readFileSync(PDF_V32).subarray(0, 400));
        setTimeout(() => socket.destroy(), 300);
      });
      socket.on('close', () => resolve());
      socket.on('error', () => {});
    });
    await waitFor(() => (incoming().length === 0 ? true : undefined), 5_000);
    expect(existsSync(path.join(filesDir, 'courseware/data-reporting/v9.0'))).toBe(false);
    expect(readFileSync(path.join(contentDir, 'courseware/data-reporting.md'), 'utf8')).not.toContain('v9.0');
  });

  it('refuses a renamed program with a clear message and keeps the form', async () => {
    const form = new FormData();
    form.append('version', 'v9.1');
    form.append('changelog', '测试');
    form.append('file', new Blob([Buffer.concat([Buffer.from('MZ'), Buffer.alloc(62), Buffer.from('PE\0\0'), Buffer.alloc(300, 1)])]), '教程.pdf');
    const res = await fetch(`${server.url}/courseware/data-reporting/versions`, { method: 'POST', redirect: 'manual', body: form, headers: { Origin: server.url, Cookie: cookies.trainer! } });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('内容与文件类型不符');
    expect(html).toContain('value="v9.1"');
    expect(existsSync(path.join(filesDir, 'courseware/data-reporting/v9.1'))).toBe(false);
  });
});

describe.skipIf(!hasChromium)('courseware in the browser', () => {
  it('a trainer uploads a version; a following member sees 已更新, is mailed, and downloads it', async () => {
    // The member looks at the course (at v3.2) and follows it.
    // Signed in through a page that asks for it (a course page shows a sign-in link instead).
    const member = await openAt(browser!, server.url, '/account', { width: 390, height: 844, signIn: { email: 'member@demo.dayi', password: passwords['member@demo.dayi']! } });
    await member.page.goto(`${server.url}/courseware/data-reporting`);
    await submitAndWait(member.page, '关注此课件');
    expect(await member.page.getByRole('status').textContent()).toContain('已关注');
    expect(await seriousA11yViolations(member.page)).toEqual([]);
    await member.page.goto(`${server.url}/courseware`);
    expect(await member.page.locator('.badge').count()).toBe(0);

    const trainer = await openAt(browser!, server.url, '/courseware/data-reporting/versions', { signIn: { email: 'trainer@demo.dayi', password: passwords['trainer@demo.dayi']! } });
    expect(await seriousA11yViolations(trainer.page)).toEqual([]);
    await trainer.page.getByLabel('课件文件').setInputFiles({ name: '操作教程.pdf', mimeType: 'application/pdf', buffer: readFileSync(PDF_V32) });
    await trainer.page.getByLabel('版本号').fill('v3.3');
    await trainer.page.getByLabel('更新说明').fill('第 5 章：新增批量撤回说明。');
    await submitAndWait(trainer.page, '上传并发布');
    expect(new URL(trainer.page.url()).pathname).toBe('/courseware/data-reporting');
    expect(await trainer.page.getByRole('status').textContent()).toContain('已发布 v3.3，已通知 1 位关注者');
    expect(await trainer.page.getByRole('heading', { level: 2, name: /当前版本 v3\.3/ }).count()).toBe(1);

    expect(await keptMailTo(server.dataDir, 'member@demo.dayi', (s) => s.includes('课件更新'))).toContain('第 5 章：新增批量撤回说明。');

    await member.page.goto(`${server.url}/courseware`);
    const card = member.page.locator('li.card', { hasText: '双公示数据报送操作教程' });
    expect(await card.locator('.badge').textContent()).toBe('已更新');
    expect(await seriousA11yViolations(member.page)).toEqual([]);
    await card.getByRole('link', { name: '双公示数据报送操作教程' }).click();
    await member.page.waitForLoadState('load');
    const [download] = await Promise.all([member.page.waitForEvent('download'), member.page.getByRole('link', { name: '下载当前版本' }).click()]);
    expect(download.suggestedFilename()).toBe('双公示数据报送操作教程-v3.3.pdf');
    expect(readFileSync((await download.path())!)).toEqual(readFileSync(PDF_V32));
    await member.page.goto(`${server.url}/courseware`);
    expect(await member.page.locator('.badge').count()).toBe(0);
    await member.context.close();
    await trainer.context.close();
  }, 120_000);

  it('a trainer creates a course from the web; the form is accessible at phone width', async () => {
    const { page, context } = await openAt(browser!, server.url, '/courseware/new', { width: 390, height: 844, signIn: { email: 'trainer@demo.dayi', password: passwords['trainer@demo.dayi']! } });
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.getByLabel('标题').fill('信用报告查询操作说明');
    await page.getByLabel('地址名').fill('credit-report');
    await page.getByLabel('课件文件').setInputFiles(path.join(appRoot(), 'demo/files/courseware/report-templates/v1.0/report-templates-v1.0.xlsx'));
    await submitAndWait(page, '创建课件');
    expect(new URL(page.url()).pathname).toBe('/courseware/credit-report');
    expect(await page.getByRole('status').textContent()).toContain('首个版本 v1.0 已发布');
    expect(readFileSync(path.join(contentDir, 'courseware/credit-report.md'), 'utf8')).toContain('name: 信用报告查询操作说明-v1.0.xlsx');
    await context.close();
  }, 60_000);
});
