/** SLA values in zh-CN words, for the admin page and the audit log. */
import type { SlaCalendar } from '../../../db/schema/sla.ts';
import { t } from '../../i18n/t.ts';
import { weekdayOf } from '../shared/time.ts';

/** 60 → "1 小时", 90 → "1 小时 30 分钟", 45 → "45 分钟". */
export function durationText(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h && m) return t('admin.sla.duration.hm', { h, m });
  return h ? t('admin.sla.duration.h', { h }) : t('admin.sla.duration.m', { m });
}

export const calendarText = (calendar: SlaCalendar) => t(`admin.sla.calendar.${calendar}`);

/** "首次响应 1 小时，解决 4 小时（7×24）". */
export function targetText(target: { firstReplyMinutes: number; resolveMinutes: number; calendar: SlaCalendar }): string {
  return t('admin.sla.targetText', { first: durationText(target.firstReplyMinutes), resolve: durationText(target.resolveMinutes), calendar: calendarText(target.calendar) });
}

/** How a special day differs from its plain week day: 调休上班 (a working weekend day), 节假日休息 (a weekday off), or plain 上班 / 休息. */
export function dayArrangement(day: string, workday: boolean): string {
  const weekend = [0, 6].includes(weekdayOf(day));
  if (workday) return weekend ? t('admin.sla.days.makeUp') : t('admin.sla.days.work');
  return weekend ? t('admin.sla.days.rest') : t('admin.sla.days.holiday');
}

/** "周六". */
export const weekdayText = (day: string) => t(`admin.sla.weekday.${weekdayOf(day) as 0 | 1 | 2 | 3 | 4 | 5 | 6}`);
