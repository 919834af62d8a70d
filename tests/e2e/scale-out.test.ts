import { cpSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { users } from '../../db/schema/index.ts';
import { hashPassword } from '../../src/server/auth/auth.passwords.ts';
import { newId } from '../../src/server/shared/ids.ts';
import { appRoot } from '../../src/server/shared/paths.ts';
import { createTestDatabase, testIndexPrefix, type TestDatabase } from '../helpers/db.ts';
import { sessionCookie } from '../helpers/http.ts';
import { freeTestPort, startDayi, type RunningServer } from '../helpers/server.ts';
import { tempDir } from '../helpers/tmp.ts';

/**
 * Two app processes behind one address, as the README's nginx example runs
 * them: one PostgreSQL, one Meilisearch, a shared CONTENT_DIR and FILES_DIR,
 * each its own DATA_DIR. The second watches no files and rescans once an
 * hour, as on a network share where file events do not arrive: only the
 * first process's notice (LISTEN/NOTIFY) can tell it that content changed.
 * PostgreSQL only: the embedded PGlite belongs to one process.
 */
const onPostgres = Boolean(process.env.DATABASE_URL);
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082', 'hex');

describe.skipIf(!onPostgres)('two app processes on one PostgreSQL', () => {
  let t: TestDatabase;
  let a: RunningServer;
  let b: RunningServer;
  const password = 'scale-out-测试-密码-2026';

  beforeAll(async () => {
    t = await createTestDatabase();
    const now = new Date();
    await t.database.db.insert(users).values({ id: newId(), name: '管理员', email: 'admin@scale.example.cn', roles: ['admin'], status: 'active', passwordHash: await hashPassword(password), createdAt: now, updatedAt: now });
    const contentDir = tempDir('dayi-shared-content');
    cpSync(path.join(appRoot(), 'content'), contentDir, { recursive: true });
    const shared = { DATABASE_URL: t.url, MEILI_URL: inject('meiliUrl'), MEILI_MASTER_KEY: inject('meiliKey'), MEILI_INDEX_PREFIX: testIndexPrefix(), CONTENT_DIR: contentDir, FILES_DIR: tempDir('dayi-shared-files') };
    a = await startDayi({ ...shared, PORT: await freeTestPort() }, { timeoutMs: 110_000 });
    b = await startDayi({ ...shared, PORT: await freeTestPort(), CONTENT_WATCH: 'false', CONTENT_RESCAN_SECONDS: '3600' }, { timeoutMs: 110_000 });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await t?.drop();
  });

  it('shows on the second process, within seconds, an FAQ entry edited through the first', async () => {
    const slug = 'account-forgot-password';
    const title = '忘记密码怎么办（两台服务器同步测试）';
    const cookie = await sessionCookie(a.url, 'admin@scale.example.cn', password);
    const before = await (await fetch(`${b.url}/faq/${slug}`)).text();
    expect(before).not.toContain(title);
    const form = await (await fetch(`${a.url}/faq/${slug}/edit`, { headers: { Cookie: cookie } })).text();
    const field = (name: string) => new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(form)?.[1] ?? '';
    const body = /<textarea[^>]*name="body"[^>]*>([\s\S]*?)<\/textarea>/.exec(form)![1]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
    const access = /name="access" value="(\w+)" checked/.exec(form)![1]!;
    const saved = await fetch(`${a.url}/faq/${slug}/edit`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Cookie: cookie, Origin: a.url, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ action: 'save', title, category: field('category'), tags: field('tags'), access, body }),
    });
    expect(saved.status).toBe(303);
    const started = Date.now();
    let seen = '';
    while (Date.now() - started < 5000 && !seen.includes(title)) {
      seen = await (await fetch(`${b.url}/faq/${slug}`)).text();
      if (!seen.includes(title)) await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen).toContain(title);
  });

  it('serves from the second process a file uploaded through the first (shared FILES_DIR)', async () => {
    const ask = new FormData();
    for (const [k, v] of Object.entries({ kind: 'consult', title: '两台服务器之间的附件', body: '第一台收到的截图，第二台也能打开吗？', email: 'scale@example.cn' })) ask.append(k, v);
    ask.append('attachments', new Blob([new Uint8Array(PNG)]), '截图.png');
    const asked = await fetch(`${a.url}/ask`, { method: 'POST', redirect: 'manual', body: ask, headers: { Origin: a.url } });
    expect(asked.status).toBe(303);
    const track = new URL(asked.headers.get('location')!, a.url).pathname;
    const page = await (await fetch(`${b.url}${track}`)).text();
    const file = /href="([^"]+\/files\/[0-9a-f-]{36})"/.exec(page)![1]!;
    const res = await fetch(`${b.url}${file}`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true);
  });
});
