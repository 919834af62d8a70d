import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appRoot } from '../shared/paths.ts';
import { auditActionLabel, auditActions, auditDetailLines, unitIdsIn } from './audit.labels.ts';

/** Every action code written to the audit log by src/ today: the quoted codes in each `action:` of an audit event (not those it is compared with). */
function writtenActions(): string[] {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (/\.(ts|astro)$/.test(e.name) && !e.name.endsWith('.test.ts')) {
        const text = readFileSync(full, 'utf8');
        if (!/auditRequest|recordAuditEvent/.test(text)) continue;
        for (const m of text.matchAll(/\baction: ([^,}\n]+)/g)) for (const q of m[1]!.replace(/[!=]==?\s*'[^']*'/g, '').matchAll(/'([a-z_]+(?:\.[a-z_]+)*)'/g)) found.add(q[1]!);
      }
    }
  };
  walk(path.join(appRoot(), 'src'));
  return [...found].sort();
}

const unitId = '01a21060-0000-7000-8000-000000000001';
const lookups = { unitNames: new Map([[unitId, '市发展改革委']]) };

describe('audit labels', () => {
  it('has a zh-CN name for every action the use cases write', () => {
    const written = writtenActions();
    expect(written).toContain('login.succeeded');
    expect(written.filter((a) => !auditActions.includes(a))).toEqual([]);
  });

  it('names actions in zh-CN and shows an unknown code as it is', () => {
    expect(auditActionLabel('login.succeeded')).toBe('登录成功');
    expect(auditActionLabel('user.disabled')).toBe('停用账号');
    expect(auditActionLabel('question.merged')).toBe('question.merged');
  });

  it.each([
    ['a failed sign-in', null, { reason: 'bad_password' }, ['原因：密码错误']],
    ['a disabled user', { status: 'active' }, { status: 'disabled' }, ['状态：正常 → 已停用']],
    [
      'a role change, unchanged fields left out',
      { roles: ['member'], engineerTier: null, unitId },
      { roles: ['member', 'engineer'], engineerTier: 2, unitId },
      ['角色：成员单位用户 → 成员单位用户、值班工程师', '工程师级别：（空） → 二线'],
    ],
    ['a created user', null, { email: 'a@b.cn', roles: ['trainer'], unitId: null }, ['邮箱：a@b.cn', '角色：培训讲师', '单位：（无单位）']],
    ['a created unit', null, { name: '市税务局', code: 'TAX', region: null }, ['姓名：市税务局', '单位编码：TAX', '地区：（空）']],
    [
      'an import, long lists cut short',
      null,
      { count: 4, encoding: 'gb18030', emails: ['a@b.cn', 'c@d.cn', 'e@f.cn', 'g@h.cn'] },
      ['人数：4', '文件编码：GB18030（GBK）', '邮箱：a@b.cn、c@d.cn、e@f.cn 等 4 个'],
    ],
    ['a profile edit', { name: '张三', phone: null }, { name: '张三', phone: '13800138000' }, ['电话：（空） → 13800138000']],
    ['an event without details', null, null, []],
  ])('describes %s in words', (_, before, after, lines) => {
    expect(auditDetailLines(before, after, lookups)).toEqual(lines);
  });

  it('names a unit by its name when the id is known', () => {
    expect(auditDetailLines(null, { unitId }, lookups)).toEqual(['单位：市发展改革委']);
  });

  it('collects well-formed unit ids from details, once each', () => {
    expect(unitIdsIn([{ before: { unitId }, after: { unitId } }, { before: null, after: { unitId: 'not-a-uuid' } }])).toEqual([unitId]);
  });
});
