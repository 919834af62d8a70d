import { describe, expect, it } from 'vitest';
import { CONCEPTS } from '../faq/similarity.concepts.ts';
import { compare, createModel, learn, vectorize } from '../faq/similarity.ts';
import { analyze, prepareLexicon } from '../faq/similarity.text.ts';
import type { SearchDocument } from './search.documents.ts';
import { createRerankBuilder, createRerankModel, queryVectors, retrieve, topicSimilarity } from './search.rerank.ts';
import { understandQuery } from './search.understand.ts';

const lexicon = { dictionary: ['双公示', '前置机'], synonyms: [['账号', '帐号', '账户']] };

function doc(url: string, section: string, text: string, headings: string[] = [section]): SearchDocument {
  return { id: url, type: 'manual', title: '用户手册', section, headings, text, url, access: 'public', shelf: 'manual:public', tags: [], asked: [], updated: 0, pinyin: '', initials: [], hash: `${url}|${section}|${text}` };
}

const docs = [
  doc('/m/a#1', '找回密码', '忘记登录密码时，在登录页点击“忘记密码”，按邮件中的链接重新设置。'),
  doc('/m/a#2', '账号被锁定', '连续输错密码五次，帐号锁定 30 分钟，管理员可以提前解锁。'),
  doc('/m/b#1', '双公示数据报送', '行政许可和行政处罚信息应在作出决定之日起 7 个工作日内报送，错误码 E7781 表示模板版本不符。'),
  doc('/m/b#2', '前置机', '前置机连接数据库报 ORA-01017 时，检查交换用户的密码是否已修改。'),
  doc('/m/c#1', '培训视频', '录播的培训视频在“培训”栏目观看，黑屏时请换用新版浏览器。'),
];

/** The FAQ engine's own score of the query against each document's whole text, as the model builds it. */
function engineScores(query: string) {
  const lex = prepareLexicon({ terms: lexicon.dictionary, synonyms: lexicon.synonyms, concepts: CONCEPTS });
  const model = createModel(lex);
  const texts = docs.map((d) => {
    const head = [d.title, ...d.headings, d.section].join(' ');
    return analyze(`${head} ${d.section} ${d.text} `, lex);
  });
  for (const a of texts) learn(model, a);
  const u = understandQuery(query);
  const q = vectorize(model, analyze([u.topic, ...u.formal].join(' '), lex));
  return texts.map((a) => compare(q, vectorize(model, a), { explain: false }).score);
}

describe('the re-ranking model', () => {
  it('scores documents as the similarity engine does, from its compact vectors', async () => {
    const rm = await createRerankModel(docs, lexicon);
    for (const query of ['密码忘了怎么办', '帐号锁了多久能解开', '报送数据提示E7781', '前置机 ORA-01017', '视频黑屏']) {
      const qv = queryVectors(rm, understandQuery(query));
      const scores = docs.map((d) => topicSimilarity(rm, qv, d.url));
      // Sums in another order may differ in the last bit before rounding to three places.
      engineScores(query).forEach((s, i) => expect(Math.abs(scores[i]! - s)).toBeLessThanOrEqual(0.001));
      expect(Math.max(...scores)).toBeGreaterThan(0);
      // Retrieval by the postings gives the same order as the scores.
      const found = retrieve(rm, qv, () => true).map((r) => r.url);
      const ranked = docs.map((d, i) => ({ url: d.url, s: scores[i]! })).filter((x) => x.s >= 0.12).sort((a, b) => b.s - a.s).map((x) => x.url);
      expect(found).toEqual(ranked);
    }
  });

  it('analyses only what changed on a rebuild, and scores as a fresh build does', async () => {
    const build = createRerankBuilder();
    const first = await build(docs, lexicon);
    const edited = [...docs.slice(0, 4), doc('/m/c#1', '培训视频', '录播的培训视频在“培训”栏目观看，播放不了时请检查网络。')];
    const second = await build(edited, lexicon);
    // An unchanged document keeps its analysis (the same arrays); the edited one is analysed anew.
    expect(second.full[0]!.ids).toBe(first.full[0]!.ids);
    expect(second.full[4]!.ids).not.toBe(first.full[4]!.ids);
    const fresh = await createRerankModel(edited, lexicon);
    const qv = (rm: typeof fresh) => queryVectors(rm, understandQuery('视频播放不了'));
    for (const d of edited) expect(topicSimilarity(second, qv(second), d.url)).toBe(topicSimilarity(fresh, qv(fresh), d.url));
    expect(topicSimilarity(second, qv(second), '/m/c#1')).toBeGreaterThan(topicSimilarity(first, qv(first), '/m/c#1'));
    // A changed lexicon starts afresh.
    const third = await build(edited, { ...lexicon, synonyms: [] });
    expect(third.full[0]!.ids).not.toBe(second.full[0]!.ids);
  });
});
