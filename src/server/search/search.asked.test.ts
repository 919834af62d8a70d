import { describe, expect, it } from 'vitest';
import type { ContentStore } from '../content/content.loader.ts';
import { buildDocuments } from './search.documents.ts';
import { linkedPages } from './search.asked.ts';

describe('linkedPages', () => {
  it.each([
    ['见[手册](/manuals/user-guide/ask#填写提问表单)。', ['/manuals/user-guide/ask#填写提问表单']],
    ['见 /faq/account-locked。', ['/faq/account-locked']],
    ['https://help.example.gov.cn/faq/account-locked 和 http://10.0.0.5:4321/manuals/user-guide/track#%E6%9C%8D%E5%8A%A1%E6%97%B6%E9%99%90', ['/faq/account-locked', '/manuals/user-guide/track#服务时限']],
    ['[a](/faq/x) [b](/faq/x) (/faq/y)', ['/faq/x', '/faq/y']],
    ['/courseware/data-reporting 和 /videos/x?t=3 不算', []],
    ['/faq/bad%E0%A4%A 坏的转义', []],
    ['没有链接', []],
  ])('reads %s', (body, pages) => {
    expect(linkedPages(body)).toEqual(pages);
  });
});

describe('buildDocuments with "asked as" phrases', () => {
  const section = (anchor: string, heading: string) => ({ anchor, headings: [heading], text: `${heading}的说明。` });
  const store = {
    pages: new Map([
      ['/manuals/m/c', { kind: 'chapter', file: 'manuals/m/01-c.md', url: '/manuals/m/c', title: '章', access: 'public', hash: 'h', tags: [], html: '', toc: [], sections: [section('a', '甲'), section('b', '乙')] }],
      ['/faq/f', { kind: 'faq', file: 'faq/f.md', url: '/faq/f', title: '问', access: 'public', hash: 'h', tags: [], html: '', toc: [], sections: [{ anchor: '', headings: [], text: '答。' }] }],
    ]),
  } as unknown as ContentStore;

  it("gives each document its phrases; a whole manual page's go to its first section", () => {
    const asked = new Map([
      ['/manuals/m/c#b', ['乙怎么弄']],
      ['/manuals/m/c', ['这一章讲啥']],
      ['/faq/f', ['问问题']],
    ]);
    const docs = Object.fromEntries(buildDocuments(store, () => new Date(0), asked).map((d) => [d.url, d.asked]));
    expect(docs).toEqual({ '/manuals/m/c#a': ['这一章讲啥'], '/manuals/m/c#b': ['乙怎么弄'], '/faq/f': ['问问题'] });
  });

  it("changes a document's hash when its phrases change, so the incremental sync sends it again", () => {
    const before = buildDocuments(store, () => new Date(0)).find((d) => d.url === '/faq/f')!;
    const after = buildDocuments(store, () => new Date(0), new Map([['/faq/f', ['新说法']]])).find((d) => d.url === '/faq/f')!;
    expect(after.hash).not.toBe(before.hash);
  });
});
