import { z } from 'zod';
import { questionKinds, severities } from '../../../db/schema/index.ts';

export const TITLE_MAX = 120;
export const BODY_MAX = 20_000;

/**
 * A new question, as the ask form and `POST /api/questions` send it. Severity
 * belongs to faults only (required there); every message is the zh-CN text a
 * person sees next to the field.
 */
export const askInputSchema = z
  .strictObject({
    kind: z.enum(questionKinds, { error: '请选择问题类型。' }),
    severity: z.enum(severities, { error: '请选择故障级别（A–E）。' }).optional(),
    title: z.string({ error: '请填写标题。' }).trim().min(4, '标题至少 4 个字。').max(TITLE_MAX, `标题不能超过 ${TITLE_MAX} 个字。`),
    body: z.string({ error: '请描述问题。' }).trim().min(10, '请把问题描述得具体一些（至少 10 个字）。').max(BODY_MAX, `描述不能超过 ${BODY_MAX} 个字。`),
    name: z.string().trim().max(50, '姓名不能超过 50 个字。').optional(),
    email: z.string({ error: '请填写联系邮箱。' }).trim().toLowerCase().pipe(z.email('邮箱格式不正确。').max(200)),
    phone: z
      .string()
      .trim()
      .max(30, '电话不能超过 30 个字符。')
      .regex(/^$|^[0-9+\-()（） ]{5,30}(转\d{1,6})?$/, '电话只能包含数字、空格、+、- 和括号。')
      .optional(),
    unit: z.string().trim().max(100, '单位名称不能超过 100 个字。').optional(),
  }, { error: (issue) => (issue.code === 'unrecognized_keys' ? `不支持的字段：${issue.keys.join('、')}。` : undefined) })
  .superRefine((v, ctx) => {
    if (v.kind === 'fault' && !v.severity) ctx.addIssue({ code: 'custom', path: ['severity'], message: '故障申告请选择故障级别（A–E）。' });
    if (v.kind !== 'fault' && v.severity) ctx.addIssue({ code: 'custom', path: ['severity'], message: '只有故障申告需要选择级别。' });
  });
export type AskInput = z.output<typeof askInputSchema>;
