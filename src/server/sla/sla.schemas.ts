/**
 * The /admin/sla forms as posted, checked into values the use cases store;
 * field errors in zh-CN, keyed by the field they belong to.
 */
import { z } from 'zod';
import { slaCalendars, type SlaCalendar } from '../../../db/schema/sla.ts';
import { createValidationError, fieldsOf } from '../shared/errors.ts';
import { defaultTargets, targetKey, type SlaTarget } from './sla.defaults.ts';

type Form = Record<string, string>;

/** At most this long a target (30 days), in minutes. */
export const TARGET_MAX_MINUTES = 30 * 24 * 60;
/** How many working intervals a day may have (the form shows this many rows). */
export const INTERVALS_MAX = 4;

const count = (v: string | undefined) => (v === undefined || v.trim() === '' ? 0 : /^\d{1,5}$/.test(v.trim()) ? Number(v.trim()) : NaN);

/** Hours and minutes as typed ("4", "30") to minutes; null when not whole numbers. */
export function formMinutes(hours: string | undefined, minutes: string | undefined): number | null {
  const h = count(hours);
  const m = count(minutes);
  return Number.isNaN(h) || Number.isNaN(m) ? null : h * 60 + m;
}

/**
 * The policy table: per target `<key>.firstHours`, `.firstMinutes`,
 * `.resolveHours`, `.resolveMinutes`, `.calendar` (key "fault-A", "consult"…).
 */
export function parseTargetsForm(form: Form): SlaTarget[] {
  const fields: Record<string, string> = {};
  const targets = defaultTargets.map((d): SlaTarget => {
    const key = targetKey(d);
    const first = formMinutes(form[`${key}.firstHours`], form[`${key}.firstMinutes`]);
    const resolve = formMinutes(form[`${key}.resolveHours`], form[`${key}.resolveMinutes`]);
    const calendar = form[`${key}.calendar`] ?? '';
    for (const [name, value] of [['first', first], ['resolve', resolve]] as const) {
      if (value === null) fields[`${key}.${name}`] = '请填写整数的小时和分钟。';
      else if (value < 1) fields[`${key}.${name}`] = '时限至少 1 分钟。';
      else if (value > TARGET_MAX_MINUTES) fields[`${key}.${name}`] = '时限不能超过 30 天。';
    }
    if (!fields[`${key}.first`] && !fields[`${key}.resolve`] && resolve! < first!) fields[`${key}.resolve`] = '解决时限不能短于首次响应时限。';
    if (!(slaCalendars as readonly string[]).includes(calendar)) fields[`${key}.calendar`] = '请选择计时方式。';
    return { kind: d.kind, severity: d.severity, firstReplyMinutes: first ?? 0, resolveMinutes: resolve ?? 0, calendar: calendar as SlaCalendar };
  });
  if (Object.keys(fields).length) throw createValidationError(fields);
  return targets;
}

const hhmm = /^([01]\d|2[0-3]):([0-5]\d)$/;
const toMinutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

/**
 * Working intervals of a day (rows `intervals.<n>.start` / `.end`, empty rows
 * left out): HH:MM, each ending after it starts and starting no earlier than
 * the previous one ends.
 */
export function parseIntervals(form: Form): [string, string][] {
  const rows: [string, string][] = [];
  for (let n = 0; n < INTERVALS_MAX; n++) {
    const start = (form[`intervals.${n}.start`] ?? '').trim();
    const end = (form[`intervals.${n}.end`] ?? '').trim();
    if (!start && !end) continue;
    // A time input may send seconds ("08:30:00"); minutes are the precision.
    const [s, e] = [start.slice(0, 5), end.slice(0, 5)];
    if (!hhmm.test(s) || !hhmm.test(e) || start.length > 8 || end.length > 8) throw createValidationError({ intervals: `第 ${n + 1} 段时间请按“时:分”填写，如 08:30。` });
    if (toMinutes(e) <= toMinutes(s)) throw createValidationError({ intervals: `第 ${n + 1} 段的结束时间必须晚于开始时间。` });
    const prev = rows.at(-1);
    if (prev && toMinutes(s) < toMinutes(prev[1])) throw createValidationError({ intervals: `第 ${n + 1} 段必须在上一段结束（${prev[1]}）之后开始，时间段按先后填写且不能重叠。` });
    rows.push([s, e]);
  }
  if (rows.length === 0) throw createValidationError({ intervals: '请至少填写一段工作时间。' });
  return rows;
}

const settingsSchema = z.object({
  warnPercent: z.coerce.number({ message: '请填写 1–99 之间的整数。' }).int('请填写 1–99 之间的整数。').min(1, '请填写 1–99 之间的整数。').max(99, '请填写 1–99 之间的整数。'),
  arrivalMinutes: z.coerce.number({ message: '请填写 1–1440 之间的整数。' }).int('请填写 1–1440 之间的整数。').min(1, '请填写 1–1440 之间的整数。').max(1440, '请填写 1–1440 之间的整数。'),
});

/** The settings form: working intervals, warning percentage, arrival minutes. */
export function parseSettingsForm(form: Form): { workingIntervals: [string, string][]; warnPercent: number; arrivalMinutes: number } {
  const fields: Record<string, string> = {};
  let workingIntervals: [string, string][] = [];
  try {
    workingIntervals = parseIntervals(form);
  } catch (e) {
    Object.assign(fields, (e as { fields?: Record<string, string> }).fields);
  }
  const parsed = settingsSchema.safeParse({ warnPercent: (form.warnPercent ?? '').trim() || undefined, arrivalMinutes: (form.arrivalMinutes ?? '').trim() || undefined });
  if (!parsed.success) Object.assign(fields, fieldsOf(parsed.error));
  if (Object.keys(fields).length || !parsed.success) throw createValidationError(fields);
  return { workingIntervals, ...parsed.data };
}

const isoDay = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar day "2026-10-10" (not 2026-02-30). */
export function isCalendarDay(value: string): boolean {
  const m = isoDay.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value && Number(m[1]) >= 2000 && Number(m[1]) <= 2100;
}

/** The calendar-day form: date, 工作日 ('1') or 休息日 ('0'), a name. */
export function parseDayForm(form: Form): { day: string; workday: boolean; name: string } {
  const fields: Record<string, string> = {};
  const day = (form.day ?? '').trim();
  const workday = form.workday ?? '';
  const name = (form.name ?? '').trim();
  if (!isCalendarDay(day)) fields.day = '请填写有效的日期，如 2026-10-10。';
  if (workday !== '1' && workday !== '0') fields.workday = '请选择这一天上班还是休息。';
  if (name.length > 40) fields.name = '名称不能超过 40 个字。';
  if (Object.keys(fields).length) throw createValidationError(fields);
  return { day, workday: workday === '1', name };
}
