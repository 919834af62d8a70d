import { z } from 'zod';
import { accessLevels, COURSEWARE_VERSION } from '../content/content.schemas.ts';

/** A new version as the upload form sends it (the file comes separately). */
export const versionInputSchema = z.strictObject({
  version: z.string().trim().regex(COURSEWARE_VERSION, '版本号应为 v1.0、v3.2.1 这样的格式（字母 v 加数字和点）。'),
  changelog: z.string().trim().min(1, '请填写更新说明，列出变化的章节。').max(2000, '更新说明最多 2000 字。'),
});
export type VersionInput = z.infer<typeof versionInputSchema>;

/** A new course as the form sends it: its first version comes with it. */
export const courseInputSchema = versionInputSchema.extend({
  slug: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9-]{1,59}$/, '地址名应为 2–60 个小写字母、数字或连字符，以字母或数字开头，例如 data-reporting。'),
  title: z.string().trim().min(2, '请填写标题（至少 2 个字）。').max(100, '标题最多 100 字。'),
  summary: z.string().trim().max(300, '简介最多 300 字。').default(''),
  audience: z.string().trim().max(100, '培训对象最多 100 字。').default(''),
  access: z.enum(accessLevels, { message: '请选择访问范围。' }),
});
export type CourseInput = z.infer<typeof courseInputSchema>;
