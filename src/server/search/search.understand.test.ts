import { describe, expect, it } from 'vitest';
import { understandQuery } from './search.understand.ts';

describe('understandQuery', () => {
  it.each([
    // [query, isQuestion, topic, intent]
    ['重置密码', false, '重置密码', null],
    ['故障申告', false, '故障申告', null],
    ['E7781', false, 'E7781', null],
    ['新来的同事怎么开个号', true, '新来的同事 开个号', 'how'],
    ['报上去的数据填错了还能撤吗', true, '报上去的数据填错 撤', null],
    ['导出来的表打开全是乱码', false, '导出来的表打开全是乱码', null],
    ['请问故障一般多久能修好？', true, '故障一般 能修好', 'time'],
    ['账号被锁了找谁解锁呢', true, '账号被锁 解锁', 'person'],
    ['培训课件在哪里下载', true, '培训课件 下载', 'place'],
    ['为啥我的报送一直失败', true, '我的报送一直失败', 'why'],
    ['上门服务完要签什么', true, '上门服务完要', 'sign'],
    ['您好，谢谢！', false, '您好 谢谢', null],
    ['您好，请问怎么重置密码，谢谢', true, '重置密码', 'how'],
  ])('reads %s', (q, isQuestion, topic, intent) => {
    const u = understandQuery(q);
    expect(u).toMatchObject({ isQuestion, topic, intent });
  });

  it('maps colloquial words to the words manuals use, without repeating what was typed', () => {
    expect(understandQuery('新来的同事怎么开个号').formal).toEqual(expect.arrayContaining(['新建', '账号', '用户']));
    expect(understandQuery('报上去的数据填错了还能撤吗').formal).toEqual(expect.arrayContaining(['报送', '更正', '撤回']));
    expect(understandQuery('导出来的表格打开全是乱码').formal).toEqual(expect.arrayContaining(['编码', '模板']));
    expect(understandQuery('模板里哪几栏空着不行').formal).toEqual(expect.arrayContaining(['字段', '必填']));
    expect(understandQuery('通知收不到').formal).toEqual(expect.arrayContaining(['发送失败']));
    expect(understandQuery('导出乱码').formal).not.toContain('导出');
    expect(understandQuery('重置密码').formal).toEqual([]);
  });

  it('gives the words a heading that answers the intent would carry', () => {
    expect(understandQuery('提交建议后多久答复').intentTerms).toContain('时限');
    expect(understandQuery('数据报送有问题找谁').intentTerms).toContain('联系人');
    expect(understandQuery('重置密码').intentTerms).toEqual([]);
  });
});
