import chineseDays from 'chinese-days';
import { describe, expect, it } from 'vitest';
import { packageCalendarDays } from './sla.seed.ts';

// The package's date functions read dates in the process's local zone; they answer for the right day only east of UTC or at UTC.
const eastOfUtc = new Date(2026, 0, 1).getTimezoneOffset() <= 0;

describe('the chinese-days data the calendar is seeded from', () => {
  it('knows 2026: 国庆 1–7 October off, its make-up working days on Sunday 20 September and Saturday 10 October', () => {
    const { years, days } = packageCalendarDays();
    expect(years).toContain(2026);
    const of = (day: string) => days.find((d) => d.day === day);
    expect(['01', '02', '03', '04', '05', '06', '07'].map((d) => of(`2026-10-${d}`)?.workday)).toEqual(Array(7).fill(false));
    expect(of('2026-10-01')?.name).toBe('国庆节');
    expect(of('2026-10-10')).toEqual({ day: '2026-10-10', workday: true, name: '国庆节补班' });
    expect(of('2026-09-20')?.workday).toBe(true);
    expect(of('2026-10-09')).toBeUndefined();
  });

  it.runIf(eastOfUtc)('agrees with the package’s own isWorkday for every day it lists (a make-up day is isWorkday, not isInLieu)', () => {
    const { days } = packageCalendarDays();
    expect(days.filter((d) => chineseDays.isWorkday(d.day) !== d.workday)).toEqual([]);
    expect(chineseDays.isInLieu('2026-10-10')).toBe(false);
  });
});
