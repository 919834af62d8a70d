import { z } from 'zod';
import { parseTimestamp } from '../videos/videos.captions.ts';

export const accessLevels = ['public', 'member', 'staff'] as const;
export type Access = (typeof accessLevels)[number];

const access = z.enum(accessLevels).default('public');
/**
 * A YAML date or a YYYY-MM-DD string. Kept at noon UTC, so the calendar day is the
 * same in every time zone it is shown in.
 */
const date = z.union([
  z.date().transform((d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 12))),
  z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-11-24').transform((s) => new Date(`${s}T12:00:00Z`)),
]);
const tags = z.array(z.string().min(1)).default([]);

export const manualIndexSchema = z.strictObject({
  title: z.string().min(1),
  summary: z.string().default(''),
  order: z.number().int().default(100),
  access,
});

export const chapterSchema = z.strictObject({
  title: z.string().min(1),
  order: z.number().int().optional(),
  access: access.optional(),
  updated: date.optional(),
  tags,
});

export const faqSchema = z.strictObject({
  title: z.string().min(1),
  category: z.string().min(1).default('其他'),
  tags,
  access,
  order: z.number().int().default(100),
  updated: date.optional(),
  /** An entry promoted from a cluster of questions (/admin/faq): which questions, when, by whom. */
  promoted: z
    .strictObject({
      questions: z.array(z.string().regex(/^[0-9a-f-]{36}$/, 'must be question ids')).min(1),
      at: z.string().min(1),
      by: z.string().min(1),
    })
    .optional(),
});

/** A courseware version number: `v1.0`, `v3.2.1`, `2.0` (digits and dots, an optional leading v). */
export const COURSEWARE_VERSION = /^v?\d{1,4}(?:\.\d{1,4}){0,3}$/;

/** One version of a course: its file lives in FILES_DIR under `courseware/<slug>/<version>/`. */
export const coursewareVersionSchema = z.strictObject({
  version: z.string().regex(COURSEWARE_VERSION, 'must be a version number like v1.0 or v3.2.1'),
  date,
  changelog: z.string().default(''),
  file: z
    .string()
    .regex(/^courseware\/[a-z0-9][a-z0-9-]*\/[\w.-]+\/[\w.-]+$/, 'must be a path inside FILES_DIR like courseware/<slug>/<version>/<file>')
    .refine((f) => !f.split('/').some((part) => part === '..' || part === '.'), 'must not leave FILES_DIR'),
  /** The name the download is saved as (Chinese kept). */
  name: z.string().min(1).max(200).refine((n) => !/[\\/\0]/.test(n), 'must be a file name, without folders'),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits'),
});

export const coursewareSchema = z.strictObject({
  title: z.string().min(1),
  summary: z.string().default(''),
  audience: z.string().default(''),
  tags,
  access,
  updated: date.optional(),
  /** Newest first. */
  versions: z
    .array(coursewareVersionSchema)
    .default([])
    .refine((vs) => new Set(vs.map((v) => v.version)).size === vs.length, 'each version number may appear only once'),
});

export const synonymsSchema = z.array(z.array(z.union([z.string(), z.number()]).transform(String)).min(2));

/** A path inside FILES_DIR under `videos/<slug>/`, never leaving it. */
const videoFile = z
  .string()
  .regex(/^videos\/[a-z0-9][a-z0-9-]*\/[\w.-]+$/, 'must be a path inside FILES_DIR like videos/<slug>/<file>')
  .refine((f) => !f.split('/').some((part) => part === '..' || part === '.'), 'must not leave FILES_DIR');

/** `90`, `"1:30"` or `"01:01:30"`: seconds from the start of the video. */
const videoTime = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const seconds = parseTimestamp(v);
  if (seconds === null) {
    ctx.addIssue({ code: 'custom', message: 'must be seconds or a time like 12:30' });
    return z.NEVER;
  }
  return seconds;
});

/**
 * A training video (培训视频): `content/videos/<slug>.md`, its media in
 * FILES_DIR, its captions (if any) in `content/videos/<slug>.vtt` beside it.
 */
export const videoSchema = z.strictObject({
  title: z.string().min(1),
  summary: z.string().default(''),
  audience: z.string().default(''),
  /** The slug of the course (content/courseware) this lesson belongs to. */
  course: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a course slug').optional(),
  tags,
  access,
  updated: date.optional(),
  file: videoFile,
  /** The name a download is saved as (Chinese kept). */
  name: z.string().min(1).max(200).refine((n) => !/[\\/\0]/.test(n), 'must be a file name, without folders'),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits'),
  /** Seconds, from ffprobe when it was installed at upload. */
  duration: z.number().positive().optional(),
  poster: videoFile.optional(),
  chapters: z
    .array(z.strictObject({ at: videoTime, title: z.string().min(1).max(100) }))
    .default([])
    .transform((cs) => [...cs].sort((a, b) => a.at - b.at)),
});
