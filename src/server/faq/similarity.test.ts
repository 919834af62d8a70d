import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultFaqSettings } from './faq.config.ts';
import { loadLexicon } from './faq.lexicon.ts';
import { clusterHalf, loadLabelledSet, pairwise } from './similarity.eval.ts';
import { SimilarityIndex } from './similarity.index.ts';
import { compare, createModel, learn, vectorOf, type SimilarityModel } from './similarity.ts';
import { analyze, prepareLexicon, type PreparedLexicon } from './similarity.text.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const threshold = defaultFaqSettings.faqMatchThreshold;
let lexicon: PreparedLexicon;
let model: SimilarityModel;

beforeAll(async () => {
  lexicon = prepareLexicon(await loadLexicon(path.join(root, 'content')));
  // IDF from the dev half only, as a small stored history.
  model = createModel(lexicon);
  for (const q of loadLabelledSet(path.join(root, 'tests/fixtures/faq-questions.yml')).filter((q) => q.split === 'dev')) {
    learn(model, analyze(q.title, lexicon));
  }
});

const score = (a: string, b: string) => compare(vectorOf(model, a), vectorOf(model, b));

describe('the similarity score', () => {
  it.each([
    ['忘记密码怎么找回', '怎样给其他用户重置密码'],
    ['导出失败', '报表自选字段'],
    ['上传行政处罚数据报错E7781', '错误码E7702是什么意思'],
    ['红黑名单在哪里查询', '红名单企业有哪些激励措施'],
    ['双公示数据报送的截止时间是什么时候', '双公示数据可以批量删除吗'],
    ['平台什么时候升级', '数据报送有时限要求吗'],
  ])('keeps "%s" apart from "%s" although they share keywords', (a, b) => {
    expect(score(a, b).score).toBeLessThan(threshold);
  });

  it.each([
    ['忘记密码了怎么找回', '请问密码忘了怎么办，谢谢'],
    ['忘记密码了怎么找回', '忘记密吗了怎么找回来'],
    ['上传行政处罚数据报错E7781', 'e7781错误怎么处理'],
    ['统一社会信用代码校验不通过', '社会信用代码提示校验位错误怎么办'],
    ['导出失败，一直转圈', '点击导出按钮没有反应'],
    ['新来的同事怎么开通账号', '如何给新员工申请平台用户'],
  ])('matches the paraphrases "%s" and "%s"', (a, b) => {
    expect(score(a, b).score).toBeGreaterThanOrEqual(threshold);
  });

  it('stays within [0, 1] and is symmetric', () => {
    for (const [a, b] of [['忘记密码', '忘记密码'], ['E7781', 'e7781 报错'], ['', '导出'], ['谢谢', '请问']] as const) {
      const ab = score(a, b).score;
      expect(ab).toBeGreaterThanOrEqual(0);
      expect(ab).toBeLessThanOrEqual(1);
      expect(score(b, a).score).toBe(ab);
    }
    expect(score('忘记密码', '忘记密码').score).toBe(1);
  });

  it('explains a match by the shared terms, strongest first, without politeness or question words', () => {
    const sim = score('请问上传数据报错E7781怎么办，谢谢', '数据上报失败，错误代码 E7781');
    expect(sim.codes).toBe('same');
    expect(sim.shared[0]).toMatchObject({ term: 'E7781', kind: 'code' });
    const terms = sim.shared.map((t) => t.term);
    for (const filler of ['请问', '怎么办', '谢谢', '吗']) expect(terms).not.toContain(filler);
    const weights = sim.shared.map((t) => t.weight);
    expect([...weights].sort((x, y) => y - x)).toEqual(weights);
  });

  it('counts single characters, so wordings without a shared two-character word still meet', () => {
    // 黑屏 / 全黑: no word or bigram in common, the character 黑 is.
    const black = score('视频黑屏', '视频画面全黑');
    expect(black.shared.map((t) => t.term)).toEqual(['视频', '黑']);
    expect(black.score).toBeGreaterThanOrEqual(threshold);
    expect(analyze('画面全黑', lexicon).counts.get('unigram:黑')).toBe(1);
    // A character inside a longer shared term counts towards that term, not as a term of its own.
    const terms = score('手机收不到短信验证码', '短信验证码一直没收到').shared.map((t) => t.term);
    expect(terms).toContain('短信');
    for (const ch of ['短', '信', '验', '证']) expect(terms).not.toContain(ch);
  });

  it('weighs error codes and platform terms up and politeness down', () => {
    const politeness = analyze('请问一下怎么办呢，谢谢您', lexicon);
    expect([...politeness.counts.keys()]).toEqual([]);
    const codes = analyze('前置机报 ora-01017，ORA01017 又来了；E7781', lexicon);
    expect(codes.codes).toEqual(['ORA01017', 'E7781']);
    expect(analyze('社会信用代码不对', lexicon).counts.has('term:统一社会信用代码')).toBe(true);
    // The same wording with and without an error code: the code makes the difference.
    expect(score('报错E7781', '导入报错E7781').score).toBeGreaterThan(score('导入报错E7781', '导入报错E7702').score);
  });
});

describe('the similarity index', () => {
  it('finds the best earlier match among many, with its explanation', () => {
    const index = new SimilarityIndex();
    const titles = ['导出的Excel打开是乱码', '信用修复怎么申请', '上传行政处罚数据报错E7781', '红黑名单在哪里查询'];
    titles.forEach((t, i) => index.add({ id: `q${i}`, vector: vectorOf(model, t) }));
    const [best] = index.nearest(vectorOf(model, '导入处罚信息模板，返回错误码E7781'), { limit: 3 });
    expect(best?.id).toBe('q2');
    expect(best?.shared.map((t) => t.term)).toContain('E7781');
    expect(index.nearest(vectorOf(model, '请问，谢谢'))).toEqual([]);
  });
});

describe('clustering the labelled set', () => {
  // Dev: the targets on the first sample (tuned on), a floor on the second (tuned
  // on, written later). Test: regression floors at what the frozen half measured
  // when last read (0.879 / 0.446), below the targets 0.9 / 0.8.
  const set = loadLabelledSet(path.join(root, 'tests/fixtures/faq-questions.yml'));
  it.each([
    ['dev', 1, 0.9, 0.8],
    ['dev', 2, 0.65, 0.55],
    ['test', 1, 0.85, 0.44],
  ] as const)('clusters the %s half (sample %s) with precision ≥ %s and recall ≥ %s', (split, sample, minPrecision, minRecall) => {
    const items = set.filter((q) => q.split === split);
    const { assignment } = clusterHalf({ items, lexicon, threshold });
    const scores = pairwise(
      items.filter((q) => q.sample === sample),
      assignment.clusterOf,
    );
    expect(scores.precision).toBeGreaterThanOrEqual(minPrecision);
    expect(scores.recall).toBeGreaterThanOrEqual(minRecall);
  });
});
