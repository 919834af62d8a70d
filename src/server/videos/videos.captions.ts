/** One caption: seconds from the start, and its plain text (lines of one cue joined by '\n'). */
export interface Cue {
  start: number;
  end: number;
  text: string;
}

export type CaptionsParse = { ok: true; cues: Cue[] } | { ok: false; line: number; message: string };

const MAX_CUES = 20_000;
const MAX_CUE_CHARS = 1000;
/** `01:02:03.500`, `02:03.500` (WebVTT) or `01:02:03,500` (SRT). */
const TIME = String.raw`(?:(\d{1,3}):)?(\d{1,2}):(\d{2})[.,](\d{1,3})`;
const TIMING = new RegExp(String.raw`^${TIME}\s+-->\s+${TIME}(?:\s+.*)?$`);

const seconds = (h: string | undefined, m: string, s: string, ms: string) => Number(h ?? 0) * 3600 + Number(m) * 60 + Number(s) + Number(ms.padEnd(3, '0')) / 1000;

/** Cue text as people read it: inline tags (<v 讲师>, <b>, <c.x>, <00:00:01.000>) gone, the common entities decoded. */
function plain(text: string): string {
  return text
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lrm;|&rlm;/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join('\n');
}

/**
 * Reads WebVTT (a `WEBVTT` first line) or SRT (numbered blocks, comma
 * decimals) into cues in time order. NOTE, STYLE and REGION blocks, cue
 * identifiers and cue settings are skipped; empty cues dropped. A timing line
 * that does not parse is reported with its line number.
 */
export function parseCaptions(source: string): CaptionsParse {
  const lines = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n');
  const vtt = /^WEBVTT(?:[ \t].*)?$/.test(lines[0] ?? '');
  const firstContent = lines.findIndex((l) => l.trim() !== '');
  if (!vtt && !/^\d+$/.test(lines[firstContent]?.trim() ?? '')) return { ok: false, line: 1, message: 'not WebVTT or SRT: the first line must be WEBVTT, or a cue number' };
  const cues: Cue[] = [];
  let i = vtt ? 1 : 0;
  // VTT: the header block runs to the first blank line.
  if (vtt) while (i < lines.length && lines[i]!.trim() !== '') i++;
  while (i < lines.length) {
    while (i < lines.length && lines[i]!.trim() === '') i++;
    if (i >= lines.length) break;
    const blockStart = i;
    const block: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== '') block.push(lines[i++]!);
    if (vtt && /^(NOTE|STYLE|REGION)(\s|$)/.test(block[0]!)) continue;
    // An identifier (VTT) or number (SRT) may come before the timing line.
    let at = block[0]!.includes('-->') ? 0 : 1;
    const timing = block[at];
    if (timing === undefined || !timing.includes('-->')) return { ok: false, line: blockStart + at + 1, message: 'expected a timing line like 00:01:40.000 --> 00:01:45.500' };
    const m = TIMING.exec(timing.trim());
    if (!m) return { ok: false, line: blockStart + at + 1, message: `malformed timing line: ${timing.trim().slice(0, 60)}` };
    const start = seconds(m[1], m[2]!, m[3]!, m[4]!);
    const end = seconds(m[5], m[6]!, m[7]!, m[8]!);
    if (end < start) return { ok: false, line: blockStart + at + 1, message: 'the cue ends before it starts' };
    at++;
    const text = plain(block.slice(at).join('\n'));
    if (text.length > MAX_CUE_CHARS) return { ok: false, line: blockStart + at + 1, message: `a cue may hold at most ${MAX_CUE_CHARS} characters` };
    if (text) cues.push({ start, end, text });
    if (cues.length > MAX_CUES) return { ok: false, line: blockStart + 1, message: `at most ${MAX_CUES} cues` };
  }
  if (!cues.length) return { ok: false, line: 1, message: 'no cues' };
  cues.sort((a, b) => a.start - b.start || a.end - b.end);
  return { ok: true, cues };
}

const two = (n: number) => String(n).padStart(2, '0');

/** `hh:mm:ss.mmm`, as WebVTT writes times. */
function vttTime(s: number): string {
  const ms = Math.round(s * 1000);
  return `${two(Math.floor(ms / 3_600_000))}:${two(Math.floor(ms / 60_000) % 60)}:${two(Math.floor(ms / 1000) % 60)}.${String(ms % 1000).padStart(3, '0')}`;
}

const escapeCue = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Cues as a WebVTT file; text escaped, so no caption can carry markup or end its cue early. */
export function toWebVtt(cues: Cue[]): string {
  return `WEBVTT\n\n${cues.map((c) => `${vttTime(c.start)} --> ${vttTime(c.end)}\n${escapeCue(c.text)}\n`).join('\n')}`;
}

/** About `seconds` of captions: what one search document holds. */
export interface CaptionWindow {
  start: number;
  end: number;
  text: string;
}

/** Consecutive cues grouped so that each window starts at its first cue and the next begins once a cue starts ≥ `seconds` later. */
export function captionWindows(cues: Cue[], seconds = 30): CaptionWindow[] {
  const out: CaptionWindow[] = [];
  for (const c of cues) {
    const text = c.text.replace(/\n/g, ' ');
    const last = out.at(-1);
    if (last && c.start - last.start < seconds) {
      last.text += ` ${text}`;
      last.end = Math.max(last.end, c.end);
    } else out.push({ start: c.start, end: c.end, text });
  }
  return out;
}

/** `5` → `0:05`, `750` → `12:30`, `3723` → `1:02:03`. */
export function formatTimestamp(total: number): string {
  const s = Math.max(0, Math.floor(total));
  const h = Math.floor(s / 3600);
  const m = Math.floor(s / 60) % 60;
  return h ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

/** Seconds from `750`, `"750"`, `"12:30"`, `"1:02:03"` or `"12:30.5"`; null for anything else. */
export function parseTimestamp(value: string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  const v = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(v)) return Number(v);
  const m = /^(?:(\d+):)?(\d{1,2}):(\d{2})(?:\.(\d{1,3}))?$/.exec(v);
  if (!m || Number(m[3]) > 59 || (m[1] !== undefined && Number(m[2]) > 59)) return null;
  return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number((m[4] ?? '0').padEnd(3, '0')) / 1000;
}

export type ChapterLines = { ok: true; chapters: { at: number; title: string }[] } | { ok: false; line: number; message: string };

/** The upload form's chapters: one per line, `12:30 撤回已报送数据`; blank lines ignored; in time order; each time once. */
export function parseChapterLines(text: string): ChapterLines {
  const chapters: { at: number; title: string }[] = [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (!line) continue;
    const m = /^(\S+)\s+(.+)$/.exec(line);
    const at = m ? parseTimestamp(m[1]!) : null;
    if (!m || at === null) return { ok: false, line: i + 1, message: `第 ${i + 1} 行：请写成“时间 标题”，例如 “12:30 撤回已报送数据”。` };
    const title = m[2]!.trim();
    if (title.length > 100) return { ok: false, line: i + 1, message: `第 ${i + 1} 行：章节标题最多 100 字。` };
    if (chapters.some((c) => c.at === at)) return { ok: false, line: i + 1, message: `第 ${i + 1} 行：时间 ${formatTimestamp(at)} 已有章节。` };
    chapters.push({ at, title });
  }
  chapters.sort((a, b) => a.at - b.at);
  return { ok: true, chapters };
}
