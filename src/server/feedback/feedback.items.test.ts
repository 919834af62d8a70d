import { describe, expect, it } from 'vitest';
import { isAppError } from '../shared/errors.ts';
import { csvCell } from '../shared/csv.ts';
import { bucketOf, feedbackAreas, feedbackScore, itemNumbers, oneDecimal } from './feedback.items.ts';
import { parseFeedbackAnswer } from './feedback.schemas.ts';
import { summarizeResponses } from './feedback.results.ts';

const all = (r: number) => Array.from({ length: 13 }, () => r);
const formOf = (ratings: (number | string)[], extra: Record<string, string> = {}) =>
  Object.fromEntries([...ratings.map((r, i) => [`r${i + 1}`, String(r)]), ...Object.entries(extra)]) as Record<string, string>;

describe('the feedback score (sum × 100 / 91)', () => {
  it.each([
    ['all 7s make 100', all(7), 100],
    ['all 4s (中) make 57.1', all(4), 57.1],
    ['all 1s make 14.3', all(1), 14.3],
    ['a sum of 78 makes 85.7, the manual’s example', [7, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 5], 85.7],
  ])('%s', (_name, ratings, shown) => {
    expect(feedbackScore(ratings)).toBeCloseTo((ratings.reduce((a, b) => a + b, 0) * 100) / 91, 10);
    expect(oneDecimal(feedbackScore(ratings))).toBe(shown);
  });

  it('refuses anything but 13 ratings of 1–7', () => {
    expect(() => feedbackScore(all(7).slice(1))).toThrow(RangeError);
    expect(() => feedbackScore([...all(7).slice(1), 8])).toThrow(RangeError);
    expect(() => feedbackScore([...all(7).slice(1), 0])).toThrow(RangeError);
  });

  it('puts every item in exactly one area: trainer 2 3 4 6 11, content 1 5 7 8 9 10 12, other 13', () => {
    expect([...feedbackAreas.trainer, ...feedbackAreas.content, ...feedbackAreas.other].sort((a, b) => a - b)).toEqual(itemNumbers);
  });

  it('counts a score in the range it is shown in', () => {
    expect(bucketOf(59.9)).toBe(0);
    expect(bucketOf(89.96)).toBe(4);
    expect(bucketOf(100)).toBe(4);
    expect(bucketOf(70)).toBe(2);
  });
});

describe('reading a filled-in form', () => {
  it('takes 13 ratings, the optional name and the comments, trimmed', () => {
    expect(parseFeedbackAnswer(formOf(all(5), { name: ' 王芳 ', comments: ' 希望多些实操 ' }))).toEqual({
      ratings: all(5),
      name: '王芳',
      comments: '希望多些实操',
    });
  });

  it('names every item left out and says how many are missing', () => {
    const ratings: (number | string)[] = all(5);
    ratings[2] = '';
    ratings[9] = '9';
    try {
      parseFeedbackAnswer(formOf(ratings));
      expect.unreachable();
    } catch (e) {
      expect(isAppError(e) && e.message).toBe('还有 2 个题目没有打分，请补全后再提交（已填写的内容已保留）。');
      expect(isAppError(e) && e.fields).toEqual({ r3: '请为第 3 题打分（1–7 分）。', r10: '请为第 10 题打分（1–7 分）。' });
    }
  });
});

describe('the figures of a form', () => {
  const at = new Date('2026-11-25T08:00:00Z');
  const response = (ratings: number[], comments = '') => ({ ratings, score: feedbackScore(ratings), name: '', comments, submittedAt: at });

  it('averages the scores and each item, and marks items and areas under 4 as low', () => {
    const low13 = [...all(6).slice(0, 12), 2];
    const f = summarizeResponses([response(all(7)), response(low13, '教室太冷'), response(low13, '  ')]);
    expect(f.count).toBe(3);
    expect(f.score).toBe(oneDecimal((100 + feedbackScore(low13) * 2) / 3));
    expect(f.items[12]).toEqual({ n: 13, average: 3.7, low: true });
    expect(f.items[0]).toEqual({ n: 1, average: 6.3, low: false });
    expect(f.areas.find((a) => a.area === 'other')).toMatchObject({ average: 3.7, low: true });
    expect(f.areas.find((a) => a.area === 'trainer')).toMatchObject({ average: 6.3, low: false });
    expect(f.distribution.map((d) => d.count)).toEqual([0, 0, 0, 2, 1]);
    expect(f.comments.map((c) => c.text)).toEqual(['教室太冷']);
  });

  it('has no score without responses', () => {
    const f = summarizeResponses([]);
    expect(f.score).toBeNull();
    expect(f.items.every((i) => i.average === null && !i.low)).toBe(true);
  });
});

describe('CSV cells', () => {
  it.each([
    ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['+1', "'+1"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['好，但是, 太短', '"好，但是, 太短"'],
    ['第一行\n第二行', '"第一行\n第二行"'],
    ['普通意见', '普通意见'],
  ])('writes %j as %s', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });
});
