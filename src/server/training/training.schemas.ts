import { z } from 'zod';
import { roles, trainingForms } from '../../../db/schema/index.ts';

const text = (max: number, label: string) => z.string().trim().max(max, `${label}不能超过 ${max} 个字。`).default('');
const unknownKeys = { error: (issue: { code: string; keys?: string[] }) => (issue.code === 'unrecognized_keys' ? `不支持的字段：${(issue.keys ?? []).join('、')}。` : undefined) };
const optionalNumber = (label: string, min: number, max: number) =>
  z
    .string()
    .trim()
    .default('')
    .transform((v, ctx) => {
      if (v === '') return null;
      const n = Number(v);
      if (!Number.isFinite(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `${label}应为 ${min}–${max} 之间的数字。` });
        return z.NEVER;
      }
      return n;
    });

/**
 * The plan form (培训方案): the training's own fields and the template's. The
 * audience comes as e-mail addresses (one a line), unit ids and roles; the
 * use case turns the addresses into accounts.
 */
export const planInputSchema = z.strictObject(
  {
    title: z.string({ error: '请填写培训名称。' }).trim().min(2, '培训名称至少 2 个字。').max(120, '培训名称不能超过 120 个字。'),
    courseSlug: z
      .string()
      .trim()
      .default('')
      .refine((v) => v === '' || /^[a-z0-9][a-z0-9-]{0,99}$/.test(v), '请选择课件库中的课件。'),
    courseVersion: text(40, '课件版本'),
    trainerId: z.string().trim().default(''),
    form: z.enum(trainingForms, { error: '请选择培训形式。' }),
    capacity: optionalNumber('名额上限', 1, 10_000),
    audienceEmails: text(20_000, '受邀人员'),
    audienceUnitIds: z.array(z.string()).default([]),
    audienceRoles: z.array(z.enum(roles, { error: '不支持的角色。' })).default([]),
    audienceKind: text(200, '培训对象'),
    goals: text(2_000, '培训目标'),
    content: text(10_000, '培训内容'),
    organizer: text(100, '组织单位'),
    assessment: text(200, '考核方式'),
    passScore: optionalNumber('合格分数', 0, 1_000),
    notes: text(2_000, '其他说明'),
  },
  unknownKeys,
);
export type PlanInput = z.output<typeof planInputSchema>;

/** One lesson (场次): local times in APP_TIME_ZONE as `datetime-local` fields send them. */
export const lessonInputSchema = z.strictObject(
  {
    topic: text(200, '场次主题'),
    startsAt: z.string({ error: '请填写开始时间。' }).trim().min(1, '请填写开始时间。'),
    endsAt: z.string({ error: '请填写结束时间。' }).trim().min(1, '请填写结束时间。'),
    place: text(200, '地点'),
    onlineUrl: z
      .string()
      .trim()
      .default('')
      .refine((v) => v === '' || /^https?:\/\/[^\s<>"]{1,500}$/.test(v), '线上链接须以 http:// 或 https:// 开头。'),
    hours: optionalNumber('课时', 0, 24),
  },
  unknownKeys,
);
export type LessonInput = z.output<typeof lessonInputSchema>;

/** A trainee's question recorded in class (培训人员问题表). */
export const classQuestionSchema = z.strictObject(
  {
    title: z.string({ error: '请填写问题。' }).trim().min(4, '问题至少 4 个字。').max(120, '问题不能超过 120 个字。'),
    body: z.string().trim().max(20_000, '说明不能超过 20000 个字。').default(''),
    traineeId: z.string().trim().default(''),
    lessonId: z.string().trim().default(''),
  },
  unknownKeys,
);

/** One attendee's result (结业考核). */
export const assessmentInputSchema = z.strictObject(
  {
    userId: z.string().trim(),
    result: z.enum(['passed', 'failed'], { error: '请选择合格或不合格。' }),
    score: optionalNumber('成绩', 0, 1_000),
    note: text(500, '备注'),
  },
  unknownKeys,
);
