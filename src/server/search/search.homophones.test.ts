import { describe, expect, it } from 'vitest';
import { buildHomophones, homophoneCorrections } from './search.homophones.ts';

const known = buildHomophones(['录播', '视频', '锁定', '账号', '密码', '找回', '提升', '问题', '升级', '即时', '同时', '系统', '一般', '双公示', '公示', '得分']);
const nothingWritten = () => false;
const meant = (q: string, written: (pair: string) => boolean = nothingWritten) => homophoneCorrections(known, q, written);

describe('homophone typos', () => {
  it.each([
    ['录波视频', ['录播']],
    ['找回秘码', ['密码']],
    ['双公式', ['双公示']],
  ])('reads %s as %j', (q, words) => {
    expect(meant(q)).toEqual(words);
  });

  it('leaves known words, and words the query already has, alone', () => {
    expect(meant('录播视频')).toEqual([]);
    expect(meant('录波视频 录播')).toEqual([]);
  });

  it('never reads a piece across the words the segmenter found (问题|升级 is not 题升 → 提升)', () => {
    expect(meant('问题升级')).toEqual([]);
  });

  it('takes a piece the documents write on purpose as meant (计时 beside 即时)', () => {
    expect(meant('还计时')).toEqual(['即时']);
    expect(meant('还计时', (pair) => pair === '计时')).toEqual([]);
  });

  it('needs the same sound and all but one character the same', () => {
    // 统式 sounds like 同时 but differs in both characters.
    expect(meant('统式')).toEqual([]);
  });

  it('takes no piece with a function character in it (的分 is not a slip of 得分)', () => {
    expect(meant('的分')).toEqual([]);
  });
});
