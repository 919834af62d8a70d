import { createValidationError } from '../shared/errors.ts';
import { addDays, localDay, startOfDayInZone } from '../shared/time.ts';

/**
 * The period a report covers, in the service's time zone: a month
 * ("2026-11"), a quarter ("2026-Q4") or a range of days (both inclusive).
 * `from`/`to` are instants, `to` exclusive; `previous` is the period the
 * figures are compared with: the month or quarter before, or the range of
 * the same length just before.
 */
export interface ReportPeriod {
  kind: 'month' | 'quarter' | 'range';
  /** What goes back into the URL: "2026-11", "2026-Q4" or "2026-11-01..2026-11-15". */
  key: string;
  /** First and last calendar day, inclusive. */
  firstDay: string;
  lastDay: string;
  from: Date;
  to: Date;
  label: string;
}

export interface ReportPeriods {
  current: ReportPeriod;
  previous: ReportPeriod;
}

/** The longest range a report covers; a year of questions renders in under 2 s (bench:reports). */
export const MAX_RANGE_DAYS = 400;

const pad = (n: number) => String(n).padStart(2, '0');
const lastDayOfMonth = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

function make(kind: ReportPeriod['kind'], key: string, firstDay: string, lastDay: string, label: string, timeZone: string): ReportPeriod {
  return { kind, key, firstDay, lastDay, from: startOfDayInZone(firstDay, timeZone), to: startOfDayInZone(addDays(lastDay, 1), timeZone), label };
}

function month(y: number, m: number, timeZone: string): ReportPeriod {
  const first = `${y}-${pad(m)}-01`;
  return make('month', `${y}-${pad(m)}`, first, `${y}-${pad(m)}-${pad(lastDayOfMonth(y, m))}`, `${y}年${m}月`, timeZone);
}

function quarter(y: number, q: number, timeZone: string): ReportPeriod {
  const m = (q - 1) * 3 + 1;
  return make('quarter', `${y}-Q${q}`, `${y}-${pad(m)}-01`, `${y}-${pad(m + 2)}-${pad(lastDayOfMonth(y, m + 2))}`, `${y}年第${q}季度`, timeZone);
}

function range(first: string, last: string, timeZone: string): ReportPeriod {
  return make('range', `${first}..${last}`, first, last, `${first} 至 ${last}`, timeZone);
}

const daysBetween = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
const isDay = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s;

/**
 * Reads `?period=` ("2026-11", "2026-Q4") or `?from=&to=` (days); with
 * neither, the last full month before `now`. Anything else is a validation
 * error naming the field, in Chinese.
 */
export function parsePeriod(params: URLSearchParams, { now, timeZone }: { now: Date; timeZone: string }): ReportPeriods {
  const period = params.get('period')?.trim() ?? '';
  const from = params.get('from')?.trim() ?? '';
  const to = params.get('to')?.trim() ?? '';
  if (from || to) {
    if (!isDay(from)) throw createValidationError({ from: '请填写开始日期，格式如 2026-11-01。' });
    if (!isDay(to)) throw createValidationError({ to: '请填写结束日期，格式如 2026-11-30。' });
    const days = daysBetween(from, to) + 1;
    if (days < 1) throw createValidationError({ to: '结束日期不能早于开始日期。' });
    if (days > MAX_RANGE_DAYS) throw createValidationError({ to: `一份报告最多覆盖 ${MAX_RANGE_DAYS} 天。` });
    const current = range(from, to, timeZone);
    const prevLast = addDays(from, -1);
    return { current, previous: range(addDays(prevLast, -(days - 1)), prevLast, timeZone) };
  }
  if (period) {
    const m = /^(\d{4})-(\d{2})$/.exec(period);
    const q = /^(\d{4})-Q([1-4])$/i.exec(period);
    if (m && Number(m[2]) >= 1 && Number(m[2]) <= 12) {
      const [y, mo] = [Number(m[1]), Number(m[2])];
      return { current: month(y, mo, timeZone), previous: mo === 1 ? month(y - 1, 12, timeZone) : month(y, mo - 1, timeZone) };
    }
    if (q) {
      const [y, n] = [Number(q[1]), Number(q[2])];
      return { current: quarter(y, n, timeZone), previous: n === 1 ? quarter(y - 1, 4, timeZone) : quarter(y, n - 1, timeZone) };
    }
    throw createValidationError({ period: '报告期请写成月份（如 2026-11）或季度（如 2026-Q4）。' });
  }
  const today = localDay(now, timeZone);
  const [y, mo] = today.split('-').map(Number) as [number, number];
  const last = mo === 1 ? { y: y - 1, mo: 12 } : { y, mo: mo - 1 };
  const current = month(last.y, last.mo, timeZone);
  return { current, previous: last.mo === 1 ? month(last.y - 1, 12, timeZone) : month(last.y, last.mo - 1, timeZone) };
}

/** The query string that names `period` again (links, CSV exports). */
export function periodQuery(period: ReportPeriod): string {
  if (period.kind === 'range') return `from=${period.firstDay}&to=${period.lastDay}`;
  return `period=${period.key}`;
}
