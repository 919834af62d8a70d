import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { formatBytes } from '../http/body-limits.ts';
import { createValidationError } from '../shared/errors.ts';
import type { PendingUpload } from '../uploads/uploads.pending.ts';
import { incomingDir, type IncomingFile } from '../uploads/uploads.receive.ts';
import { parseCaptions, toWebVtt } from './videos.captions.ts';
import { extractPoster, probeVideo } from './videos.probe.ts';
import { sniffPoster, sniffVideo, videoExtensions } from './videos.sniff.ts';
import { randomBytes } from 'node:crypto';

/** Captions are text: anything larger than this is not a lesson's subtitles. */
export const MAX_CAPTIONS_BYTES = 5 * 1024 * 1024;
/** A poster is one still image. */
export const MAX_POSTER_BYTES = 10 * 1024 * 1024;

/** The form's file inputs. */
export const VIDEO_FIELDS = { video: 'video', captions: 'captions', poster: 'poster' } as const;

/** A received video that passed every check, with what ffprobe found (when it is installed). */
export interface CheckedVideo {
  file: IncomingFile;
  ext: 'mp4' | 'webm';
  /** Seconds; undefined without ffprobe. */
  duration?: number;
}

export interface CheckedPoster {
  /** Absolute path of the image, in the incoming folder. */
  path: string;
  ext: string;
  sha256?: string;
}

const fail = (field: string, message: string) => createValidationError({ [field]: message }, message);

/** The one file of a field, refusing several; problems the front handler noted (too large) come first. */
function fileOf(upload: PendingUpload, field: string): IncomingFile | undefined {
  const files = upload.files.filter((f) => f.field === field);
  if (files.length > 1) throw fail(field, '每一项只能选择一个文件。');
  return files[0];
}

/**
 * The video of an upload form, checked before anything is written: present
 * (when `required`), whole and under VIDEO_MAX_MB, not empty, MP4 or WebM by
 * its content — and, where ffprobe is installed, a video it can read, whose
 * duration it reports. Problems are named in zh-CN on the `video` field.
 */
export async function checkVideoFile(upload: PendingUpload, { maxFileBytes, required, ffprobe }: { maxFileBytes: number; required: boolean; ffprobe?: string }): Promise<CheckedVideo | null> {
  const tooLarge = upload.problems.find((p) => p.code === 'file_too_large');
  if (tooLarge && tooLarge.code === 'file_too_large') throw fail(VIDEO_FIELDS.video, `“${tooLarge.name}”超过 ${formatBytes(maxFileBytes)}，请压缩或按章节拆分后再上传。`);
  if (upload.problems.some((p) => p.code === 'too_many_files')) throw fail(VIDEO_FIELDS.video, '一次只能上传一个视频、一个字幕文件和一张封面。');
  const file = fileOf(upload, VIDEO_FIELDS.video);
  if (!file) {
    if (required) throw fail(VIDEO_FIELDS.video, '请选择要上传的视频文件。');
    return null;
  }
  if (file.size === 0) throw fail(VIDEO_FIELDS.video, `“${file.name}”是空文件。`);
  const sniffed = await sniffVideo(file.path, file.name);
  if (!sniffed.ok) {
    throw fail(
      VIDEO_FIELDS.video,
      sniffed.reason === 'type_not_allowed'
        ? `“${file.name}”的文件类型不支持；视频可以是 MP4 或 WebM（${videoExtensions.join('、')}）。`
        : `“${file.name}”的内容与文件类型不符或文件不完整（例如改了扩展名的文件，或上传中断），未能上传。`,
    );
  }
  const probe = await probeVideo(file.path, ffprobe ? { ffprobe } : {});
  if (probe.available && (!probe.ok || !probe.hasVideo)) throw fail(VIDEO_FIELDS.video, `“${file.name}”无法作为视频读取（文件可能已损坏或不完整），未能上传。`);
  return { file, ext: sniffed.ext, duration: probe.available && probe.ok ? (probe.duration ?? undefined) : undefined };
}

/**
 * The captions of an upload form as WebVTT text (SRT converted), or null
 * when none were chosen. UTF-8 only; a file that does not parse is refused
 * with the line it failed at.
 */
export async function checkCaptionsFile(upload: PendingUpload): Promise<string | null> {
  const file = fileOf(upload, VIDEO_FIELDS.captions);
  if (!file) return null;
  const ext = path.extname(file.name).toLowerCase();
  if (ext !== '.vtt' && ext !== '.srt') throw fail(VIDEO_FIELDS.captions, `“${file.name}”不是字幕文件；字幕可以是 WebVTT（.vtt）或 SRT（.srt）。`);
  if (file.size > MAX_CAPTIONS_BYTES) throw fail(VIDEO_FIELDS.captions, `“${file.name}”超过 ${formatBytes(MAX_CAPTIONS_BYTES)}，不像是字幕文件。`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(await readFile(file.path));
  } catch {
    throw fail(VIDEO_FIELDS.captions, `“${file.name}”不是 UTF-8 编码；请用记事本“另存为”UTF-8 后再上传。`);
  }
  const parsed = parseCaptions(text);
  if (!parsed.ok) throw fail(VIDEO_FIELDS.captions, `“${file.name}”第 ${parsed.line} 行不是有效的字幕格式，请检查时间行（例如 00:01:40.000 --> 00:01:45.500）。`);
  return toWebVtt(parsed.cues);
}

/**
 * The poster: the uploaded image (JPEG, PNG or WebP by content), or, when
 * none was chosen and `extractFrom` is given, a frame ffmpeg takes at 10 s
 * (10 % into a video shorter than 20 s). Null when there is neither.
 */
export async function checkPoster(
  upload: PendingUpload,
  { filesDir, extractFrom, duration, ffmpeg }: { filesDir: string; extractFrom: string | null; duration?: number; ffmpeg?: string },
): Promise<CheckedPoster | null> {
  const file = fileOf(upload, VIDEO_FIELDS.poster);
  if (file) {
    if (file.size > MAX_POSTER_BYTES) throw fail(VIDEO_FIELDS.poster, `封面图片超过 ${formatBytes(MAX_POSTER_BYTES)}。`);
    const sniffed = await sniffPoster(file.path, file.name);
    if (!sniffed.ok) throw fail(VIDEO_FIELDS.poster, `“${file.name}”不是 JPG、PNG 或 WebP 图片。`);
    return { path: file.path, ext: sniffed.ext, sha256: file.sha256 };
  }
  if (!extractFrom) return null;
  const out = path.join(incomingDir(filesDir), `${Date.now()}-${randomBytes(12).toString('hex')}.jpg`);
  const at = duration !== undefined && duration < 20 ? duration / 10 : 10;
  const ok = await extractPoster(extractFrom, out, ffmpeg ? { at, ffmpeg } : { at });
  return ok && (await stat(out).catch(() => null)) ? { path: out, ext: 'jpg' } : null;
}
