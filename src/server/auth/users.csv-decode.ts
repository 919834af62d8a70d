/**
 * Bulk user import: turning the bytes of an uploaded CSV into text, in the
 * encoding Excel saved it in. Pure: no database, no clock.
 */
import { createErrorFactory } from '../shared/errors.ts';

/** The encodings an upload is read in: UTF-8 (Excel's “CSV UTF-8”) or GB18030 (its plain “CSV” on Chinese Windows). */
export const CSV_ENCODINGS = ['utf-8', 'gb18030'] as const;
export type CsvEncoding = (typeof CSV_ENCODINGS)[number];

const SAVE_AS_UTF8 = '请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后重新上传。';
export const createCsvEncodingError = createErrorFactory({ code: 'users.import_encoding', message: `无法识别文件编码：${SAVE_AS_UTF8}`, status: 400 });
export const createCsvNulError = createErrorFactory({
  code: 'users.import_nul',
  message: `文件中含有空字符（NUL），不是纯文本的 CSV 文件（可能是 Excel 工作簿或“Unicode 文本”）：${SAVE_AS_UTF8}`,
  status: 400,
});

/**
 * Decodes an uploaded CSV. A UTF-8 BOM decides UTF-8. Otherwise the bytes are decoded strictly
 * both ways; when both succeed (often: short runs of Chinese in one encoding are frequently valid
 * in the other, e.g. 郑叶 in GB18030 is “֣Ҷ” in UTF-8) the reading with the lower `implausibility`
 * wins, UTF-8 on a tie. Throws `users.import_encoding` when neither reading is clean, so U+FFFD is
 * never imported, and `users.import_nul` for text holding NUL.
 */
export function decodeCsv(bytes: Uint8Array): { text: string; encoding: CsvEncoding } {
  const hasBom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  // The UTF-8 decoder drops a leading BOM (ignoreBOM defaults to false); the GB18030 one keeps it as text.
  const utf8 = strictDecode('utf-8', bytes);
  const gb18030 = hasBom ? null : strictDecode('gb18030', bytes);
  // Valid bytes that spell U+FFFD mean an earlier conversion already lost characters (the
  // GB18030 reading of those would be the well-known mojibake 锟斤拷, not the lost text).
  if (utf8?.includes('\ufffd') || gb18030?.includes('\ufffd')) throw createCsvEncodingError();
  let decoded: { text: string; encoding: CsvEncoding };
  if (utf8 !== null && (gb18030 === null || implausibility(utf8) <= implausibility(gb18030))) decoded = { text: utf8, encoding: 'utf-8' };
  else if (gb18030 !== null) decoded = { text: stripBom(gb18030), encoding: 'gb18030' };
  else throw createCsvEncodingError();
  assertImportableText(decoded.text);
  return decoded;
}

/**
 * Refuses text no row may be imported from: NUL (no text column holds one; UTF-16 files are full
 * of them) and U+FFFD (characters already lost). For the upload and for the text posted back on confirm.
 */
export function assertImportableText(text: string): void {
  if (text.includes('\0')) throw createCsvNulError();
  if (text.includes('\ufffd')) throw createCsvEncodingError();
}

function strictDecode(encoding: CsvEncoding, bytes: Uint8Array): string | null {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/**
 * How unlikely `text` is as a Chinese user list: the sum of a cost per character, lower is
 * more plausible. Every character costs, so a reading that cuts the same bytes into more
 * characters pays for each; counting ideographs as a bonus instead would pick GB18030 for
 * most UTF-8 files of names, whose misreading has half again as many (rare) ideographs.
 * Tried on generated files of names: no UTF-8 file was read as GB18030; the weak spot left is a
 * GB18030 file with English headers and roles whose names also form 3-byte UTF-8 ideographs,
 * which the preview shows the admin before anything is imported.
 *
 * | cost | characters |
 * | ---- | ---------- |
 * | 0 | ASCII printable, tab, line breaks |
 * | 1 | GB2312 level-1 hanzi (the 3,755 common characters) |
 * | 2 | GB2312 level-2 hanzi; CJK and full-width punctuation (U+3000–U+303F, U+FF00–U+FFEF), U+2010–U+2027 (—“”…), · |
 * | 3 | other CJK ideographs (U+4E00–U+9FFF, extension A, compatibility) |
 * | 4 | anything else |
 * | 8 | what misread bytes yield and a user list never holds: control characters; U+00A0–U+07FF but · (Latin-1 letters, Greek, Cyrillic, Armenian, Hebrew, Arabic…); private use; specials |
 */
function implausibility(text: string): number {
  let total = 0;
  for (const ch of text) total += characterCost(ch);
  return total;
}

const within = (c: number, from: number, to: number) => c >= from && c <= to;

function characterCost(ch: string): number {
  const c = ch.codePointAt(0) ?? 0;
  if (c === 0x09 || c === 0x0a || c === 0x0d || within(c, 0x20, 0x7e)) return 0;
  const level = gb2312Level(ch);
  if (level !== undefined) return level;
  if (c === 0xb7 || within(c, 0x3000, 0x303f) || within(c, 0xff00, 0xffef) || within(c, 0x2010, 0x2027)) return 2;
  if (within(c, 0x4e00, 0x9fff) || within(c, 0x3400, 0x4dbf) || within(c, 0xf900, 0xfaff)) return 3;
  if (c <= 0x7ff || within(c, 0xe000, 0xf8ff) || within(c, 0xfff0, 0xffff)) return 8;
  return 4;
}

let gb2312Levels: Map<string, 1 | 2> | undefined;

/** 1 or 2 for a GB2312 hanzi of level 1 (rows B0–D7) or level 2 (rows D8–F7), read off the GB18030 decoder once. */
function gb2312Level(ch: string): 1 | 2 | undefined {
  if (!gb2312Levels) {
    gb2312Levels = new Map();
    const decoder = new TextDecoder('gb18030');
    for (let row = 0xb0; row <= 0xf7; row++) {
      const cells: number[] = [];
      for (let column = 0xa1; column <= 0xfe; column++) cells.push(row, column);
      for (const hanzi of decoder.decode(new Uint8Array(cells))) {
        if (/\p{Script=Han}/u.test(hanzi)) gb2312Levels.set(hanzi, row <= 0xd7 ? 1 : 2);
      }
    }
  }
  return gb2312Levels.get(ch);
}


function stripBom(text: string): string {
  return text.startsWith('\ufeff') ? text.slice(1) : text;
}
