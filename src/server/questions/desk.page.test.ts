import { describe, expect, it } from 'vitest';
import { absoluteLinks } from './questions.mail.ts';
import { ageText, deskHref, deskListParams } from './desk.page.ts';

const unit = '0190f5a4-7c3b-7d2e-9a10-2b3c4d5e6f70';

describe('deskListParams', () => {
  it.each([
    ['', { queue: 'mine', filters: {}, page: 1 }],
    [`queue=closed&kind=fault&severity=A&status=resolved&unit=${unit}&q=+无法登录+&page=3`, { queue: 'closed', filters: { kind: 'fault', severity: 'A', status: 'resolved', unitId: unit, q: '无法登录' }, page: 3 }],
    ['queue=everything&kind=rumour&severity=Z&status=lost&unit=1%3Bdrop&page=-1', { queue: 'mine', filters: {}, page: 1 }],
  ])('reads %j, ignoring what is not a known value', (query, expected) => {
    const params = deskListParams(new URL(`http://help.local/desk?${query}`));
    expect({ ...params, filters: JSON.parse(JSON.stringify(params.filters)) }).toEqual(expected);
  });

  it('keeps the filters in queue links and starts them at page 1', () => {
    expect(deskHref('open', { kind: 'consult', q: '打印' })).toBe('/desk?queue=open&kind=consult&q=%E6%89%93%E5%8D%B0');
  });
});

describe('ageText', () => {
  const now = new Date('2026-11-25T10:00:00Z');
  it.each([
    [30_000, '刚刚'],
    [5 * 60_000, '5 分钟前'],
    [3 * 3_600_000, '3 小时前'],
    [47 * 3_600_000, '47 小时前'],
    [3 * 86_400_000, '3 天前'],
  ])('says %i ms ago as %s', (ms, text) => {
    expect(ageText(new Date(now.getTime() - ms), now)).toBe(text);
  });
});

describe('absoluteLinks', () => {
  it.each([
    ['见[忘记密码](/faq/account-forgot-password)。', '见[忘记密码](https://help.example.cn/faq/account-forgot-password)。'],
    ['[搜索](/manuals/user-guide/search#filters)', '[搜索](https://help.example.cn/manuals/user-guide/search#filters)'],
    ['[外部](https://example.org/x) 与 [协议相对](//evil.example/x)', '[外部](https://example.org/x) 与 [协议相对](//evil.example/x)'],
  ])('rewrites %j for a mail', (markdown, expected) => {
    expect(absoluteLinks(markdown, 'https://help.example.cn/')).toBe(expected);
  });
});
