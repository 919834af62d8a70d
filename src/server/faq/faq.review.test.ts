import { describe, expect, it } from 'vitest';
import { suggestSlug } from './faq.review.ts';

describe('suggestSlug', () => {
  it.each([
    ['信用修复怎么申请？', 'xinyong-xiufu-shenqing'],
    ['请问行政处罚的信用修复怎么申请', 'xingzheng-chufa-xinyong-xiufu-shenqing'],
    ['导入时提示 E7781', 'daoru-shi-tishi-e7781'],
    ['ORA-01017 登录失败', 'ora-01017-denglu-shibai'],
    ['？？！', 'faq'],
  ])('names %s as %s', (title, slug) => {
    expect(suggestSlug(title, () => false)).toBe(slug);
  });

  it('keeps to 55 characters at a word boundary, so it fits the 60-character limit with a suffix', () => {
    const slug = suggestSlug('双公示数据报送时提示统一社会信用代码校验失败并且无法导出报表也不能撤回已经报送的数据', () => false);
    expect(slug.length).toBeLessThanOrEqual(55);
    expect(slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('adds -2, -3 while the name is taken', () => {
    const taken = new Set(['xinyong-xiufu', 'xinyong-xiufu-2']);
    expect(suggestSlug('信用修复', (s) => taken.has(s))).toBe('xinyong-xiufu-3');
  });
});
