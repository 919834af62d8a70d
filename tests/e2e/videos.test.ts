import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRoot } from '../../src/server/shared/paths.ts';
import { seriousA11yViolations } from '../helpers/axe.ts';
import { launchChromium, openAt } from '../helpers/browser.ts';
import { demoPasswords, sessionCookie } from '../helpers/http.ts';
import { hasChromium, type RunningServer } from '../helpers/server.ts';
import { startTestServer } from '../helpers/test-server.ts';
import { tempDir } from '../helpers/tmp.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * Training videos through the built server, on a copy of the shipped content
 * and demo files: who may play what, Range answers, captions in search, an
 * upload from the form (over HTTP and in the browser with its progress bar),
 * and the player's transcript, seeking and remembered position.
 */
let server: RunningServer;
let stop: () => Promise<void>;
let passwords: Record<string, string>;
let browser: Browser | undefined;
let contentDir: string;
let filesDir: string;
const cookies: Record<string, string> = {};
const fixture = (name: string) => path.join(appRoot(), 'tests/fixtures/videos', name);
const DEMO_SIZE = 915280;

const signIn = (email: string) => sessionCookie(server.url, email, passwords[email]!);
const get = (url: string, cookie?: string, headers: Record<string, string> = {}) => fetch(`${server.url}${url}`, { redirect: 'manual', headers: { ...headers, ...(cookie ? { Cookie: cookie } : {}) } });

function uploadForm(fields: Record<string, string>, files: [string, string, string][]): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const [field, file, name] of files) form.append(field, new Blob([readFileSync(file)]), name);
  return form;
}
const post = (url: string, body: FormData, cookie: string) => fetch(`${server.url}${url}`, { method: 'POST', redirect: 'manual', body, headers: { Origin: server.url, Cookie: cookie } });

beforeAll(async () => {
  contentDir = tempDir('dayi-e2e-video-content');
  filesDir = tempDir('dayi-e2e-video-files');
  cpSync(path.join(appRoot(), 'content'), contentDir, { recursive: true });
  cpSync(path.join(appRoot(), 'demo/files'), filesDir, { recursive: true });
  ({ server, stop } = await startTestServer({ DATABASE_URL: undefined, CONTENT_DIR: contentDir, FILES_DIR: filesDir }));
  passwords = await demoPasswords(server);
  cookies.member = await signIn('member@demo.dayi');
  cookies.trainer = await signIn('trainer@demo.dayi');
  if (hasChromium) browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await stop?.();
});

describe('video files', () => {
  it('plays what the video access allows, with Range answers a player seeks by', async () => {
    const cases: [string, string | undefined, number][] = [
      ['/videos/data-reporting-demo/media', undefined, 200],
      ['/videos/credit-repair-demo/media', undefined, 303],
      ['/videos/credit-repair-demo/media', cookies.member, 200],
      ['/videos/credit-repair-demo/captions.vtt', undefined, 303],
      ['/videos/credit-repair-demo', undefined, 403],
      ['/videos/nope/media', undefined, 404],
      ['/videos/data-reporting-demo/poster', undefined, 200],
    ];
    const got = [];
    for (const [url, cookie] of cases) {
      const res = await get(url, cookie);
      await res.arrayBuffer();
      got.push(res.status);
    }
    expect(got).toEqual(cases.map((c) => c[2]));

    const part = await get('/videos/data-reporting-demo/media', undefined, { Range: 'bytes=1000-1999' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1000-1999/${DEMO_SIZE}`);
    expect(part.headers.get('content-type')).toBe('video/mp4');
    expect((await part.arrayBuffer()).byteLength).toBe(1000);
    const beyond = await get('/videos/data-reporting-demo/media', undefined, { Range: `bytes=${DEMO_SIZE}-` });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${DEMO_SIZE}`);

    const vtt = await get('/videos/data-reporting-demo/captions.vtt');
    expect(vtt.headers.get('content-type')).toBe('text/vtt; charset=utf-8');
    expect(await vtt.text()).toContain('00:01:40.000 --> 00:01:45.000\n下面演示如何撤回一条已经报送的行政处罚数据。');
  });

  it('finds a phrase said in a lesson and opens the video at that second', async () => {
    const hit = await waitFor(async () => {
      const res = await get(`/api/search?q=${encodeURIComponent('撤回已经报送的行政处罚数据')}&type=video`);
      const body = (await res.json()) as { hits: { url: string; type: string; section: string; snippet: string }[] };
      return body.hits.find((h) => h.url === '/videos/data-reporting-demo?t=100');
    }, 30_000);
    expect(hit).toMatchObject({ type: 'video', section: '1:40 · 撤回已报送数据' });
    expect(hit.snippet).toContain('撤回');
    // A member-only lesson is not found by a signed-out visitor.
    const anon = (await (await get(`/api/search?q=${encodeURIComponent('信用承诺书模板')}&type=video`)).json()) as { hits: { url: string }[] };
    expect(anon.hits.filter((h) => h.url.startsWith('/videos/credit-repair-demo'))).toEqual([]);
    const member = (await (await get(`/api/search?q=${encodeURIComponent('信用承诺书模板')}&type=video`, cookies.member)).json()) as { hits: { url: string }[] };
    expect(member.hits.some((h) => h.url.startsWith('/videos/credit-repair-demo?t='))).toBe(true);
  });
});

describe('uploading a video', () => {
  it('publishes from the form with SRT captions converted, and refuses a renamed program keeping the form', async () => {
    const fields = { title: '撤回操作短视频', slug: 'withdraw-short', summary: '一分钟看懂撤回。', audience: '', course: 'data-reporting', access: 'public', chapters: '0:00 开场\n0:12 撤回', body: '' };
    const bad = await post('/videos/new', uploadForm({ ...fields, slug: 'bad-one' }, [['video', fixture('lesson.srt'), '程序.mp4']]), cookies.trainer!);
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toContain('内容与文件类型不符');
    expect(html).toContain('value="撤回操作短视频"');
    expect(existsSync(path.join(filesDir, 'videos/bad-one'))).toBe(false);
    expect((await post('/videos/new', uploadForm(fields, []), cookies.member!)).status).toBe(403);

    const res = await post('/videos/new', uploadForm(fields, [['video', fixture('lesson.mp4'), '撤回.mp4'], ['captions', fixture('lesson.srt'), '撤回.srt']]), cookies.trainer!);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/videos/withdraw-short?done=created');
    const page = await (await get('/videos/withdraw-short')).text();
    expect(page).toContain('下面演示如何撤回一条已经报送的行政处罚数据。');
    expect(page).toContain('双公示数据报送操作教程');
    expect(readdirSync(path.join(filesDir, 'videos/withdraw-short')).some((f) => f.startsWith('poster-'))).toBe(true);
    expect(readFileSync(path.join(contentDir, 'videos/withdraw-short.vtt'), 'utf8')).toMatch(/^WEBVTT/);
    await waitFor(() => (readdirSync(path.join(filesDir, 'incoming')).length === 0 ? true : undefined), 5_000);
  });
});

describe.skipIf(!hasChromium)('videos in the browser', () => {
  it('a member opens a search hit at its second, follows the transcript, and comes back where they left off', async () => {
    const member = await openAt(browser!, server.url, '/account', { signIn: { email: 'member@demo.dayi', password: passwords['member@demo.dayi']! } });
    const { page } = member;
    // From a search hit on a phrase said in the lesson, through the click log, to the video at that second.
    await page.goto(`${server.url}/search?q=${encodeURIComponent('撤回已经报送的行政处罚数据')}&type=video`);
    await Promise.all([page.waitForURL((u) => u.pathname === '/videos/data-reporting-demo'), page.getByRole('link', { name: /1:40 · 撤回已报送数据/ }).first().click()]);
    expect(new URL(page.url()).searchParams.get('t')).toBe('100');
    const video = page.locator('video');
    await page.waitForFunction(() => (document.querySelector('video')?.readyState ?? 0) >= 1);
    expect(await video.evaluate((v: HTMLVideoElement) => Math.round(v.currentTime))).toBe(100);
    expect(await seriousA11yViolations(page)).toEqual([]);

    // Clicking a transcript line seeks there and highlights it once playback passes it.
    await page.getByRole('link', { name: /2:10 撤回以后/ }).click();
    await video.evaluate((v: HTMLVideoElement) => {
      v.muted = true;
      return v.play();
    });
    await page.waitForFunction(() => (document.querySelector('video')?.currentTime ?? 0) > 131);
    expect(await page.locator('[data-cue][aria-current="true"]').textContent()).toContain('撤回以后');
    expect(new URL(page.url()).searchParams.get('t')).toBe('130');
    await video.evaluate((v: HTMLVideoElement) => v.pause());
    await page.waitForTimeout(500);

    // Back later without ?t=: the page resumes where playback stopped.
    await page.goto(`${server.url}/videos/data-reporting-demo`);
    const resumed = await page.locator('[data-resumed]').textContent();
    expect(resumed).toMatch(/已从上次观看的位置 2:1\d 继续播放/);
    await page.waitForFunction(() => (document.querySelector('video')?.readyState ?? 0) >= 1);
    expect(await video.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeGreaterThan(130);
    await page.getByRole('link', { name: '从头播放' }).click();
    expect(await video.evaluate((v: HTMLVideoElement) => Math.round(v.currentTime))).toBeLessThan(2);
    await member.context.close();

    // The trainer sees the view counted.
    const trainerPage = await (await get('/videos/data-reporting-demo', cookies.trainer)).text();
    expect(trainerPage).toMatch(/观看 [1-9]\d* 次/);
  });

  it('a trainer uploads with the progress bar and lands on the new video', async () => {
    const trainer = await openAt(browser!, server.url, '/videos/new', { signIn: { email: 'trainer@demo.dayi', password: passwords['trainer@demo.dayi']! } });
    const { page } = trainer;
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByLabel('标题').fill('网页上传的课程');
    await page.getByLabel('地址名').fill('browser-upload');
    await page.getByLabel('成员单位：登录后可以观看').check();
    await page.getByLabel('视频文件').setInputFiles(fixture('lesson.webm'));
    await page.getByLabel('章节（可选）').fill('0:00 开场\n0:03 演示');
    await Promise.all([page.waitForURL((u) => u.pathname === '/videos/browser-upload'), page.getByRole('button', { name: '发布视频' }).click()]);
    expect(await page.getByRole('status').first().textContent()).toContain('视频已发布');
    expect(await page.getByRole('link', { name: /0:03 演示/ }).count()).toBe(1);
    await trainer.context.close();
  });
});
