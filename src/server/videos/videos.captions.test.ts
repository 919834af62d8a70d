import { describe, expect, it } from 'vitest';
import { captionWindows, formatTimestamp, parseCaptions, parseChapterLines, parseTimestamp, toWebVtt, type Cue } from './videos.captions.ts';

const vtt = `WEBVTT - 双公示演示

NOTE 讲师：张老师

1
00:01:40.000 --> 00:01:45.500 align:start
<v 讲师>下面演示如何<b>撤回</b>一条数据。</v>

02:10.250 --> 02:15.000
在“数据报送”页面 &amp; 列表中
找到该条记录。
`;

describe('parseCaptions', () => {
  it('reads WebVTT: header, NOTE blocks, identifiers, settings and inline tags skipped', () => {
    expect(parseCaptions(vtt)).toEqual({
      ok: true,
      cues: [
        { start: 100, end: 105.5, text: '下面演示如何撤回一条数据。' },
        { start: 130.25, end: 135, text: '在“数据报送”页面 & 列表中\n找到该条记录。' },
      ],
    });
  });

  it('reads SRT with a BOM and CRLF, in time order, and writes it back as WebVTT', () => {
    const srt = '\uFEFF2\r\n00:00:06,000 --> 00:00:11,000\r\n第二句\r\n\r\n1\r\n00:00:01,000 --> 00:00:05,500\r\n第一句\r\n';
    const parsed = parseCaptions(srt);
    expect(parsed).toEqual({ ok: true, cues: [{ start: 1, end: 5.5, text: '第一句' }, { start: 6, end: 11, text: '第二句' }] });
    expect(toWebVtt((parsed as { cues: Cue[] }).cues)).toBe('WEBVTT\n\n00:00:01.000 --> 00:00:05.500\n第一句\n\n00:00:06.000 --> 00:00:11.000\n第二句\n');
  });

  it('names the line that is wrong', () => {
    expect(parseCaptions('hello')).toMatchObject({ ok: false, line: 1 });
    expect(parseCaptions('WEBVTT\n\n00:01.000 --> 00:02.000\n好\n\n00:03 --> 00:04.000\n坏\n')).toMatchObject({ ok: false, line: 6 });
    expect(parseCaptions('WEBVTT\n\n00:05.000 --> 00:02.000\n倒\n')).toMatchObject({ ok: false, line: 3, message: 'the cue ends before it starts' });
    expect(parseCaptions('WEBVTT\n')).toMatchObject({ ok: false, message: 'no cues' });
  });

  it('escapes markup when writing, so a caption cannot inject tags or end its cue', () => {
    const out = toWebVtt([{ start: 0, end: 1, text: '<script>alert(1)</script> --> x' }]);
    expect(out).toContain('&lt;script&gt;alert(1)&lt;/script&gt; --&gt; x');
    expect(out).not.toContain('<script>');
  });
});

describe('captionWindows', () => {
  it('starts a new window once a cue begins 30 s or more after the window did', () => {
    const cues = [0, 10, 29.9, 30, 45, 61].map((s) => ({ start: s, end: s + 4, text: `第${s}秒` }));
    expect(captionWindows(cues).map((w) => [w.start, w.end, w.text])).toEqual([
      [0, 33.9, '第0秒 第10秒 第29.9秒'],
      [30, 49, '第30秒 第45秒'],
      [61, 65, '第61秒'],
    ]);
  });
});

describe('timestamps and chapters', () => {
  it('formats and parses times', () => {
    expect([5, 59.9, 750, 3723].map(formatTimestamp)).toEqual(['0:05', '0:59', '12:30', '1:02:03']);
    expect(['750', '12:30', '1:02:03', '0:05.5', 90].map((v) => parseTimestamp(v))).toEqual([750, 750, 3723, 5.5, 90]);
    expect(['', '12:60', 'abc', '-3', '1:2'].map((v) => parseTimestamp(v))).toEqual([null, null, null, null, null]);
  });

  it('reads chapter lines in time order and refuses a line without a time or a time twice', () => {
    expect(parseChapterLines('12:30 撤回已报送数据\n\n00:00 开场\r\n')).toEqual({ ok: true, chapters: [{ at: 0, title: '开场' }, { at: 750, title: '撤回已报送数据' }] });
    expect(parseChapterLines('00:00 开场\n撤回数据')).toMatchObject({ ok: false, line: 2 });
    expect(parseChapterLines('00:00 开场\n0:00 又一个')).toMatchObject({ ok: false, line: 2, message: expect.stringContaining('已有章节') });
  });
});
