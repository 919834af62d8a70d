import { readdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../tests/helpers/tmp.ts';
import { parseFrontmatter } from './content.frontmatter.ts';
import { markdownFile, writeContentFile } from './content.write.ts';

describe('writeContentFile', () => {
  it('writes frontmatter and body that read back the same, leaving no temporary file', async () => {
    const dir = tempDir('content-write');
    const text = markdownFile({ title: '数据报送操作教程', versions: [{ version: 'v1.0', changelog: '首个版本：第 1 章' }] }, '正文');
    await writeContentFile(dir, 'courseware/report.md', text);
    await writeContentFile(dir, 'courseware/report.md', text.replace('正文', '新的正文'));
    const parsed = parseFrontmatter(readFileSync(path.join(dir, 'courseware/report.md'), 'utf8'));
    expect(parsed.ok && parsed.value.data).toEqual({ title: '数据报送操作教程', versions: [{ version: 'v1.0', changelog: '首个版本：第 1 章' }] });
    expect(parsed.ok && parsed.value.body.trim()).toBe('新的正文');
    expect(readdirSync(path.join(dir, 'courseware'))).toEqual(['report.md']);
  });

  it('refuses names that leave CONTENT_DIR', async () => {
    const dir = tempDir('content-write');
    const outside = tempDir('content-outside');
    symlinkSync(outside, path.join(dir, 'linked'));
    await expect(writeContentFile(dir, '../x.md', 'x')).rejects.toThrow();
    await expect(writeContentFile(dir, 'linked/x.md', 'x')).rejects.toThrow(/not inside/);
    expect(readdirSync(outside)).toEqual([]);
  });
});
