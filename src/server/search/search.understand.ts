/**
 * Question understanding for search: a query typed as a question in a
 * clerk's own words ("新来的同事怎么开个号") is reduced to its topic (asking
 * words, particles and politeness dropped), its colloquial words are mapped
 * to the vocabulary manuals use (开个号 → 新建账号), and what it asks for —
 * how long, who, where, how much, what to sign, why, how — becomes an
 * intent whose words a section's headings can answer.
 *
 * The lexicon is general help-desk Chinese (people, time, money, documents,
 * fixing, waiting), shipped with the product: it must hold for manuals we
 * have never seen, so it names no system, module or page of ours. Pure.
 */
import { COLLOQUIAL, INTENT_CUES, type Intent } from './search.lexicon.ts';

export type { Intent } from './search.lexicon.ts';

export interface UnderstoodQuery {
  /** The normalised query as typed. */
  raw: string;
  /** Whether it reads as a question (an asking word, a question particle or mark). */
  isQuestion: boolean;
  /** The topic: the query without asking words, particles and politeness. */
  topic: string;
  /** Manual vocabulary for the colloquial words found in it, in order, without repeats. */
  formal: string[];
  /** What the question asks for, when it says. */
  intent: Intent | null;
  /** Words a heading that answers the intent would use. */
  intentTerms: string[];
}

/** Politeness and urgency: never the topic, whether or not the query is a question. */
const POLITENESS = ['麻烦问一下', '想请问一下', '请问一下', '想问一下', '问一下', '请问', '想问', '我想知道', '想知道', '请教一下', '请教', '您好', '你好', '谢谢', '多谢', '麻烦了', '在线等', '急急急', '很急', '着急', '帮忙看看', '帮帮忙', '求助'].sort((a, b) => b.length - a.length);

/** Asking words and particles, longest first so 怎么办 goes before 怎么. Only dropped from questions. */
const FILLERS = [
  '麻烦', '急', '帮忙', '帮我', '怎么办才好', '怎么办', '咋办', '怎么弄', '咋弄', '咋整', '怎么搞', '怎么处理', '如何处理', '该怎么', '应该怎么', '要怎么', '怎么样',
  '怎么', '怎样', '咋', '如何', '能不能', '可不可以', '能否', '可以吗', '行不行', '行吗', '是不是', '是否', '有没有', '还能',
  '什么', '啥', '哪个', '哪些', '一下', '的话', '呢', '吗', '嘛', '么', '吧', '呀', '啊', '哦', '了',
].sort((a, b) => b.length - a.length);

const QUESTION_MARKS = /[?？]\s*$/;
const QUESTION_WORDS = /怎么|怎样|如何|咋|能不能|可不可以|能否|是否|是不是|有没有|多久|多长|几天|几个|多少|哪|谁|什么|啥|为什么|为啥|[吗呢么嘛][?？]?$/;
const PUNCTUATION = /[\s,，。.!！?？、;；:：~～…"“”'‘’()（）【】\[\]]+/g;

/** Reads a normalised query (see normalizeQuery) for its topic, manual vocabulary and intent. */
export function understandQuery(q: string): UnderstoodQuery {
  const raw = q.trim();
  const isQuestion = QUESTION_MARKS.test(raw) || QUESTION_WORDS.test(raw);
  const intent = isQuestion ? detectIntent(raw) : null;
  const formal: string[] = [];
  for (const [pattern, words] of COLLOQUIAL) if (pattern.test(raw)) for (const w of words) if (!formal.includes(w) && !raw.includes(w)) formal.push(w);
  let topic = raw;
  for (const p of POLITENESS) topic = topic.replaceAll(p, ' ');
  if (isQuestion) {
    for (const cue of intent ? INTENT_CUES[intent].cues : []) topic = topic.replaceAll(cue, ' ');
    for (const f of FILLERS) topic = topic.replaceAll(f, ' ');
  }
  topic = topic.replace(PUNCTUATION, ' ').replace(/\s+/g, ' ').trim();
  // A question that was nothing but asking words keeps what was typed.
  if (!topic) topic = raw.replace(PUNCTUATION, ' ').trim();
  return { raw, isQuestion, topic, formal, intent, intentTerms: intent ? INTENT_CUES[intent].terms : [] };
}

/** The first intent whose cue the question contains, in the lexicon's order (the more telling intents first). */
function detectIntent(q: string): Intent | null {
  for (const [intent, { cues }] of Object.entries(INTENT_CUES) as [Intent, { cues: string[] }][]) {
    if (cues.some((c) => q.includes(c))) return intent;
  }
  return null;
}
