import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContent } from '../../src/server/content/content.loader.ts';
import { buildDocuments } from '../../src/server/search/search.documents.ts';
import { createFixedClock } from '../../src/server/shared/clock.ts';
import { newId } from '../../src/server/shared/ids.ts';
import type { PendingUpload } from '../../src/server/uploads/uploads.pending.ts';
import type { IncomingFile } from '../../src/server/uploads/uploads.receive.ts';
import { missingVideoFiles } from '../../src/server/videos/videos.files.ts';
import { createVideo, updateVideo, type VideoPublishDeps } from '../../src/server/videos/videos.publish.ts';
import { positionOf, recordProgress, viewCounts } from '../../src/server/videos/videos.queries.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { tempDir } from '../helpers/tmp.ts';
import { users } from '../../db/schema/index.ts';

const clock = createFixedClock('2026-12-04T02:00:00Z');
const fixture = (name: string) => path.join(import.meta.dirname, '../fixtures/videos', name);
const meta = { actor: null, ip: null, requestId: null };
const form = (over: Record<string, string> = {}) => ({
  slug: 'withdraw-demo',
  title: '撤回已报送数据演示',
  summary: '如何撤回一条已报送的行政处罚数据。',
  audience: '成员单位用户',
  course: '',
  access: 'member',
  chapters: '00:00 开场\n0:12 撤回已报送数据',
  body: '本课要点：**撤回**须在审核前。',
  ...over,
});

let t: TestDatabase;
let contentDir: string;
let filesDir: string;
let deps: VideoPublishDeps;

beforeAll(async () => {
  t = await createTestDatabase();
  contentDir = tempDir('dayi-video-content');
  filesDir = tempDir('dayi-video-files');
  deps = { db: t.database.db, clock, timeZone: 'Asia/Shanghai', contentDir, filesDir, maxFileBytes: 10 * 1024 * 1024, courses: ['data-reporting'] };
});
afterAll(async () => {
  await t?.drop();
});

/** Files as the front handler leaves them in FILES_DIR/incoming: copies of fixtures, each in its form field. */
function received(...files: [field: string, source: string, name: string][]): PendingUpload {
  const dir = path.join(filesDir, 'incoming');
  mkdirSync(dir, { recursive: true });
  const out: IncomingFile[] = files.map(([field, source, name]) => {
    const target = path.join(dir, newId());
    copyFileSync(source, target);
    const bytes = readFileSync(target);
    return { field, name, path: target, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  });
  return { files: out, problems: [] };
}
const videoDir = (slug: string) => path.join(filesDir, 'videos', slug);
const listed = (slug: string) => (existsSync(videoDir(slug)) ? readdirSync(videoDir(slug)).sort() : []);

describe('publishing a video', () => {
  it('writes the markdown and WebVTT captions, places the media, takes a poster frame and the duration, and the loader and search find it', async () => {
    const upload = received(['video', fixture('lesson.mp4'), '撤回演示.mp4'], ['captions', fixture('lesson.srt'), '字幕.srt']);
    await createVideo({ deps, form: form(), upload, meta });

    const store = await loadContent(contentDir);
    expect(store.issues).toEqual([]);
    const video = store.videos.find((v) => v.slug === 'withdraw-demo')!;
    expect(video).toMatchObject({ title: '撤回已报送数据演示', access: 'member', url: '/videos/withdraw-demo', media: { name: '撤回已报送数据演示.mp4', size: readFileSync(fixture('lesson.mp4')).length } });
    expect(video.duration).toBeCloseTo(24, 0);
    expect(video.chapters).toEqual([{ at: 0, title: '开场' }, { at: 12, title: '撤回已报送数据' }]);
    // The SRT (BOM, CRLF) became WebVTT beside the markdown.
    const vtt = readFileSync(path.join(contentDir, 'videos/withdraw-demo.vtt'), 'utf8');
    expect(vtt.startsWith('WEBVTT')).toBe(true);
    expect(vtt).toContain('00:00:12.000 --> 00:00:17.000');
    expect(video.cues).toHaveLength(4);
    // The media, and a JPEG poster ffmpeg took from it.
    const files = listed('withdraw-demo');
    expect(files.some((f) => /^withdraw-demo-[0-9a-f]{8}\.mp4$/.test(f))).toBe(true);
    expect(video.poster).toMatch(/^videos\/withdraw-demo\/poster-[0-9a-f]{8}\.jpg$/);
    expect(readFileSync(path.join(filesDir, video.poster!)).subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(await missingVideoFiles({ filesDir, videos: store.videos })).toEqual([]);
    // Nothing else left in the incoming folder: the captions upload (the route's release deletes it), no stray poster frame.
    expect(readdirSync(path.join(filesDir, 'incoming'))).toEqual([path.basename(upload.files[1]!.path)]);

    // The captions are searchable in windows of about 30 s that open the video at their first second.
    const docs = buildDocuments(store, () => clock.now()).filter((d) => d.type === 'video');
    expect(docs.map((d) => d.url)).toEqual(['/videos/withdraw-demo', '/videos/withdraw-demo?t=1']);
    expect(docs[1]!.text).toContain('撤回一条已经报送的行政处罚数据');
    expect(docs[1]!.section).toBe('0:01 · 开场');
  });

  it('refuses a renamed program, a video with chapters past its end, a taken address and broken captions, leaving no file behind', async () => {
    const exe = path.join(tempDir('dayi-exe'), 'setup.mp4');
    writeFileSync(exe, Buffer.concat([Buffer.from('MZ'), Buffer.alloc(4000, 1)]));
    const attempts: [Record<string, string>, PendingUpload, string][] = [
      [form({ slug: 'fake' }), received(['video', exe, '课程.mp4']), 'video'],
      [form({ slug: 'late', chapters: '00:00 开场\n05:00 结束' }), received(['video', fixture('lesson.mp4'), 'a.mp4']), 'chapters'],
      [form(), received(['video', fixture('lesson.mp4'), 'a.mp4']), 'slug'],
      [form({ slug: 'bad-captions' }), received(['video', fixture('lesson.mp4'), 'a.mp4'], ['captions', fixture('lesson.mp4'), 'a.vtt']), 'captions'],
      [form({ slug: 'no-course', course: 'nope' }), received(['video', fixture('lesson.mp4'), 'a.mp4']), 'course'],
    ];
    for (const [f, upload, field] of attempts) {
      const error = await createVideo({ deps, form: f, upload, meta }).then(() => null, (e: { status: number; fields?: Record<string, string> }) => e);
      expect(error, field).toMatchObject({ fields: { [field]: expect.any(String) } });
      expect([400, 409]).toContain(error!.status);
    }
    for (const slug of ['fake', 'late', 'bad-captions', 'no-course']) {
      expect(listed(slug)).toEqual([]);
      expect(existsSync(path.join(contentDir, `videos/${slug}.md`))).toBe(false);
    }
    expect(listed('withdraw-demo')).toHaveLength(2);
  });

  it('edits the text and replaces the video with a WebM: the old media goes, the captions stay unless removed', async () => {
    const before = listed('withdraw-demo');
    await updateVideo({ deps, slug: 'withdraw-demo', form: form({ title: '撤回数据（新版）', access: 'public', chapters: '0:00 开场' }), upload: received(['video', fixture('lesson.webm'), 'new.webm']), meta });
    let video = (await loadContent(contentDir)).videos[0]!;
    expect(video).toMatchObject({ title: '撤回数据（新版）', access: 'public', media: { name: '撤回数据（新版）.webm' } });
    expect(video.duration).toBeCloseTo(6, 0);
    expect(video.cues).toHaveLength(4);
    const after = listed('withdraw-demo');
    expect(after.some((f) => f.endsWith('.webm'))).toBe(true);
    expect(after.some((f) => f.endsWith('.mp4'))).toBe(false);
    expect(after.filter((f) => before.includes(f))).toEqual([]);

    await updateVideo({ deps, slug: 'withdraw-demo', form: form({ title: '撤回数据（新版）', access: 'public', chapters: '', removeCaptions: 'on' }), upload: { files: [], problems: [] }, meta });
    video = (await loadContent(contentDir)).videos[0]!;
    expect(video.cues).toEqual([]);
    expect(existsSync(path.join(contentDir, 'videos/withdraw-demo.vtt'))).toBe(false);
    expect(listed('withdraw-demo')).toEqual(after);
  });

  it('still publishes where ffmpeg and ffprobe are not installed: no poster, no duration', async () => {
    const without = { ...deps, ffprobe: '/nonexistent/ffprobe', ffmpeg: '/nonexistent/ffmpeg' };
    await createVideo({ deps: without, form: form({ slug: 'no-ffmpeg', chapters: '' }), upload: received(['video', fixture('lesson.mp4'), 'a.mp4']), meta });
    const video = (await loadContent(contentDir)).videos.find((v) => v.slug === 'no-ffmpeg')!;
    expect(video.duration).toBeUndefined();
    expect(video.poster).toBeUndefined();
    expect(listed('no-ffmpeg')).toHaveLength(1);
  });
});

describe('views and positions', () => {
  it('counts a view at the first report, completes it at 90 % played, never lowers it, and remembers where a signed-in viewer is', async () => {
    const userId = newId();
    await t.database.db.insert(users).values({ id: userId, email: 'viewer@example.cn', name: '观看者', roles: ['member'], status: 'active', createdAt: clock.now(), updatedAt: clock.now() });
    const first = await recordProgress({ db: t.database.db, clock, slug: 'progress', userId, knownDuration: 100, report: { view: null, position: 3, watched: 3, duration: 99 } });
    expect(first.completed).toBe(false);
    const mid = await recordProgress({ db: t.database.db, clock, slug: 'progress', userId, knownDuration: 100, report: { view: first.view, position: 60, watched: 60, duration: 99 } });
    expect(mid).toEqual({ view: first.view, completed: false });
    expect(await positionOf({ db: t.database.db, userId, slug: 'progress' })).toBe(60);
    const done = await recordProgress({ db: t.database.db, clock, slug: 'progress', userId, knownDuration: 100, report: { view: first.view, position: 95, watched: 90, duration: 99 } });
    expect(done.completed).toBe(true);
    // A later, smaller report (another tab) does not undo completion.
    expect((await recordProgress({ db: t.database.db, clock, slug: 'progress', userId, knownDuration: 100, report: { view: first.view, position: 10, watched: 10, duration: 99 } })).completed).toBe(true);
    // Someone else's view id starts a view of their own.
    const anon = await recordProgress({ db: t.database.db, clock, slug: 'progress', userId: null, knownDuration: undefined, report: { view: first.view, position: 5, watched: 500, duration: 20 } });
    expect(anon.view).not.toBe(first.view);
    expect(anon.completed).toBe(true);
    expect(await viewCounts({ db: t.database.db, slug: 'progress' })).toEqual({ views: 2, completed: 2 });
    expect(await viewCounts({ db: t.database.db, slug: 'other' })).toEqual({ views: 0, completed: 0 });
  });
});
