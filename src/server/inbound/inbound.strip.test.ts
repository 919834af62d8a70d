import { describe, expect, it } from 'vitest';
import { stripQuoted } from './inbound.strip.ts';

const answer = '按您说的步骤操作后，导出按钮出现了。\n\n但是导出的 Excel 打不开，提示文件已损坏。';

/** What each client puts under the new text, as they send it (text part). */
const samples: [string, string][] = [
  [
    'QQ Mail',
    `${answer}\n\n\n------------------&nbsp;原始邮件&nbsp;------------------\n发件人: "答疑"<dayi@example.cn>;\n发送时间: 2026年11月25日(星期三) 上午9:30\n收件人: "张三"<zhangsan@qq.com>;\n主题: 回复：[答疑 20261125-0007] 如何导出双公示数据？\n\n张三，您好：\n\n工程师李四 回复了您的问题 20261125-0007：`.replace(/&nbsp;/g, '\u00a0'),
  ],
  [
    'Foxmail',
    `${answer}\n\n\n\nzhangsan@foxmail.com\n\n\n在 2026-11-25 09:30:12，"答疑" <dayi@example.cn> 写道：\n张三，您好：\n工程师李四 回复了您的问题。`,
  ],
  [
    'Outlook (English)',
    `${answer}\r\n\r\n________________________________\r\nFrom: 答疑 <dayi@example.cn>\r\nSent: Wednesday, November 25, 2026 9:30 AM\r\nTo: 张三 <zhangsan@unit.gov.cn>\r\nSubject: 回复：[答疑 20261125-0007] 如何导出双公示数据？\r\n\r\n张三，您好：`,
  ],
  [
    'Outlook (Chinese)',
    `${answer}\r\n\r\n发件人: 答疑 <dayi@example.cn>\r\n发送时间: 2026年11月25日 9:30\r\n收件人: 张三 <zhangsan@unit.gov.cn>\r\n主题: 回复：[答疑 20261125-0007] 如何导出双公示数据？\r\n\r\n张三，您好：`,
  ],
  ['Outlook "Original Message"', `${answer}\n\n-----Original Message-----\nFrom: 答疑 [mailto:dayi@example.cn]\nSent: Wednesday, November 25, 2026 9:30 AM\n\n张三，您好：`],
  ['Outlook "原始邮件"', `${answer}\n\n-----原始邮件-----\n发件人: 答疑 [mailto:dayi@example.cn]\n发送时间: 2026年11月25日 9:30\n\n张三，您好：`],
  ['NetEase 163', `${answer}\n\n\n\n\n\n\n\n在 2026年11月25日 09:30，"答疑"<dayi@example.cn> 写道：\n\n张三，您好：\n\n工程师李四 回复了您的问题。`],
  ['Gmail', `${answer}\n\nOn Wed, Nov 25, 2026 at 9:30 AM 答疑 <dayi@example.cn> wrote:\n\n> 张三，您好：\n>\n> 工程师李四 回复了您的问题。`],
  ['Gmail, attribution wrapped', `${answer}\n\nOn Wed, Nov 25, 2026 at 9:30 AM 答疑 Dayi <\ndayi@example.cn> wrote:\n\n> 张三，您好：`],
  ['Gmail (Chinese)', `${answer}\n\n答疑 <dayi@example.cn> 于2026年11月25日周三 09:30写道：\n\n> 张三，您好：`],
  ['bare ">" lines', `${answer}\n\n> 张三，您好：\n> 工程师李四 回复了您的问题。\n>`],
  ['a "-- " signature', `${answer}\n\n-- \n张三\n某某区发展改革委 信用科\n电话 023-1234 5678`],
  ['发自我的iPhone', `${answer}\n\n发自我的iPhone\n\n------------------ 原始邮件 ------------------\n发件人: "答疑"<dayi@example.cn>`],
  ['Sent from my Huawei', `${answer}\n\n发自我的华为手机`],
];

describe('stripQuoted', () => {
  it.each(samples)('keeps only the new text of a reply from %s', (_client, text) => {
    expect(stripQuoted(text)).toBe(answer);
  });

  it('keeps a line that merely mentions who wrote what', () => {
    const text = '在报告里我写道：数据已经报送。\nFrom: 这一行只是正文，不是邮件头。\n请帮忙核对。';
    expect(stripQuoted(text)).toBe(text);
  });

  it('drops quoted lines between the sender\'s own answers', () => {
    expect(stripQuoted('> 请问是哪个页面？\n数据报送页面。\n> 哪个浏览器？\nChrome 120。')).toBe('数据报送页面。\nChrome 120。');
  });

  it('is empty when the message is nothing but quoted history', () => {
    expect(stripQuoted('\n\n------------------ 原始邮件 ------------------\n发件人: "答疑"<dayi@example.cn>')).toBe('');
  });
});
