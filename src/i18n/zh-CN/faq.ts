/** zh-CN strings of FAQ promotion (spread into ../zh-CN.ts). */
export const faqZhCN = {
  'faq.similar.title': '相似问题',
  'faq.similar.hint': '以前已答复的相似问题及其最佳答复，可直接引用到答复框中再修改。',
  'faq.similar.score': '相似度 {score}%',
  'faq.similar.shared': '共同词：',
  'faq.similar.rating': '评分 {rating} 星',
  'faq.similar.answer': '最佳答复',
  'faq.similar.quote': '引用此答复',
  'faq.similar.quoted': '已把该答复填入答复框。',
} as const;
