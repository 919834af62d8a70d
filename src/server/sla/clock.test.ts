import { describe, expect, it } from 'vitest';
import { formatLocalDateTime, parseLocalDateTime } from '../shared/time.ts';
import { addMinutesOn, addWorkingMinutes, createWorkingCalendar, minutesBetweenOn, warnAt, workingMinutesBetween } from './clock.ts';

const tz = 'Asia/Shanghai';
/** 2026 as the State Council announced it: 中秋 25–27 Sep, 国庆 1–7 Oct, make-up working days Sun 20 Sep and Sat 10 Oct. */
const days = new Map<string, boolean>([
  ['2026-09-20', true],
  ['2026-09-25', false],
  ['2026-09-26', false],
  ['2026-09-27', false],
  ...['01', '02', '03', '04', '05', '06', '07'].map((d) => [`2026-10-${d}`, false] as [string, boolean]),
  ['2026-10-10', true],
]);
const cal = createWorkingCalendar({ timeZone: tz, intervals: [['08:30', '12:00'], ['13:30', '17:30']], days });

/** "2026-11-25 09:00" on the wall clock in Shanghai. */
const at = (local: string) => {
  const d = parseLocalDateTime(local.replace(' ', 'T'), tz);
  if (!d) throw new Error(`bad time ${local}`);
  return d;
};
const shown = (d: Date) => formatLocalDateTime(d, tz).replace('T', ' ');

// 2026-11-25 is a Wednesday; 11-27 Friday, 11-30 Monday.
describe('addWorkingMinutes (08:30–12:00, 13:30–17:30 on working days)', () => {
  it.each([
    ['within a morning', '2026-11-25 09:00', 60, '2026-11-25 10:00'],
    ['across the lunch break', '2026-11-25 11:30', 60, '2026-11-25 14:00'],
    ['running out exactly at the break (12:00, not 13:30)', '2026-11-25 11:00', 60, '2026-11-25 12:00'],
    ['from the start of the break', '2026-11-25 12:00', 30, '2026-11-25 14:00'],
    ['from inside the break', '2026-11-25 12:45', 30, '2026-11-25 14:00'],
    ['from the end of the day', '2026-11-25 17:30', 30, '2026-11-26 09:00'],
    ['from the evening', '2026-11-25 20:00', 60, '2026-11-26 09:30'],
    ['from early morning', '2026-11-25 06:00', 60, '2026-11-25 09:30'],
    ['from exactly the start of the day', '2026-11-25 08:30', 1, '2026-11-25 08:31'],
    ['a whole working day', '2026-11-25 08:30', 450, '2026-11-25 17:30'],
    ['one minute past a whole day', '2026-11-25 08:30', 451, '2026-11-26 08:31'],
    ['across a weekend', '2026-11-27 17:00', 60, '2026-11-30 09:00'],
    ['from a Saturday', '2026-11-28 10:00', 60, '2026-11-30 09:30'],
    ['24 h of working time, over a weekend', '2026-11-25 09:00', 1440, '2026-11-30 10:30'],
    ['across 国庆 (1–7 Oct)', '2026-09-30 17:00', 60, '2026-10-08 09:00'],
    ['from inside 国庆', '2026-10-03 10:00', 30, '2026-10-08 09:00'],
    ['onto the 调休 Saturday after 国庆', '2026-10-09 17:00', 60, '2026-10-10 09:00'],
    ['onto the 调休 Sunday before 中秋', '2026-09-19 10:00', 60, '2026-09-20 09:30'],
    ['over 中秋 on a Friday and its weekend', '2026-09-24 17:00', 60, '2026-09-28 09:00'],
    ['0 minutes inside working time', '2026-11-25 10:00', 0, '2026-11-25 10:00'],
    ['0 minutes at night: the next start', '2026-11-25 20:00', 0, '2026-11-26 08:30'],
    ['0 minutes at an interval’s end', '2026-11-25 17:30', 0, '2026-11-26 08:30'],
    ['0 minutes on a holiday', '2026-10-01 09:00', 0, '2026-10-08 08:30'],
  ])('%s: %s + %i min → %s', (_, start, minutes, due) => {
    expect(shown(addWorkingMinutes(at(start), minutes, cal))).toBe(due);
  });

  it('keeps seconds: minute counts, not minute rounding', () => {
    expect(addWorkingMinutes(new Date('2026-11-25T01:00:30Z'), 1, cal).toISOString()).toBe('2026-11-25T01:01:30.000Z');
  });

  it('refuses a negative count', () => {
    expect(() => addWorkingMinutes(at('2026-11-25 09:00'), -1, cal)).toThrow(RangeError);
  });

  it('gives up on a calendar without working days instead of looping for ever', () => {
    const never = createWorkingCalendar({ timeZone: tz, intervals: [['08:30', '12:00']], days: new Map() });
    const rest = { ...never, isWorkingDay: () => false };
    expect(() => addWorkingMinutes(at('2026-11-25 09:00'), 1, rest)).toThrow(/no working time/);
  });

  it('computes in the calendar’s own time zone', () => {
    const utc = createWorkingCalendar({ timeZone: 'UTC', intervals: [['08:30', '12:00'], ['13:30', '17:30']] });
    expect(addWorkingMinutes(new Date('2026-11-25T09:00:00Z'), 60, utc).toISOString()).toBe('2026-11-25T10:00:00.000Z');
    // 09:00 in Shanghai is 01:00 UTC.
    expect(addWorkingMinutes(new Date('2026-11-25T01:00:00Z'), 60, cal).toISOString()).toBe('2026-11-25T02:00:00.000Z');
    // Berlin moves to summer time on Sunday 29 March 2026; working hours stay wall-clock hours.
    const berlin = createWorkingCalendar({ timeZone: 'Europe/Berlin', intervals: [['08:30', '12:00'], ['13:30', '17:30']] });
    expect(addWorkingMinutes(new Date('2026-03-27T16:00:00Z'), 60, berlin).toISOString()).toBe('2026-03-30T07:00:00.000Z');
  });
});

describe('workingMinutesBetween', () => {
  it.each([
    ['within a morning', '2026-11-25 09:00', '2026-11-25 10:00', 60],
    ['across the lunch break', '2026-11-25 11:30', '2026-11-25 14:00', 60],
    ['inside the break', '2026-11-25 12:10', '2026-11-25 13:00', 0],
    ['overnight', '2026-11-25 20:00', '2026-11-26 09:30', 60],
    ['across a weekend', '2026-11-27 17:00', '2026-11-30 09:00', 60],
    ['across 国庆', '2026-09-30 17:00', '2026-10-08 09:00', 60],
    ['a 调休 Saturday counts', '2026-10-09 17:00', '2026-10-12 08:30', 30 + 450],
    ['a whole week', '2026-11-23 00:00', '2026-11-30 00:00', 5 * 450],
    ['backwards', '2026-11-25 10:00', '2026-11-25 09:00', 0],
    ['no time at all', '2026-11-25 10:00', '2026-11-25 10:00', 0],
  ])('%s: %s → %s is %i min', (_, a, b, minutes) => {
    expect(workingMinutesBetween(at(a), at(b), cal)).toBe(minutes);
  });

  it.each(['2026-11-25 08:30', '2026-11-25 11:17', '2026-11-27 16:59', '2026-09-30 09:00', '2026-10-09 13:30'])(
    'undoes addWorkingMinutes from %s',
    (start) => {
      for (const minutes of [0, 1, 59, 210, 211, 450, 1440, 4000]) {
        expect(workingMinutesBetween(at(start), addWorkingMinutes(at(start), minutes, cal), cal)).toBe(minutes);
      }
    },
  );
});

describe('on either calendar', () => {
  it('counts plain minutes round the clock (7×24), across nights and holidays', () => {
    expect(shown(addMinutesOn('24x7', at('2026-09-30 23:30'), 60, cal))).toBe('2026-10-01 00:30');
    expect(minutesBetweenOn('24x7', at('2026-10-01 00:00'), at('2026-10-02 00:00'), cal)).toBe(1440);
    expect(minutesBetweenOn('24x7', at('2026-10-02 00:00'), at('2026-10-01 00:00'), cal)).toBe(0);
  });

  it('counts working minutes on working time', () => {
    expect(shown(addMinutesOn('working', at('2026-09-30 17:00'), 60, cal))).toBe('2026-10-08 09:00');
    expect(minutesBetweenOn('working', at('2026-09-30 17:00'), at('2026-10-08 09:00'), cal)).toBe(60);
  });

  it('warns at 75 % of the time the clock runs', () => {
    expect(shown(warnAt(at('2026-11-25 10:00'), at('2026-11-25 14:00'), 75, '24x7', cal))).toBe('2026-11-25 13:00');
    // 240 working minutes from Wednesday 16:00 end Thursday 11:00; 180 of them end Thursday 10:00.
    const due = addWorkingMinutes(at('2026-11-25 16:00'), 240, cal);
    expect(shown(due)).toBe('2026-11-26 11:00');
    expect(shown(warnAt(at('2026-11-25 16:00'), due, 75, 'working', cal))).toBe('2026-11-26 10:00');
  });
});
