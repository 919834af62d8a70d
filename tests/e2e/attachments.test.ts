import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openAt } from '../helpers/browser.ts';
import { demoPasswords, keptMailTo, rawRequest, sessionCookie } from '../helpers/http.ts';
import { hasChromium, type RunningServer } from '../helpers/server.ts';
import { startTestServer } from '../helpers/test-server.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * Attachments through the built server (demo mode, so the demo accounts
 * exist), with small limits to test them: 1 MB a file, 3 a question. Files
 * are posted as browsers post them (multipart), streamed to FILES_DIR by the
 * front handler, checked by content, and served only to who may see them.
 */
let server: RunningServer;
let stop: () => Promise<void>;
let passwords: Record<string, string>;
let browser: Browser | undefined;
const cookies: Record<string, string> = {};

// Smallest valid files of each kind the checks look at.
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082', 'hex');
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(62), Buffer.from('PE\0\0'), Buffer.alloc(200, 1)]);
const LOG = Buffer.from('2026-11-25 09:00:01 ERROR 导出失败：连接超时\n', 'utf8');

const incoming = () => {
  try {
    return readdirSync(path.join(server.dataDir, 'files', 'incoming'));
  } catch {
    return [];
  }
};
/** The incoming folder once the last response's leftovers are removed (that happens as the response closes, just after the client has it). */
const incomingSettled = () => waitFor(() => (incoming().length === 0 ? [] : undefined), 5_000).catch(() => incoming());

const signIn = (email: string) => sessionCookie(server.url, email, passwords[email]!);

function askForm(fields: Record<string, string>, files: [string, Buffer][]): FormData {
  const form = new FormData();
  const all = { kind: 'consult', title: '导出报错', body: '导出信用报告时报错，日志和截图见附件。', email: 'clerk@example.cn', ...fields };
  for (const [k, v] of Object.entries(all)) form.append(k, v);
  for (const [name, bytes] of files) form.append('attachments', new Blob([new Uint8Array(bytes)]), name);
  return form;
}

const post = (to: string, body: FormData, cookie?: string) =>
  fetch(`${server.url}${to}`, { method: 'POST', redirect: 'manual', body, headers: { Origin: server.url, ...(cookie ? { Cookie: cookie } : {}) } });

/** Asks anonymously with files; returns the tracking page path. */
async function ask(files: [string, Buffer][], fields: Record<string, string> = {}): Promise<string> {
  const res = await post('/ask', askForm(fields, files));
  expect(res.status).toBe(303);
  return new URL(res.headers.get('location')!, server.url).pathname;
}

const fileLinks = async (page: string, cookie?: string) =>
  [...(await (await fetch(`${server.url}${page}`, { headers: cookie ? { Cookie: cookie } : {} })).text()).matchAll(/href="([^"]+\/files\/[0-9a-f-]{36})"/g)].map((m) => m[1]!);

beforeAll(async () => {
  ({ server, stop } = await startTestServer({ DATABASE_URL: undefined, ATTACHMENT_MAX_MB: '1', ATTACHMENTS_PER_QUESTION: '3' }));
  passwords = await demoPasswords(server);
  for (const email of ['member@demo.dayi', 'engineer1@demo.dayi', 'trainer@demo.dayi']) cookies[email] = await signIn(email);
  if (hasChromium) browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await stop?.();
});

describe('attachments', () => {
  it('keeps a Chinese file name, checks content, and serves the file back byte for byte by the tracking link', async () => {
    const track = await ask([
      ['登录报错截图.png', PNG],
      ['错误日志.log', LOG],
    ]);
    const links = await fileLinks(track);
    expect(links).toHaveLength(2);
    const shot = await fetch(`${server.url}${links[0]}`);
    expect(shot.status).toBe(200);
    expect(shot.headers.get('content-type')).toBe('image/png');
    expect(shot.headers.get('x-content-type-options')).toBe('nosniff');
    expect(shot.headers.get('content-disposition')).toBe(`inline; filename="______.png"; filename*=UTF-8''${encodeURIComponent('登录报错截图.png')}`);
    expect(Buffer.from(await shot.arrayBuffer()).equals(PNG)).toBe(true);
    const log = await fetch(`${server.url}${links[1]}`);
    expect(log.headers.get('content-disposition')).toMatch(/^attachment; .*filename\*=UTF-8''%E9%94%99%E8%AF%AF%E6%97%A5%E5%BF%97\.log$/);
    expect(await log.text()).toBe(LOG.toString('utf8'));
    // The JSON of the tracking link lists them with absolute links.
    const json = (await (await fetch(`${server.url}${track}`, { headers: { Accept: 'application/json' } })).json()) as { timeline: { attachments: { name: string; url: string }[] }[] };
    expect(json.timeline[0]!.attachments.map((a) => a.name)).toEqual(['登录报错截图.png', '错误日志.log']);
    expect(json.timeline[0]!.attachments[0]!.url).toBe(`${server.url}${links[0]}`);
    expect(await incomingSettled()).toEqual([]);
  });

  it('refuses a program renamed to .pdf, a file over the limit and too many files, keeping the typed text and storing nothing', async () => {
    const renamed = await post('/ask', askForm({ title: '改名的程序' }, [['报告.pdf', EXE]]));
    expect(renamed.status).toBe(400);
    const page = await renamed.text();
    expect(page).toContain('“报告.pdf”的内容与文件类型不符');
    expect(page).toContain('value="改名的程序"');
    expect(page).toContain('请重新选择');

    const big = await post('/ask', askForm({}, [['大表格.csv', Buffer.alloc(1024 * 1024 + 10, 'a')]]));
    expect(big.status).toBe(400);
    expect(await big.text()).toContain('“大表格.csv”超过 1 MB');

    const many = await post('/ask', askForm({}, [1, 2, 3, 4].map((i) => [`截图${i}.png`, PNG] as [string, Buffer])));
    expect(many.status).toBe(400);
    expect(await many.text()).toContain('一次最多上传 3 个附件');

    const unknown = await post('/ask', askForm({}, [['安装包.msi', Buffer.from('not really')]]));
    expect(await unknown.text()).toContain('“安装包.msi”的文件类型不支持');
    expect(await incomingSettled()).toEqual([]);
    // Nothing but the demo content's own files (copied at start) outside the incoming folder.
    const listed = readdirSync(path.join(server.dataDir, 'files')).filter((d) => !['incoming', 'attachments', 'courseware', 'videos'].includes(d));
    expect(listed).toEqual([]);
  });

  it('refuses a body over the whole limit before reading it (413)', async () => {
    const res = await rawRequest(server.url, {
      method: 'POST',
      path: '/ask',
      headers: { 'Content-Type': 'multipart/form-data; boundary=x', 'Content-Length': String(4 * 1024 * 1024), Origin: server.url },
      body: '',
    });
    expect(res.status).toBe(413);
  });

  it('counts follow-up files against the question, and a follow-up may be files only', async () => {
    const track = await ask([['一.png', PNG]]);
    const q = await (await fetch(`${server.url}${track}`, { headers: { Accept: 'application/json' } })).text();
    expect(q).toContain('一.png');
    const version = async () => /name="version" value="(\d+)"/.exec(await (await fetch(`${server.url}${track}`)).text())![1]!;
    const followup = (files: [string, Buffer][], v: string) => {
      const f = new FormData();
      f.append('action', 'followup');
      f.append('version', v);
      f.append('body', '');
      for (const [name, bytes] of files) f.append('attachments', new Blob([new Uint8Array(bytes)]), name);
      return post(track, f);
    };
    expect((await followup([['二.log', LOG], ['三.png', PNG]], await version())).status).toBe(303);
    expect(await fileLinks(track)).toHaveLength(3);
    const over = await followup([['四.png', PNG]], await version());
    expect(over.status).toBe(400);
    expect(await over.text()).toContain('每个问题最多 3 个附件（已上传 3 个）');
    // Nothing typed and nothing attached is still refused.
    expect((await followup([], await version())).status).toBe(400);
  });

  it('shows files only to who may see the question; an internal note\'s files only to engineers', async () => {
    const member = cookies['member@demo.dayi']!;
    const engineer = cookies['engineer1@demo.dayi']!;
    const asked = await post('/ask', askForm({ email: 'member@demo.dayi' }, [['成员截图.png', PNG]]), member);
    const track = new URL(asked.headers.get('location')!, server.url).pathname;
    const number = /问题编号 (\d{8}-\d{4})/.exec(await (await fetch(`${server.url}${track}`)).text())![1]!;
    const memberFile = (await fileLinks(`/questions/${number}`, member))[0]!;
    expect(memberFile).toMatch(new RegExp(`^/questions/${number}/files/`));

    const deskPage = await (await fetch(`${server.url}/desk/${number}`, { headers: { Cookie: engineer } })).text();
    const note = new FormData();
    note.append('action', 'note');
    note.append('version', /name="version" value="(\d+)"/.exec(deskPage)![1]!);
    note.append('body', '内部：用户环境的配置截图');
    note.append('attachments', new Blob([new Uint8Array(PNG)]), '内部配置.png');
    expect((await post(`/desk/${number}`, note, engineer)).status).toBe(303);
    const deskFiles = await fileLinks(`/desk/${number}`, engineer);
    expect(deskFiles).toHaveLength(2);
    const noteFile = deskFiles.find((f) => f !== memberFile)!;

    const get = (url: string, cookie?: string) => fetch(`${server.url}${url}`, { redirect: 'manual', headers: cookie ? { Cookie: cookie } : {} });
    expect((await get(noteFile, engineer)).status).toBe(200);
    expect((await get(memberFile, engineer)).status).toBe(200);
    expect((await get(memberFile, member)).status).toBe(200);
    expect((await get(noteFile, member)).status).toBe(404);
    expect(await fileLinks(`/questions/${number}`, member)).toEqual([memberFile]);
    expect((await get(memberFile, cookies['trainer@demo.dayi'])).status).toBe(404);
    expect((await get(memberFile)).status).toBe(303);
    // By the tracking link: the question's public files only, and not another question's.
    const byToken = (f: string) => `${track}/files/${f.split('/').pop()}`;
    expect((await get(byToken(memberFile))).status).toBe(200);
    expect((await get(byToken(noteFile))).status).toBe(404);
    const otherTrack = await ask([]);
    expect((await get(`${otherTrack}/files/${memberFile.split('/').pop()}`)).status).toBe(404);
  });

  it('mails a reply\'s file names to the asker and lists the files under the reply', async () => {
    const engineer = cookies['engineer1@demo.dayi']!;
    const track = await ask([], { email: 'files-reply@example.cn', title: '需要补丁' });
    const number = /问题编号 (\d{8}-\d{4})/.exec(await (await fetch(`${server.url}${track}`)).text())![1]!;
    const deskPage = await (await fetch(`${server.url}/desk/${number}`, { headers: { Cookie: engineer } })).text();
    const reply = new FormData();
    reply.append('action', 'reply');
    reply.append('version', /name="version" value="(\d+)"/.exec(deskPage)![1]!);
    reply.append('body', '请按附件中的日志说明操作。');
    reply.append('attachments', new Blob([new Uint8Array(LOG)]), '操作说明.txt');
    expect((await post(`/desk/${number}`, reply, engineer)).status).toBe(303);
    const mail = await keptMailTo(server.dataDir, 'files-reply@example.cn', (s) => s.startsWith('回复'));
    expect(mail).toContain('附件（请在问题页面下载）：操作说明.txt');
    expect(await fileLinks(track)).toHaveLength(1);
  });
});

describe.skipIf(!hasChromium)('attachments in Chromium', () => {
  it('a member attaches a screenshot when asking and sees it on the question page', async () => {
    const { context, page } = await openAt(browser!, server.url, '/my/questions', { signIn: { email: 'member@demo.dayi', password: passwords['member@demo.dayi']! } });
    await page.goto(`${server.url}/ask`);
    await page.getByRole('radio', { name: /技术咨询/ }).check();
    await page.getByLabel('标题').fill('带截图的问题');
    await page.getByLabel('问题描述').fill('截图里是报错的页面。');
    await page.getByLabel('附件（可选）').setInputFiles([{ name: '报错页面.png', mimeType: 'image/png', buffer: PNG }]);
    await page.getByRole('button', { name: '提交问题' }).click();
    await page.waitForURL(/\/track\//);
    const link = page.getByRole('link', { name: '报错页面.png' });
    expect(await link.count()).toBe(1);
    const download = await fetch(new URL((await link.getAttribute('href'))!, server.url));
    expect(download.status).toBe(200);
    await context.close();
  });
});
