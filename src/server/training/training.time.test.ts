import { describe, expect, it } from 'vitest';
import { checkinWindow, isCheckinOpen } from './training.checkin.ts';
import { lessonLine } from './training.mail.ts';
import { responseDeadline } from './training.notice.ts';

const tz = 'Asia/Shanghai';
const lesson = (startsAt: string, endsAt: string, more: { place?: string; onlineUrl?: string | null; topic?: string } = {}) => ({
  startsAt: new Date(startsAt),
  endsAt: new Date(endsAt),
  place: more.place ?? '',
  onlineUrl: more.onlineUrl ?? null,
  topic: more.topic ?? '',
});

describe('the times a training runs by', () => {
  it('closes confirmations three days before the earliest lesson, whatever the order they were added in', () => {
    const later = lesson('2026-12-11T01:00:00Z', '2026-12-11T04:00:00Z');
    const first = lesson('2026-12-10T01:00:00Z', '2026-12-10T04:00:00Z');
    expect(responseDeadline([later, first])!.toISOString()).toBe('2026-12-07T01:00:00.000Z');
    expect(responseDeadline([])).toBeNull();
  });

  it.each([
    ['31 minutes before the start', '2026-12-10T00:29:00Z', false],
    ['30 minutes before the start', '2026-12-10T00:30:00Z', true],
    ['at the end', '2026-12-10T04:00:00Z', true],
    ['a minute after the end', '2026-12-10T04:01:00Z', false],
  ])('accepts the room’s code %s: %s → %s', (_, now, open) => {
    const l = lesson('2026-12-10T01:00:00Z', '2026-12-10T04:00:00Z');
    expect(isCheckinOpen(l, new Date(now))).toBe(open);
    expect(checkinWindow(l).opensAt.toISOString()).toBe('2026-12-10T00:30:00.000Z');
  });

  it.each([
    ['a lesson within one day', lesson('2026-12-10T01:00:00Z', '2026-12-10T04:00:00Z', { place: '三楼会议室', topic: '报送' }), '2026年12月10日 09:00–12:00 · 三楼会议室 · 报送'],
    ['a lesson past midnight', lesson('2026-12-10T14:00:00Z', '2026-12-10T17:00:00Z', { onlineUrl: 'https://meet.example.cn/1' }), '2026年12月10日 22:00–2026年12月11日 01:00 · https://meet.example.cn/1'],
  ])('writes %s on one line in local time', (_, l, line) => {
    expect(lessonLine(l, tz)).toBe(line);
  });
});
