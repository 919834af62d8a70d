import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeContent } from '../helpers/content.ts';
import type { RunningServer } from '../helpers/server.ts';
import { startTestServer } from '../helpers/test-server.ts';
import { tempDir } from '../helpers/tmp.ts';

const SECRET = 'meili-master-key-0123456789abcdef';
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const faq = (title: string, body: string, extra = '') => `---\ntitle: ${title}\n${extra}---\n${body}\n`;
const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]'];

let server: RunningServer;
let stop: () => Promise<void>;
let contentDir: string;
let secretFile: string;
let staffCookie: string;

/** Signs in as a seeded demo engineer (embedded demo mode prints the accounts once). */
async function signInStaff(): Promise<string> {
  for (let i = 0; i < 100 && !server.output().includes('engineer1@demo.dayi'); i++) await new Promise((r) => setTimeout(r, 100));
  const password = /^\s+engineer1@demo\.dayi\s+(\S+)/m.exec(server.output())![1]!;
  const res = await fetch(`${server.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: 'engineer1@demo.dayi', password }),
  });
  expect(res.status).toBe(303);
  return /dayi_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1]!;
}

beforeAll(async () => {
  secretFile = path.join(tempDir('dayi-e2e-data'), 'meili-master-key');
  writeFileSync(secretFile, SECRET);
  contentDir = writeContent({
    'faq/internal.md': faq('内部？', '![图](images/internal.png)', 'access: staff\n'),
    'faq/open.md': faq('公开？', '![图](images/open.png)\n\n![表单](images/表单.png)\n\n![后换](images/swapped.png)'),
    'faq/leak.md': faq('泄露？', '![x](x.png)'),
    'faq/bad-image.md': faq('坏图？', '![x](%E0%A4%A.png)'),
    'faq/bomb.md': `---\ntitle: 炸？\n${bomb.join('\n')}\n---\n答。\n`,
    'manuals/m/index.md': '---\ntitle: 手册\n---\n',
    'manuals/m/01-bad-link.md': faq('坏链', '见[甲](%E0%A4%A.md)。'),
  });
  mkdirSync(path.join(contentDir, 'faq/images'), { recursive: true });
  for (const name of ['internal.png', 'open.png', '表单.png', 'swapped.png']) writeFileSync(path.join(contentDir, 'faq/images', name), PNG);
  symlinkSync(secretFile, path.join(contentDir, 'faq/x.png'));
  ({ server, stop } = await startTestServer({ CONTENT_DIR: contentDir, DATABASE_URL: undefined }));
  staffCookie = await signInStaff();
});

afterAll(async () => {
  await stop?.();
});

const get = (url: string, cookie?: string) => fetch(`${server.url}${url}`, { redirect: 'manual', headers: cookie ? { Cookie: `dayi_session=${cookie}` } : {} });

describe('content files over HTTP', () => {
  it('serves an image referenced by a public page to anyone, as image/png', async () => {
    const res = await get('/content-files/faq/images/open.png');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(PNG);
    expect((await get(`/content-files/faq/images/${encodeURIComponent('表单.png')}`)).status).toBe(200);
  });

  it('hides an image referenced only by a staff FAQ from anonymous visitors, and shows it to staff', async () => {
    expect((await get('/content-files/faq/images/internal.png')).status).toBe(404);
    const staff = await get('/content-files/faq/images/internal.png', staffCookie);
    expect(staff.status).toBe(200);
    expect(staff.headers.get('cache-control')).toMatch(/^private/);
  });

  it('never serves a symlink that points outside CONTENT_DIR, not even to staff', async () => {
    for (const cookie of [undefined, staffCookie]) {
      const res = await get('/content-files/faq/x.png', cookie);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain(SECRET);
    }
    expect(server.output()).toContain('faq/leak.md:4: missing image x.png');
  });

  it('refuses an image that became a symlink out of CONTENT_DIR after it was loaded', async () => {
    const file = path.join(contentDir, 'faq/images/swapped.png');
    rmSync(file);
    symlinkSync(secretFile, file);
    const res = await get('/content-files/faq/images/swapped.png');
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain(SECRET);
  });

  it('starts despite files with a malformed %-escape or a YAML alias bomb, and serves the other pages', async () => {
    expect((await get('/faq/open')).status).toBe(200);
    for (const url of ['/faq/bad-image', '/faq/bomb', '/manuals/m/bad-link']) expect((await get(url)).status).toBe(404);
    expect(server.output()).toContain('faq/bad-image.md:4: bad link %E0%A4%A.png: malformed %-escape');
    expect(server.output()).toContain('manuals/m/01-bad-link.md:4: bad link %E0%A4%A.md: malformed %-escape');
    expect(server.output()).toMatch(/faq\/bomb\.md:1: cannot load: /);
  });
});
