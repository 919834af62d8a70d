import { z } from 'zod';
import { dutyDayTypes, dutyRoles } from '../../../db/schema/index.ts';

const hhmm = z.string().trim().regex(/^([01]\d|2[0-3]):[0-5]\d$/, '请按 时:分 填写，例如 08:30。');
const uuid = z.uuid('请选择。');
export const localDate = z.string().trim().regex(/^\d{4}-\d{2}-\d{2}$/, '请填写日期。').refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), '日期不存在。');

export const shiftSchema = z
  .strictObject({
    name: z.string().trim().min(1, '请填写班次名称。').max(30, '班次名称不超过 30 个字。'),
    startTime: hhmm,
    endTime: hhmm,
    days: z.enum(dutyDayTypes, '请选择适用日期。'),
    sortOrder: z.coerce.number().int().min(0).max(99).default(0),
  });
export type ShiftInput = z.infer<typeof shiftSchema>;

/** Who is on duty: an engineer with a tier (1 on-site, 2 expert, 3 vendor), or the manager on call without one. */
const person = {
  userId: uuid,
  role: z.enum(dutyRoles, '请选择值班角色。'),
  tier: z.preprocess((v) => (v === '' || v === undefined ? null : v), z.coerce.number().int().min(1).max(3).nullable()),
};
const tierFits = (p: { role: string; tier: number | null }) => (p.role === 'engineer' ? p.tier !== null : p.tier === null);
const tierMessage = { message: '工程师请选择一线/二线/三线；项目经理不选级别。', path: ['tier'] };

export const assignmentSchema = z
  .strictObject({ shiftId: uuid, weekday: z.coerce.number().int().min(0).max(7), ...person })
  .refine(tierFits, tierMessage);
export type AssignmentInput = z.infer<typeof assignmentSchema>;

export const overrideSchema = z
  .strictObject({
    day: localDate,
    shiftId: uuid,
    change: z.enum(['add', 'remove'], '请选择增加或撤下。'),
    reason: z.string().trim().max(200).optional(),
    ...person,
  })
  .refine(tierFits, tierMessage);
export type OverrideInput = z.infer<typeof overrideSchema>;

export const swapSchema = z.strictObject({ day: localDate, shiftId: uuid, fromUserId: uuid, toUserId: uuid, role: z.enum(dutyRoles) });

export const unavailableSchema = z
  .strictObject({ startsAt: z.date('请填写开始时间。'), endsAt: z.date('请填写结束时间。'), reason: z.string().trim().max(200).optional() })
  .refine((u) => u.endsAt > u.startsAt, { message: '结束时间必须晚于开始时间。', path: ['endsAt'] });

export const handoverSchema = z.strictObject({ note: z.string().trim().min(1, '请填写交接内容。').max(4000, '交接内容不超过 4000 字。') });
