import { describe, expect, it } from 'vitest';
import type { Courseware } from '../content/content.loader.ts';
import { byAudience } from './courseware.list.ts';
import { downloadName } from './courseware.publish.ts';
import { compareVersions } from './courseware.versions.ts';

describe('courseware versions', () => {
  it.each([
    ['v1.10', 'v1.9', 1],
    ['v2', 'v1.9.9', 1],
    ['v3.2', '3.2.0', 0],
    ['v3.2', 'v3.2.1', -1],
  ])('orders %s against %s by number, not by text', (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
  });

  it('names a download after the course and version, without characters file systems refuse', () => {
    expect(downloadName('双公示数据报送操作教程', 'v3.2', 'pdf')).toBe('双公示数据报送操作教程-v3.2.pdf');
    expect(downloadName('报送/导入: 模板?', 'v1.0', 'xlsx')).toBe('报送_导入_ 模板_-v1.0.xlsx');
  });

  it('groups the list by the first audience a course names, those naming none last', () => {
    const c = (slug: string, audience: string) => ({ slug, audience }) as Courseware;
    const groups = byAudience([c('a', ''), c('b', '成员单位用户、数据处理人员'), c('c', '数据处理人员'), c('d', '成员单位用户')], '其他');
    expect(groups.map((g) => [g.audience, g.items.map((i) => i.slug)])).toEqual([
      ['成员单位用户', ['b', 'd']],
      ['数据处理人员', ['c']],
      ['其他', ['a']],
    ]);
  });
});
