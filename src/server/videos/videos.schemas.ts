import { z } from 'zod';
import { accessLevels } from '../content/content.schemas.ts';

/** The text fields of the upload and edit forms (files come separately; chapters are checked line by line). */
export const videoInputSchema = z.strictObject({
  title: z.string().trim().min(2, '请填写标题（至少 2 个字）。').max(100, '标题最多 100 字。'),
  summary: z.string().trim().max(300, '简介最多 300 字。').default(''),
  audience: z.string().trim().max(100, '培训对象最多 100 字。').default(''),
  course: z
    .string()
    .trim()
    .regex(/^([a-z0-9][a-z0-9-]*)?$/, '请从列表中选择课件。')
    .transform((c) => c || undefined),
  access: z.enum(accessLevels, { message: '请选择访问范围。' }),
  chapters: z.string().max(10_000, '章节内容过长。').default(''),
  body: z.string().max(5000, '说明最多 5000 字。').default(''),
});
export type VideoInput = z.infer<typeof videoInputSchema>;

/** A new video also names its address, which never changes after. */
export const newVideoInputSchema = videoInputSchema.extend({
  slug: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9-]{1,59}$/, '地址名应为 2–60 个小写字母、数字或连字符，以字母或数字开头，例如 data-reporting-demo。'),
});

/** What the player posts to /api/videos/<slug>/progress. */
export const progressSchema = z.strictObject({
  view: z.uuid().nullable(),
  position: z.number().finite().min(0).max(24 * 3600),
  watched: z.number().finite().min(0).max(24 * 3600),
  duration: z.number().finite().min(0).max(24 * 3600),
});
