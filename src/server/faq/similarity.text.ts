/**
 * Turning a question's text into weighted features for the similarity engine:
 * error codes, platform terms, segmented words, character bigrams and single
 * characters. Pure.
 */

/** The platform dictionary and synonym groups (`content/search/`), as far as they help. */
export interface Lexicon {
  /** Platform terms (双公示, 统一社会信用代码 …): kept whole and weighted up. */
  terms: string[];
  /** Synonym groups: every term is rewritten to its group's first term. */
  synonyms: string[][];
  /** Paraphrase groups of the engine itself, applied before (and over) the synonyms. */
  concepts?: string[][];
}

export const emptyLexicon: Lexicon = { terms: [], synonyms: [] };

export type FeatureKind = 'code' | 'term' | 'word' | 'bigram' | 'unigram' | 'latin' | 'number';

/** How much each kind of feature counts, before IDF. */
export const KIND_WEIGHTS: Record<FeatureKind, number> = {
  code: 4,
  term: 1.2,
  word: 1.5,
  bigram: 1,
  latin: 1.2,
  // Single characters catch paraphrases that share no two-character word (黑屏 / 全黑,
  // 乱码 / 乱字符). Weighted on the dev half; without them a second dev sample (the
  // n-* clusters) was clustered at recall 0.23.
  unigram: 1.5,
  number: 0.3,
};

/**
 * Question words, politeness and function words (请问, 怎么办, 谢谢, 吗, 呢 …):
 * they say how someone asks, not what about, so they are cut out before
 * bigrams are taken and never count as shared terms.
 */
export const FILLER_WORDS = [
  '请问一下', '请问', '请教', '麻烦', '谢谢', '感谢', '您好', '你好', '急急急', '急', '求助', '帮忙', '帮我',
  '怎么办', '怎么样', '什么时候', '怎么', '怎样', '如何', '为什么', '为啥', '什么', '是不是', '能不能', '可不可以', '可以', '有没有',
  '是否', '能否', '在哪里', '去哪里', '哪里', '哪儿', '在哪', '去哪', '必须', '一定', '哪个', '哪些', '一下', '一直', '这个', '那个', '我们', '我的', '你们', '您',
  '还是', '需要', '应该', '的话', '时候',
];
/** Single characters that carry no topic on their own. */
export const FILLER_CHARS = '我你他她它的了吗呢啊吧呀么嘛哦哈是在有和与或及就都也又还才把被给让要想会能该得地着过啦喔哪谁去来里';

export interface Feature {
  kind: FeatureKind;
  /** What a reviewer sees as the shared term. */
  label: string;
}

export interface Analysis {
  /** Feature key (kind-prefixed) → how often it occurs. */
  counts: Map<string, number>;
  /** The error codes, canonical (E7781, ORA01017). */
  codes: string[];
}

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
const CODE = /(?<![a-z0-9])([a-z]{1,5})-?(\d{3,6})(?![0-9])/g;
const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A prepared lexicon: one regex for synonym rewriting, one for platform terms. */
export interface PreparedLexicon {
  rewrite(text: string): string;
  terms: Set<string>;
  termPattern: RegExp | null;
}

export function prepareLexicon(lexicon: Lexicon): PreparedLexicon {
  const canonical = new Map<string, string>();
  for (const group of [...(lexicon.concepts ?? []), ...lexicon.synonyms]) {
    const head = normalize(group[0] ?? '');
    for (const term of group) {
      const t = normalize(term);
      // A question word in a search synonym group (什么时候 → 多久) must stay a question word here.
      if (t && !canonical.has(t) && !FILLERS.has(t)) canonical.set(t, head);
    }
  }
  const keys = [...canonical.keys()].sort((a, b) => b.length - a.length);
  const synPattern = keys.length ? new RegExp(keys.map(escape).join('|'), 'g') : null;
  const terms = new Set(lexicon.terms.map(normalize).filter((t) => t.length > 1));
  const sorted = [...terms].sort((a, b) => b.length - a.length);
  return {
    rewrite: (text) => (synPattern ? text.replace(synPattern, (m) => canonical.get(m) ?? m) : text),
    terms,
    termPattern: sorted.length ? new RegExp(sorted.map(escape).join('|'), 'g') : null,
  };
}

/** Full-width to half-width, lower case, one space for any run of blanks. */
export function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

const FILLERS = new Set(FILLER_WORDS);
const FILLER_PATTERN = new RegExp(
  [...FILLER_WORDS].sort((a, b) => b.length - a.length).map(escape).join('|') + `|[${FILLER_CHARS}]`,
  'g',
);

function add(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** The key a feature is stored under: kind and text. */
export function featureKey(kind: FeatureKind, text: string): string {
  return `${kind}:${text}`;
}

export function parseFeatureKey(key: string): Feature {
  const i = key.indexOf(':');
  return { kind: key.slice(0, i) as FeatureKind, label: key.slice(i + 1) };
}

/** Features of one text: codes, platform terms, words, bigrams, characters (fillers removed). */
export function analyze(text: string, lexicon: PreparedLexicon): Analysis {
  const counts = new Map<string, number>();
  const codes: string[] = [];
  let s = normalize(text);
  s = s.replace(CODE, (_m, letters: string, digits: string) => {
    const code = `${letters.toUpperCase()}${digits}`;
    codes.push(code);
    add(counts, featureKey('code', code));
    return ' ';
  });
  s = lexicon.rewrite(s);
  // A platform term counts once, as itself: its words and bigrams would count it three times over.
  if (lexicon.termPattern) {
    s = s.replace(lexicon.termPattern, (m) => {
      add(counts, featureKey('term', m));
      return ' ';
    });
  }
  for (const m of s.matchAll(/[a-z][a-z0-9+#.]*|\d+/g)) {
    if (/^\d/.test(m[0])) add(counts, featureKey('number', m[0]));
    else if (m[0].length > 1) add(counts, featureKey('latin', m[0].replace(/\.$/, '')));
  }
  for (const seg of segmenter.segment(s)) {
    const w = seg.segment;
    if (!seg.isWordLike || !CJK.test(w) || w.length < 2) continue;
    if (w.replace(FILLER_PATTERN, '').length < 2) continue;
    add(counts, featureKey('word', w));
  }
  // Bigrams and single characters within runs of Chinese that remain once fillers are cut out.
  const runs = s.replace(FILLER_PATTERN, ' ').split(/[^\u3400-\u9fff\uf900-\ufaff]+/);
  for (const run of runs) {
    for (const ch of run) add(counts, featureKey('unigram', ch));
    for (let i = 0; i + 1 < run.length; i++) add(counts, featureKey('bigram', run.slice(i, i + 2)));
  }
  return { counts, codes: [...new Set(codes)] };
}
