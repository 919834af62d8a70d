/**
 * Homophone typos in body text. The pinyin query (search.request.ts) finds a
 * typo of a title or heading (古障申告 → 故障申告), but the index keeps no
 * pinyin of the text: 录波视频 (for 录播视频) or 找回秘码 (for 找回密码) shares
 * only its correct words with the sections. So the words the search knows —
 * the documents' words and terms, the synonym groups and the dictionary —
 * are kept by their toneless pinyin, and a piece of the query (two to four
 * characters) that is no known word but sounds like one and differs from it
 * in a single character is read as that word too. One character's difference
 * is what a pinyin input method's slip makes; two pieces that only sound
 * alike (统是 / 同时) are left alone. Pure.
 */
import { pinyin } from 'pinyin-pro';
import { FILLER_CHARS } from '../faq/similarity.text.ts';

export interface Homophones {
  /** Toneless pinyin of a word, syllables joined by spaces → the known words that sound so. */
  bySound: Map<string, string[]>;
  known: Set<string>;
}

const HAN_RUN = /[\u3400-\u9fff\uf900-\ufaff]+/g;
const HAN_WORD = /^[\u3400-\u9fff\uf900-\ufaff]{2,4}$/;
/** A piece with a function character in it (的, 是, 了 …) is no slip of a word. */
const FILLER = new RegExp(`[${FILLER_CHARS}]`);
const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

/** Each character's most common reading, so a word and a query piece are read alike whatever their context. */
const readings = new Map<string, string>();
function reading(ch: string): string {
  let r = readings.get(ch);
  if (r === undefined) {
    r = pinyin(ch, { toneType: 'none', v: true });
    // Bounded: the characters of Chinese text number a few thousand; anything past that is not kept.
    if (readings.size < 20_000) readings.set(ch, r);
  }
  return r;
}

const soundOf = (word: string) => Array.from(word, reading).join(' ');

/** The known words by sound. `words` may repeat a word; the first of words sounding alike comes first. */
export function buildHomophones(words: Iterable<string>): Homophones {
  const bySound = new Map<string, string[]>();
  const known = new Set<string>();
  for (const w of words) {
    if (!HAN_WORD.test(w) || known.has(w)) continue;
    known.add(w);
    const key = soundOf(w);
    const list = bySound.get(key);
    if (list) list.push(w);
    else bySound.set(key, [w]);
  }
  return { bySound, known };
}

function oneCharApart(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && ++diff > 1) return false;
  return diff === 1;
}

/**
 * The known words the query's pieces were probably meant as, in query order,
 * without repeats. A piece is whole words of the query as Intl.Segmenter
 * cuts it, two to four characters, one of them a character the segmenter
 * could put in no word (录|波|视频: a slip leaves such strays; 问题|升级 has
 * none, so 题升 is never read as 提升). `written` tells whether two characters
 * occur side by side in the documents: a piece whose every pair does (计时)
 * is written that way on purpose, and a slip makes a pair nobody wrote.
 */
export function homophoneCorrections(h: Homophones, text: string, written: (pair: string) => boolean): string[] {
  const out: string[] = [];
  for (const [run] of text.matchAll(HAN_RUN)) {
    const words = Array.from(segmenter.segment(run), (x) => x.segment);
    for (let i = 0; i < words.length; i++) {
      let piece = '';
      let stray = false;
      for (let j = i; j < words.length && piece.length + words[j]!.length <= 4; j++) {
        piece += words[j];
        stray ||= words[j]!.length === 1;
        if (piece.length < 2 || !stray || h.known.has(piece) || FILLER.test(piece)) continue;
        if (Array.from({ length: piece.length - 1 }, (_, k) => piece.slice(k, k + 2)).every(written)) continue;
        for (const w of h.bySound.get(soundOf(piece)) ?? []) {
          if (oneCharApart(piece, w) && !out.includes(w) && !text.includes(w)) out.push(w);
        }
      }
    }
  }
  return out;
}
