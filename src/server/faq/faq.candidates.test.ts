import { describe, expect, it } from 'vitest';
import { clearestTitle, isCandidate, type CandidateMember } from './faq.candidates.ts';
import { defaultFaqSettings, faqSettings } from './faq.config.ts';
import { emptyLexicon, prepareLexicon } from './similarity.text.ts';

const now = new Date('2026-11-25T02:00:00Z');
const m = (asker: string, daysAgo: number, answered = false): CandidateMember => ({ asker, answered, createdAt: new Date(now.getTime() - daysAgo * 86_400_000) });

describe('the FAQ candidate rule', () => {
  it.each([
    ['three questions from two askers, one answered, all recent', [m('a', 1, true), m('b', 2), m('a', 3)], true],
    ['only two questions', [m('a', 1, true), m('b', 2)], false],
    ['three questions from one asker', [m('a', 1, true), m('a', 2), m('a', 3)], false],
    ['none answered', [m('a', 1), m('b', 2), m('c', 3)], false],
    ['the third question older than 90 days', [m('a', 1, true), m('b', 2), m('c', 91)], false],
    ['an old answered question and three recent ones', [m('a', 120, true), m('b', 2), m('c', 3), m('d', 4)], false],
  ])('%s → %s', (_name, members, expected) => {
    expect(isCandidate({ status: 'open', rejectedSize: null, members }, defaultFaqSettings, now)).toBe(expected);
  });

  it('never proposes a published cluster, and a rejected one only once it has grown by three', () => {
    const four = [m('a', 1, true), m('b', 2), m('c', 3), m('d', 4)];
    expect(isCandidate({ status: 'published', rejectedSize: null, members: four }, defaultFaqSettings, now)).toBe(false);
    expect(isCandidate({ status: 'rejected', rejectedSize: 3, members: four }, defaultFaqSettings, now)).toBe(false);
    const six = [...four, m('e', 1), m('f', 1)];
    expect(isCandidate({ status: 'rejected', rejectedSize: 3, members: six }, defaultFaqSettings, now)).toBe(true);
  });

  it('takes its numbers from the configuration', () => {
    const settings = faqSettings({ faqCandidateMinQuestions: 2, faqCandidateMinAskers: 1, faqCandidateWindowDays: 7, faqCandidateMinAnswered: 0 });
    expect(isCandidate({ status: 'open', rejectedSize: null, members: [m('a', 1), m('a', 6)] }, settings, now)).toBe(true);
    expect(isCandidate({ status: 'open', rejectedSize: null, members: [m('a', 1), m('a', 8)] }, settings, now)).toBe(false);
  });
});

describe('the clearest title', () => {
  it('is the title most like the others', () => {
    const lexicon = prepareLexicon(emptyLexicon);
    expect(clearestTitle(['忘记密码了怎么找回', '密码忘记了', '忘记密码 无法登录平台，急急急！！', '忘记密码怎么找回'], lexicon)).toMatch(/^忘记密码/);
  });
});
