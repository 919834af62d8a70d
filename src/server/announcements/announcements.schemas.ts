import { z } from 'zod';
import { announcementKinds } from '../../../db/schema/announcements.ts';
import { roles } from '../../../db/schema/auth.ts';

/** A new announcement as the form sends it; `expiresAt` is a `datetime-local` value in APP_TIME_ZONE. */
export const announcementInputSchema = z.strictObject({
  kind: z.enum(announcementKinds, { message: '请选择公告类型。' }),
  title: z.string().trim().min(2, '请填写标题（至少 2 个字）。').max(100, '标题最多 100 字。'),
  body: z.string().trim().min(1, '请填写公告内容。').max(10_000, '公告内容最多 10000 字。'),
  access: z.enum(['public', 'member'], { message: '请选择谁能看到。' }),
  expiresAt: z.string().trim().min(1, '请填写公告的截止时间。'),
  mailRoles: z.array(z.enum(roles)).max(roles.length).default([]),
  mailUnitIds: z.array(z.uuid('所选单位无效。')).max(500).default([]),
});
export type AnnouncementInput = z.input<typeof announcementInputSchema>;
