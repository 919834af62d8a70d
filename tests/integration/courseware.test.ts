import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailOutbox, users } from '../../db/schema/index.ts';
import type { AuthUser } from '../../src/server/auth/auth.sessions.ts';
import { loadContent } from '../../src/server/content/content.loader.ts';
import { missingVersionFiles } from '../../src/server/courseware/courseware.files.ts';
import { createCourse, publishVersion, type PublishDeps } from '../../src/server/courseware/courseware.publish.ts';
import { markSeen, setFollowing, updatedSinceSeen } from '../../src/server/courseware/courseware.queries.ts';
import { sniffCourseware } from '../../src/server/courseware/courseware.sniff.ts';
import { demoFilesDir } from '../../src/server/demo/demo.files.ts';
import { buildDocuments } from '../../src/server/search/search.documents.ts';
import { createFixedClock } from '../../src/server/shared/clock.ts';
import { newId } from '../../src/server/shared/ids.ts';
import type { PendingUpload } from '../../src/server/uploads/uploads.pending.ts';
import { startDeliveringOutbox } from '../helpers/outbox.ts';
import { tempDir } from '../helpers/tmp.ts';
import { waitFor } from '../helpers/wait.ts';
import { createHash } from 'node:crypto';

const from = 'Dayi <dayi@example.cn>';
const clock = createFixedClock('2026-11-25T02:00:00Z');
const demo = (rel: string) => path.join(demoFilesDir(), 'courseware', rel);
const PDF = demo('data-reporting/v3.2/data-reporting-v3.2.pdf');
const PPTX = demo('credit-repair/v1.1/credit-repair-v1.1.pptx');
const XLSX = demo('report-templates/v1.1/report-templates-v1.1.xlsx');
const meta = { actor: null, ip: null, requestId: null };

let world: Awaited<ReturnType<typeof startDeliveringOutbox>>;
let deps: PublishDeps;
let contentDir: string;
let filesDir: string;

beforeAll(async () => {
  world = await startDeliveringOutbox({ from, clock });
  contentDir = tempDir('dayi-cw-content');
  filesDir = tempDir('dayi-cw-files');
  mkdirSync(path.join(contentDir, 'courseware'), { recursive: true });
  mkdirSync(path.join(contentDir, 'faq'), { recursive: true });
  // The shipped demo course, with the FAQ it links to.
  copyFileSync(path.join(import.meta.dirname, '../../content/courseware/data-reporting.md'), path.join(contentDir, 'courseware/data-reporting.md'));
  copyFileSync(path.join(import.meta.dirname, '../../content/faq/report-upload-failed.md'), path.join(contentDir, 'faq/report-upload-failed.md'));
  deps = { db: world.t.database.db, clock, jobs: world.jobs, mailFrom: from, baseUrl: 'https://help.example.gov.cn', timeZone: 'Asia/Shanghai', contentDir, filesDir, maxFileBytes: 1024 * 1024 };
});
afterAll(async () => {
  await world?.stop();
});

/** A file as the front handler leaves it in FILES_DIR/incoming: a copy of `source` named `name`. */
function received(source: string, name: string, { cut }: { cut?: number } = {}): PendingUpload {
  const dir = path.join(filesDir, 'incoming');
  mkdirSync(dir, { recursive: true });
  const target = path.join(dir, newId());
  copyFileSync(source, target);
  if (cut !== undefined) truncateSync(target, cut);
  const bytes = readFileSync(target);
  return { files: [{ field: 'file', name, path: target, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }], problems: [] };
}

async function user(roles: AuthUser['roles'] = ['member']): Promise<AuthUser> {
  const id = newId();
  const u: AuthUser = { id, name: `学员${id.slice(-4)}`, email: `${id}@unit.example.cn`, roles, engineerTier: null, isUnitContact: false, unitId: null, status: 'active' };
  await world.t.database.db.insert(users).values({ ...u, createdAt: clock.now(), updatedAt: clock.now() });
  return u;
}

async function course(slug = 'data-reporting') {
  const store = await loadContent(contentDir);
  expect(store.issues).toEqual([]);
  return store.courseware.find((c) => c.slug === slug)!;
}
const filesUnder = (rel: string): string[] => {
  const dir = path.join(filesDir, rel);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
};

describe('courseware file checks', () => {
  it.each([
    ['a PDF', PDF, '教程.pdf', true],
    ['a PowerPoint file', PPTX, '讲义.pptx', true],
    ['an Excel workbook', XLSX, '模板.xlsx', true],
    ['a workbook sent as a ZIP', XLSX, '资料.zip', true],
    ['a PowerPoint file renamed to .docx', PPTX, '讲义.docx', false],
    ['a PDF renamed to .pptx', PDF, '讲义.pptx', false],
  ])('judges %s by its content', async (_what, file, name, ok) => {
    expect((await sniffCourseware(file, name)).ok).toBe(ok);
  });

  it('refuses a program renamed to .pdf and a kind courseware may not be', async () => {
    const exe = path.join(tempDir('dayi-cw-exe'), 'setup.pdf');
    writeFileSync(exe, Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff', 'latin1'), Buffer.alloc(512)]));
    expect(await sniffCourseware(exe, '教程.pdf')).toEqual({ ok: false, reason: 'content_mismatch' });
    expect(await sniffCourseware(PDF, 'setup.exe')).toEqual({ ok: false, reason: 'type_not_allowed' });
  });
});

describe('publishing a version', () => {
  it('adds the version first in the course markdown, places the file and mails each follower once', async () => {
    const [follower, other] = [await user(), await user()];
    await setFollowing({ db: deps.db, clock, userId: follower.id, slug: 'data-reporting', follow: true });
    await setFollowing({ db: deps.db, clock, userId: follower.id, slug: 'data-reporting', follow: true });
    const { version, mailed } = await publishVersion({ deps, slug: 'data-reporting', form: { version: 'v3.3', changelog: '第 2 章：新增批量导入说明。', notify: true }, upload: received(PDF, 'tutorial.pdf'), meta });
    expect(mailed).toBe(1);
    expect(version).toMatchObject({ version: 'v3.3', date: '2026-11-25', name: '双公示数据报送操作教程-v3.3.pdf', file: 'courseware/data-reporting/v3.3/data-reporting-v3.3.pdf' });
    const c = await course();
    expect(c.versions.map((v) => v.version)).toEqual(['v3.3', 'v3.2', 'v3.1']);
    expect(c.versions[0]!.sha256).toBe(createHash('sha256').update(readFileSync(PDF)).digest('hex'));
    expect(readFileSync(path.join(filesDir, version.file))).toEqual(readFileSync(PDF));
    expect(readFileSync(path.join(contentDir, 'courseware/data-reporting.md'), 'utf8')).toContain('本教程面向各成员单位');
    const mails = await deps.db.select().from(mailOutbox).where(eq(mailOutbox.kind, 'courseware.version'));
    expect(mails.map((m) => m.to)).toEqual([[follower.email]]);
    expect(mails[0]!.subject).toBe('【答疑】课件更新：双公示数据报送操作教程 v3.3');
    expect(mails[0]!.text).toContain('https://help.example.gov.cn/courseware/data-reporting');
    const delivered = await waitFor(() => world.smtp.received.find((m) => m.to.includes(follower.email)));
    expect(delivered.raw).toContain('Subject:');
    expect(world.smtp.received.some((m) => m.to.includes(other.email))).toBe(false);
  });

  it('mails nobody for a typo fix published without notice', async () => {
    const before = (await deps.db.select().from(mailOutbox)).length;
    await publishVersion({ deps, slug: 'data-reporting', form: { version: 'v3.3.1', changelog: '修正错别字。', notify: false }, upload: received(PDF, 'a.pdf'), meta });
    expect((await deps.db.select().from(mailOutbox)).length).toBe(before);
  });

  it('refuses a version that is not higher than the current one, and leaves no file behind', async () => {
    await expect(publishVersion({ deps, slug: 'data-reporting', form: { version: 'v3.2', changelog: '重复', notify: true }, upload: received(PDF, 'a.pdf'), meta })).rejects.toMatchObject({ status: 409, code: 'courseware.version_not_new' });
    await expect(publishVersion({ deps, slug: 'data-reporting', form: { version: '3.2 final', changelog: '格式不对', notify: true }, upload: received(PDF, 'a.pdf'), meta })).rejects.toMatchObject({ status: 400, fields: { version: expect.stringContaining('v1.0') } });
    expect(filesUnder('courseware/data-reporting/v3.2')).toEqual([]);
  });

  it('refuses a truncated upload and a renamed program: no file, no version', async () => {
    const before = readFileSync(path.join(contentDir, 'courseware/data-reporting.md'), 'utf8');
    await expect(publishVersion({ deps, slug: 'data-reporting', form: { version: 'v4.0', changelog: '中断', notify: true }, upload: received(PDF, 'a.pdf', { cut: 300 }), meta })).rejects.toMatchObject({ status: 400, fields: { file: expect.stringContaining('不完整') } });
    await expect(publishVersion({ deps, slug: 'data-reporting', form: { version: 'v4.0', changelog: '中断', notify: true }, upload: received(PPTX, 'a.pptx', { cut: 1500 }), meta })).rejects.toMatchObject({ status: 400 });
    const exe = path.join(tempDir('dayi-cw-exe'), 'x');
    writeFileSync(exe, Buffer.concat([Buffer.from('MZ'), Buffer.alloc(600)]));
    await expect(publishVersion({ deps, slug: 'data-reporting', form: { version: 'v4.0', changelog: '程序', notify: true }, upload: received(exe, '教程.pdf'), meta })).rejects.toMatchObject({ status: 400 });
    expect(readFileSync(path.join(contentDir, 'courseware/data-reporting.md'), 'utf8')).toBe(before);
    expect(filesUnder('courseware/data-reporting/v4.0')).toEqual([]);
  });

  it('loses no version when two trainers upload to the same course at once', async () => {
    const results = await Promise.allSettled([
      publishVersion({ deps, slug: 'data-reporting', form: { version: 'v3.4', changelog: '甲', notify: true }, upload: received(PDF, 'a.pdf'), meta }),
      publishVersion({ deps, slug: 'data-reporting', form: { version: 'v3.5', changelog: '乙', notify: true }, upload: received(PDF, 'b.pdf'), meta }),
    ]);
    const landed = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.version.version] : []));
    expect(landed.length).toBeGreaterThan(0);
    const versions = (await course()).versions.map((v) => v.version);
    for (const v of landed) expect(versions).toContain(v);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'courseware.version_not_new' });
  });

  it('creates a course from the web with its first version, and refuses a second one at the same address', async () => {
    const form = { slug: 'repair-templates', title: '信用修复申请模板', summary: '申请表与承诺书模板', audience: '成员单位用户', access: 'member', version: 'v1.0', changelog: '首次发布。', body: '## 使用说明\n\n下载后按模板填写。' };
    const { slug } = await createCourse({ deps, form, upload: received(XLSX, '模板.xlsx'), meta });
    const c = await course(slug);
    expect(c).toMatchObject({ title: '信用修复申请模板', access: 'member', audience: '成员单位用户' });
    expect(c.versions.map((v) => [v.version, v.name])).toEqual([['v1.0', '信用修复申请模板-v1.0.xlsx']]);
    expect(c.html).toContain('使用说明');
    await expect(createCourse({ deps, form, upload: received(XLSX, '模板.xlsx'), meta })).rejects.toMatchObject({ status: 409, code: 'courseware.exists' });
    await expect(createCourse({ deps, form: { ...form, slug: '../evil' }, upload: received(XLSX, '模板.xlsx'), meta })).rejects.toMatchObject({ status: 400, fields: { slug: expect.any(String) } });
  });
});

describe('what readers see', () => {
  it('shows 已更新 to a reader until they look at the course again', async () => {
    const reader = await user();
    const courses = [await course()];
    // Never opened: nothing to compare with, no badge.
    expect(await updatedSinceSeen({ db: deps.db, userId: reader.id, courses })).toEqual(new Set());
    await markSeen({ db: deps.db, clock, userId: reader.id, course: courses[0]! });
    expect(await updatedSinceSeen({ db: deps.db, userId: reader.id, courses })).toEqual(new Set());
    await publishVersion({ deps, slug: 'data-reporting', form: { version: 'v5.0', changelog: '大版本。', notify: false }, upload: received(PDF, 'a.pdf'), meta });
    expect(await updatedSinceSeen({ db: deps.db, userId: reader.id, courses: [await course()] })).toEqual(new Set(['data-reporting']));
  });

  it('makes a course findable by what its versions changed', async () => {
    const store = await loadContent(contentDir);
    const doc = buildDocuments(store, () => clock.now()).find((d) => d.url === '/courseware/data-reporting');
    expect(doc?.text).toContain('新增批量导入说明');
    expect(doc?.text).toContain('公示截止期');
  });

  it('lists versions whose file is missing in FILES_DIR for content:check', async () => {
    const missing = await missingVersionFiles({ filesDir, courseware: [await course()] });
    // v3.1 and v3.2 were shipped in the demo files, not in this FILES_DIR.
    expect(missing.map((m) => m.message)).toEqual([expect.stringContaining('v3.2: file courseware/data-reporting/v3.2/'), expect.stringContaining('v3.1:')]);
    expect(await missingVersionFiles({ filesDir, courseware: [await course()], alsoIn: [demoFilesDir()] })).toEqual([]);
  });
});
