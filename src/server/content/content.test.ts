import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chapter, manualIndex, writeContent } from '../../../tests/helpers/content.ts';
import { createRenderCache, formatIssue, loadContent } from './content.loader.ts';
import { slugify } from './content.render.ts';

describe('content loader', () => {
  it('publishes manuals, chapters and FAQ at their URLs, chapters ordered by their NN- prefix', async () => {
    const dir = writeContent({
      'manuals/user-guide/index.md': manualIndex('用户手册'),
      'manuals/user-guide/02-ask.md': chapter('提问', '## 提交问题\n\n填写表单。'),
      'manuals/user-guide/01-search.md': chapter('搜索', '## 搜索技巧\n\n输入关键词。'),
      'faq/reset-password.md': '---\ntitle: 忘记密码怎么办？\ncategory: 账号与权限\ntags: [密码]\n---\n点击“忘记密码”。\n',
    });
    const store = await loadContent(dir);
    expect(store.issues).toEqual([]);
    expect(store.manuals[0]!.chapters.map((c) => c.url)).toEqual(['/manuals/user-guide/search', '/manuals/user-guide/ask']);
    expect(store.pages.get('/faq/reset-password')).toMatchObject({ title: '忘记密码怎么办？', category: '账号与权限', tags: ['密码'] });
  });

  it('reads courseware and keeps an updated date on its calendar day in any time zone', async () => {
    const dir = writeContent({
      'courseware/user-training.md': '---\ntitle: 成员单位用户培训教程\nsummary: 第一期\naudience: 成员单位用户\n---\n## 课程安排\n\n两课时。\n',
      'faq/q.md': '---\ntitle: 问？\nupdated: 2026-11-20\n---\n答。\n',
    });
    const store = await loadContent(dir);
    expect(store.pages.get('/courseware/user-training')).toMatchObject({ kind: 'courseware', audience: '成员单位用户', summary: '第一期' });
    expect(store.pages.get('/faq/q')!.updated!.toISOString()).toBe('2026-11-20T12:00:00.000Z');
  });

  it('skips a file with bad frontmatter, naming the file and line, and keeps the rest', async () => {
    const dir = writeContent({
      'manuals/m/index.md': manualIndex('手册'),
      'manuals/m/01-good.md': chapter('好的', '正文'),
      'manuals/m/02-bad.md': '---\ntitle: 坏的\naccess: everyone\n---\n正文\n',
      'manuals/m/03-yaml.md': '---\ntitle: [unclosed\n---\n正文\n',
      'faq/none.md': '没有 frontmatter\n',
    });
    const store = await loadContent(dir);
    expect(store.manuals[0]!.chapters.map((c) => c.slug)).toEqual(['good']);
    const lines = store.issues.map(formatIssue);
    expect(lines).toContainEqual(expect.stringMatching(/^manuals\/m\/02-bad\.md:3: access: /));
    expect(lines).toContainEqual(expect.stringMatching(/^manuals\/m\/03-yaml\.md:\d+: invalid YAML/));
    expect(lines).toContainEqual('faq/none.md:1: missing frontmatter (the file must start with ---)');
  });

  it('rewrites links between .md files to site URLs and skips a file with a broken one', async () => {
    const dir = writeContent({
      'manuals/m/index.md': manualIndex('手册'),
      'manuals/m/01-a.md': chapter('甲', '见[乙](02-b.md#第二节)和[常见问题](../../faq/q.md)。'),
      'manuals/m/02-b.md': chapter('乙', '## 第二节\n\n正文'),
      'manuals/m/03-c.md': chapter('丙', '第一行\n\n见[不存在](09-missing.md)。'),
      'faq/q.md': '---\ntitle: 问？\n---\n答。\n',
    });
    const store = await loadContent(dir);
    const a = store.pages.get('/manuals/m/a')!;
    // Percent-encoded as marked writes it; the browser decodes it and finds id="第二节".
    expect(a.html).toContain(`href="/manuals/m/b#${encodeURIComponent('第二节')}"`);
    expect(a.html).toContain('href="/faq/q"');
    expect(store.pages.has('/manuals/m/c')).toBe(false);
    expect(store.issues.map(formatIssue)).toEqual(['manuals/m/03-c.md:7: broken link to 09-missing.md']);
  });

  it('serves images relative to the file from the content directory', async () => {
    const dir = writeContent({
      'manuals/m/index.md': manualIndex('手册'),
      'manuals/m/images/form.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
      'manuals/m/01-a.md': chapter('甲', '![表单](images/form.svg)'),
    });
    const store = await loadContent(dir);
    expect(store.pages.get('/manuals/m/a')!.html).toContain('<img src="/content-files/manuals/m/images/form.svg" alt="表单"');
  });

  it('renders again with a kept cache only what changed: the edited file, and files whose linked page or image changed', async () => {
    const dir = writeContent({
      'manuals/m/index.md': manualIndex('手册'),
      'manuals/m/01-a.md': chapter('甲', '见[乙](02-b.md)。'),
      'manuals/m/02-b.md': chapter('乙', '正文'),
      'manuals/m/03-c.md': chapter('丙', '![图](images/new.svg)'),
      'manuals/m/04-d.md': chapter('丁', '不变'),
    });
    const cache = createRenderCache();
    const first = await loadContent(dir, cache);
    expect(first.issues.map(formatIssue)).toEqual(['manuals/m/03-c.md:5: missing image images/new.svg']);

    writeFileSync(path.join(dir, 'manuals/m/04-d.md'), chapter('丁', '改过'));
    const second = await loadContent(dir, cache);
    expect(second.pages.get('/manuals/m/d')!.html).toContain('改过');
    // Unchanged files keep their render (the same object), so nothing else was rendered again.
    expect(second.pages.get('/manuals/m/a')!.sections).toBe(first.pages.get('/manuals/m/a')!.sections);
    expect(second.pages.get('/manuals/m/d')!.sections).not.toBe(first.pages.get('/manuals/m/d')!.sections);

    // The image appears: the chapter that showed it as missing is rendered again and published.
    writeContent({ 'manuals/m/images/new.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>' }, dir);
    const third = await loadContent(dir, cache);
    expect(third.pages.get('/manuals/m/c')!.html).toContain('src="/content-files/manuals/m/images/new.svg"');
    expect(third.assets.get('manuals/m/images/new.svg')).toBe('public');

    // The linked page goes: the unchanged file linking it now has a broken link, as a fresh load says.
    rmSync(path.join(dir, 'manuals/m/02-b.md'));
    const fourth = await loadContent(dir, cache);
    expect(fourth.pages.has('/manuals/m/a')).toBe(false);
    expect(fourth.issues.map(formatIssue)).toEqual((await loadContent(dir)).issues.map(formatIssue));
    expect(cache.has('manuals/m/02-b.md')).toBe(false);
  });

  it('never lets a script or event handler from a content file through', async () => {
    const dir = writeContent({
      'manuals/m/index.md': manualIndex('手册'),
      'manuals/m/01-x.md': chapter(
        '攻击',
        [
          '<script>alert(1)</script>',
          '<img src="x" onerror="alert(2)">',
          '[点我](javascript:alert(3))',
          '<a href="#" onclick="alert(4)">链接</a>',
          '<iframe src="https://evil.example"></iframe>',
          '<svg><script>alert(5)</script></svg>',
          '<p style="background:url(javascript:alert(6))">样式</p>',
        ].join('\n\n'),
      ),
    });
    const html = (await loadContent(dir)).pages.get('/manuals/m/x')!.html;
    for (const bad of ['<script', 'onerror', 'javascript:', 'onclick', '<iframe', '<svg', 'style=']) expect(html).not.toContain(bad);
    expect(html).toContain('链接');
  });

  it('gives Chinese headings stable, unique anchors, honours {#id}, and builds an h2/h3 table of contents', async () => {
    const dir = writeContent({
      'manuals/m/index.md': manualIndex('手册'),
      'manuals/m/01-a.md': chapter('甲', '## 提交问题\n\n一\n\n### 选择 类型\n\n二\n\n## 提交问题\n\n三\n\n## 备份与恢复 {#backup}\n\n四\n\n#### 细节\n\n五'),
    });
    const page = (await loadContent(dir)).pages.get('/manuals/m/a')!;
    expect(page.toc).toEqual([
      { depth: 2, text: '提交问题', id: '提交问题' },
      { depth: 3, text: '选择 类型', id: '选择-类型' },
      { depth: 2, text: '提交问题', id: '提交问题-1' },
      { depth: 2, text: '备份与恢复', id: 'backup' },
    ]);
    expect(page.html).toContain('<h2 id="backup">备份与恢复</h2>');
    expect(page.sections.map((s) => [s.anchor, s.headings, s.text])).toEqual([
      ['提交问题', ['提交问题'], '一'],
      ['选择-类型', ['提交问题', '选择 类型'], '二'],
      ['提交问题-1', ['提交问题'], '三'],
      ['backup', ['备份与恢复'], '四 细节 五'],
    ]);
  });

  it('keeps a chapter no more public than its manual', async () => {
    const dir = writeContent({
      'manuals/ops/index.md': manualIndex('运维手册', 'access: staff\n'),
      'manuals/ops/01-a.md': chapter('甲', '正文', 'access: public\n'),
    });
    expect((await loadContent(dir)).pages.get('/manuals/ops/a')!.access).toBe('staff');
  });

  it('gives each image the strictest access of the pages that reference it, and leaves unreferenced ones out', async () => {
    const png = 'png';
    const dir = writeContent({
      'faq/internal.md': '---\ntitle: 内部？\naccess: staff\n---\n![图](images/internal.png)\n',
      'faq/open.md': '---\ntitle: 公开？\n---\n![图](images/shared.png)\n',
      'faq/member.md': '---\ntitle: 会员？\naccess: member\n---\n![图](images/member.png)\n',
      'courseware/ops.md': '---\ntitle: 运维培训\naccess: staff\n---\n![图](../faq/images/shared.png)\n',
      'manuals/m/index.md': manualIndex('手册'),
      'manuals/m/01-open.md': chapter('公开', '![图](images/open.png)'),
      'manuals/m/02-staff.md': chapter('内部', '![图](images/staff.png)', 'access: staff\n'),
      'manuals/ops/index.md': manualIndex('运维手册', 'access: staff\n'),
      'manuals/ops/01-a.md': chapter('甲', '![图](images/a.png)', 'access: public\n'),
      'faq/images/internal.png': png,
      'faq/images/shared.png': png,
      'faq/images/member.png': png,
      'faq/images/unused.png': png,
      'manuals/m/images/open.png': png,
      'manuals/m/images/staff.png': png,
      'manuals/ops/images/a.png': png,
    });
    const store = await loadContent(dir);
    expect(store.issues).toEqual([]);
    expect(Object.fromEntries(store.assets)).toEqual({
      'faq/images/internal.png': 'staff',
      'faq/images/shared.png': 'staff',
      'faq/images/member.png': 'member',
      'manuals/m/images/open.png': 'public',
      'manuals/m/images/staff.png': 'staff',
      'manuals/ops/images/a.png': 'staff',
    });
  });

  it('counts only published pages: an image of a skipped page is not given its access', async () => {
    const dir = writeContent({
      'faq/broken.md': '---\ntitle: 坏的\n---\n![图](images/a.png) [断](missing.md)\n',
      'faq/images/a.png': 'png',
    });
    const store = await loadContent(dir);
    expect(store.pages.has('/faq/broken')).toBe(false);
    expect(store.assets.has('faq/images/a.png')).toBe(false);
  });

  it('reports an image symlinked to a file outside CONTENT_DIR as missing, and never serves it', async () => {
    const secret = writeContent({ 'meili-master-key': 'top-secret' });
    const dir = writeContent({ 'faq/q.md': '---\ntitle: 问？\n---\n答。\n\n![x](x.png)\n', 'faq/ok.md': '---\ntitle: 好？\n---\n好。\n' });
    symlinkSync(path.join(secret, 'meili-master-key'), path.join(dir, 'faq/x.png'));
    const store = await loadContent(dir);
    expect(store.issues.map(formatIssue)).toEqual(['faq/q.md:6: missing image x.png']);
    expect(store.pages.has('/faq/q')).toBe(false);
    expect(store.pages.has('/faq/ok')).toBe(true);
    expect(store.assets.size).toBe(0);
  });

  it('serves an image symlinked to another file inside CONTENT_DIR', async () => {
    const dir = writeContent({ 'faq/q.md': '---\ntitle: 问？\n---\n![x](x.png)\n', 'shared/logo.png': 'png' });
    symlinkSync(path.join(dir, 'shared/logo.png'), path.join(dir, 'faq/x.png'));
    const store = await loadContent(dir);
    expect(store.issues).toEqual([]);
    expect(store.pages.get('/faq/q')!.html).toContain('<img src="/content-files/faq/x.png"');
    expect(store.assets.get('faq/x.png')).toBe('public');
  });

  it('skips a file with a malformed %-escape in a link or an image, naming file and line, and loads the rest', async () => {
    const dir = writeContent({
      'faq/image.md': '---\ntitle: 图？\n---\n答。\n\n![x](%E0%A4%A.png)\n',
      'faq/link.md': '---\ntitle: 链？\n---\n见[甲](%E0%A4%A.md#节)。\n',
      'faq/ok.md': '---\ntitle: 好？\n---\n好。\n',
    });
    const store = await loadContent(dir);
    expect(store.issues.map(formatIssue)).toEqual(['faq/image.md:6: bad link %E0%A4%A.png: malformed %-escape', 'faq/link.md:4: bad link %E0%A4%A.md#节: malformed %-escape']);
    expect([...store.pages.keys()]).toEqual(['/faq/ok']);
  });

  it('turns anything a file throws into an issue on its first line, and loads the rest', async () => {
    // yaml refuses to expand this alias bomb (a billion laughs) by throwing.
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]'];
    const dir = writeContent({ 'faq/bomb.md': `---\ntitle: 炸？\n${bomb.join('\n')}\n---\n答。\n`, 'faq/ok.md': '---\ntitle: 好？\n---\n好。\n' });
    const store = await loadContent(dir);
    expect(store.issues.map(formatIssue)).toEqual([expect.stringMatching(/^faq\/bomb\.md:1: cannot load: .*alias/)]);
    expect([...store.pages.keys()]).toEqual(['/faq/ok']);
  });

  it('reads synonyms and the dictionary, and reports a malformed synonyms file', async () => {
    const ok = await loadContent(writeContent({ 'search/synonyms.yml': '- [故障, 报错, 出错]\n- [多久, 多长时间]\n', 'search/dictionary.txt': '公共信用\n# 注释\n成员单位\n' }));
    expect(ok.synonyms).toEqual([['故障', '报错', '出错'], ['多久', '多长时间']]);
    expect(ok.dictionary).toEqual(['公共信用', '成员单位']);
    const bad = await loadContent(writeContent({ 'search/synonyms.yml': 'just: a map\n' }));
    expect(bad.issues.map((i) => i.file)).toEqual(['search/synonyms.yml']);
  });

  it.each([
    ['提交问题', '提交问题'],
    ['How to 登录?', 'how-to-登录'],
    ['7×24 小时服务', '724-小时服务'],
    ['ISO9001 认证', 'iso9001-认证'],
  ])('slugifies %s as %s', (text, slug) => {
    expect(slugify(text)).toBe(slug);
  });
});
