import { describe, expect, it } from 'vitest';
import { createFixedClock } from './clock.ts';
import { formatHumanNumber, newId } from './ids.ts';
import { formatDateTimeZh, formatDateZh, formatLocalDateTime, parseLocalDateTime, startOfDayInZone } from './time.ts';

describe('Chinese time formatting in APP_TIME_ZONE', () => {
  it.each([
    ['2026-11-24T06:05:00Z', 'Asia/Shanghai', '2026年11月24日 14:05'],
    ['2026-11-24T16:30:00Z', 'Asia/Shanghai', '2026年11月25日 00:30'],
    ['2026-01-02T03:04:00Z', 'UTC', '2026年1月2日 03:04'],
  ])('shows %s in %s as %s', (iso, tz, expected) => {
    expect(formatDateTimeZh(new Date(iso), tz)).toBe(expected);
  });

  it('shows the local date', () => {
    expect(formatDateZh(new Date('2026-11-24T16:30:00Z'), 'Asia/Shanghai')).toBe('2026年11月25日');
  });
});

describe('day boundaries', () => {
  it.each([
    ['2026-11-24', 'Asia/Shanghai', '2026-11-23T16:00:00.000Z'],
    ['2026-11-24', 'UTC', '2026-11-24T00:00:00.000Z'],
    ['2026-07-01', 'America/New_York', '2026-07-01T04:00:00.000Z'],
  ])('starts %s in %s at %s', (day, tz, iso) => {
    expect(startOfDayInZone(day, tz).toISOString()).toBe(iso);
  });
});

describe('ids', () => {
  it('numbers a question by its local day, as people quote it', () => {
    expect(formatHumanNumber(new Date('2026-11-24T06:00:00Z'), 7, 'Asia/Shanghai')).toBe('20261124-0007');
    expect(formatHumanNumber(new Date('2026-11-24T17:00:00Z'), 12, 'Asia/Shanghai')).toBe('20261125-0012');
  });

  it('makes uuidv7 keys that sort by creation time', () => {
    const ids = Array.from({ length: 50 }, () => newId());
    expect(ids.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
  });
});

describe('fixed clock', () => {
  it('moves only when told', () => {
    const clock = createFixedClock('2026-11-24T00:00:00Z');
    expect(clock.now().toISOString()).toBe('2026-11-24T00:00:00.000Z');
    clock.advance(90_000);
    expect(clock.now().toISOString()).toBe('2026-11-24T00:01:30.000Z');
  });
});

describe('datetime-local values', () => {
  it.each([
    ['2026-11-25T09:30', 'Asia/Shanghai', '2026-11-25T01:30:00.000Z'],
    ['2026-11-25T00:10', 'Asia/Shanghai', '2026-11-24T16:10:00.000Z'],
    ['2026-07-01T08:00:00', 'America/New_York', '2026-07-01T12:00:00.000Z'],
  ])('reads %s in %s as %s, and shows it back', (value, tz, iso) => {
    const date = parseLocalDateTime(value, tz)!;
    expect(date.toISOString()).toBe(iso);
    expect(formatLocalDateTime(date, tz)).toBe(value.slice(0, 16));
  });

  it.each(['', '2026-02-30T08:00', '2026-11-25 09:30', '2026-11-25T24:00', '明天上午'])('refuses %j', (value) => {
    expect(parseLocalDateTime(value, 'Asia/Shanghai')).toBeNull();
  });

  it('refuses a wall time a DST change skips', () => {
    expect(parseLocalDateTime('2026-03-08T02:30', 'America/New_York')).toBeNull();
  });
});
