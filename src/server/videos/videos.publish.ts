import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { auditRequest, type RequestMeta } from '../audit/audit.usecases.ts';
import { parseFrontmatter } from '../content/content.frontmatter.ts';
import { videoSchema } from '../content/content.schemas.ts';
import type { ContentService } from '../content/content.service.ts';
import { markdownFile, writeContentFile } from '../content/content.write.ts';
import type { Clock } from '../shared/clock.ts';
import { createValidationError, fieldsOf } from '../shared/errors.ts';
import { localDay } from '../shared/time.ts';
import type { PendingUpload } from '../uploads/uploads.pending.ts';
import { placeFile, withPlacedFiles } from '../uploads/uploads.store.ts';
import { parseChapterLines } from './videos.captions.ts';
import { createVideoExistsError, createVideoFileInvalidError, createVideoNotFoundError, createVideoStorageError } from './videos.errors.ts';
import { newVideoInputSchema, videoInputSchema, type VideoInput } from './videos.schemas.ts';
import { checkCaptionsFile, checkPoster, checkVideoFile, type CheckedPoster, type CheckedVideo } from './videos.upload.ts';

/** What publishing a video needs: the database, where content and files live, VIDEO_MAX_MB, the courses it may belong to. */
export interface VideoPublishDeps {
  db: Db;
  clock: Clock;
  timeZone: string;
  contentDir: string;
  filesDir: string;
  maxFileBytes: number;
  /** Slugs of the courses a video may be linked to. */
  courses: string[];
  /** Reloaded after a write, so the next page shows the change at once. */
  content?: Pick<ContentService, 'reload'>;
  /** The ffprobe and ffmpeg to run (default: from PATH); tests point them elsewhere to run without. */
  ffprobe?: string;
  ffmpeg?: string;
}

type Frontmatter = Record<string, unknown>;

/** The name a video downloads as: its title and extension, without characters no file system takes. */
export const videoDownloadName = (title: string, ext: string) => `${title.replace(/[\\/:*?"<>|\0-\x1f]/g, '_').trim()}.${ext}`;

/** The form's text fields, checked; the chapters line by line against the video's length when it is known. */
function checkInput(input: VideoInput, { courses, duration }: { courses: string[]; duration?: number }) {
  if (input.course && !courses.includes(input.course)) throw createValidationError({ course: '请从列表中选择课件。' });
  const chapters = parseChapterLines(input.chapters);
  if (!chapters.ok) throw createValidationError({ chapters: chapters.message }, chapters.message);
  const late = duration === undefined ? -1 : chapters.chapters.findIndex((c) => c.at >= duration);
  if (late >= 0) {
    const message = `章节“${chapters.chapters[late]!.title}”的时间超过了视频时长。`;
    throw createValidationError({ chapters: message }, message);
  }
  return chapters.chapters;
}

/**
 * Writes a video's markdown (and captions) all or nothing, one writer per
 * video at a time (a transaction-scoped advisory lock): the markdown is read
 * fresh under the lock, `build` decides the new frontmatter, new files are
 * moved into `videos/<slug>/`, the captions and then the markdown are
 * replaced atomically as the last steps before commit. If anything fails, the
 * placed files are removed and the previous captions and markdown put back.
 * Files the new version no longer names are removed after the commit.
 */
async function commitVideo({
  deps,
  slug,
  video,
  poster,
  captions,
  meta,
  action,
  build,
}: {
  deps: VideoPublishDeps;
  slug: string;
  video: CheckedVideo | null;
  poster: CheckedPoster | null;
  /** New WebVTT text; `''` removes the captions; null keeps them. */
  captions: string | null;
  meta: RequestMeta;
  action: 'videos.create' | 'videos.update';
  build: (current: Frontmatter | null, placed: { file?: string; poster?: string }) => { data: Frontmatter; body: string };
}): Promise<void> {
  const { db, clock, contentDir, filesDir } = deps;
  const rel = `videos/${slug}.md`;
  const vttRel = `videos/${slug}.vtt`;
  const read = (p: string) => readFile(path.join(contentDir, p), 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : Promise.reject(e)));
  let restore: { md: string | null; vtt: string | null } | null = null;
  let dropped: string[] = [];
  try {
    await withPlacedFiles(filesDir, (placed) =>
      db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`videos:${slug}`}))`);
        const [md, vtt] = [await read(rel), await read(vttRel)];
        let current: Frontmatter | null = null;
        if (md !== null) {
          const fm = parseFrontmatter(md);
          if (!fm.ok || !videoSchema.safeParse(fm.value.data).success) throw createVideoFileInvalidError();
          current = fm.value.data as Frontmatter;
        }
        const names: { file?: string; poster?: string } = {};
        if (video) names.file = `videos/${slug}/${slug}-${video.file.sha256.slice(0, 8)}.${video.ext}`;
        if (poster) names.poster = `videos/${slug}/poster-${(poster.sha256 ?? video?.file.sha256 ?? String(Date.now())).slice(0, 8)}.${poster.ext}`;
        const next = build(current, names);
        // What is written must load: checked with the loader's own schema before anything moves.
        const valid = videoSchema.safeParse(next.data);
        if (!valid.success) throw createValidationError(fieldsOf(valid.error));
        for (const [checked, name] of [[video?.file, names.file], [poster, names.poster]] as const) {
          if (!checked || !name) continue;
          await placeFile(filesDir, checked, name);
          placed.push(name);
        }
        await auditRequest({ db: tx, clock, meta, event: { action, targetType: 'video', targetId: slug, after: { title: next.data.title, file: next.data.file, size: next.data.size, sha256: next.data.sha256, captions: captions === null ? 'kept' : captions ? 'replaced' : 'removed' } } });
        restore = { md, vtt };
        if (captions) await writeContentFile(contentDir, vttRel, captions);
        else if (captions === '') await rm(path.join(contentDir, vttRel), { force: true });
        await writeContentFile(contentDir, rel, markdownFile(next.data, next.body));
        dropped = current ? [current.file, current.poster].filter((f): f is string => typeof f === 'string' && f !== next.data.file && f !== next.data.poster) : [];
      }),
    );
  } catch (e) {
    const r = restore as { md: string | null; vtt: string | null } | null;
    if (r) {
      await (r.vtt === null ? rm(path.join(contentDir, vttRel), { force: true }) : writeContentFile(contentDir, vttRel, r.vtt));
      await (r.md === null ? rm(path.join(contentDir, rel), { force: true }) : writeContentFile(contentDir, rel, r.md));
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EROFS' || code === 'EPERM' || code === 'ENOSPC') throw createVideoStorageError();
    throw e;
  } finally {
    // A poster ffmpeg made is not one of the request's uploads: removed here unless it was placed.
    if (poster && !poster.sha256) await rm(poster.path, { force: true });
  }
  // A replaced video or poster: its old file goes (a player still streaming it keeps its open file).
  for (const f of dropped) await rm(path.join(filesDir, f), { force: true }).catch(() => {});
  await deps.content?.reload();
}

/** The frontmatter of a video from the form, its current one (kept where the form says nothing) and the placed files. */
function frontmatterOf({ input, chapters, current, placed, video, today }: {
  input: VideoInput;
  chapters: { at: number; title: string }[];
  current: Frontmatter | null;
  placed: { file?: string; poster?: string };
  video: CheckedVideo | null;
  today: string;
}): Frontmatter {
  const data: Frontmatter = { ...(current ?? {}), title: input.title, summary: input.summary, audience: input.audience, access: input.access, updated: today };
  if (input.course) data.course = input.course;
  else delete data.course;
  if (video && placed.file) {
    Object.assign(data, { file: placed.file, name: videoDownloadName(input.title, video.ext), size: video.file.size, sha256: video.file.sha256 });
    if (video.duration !== undefined) data.duration = Math.round(video.duration * 10) / 10;
    else delete data.duration;
  }
  if (placed.poster) data.poster = placed.poster;
  data.chapters = chapters;
  return data;
}

/** Publishes a new video from the upload form: the video is required, captions and poster optional (a frame is taken when ffmpeg is installed). */
export async function createVideo({ deps, form, upload, meta }: { deps: VideoPublishDeps; form: Record<string, string>; upload: PendingUpload; meta: RequestMeta }): Promise<{ slug: string }> {
  const parsed = newVideoInputSchema.safeParse(pick(form, ['slug', ...TEXT_FIELDS]));
  if (!parsed.success) throw createValidationError(fieldsOf(parsed.error));
  const input = parsed.data;
  const video = (await checkVideoFile(upload, { maxFileBytes: deps.maxFileBytes, required: true, ffprobe: deps.ffprobe }))!;
  const chapters = checkInput(input, { courses: deps.courses, duration: video.duration });
  const captions = await checkCaptionsFile(upload);
  const poster = await checkPoster(upload, { filesDir: deps.filesDir, extractFrom: video.file.path, duration: video.duration, ffmpeg: deps.ffmpeg });
  const today = localDay(deps.clock.now(), deps.timeZone);
  await commitVideo({
    deps,
    slug: input.slug,
    video,
    poster,
    captions,
    meta,
    action: 'videos.create',
    build: (current, placed) => {
      if (current) throw createVideoExistsError();
      return { data: frontmatterOf({ input, chapters, current: null, placed, video, today }), body: bodyOf(input.body) };
    },
  });
  return { slug: input.slug };
}

/**
 * Saves the edit form of a video: the text fields and chapters always; the
 * video, captions and poster only where a new file was chosen (or the
 * captions removed). A replaced video gets a new frame for its poster unless
 * one was uploaded with it.
 */
export async function updateVideo({
  deps,
  slug,
  form,
  upload,
  meta,
}: {
  deps: VideoPublishDeps;
  slug: string;
  form: Record<string, string>;
  upload: PendingUpload;
  meta: RequestMeta;
}): Promise<void> {
  const parsed = videoInputSchema.safeParse(pick(form, TEXT_FIELDS));
  if (!parsed.success) throw createValidationError(fieldsOf(parsed.error));
  const input = parsed.data;
  const video = await checkVideoFile(upload, { maxFileBytes: deps.maxFileBytes, required: false, ffprobe: deps.ffprobe });
  const chapters = checkInput(input, { courses: deps.courses, duration: video?.duration });
  const captions = form.removeCaptions === 'on' ? '' : await checkCaptionsFile(upload);
  const poster = await checkPoster(upload, { filesDir: deps.filesDir, extractFrom: video?.file.path ?? null, duration: video?.duration, ffmpeg: deps.ffmpeg });
  const today = localDay(deps.clock.now(), deps.timeZone);
  await commitVideo({
    deps,
    slug,
    video,
    poster,
    captions,
    meta,
    action: 'videos.update',
    build: (current, placed) => {
      if (!current) throw createVideoNotFoundError();
      return { data: frontmatterOf({ input, chapters, current, placed, video, today }), body: bodyOf(input.body) };
    },
  });
}

/** The text fields both forms send. */
export const TEXT_FIELDS = ['title', 'summary', 'audience', 'course', 'access', 'chapters', 'body'] as const;
const pick = (form: Record<string, string>, keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, form[k] ?? '']));

const bodyOf = (body: string) => (body.trim() ? `${body.trim()}\n` : '');
