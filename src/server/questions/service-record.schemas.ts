import { z } from 'zod';
import { t } from '../../i18n/t.ts';
import { parseLocalDateTime } from '../shared/time.ts';

/** The longest text one box of the record takes (故障现象, 诊断结果, 备件或补丁, 处理结果). */
export const SERVICE_TEXT_MAX = 4000;
/** The name of whoever confirmed the work, as signed. */
export const CONFIRMED_BY_MAX = 50;
/** How far ahead of "now" a time may be: a watch running a little fast, not a day typed wrong. */
export const FUTURE_GRACE_MS = 60 * 60_000;

/** The fields of a service record, in the order the form, the sheet and the timeline list them. */
export const serviceRecordFields = ['engineerId', 'arrivedAt', 'departedAt', 'symptom', 'diagnosis', 'partsUsed', 'resolution', 'confirmedBy', 'confirmedAt'] as const;
export type ServiceRecordField = (typeof serviceRecordFields)[number];

/** What the form posts: one string per field, times as `datetime-local` in APP_TIME_ZONE. */
export type ServiceRecordForm = Record<ServiceRecordField, string>;

/** The zh-CN label of a field ("到达时间"), as the form, the sheet and the timeline show it. */
export const fieldLabel = (field: ServiceRecordField): string => t(`serviceRecord.field.${field}`);

/** "故障现象、到达时间": the labels of the fields a timeline event names; unknown names are skipped. */
export function fieldLabels(fields: unknown): string {
  const known = Array.isArray(fields) ? fields.filter((f): f is ServiceRecordField => (serviceRecordFields as readonly unknown[]).includes(f)) : [];
  return known.map(fieldLabel).join('、');
}

const text = (field: ServiceRecordField, max: number) =>
  z
    .string({ error: t('serviceRecord.error.text', { field: fieldLabel(field) }) })
    .trim()
    .max(max, t('serviceRecord.error.tooLong', { field: fieldLabel(field), max }));

/**
 * A posted record: texts trimmed and bounded, times read in `timeZone` and
 * checked against `now` (never far in the future), departure not before
 * arrival, a confirmation time only with the name of who confirmed. Every
 * message is the zh-CN text shown next to its field.
 */
export function serviceRecordSchema({ timeZone, now }: { timeZone: string; now: Date }) {
  const time = (field: ServiceRecordField) =>
    z
      .string({ error: t('serviceRecord.error.time', { field: fieldLabel(field) }) })
      .trim()
      .transform((value, ctx): Date | null => {
        if (!value) return null;
        const date = parseLocalDateTime(value, timeZone);
        if (!date) {
          ctx.addIssue({ code: 'custom', message: t('serviceRecord.error.time', { field: fieldLabel(field) }) });
          return z.NEVER;
        }
        if (date.getTime() > now.getTime() + FUTURE_GRACE_MS) {
          ctx.addIssue({ code: 'custom', message: t('serviceRecord.error.future', { field: fieldLabel(field) }) });
          return z.NEVER;
        }
        return date;
      });
  return z
    .object({
      engineerId: z.string().trim().default(''),
      arrivedAt: time('arrivedAt').default(null),
      departedAt: time('departedAt').default(null),
      symptom: text('symptom', SERVICE_TEXT_MAX).default(''),
      diagnosis: text('diagnosis', SERVICE_TEXT_MAX).default(''),
      partsUsed: text('partsUsed', SERVICE_TEXT_MAX).default(''),
      resolution: text('resolution', SERVICE_TEXT_MAX).default(''),
      confirmedBy: text('confirmedBy', CONFIRMED_BY_MAX).default(''),
      confirmedAt: time('confirmedAt').default(null),
    })
    .superRefine((v, ctx) => {
      const issue = (path: ServiceRecordField, key: Parameters<typeof t>[0]) => ctx.addIssue({ code: 'custom', path: [path], message: t(key) });
      if (v.departedAt && !v.arrivedAt) issue('departedAt', 'serviceRecord.error.departedWithoutArrival');
      else if (v.departedAt && v.arrivedAt && v.departedAt < v.arrivedAt) issue('departedAt', 'serviceRecord.error.departedBeforeArrival');
      if (v.confirmedAt && !v.confirmedBy) issue('confirmedBy', 'serviceRecord.error.confirmedWithoutName');
      if (v.confirmedAt && v.arrivedAt && v.confirmedAt < v.arrivedAt) issue('confirmedAt', 'serviceRecord.error.confirmedBeforeArrival');
    });
}
export type ServiceRecordInput = z.output<ReturnType<typeof serviceRecordSchema>>;
