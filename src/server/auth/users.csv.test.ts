import { describe, expect, it } from 'vitest';
import { assertImportableText, decodeCsv } from './users.csv-decode.ts';
import { parseUsersCsv, type UnitRef } from './users.csv.ts';

const units: UnitRef[] = [
  { id: 'unit-bj', code: 'BJ001', name: '北京分公司' },
  { id: 'unit-sh', code: 'SH002', name: '上海分公司' },
  { id: 'unit-gz-1', code: 'GZ01', name: '广州办事处' },
  { id: 'unit-gz-2', code: 'GZ02', name: '广州办事处' },
];

const context = { units, existingEmails: new Set(['taken@example.com']) };

/** Lines joined the way Excel writes them. */
const csv = (...lines: string[]): string => lines.join('\r\n') + '\r\n';

const HEADER = '单位,姓名,邮箱,角色';

/** '单位,姓名,邮箱,角色\r\n北京分公司,张三,zhang.san@example.com,成员单位用户\r\n,李四,li.si@example.com,值班工程师（二线）\r\n' in GB18030, from python3. */
const GB18030_HEX =
  'b5a5cebb2cd0d5c3fb2cd3cacfe42cbdc7c9ab0d0ab1b1bea9b7d6b9abcbbe2cd5c5c8fd2c7a68616e672e73616e406578616d706c652e636f6d2cb3c9d4b1b5a5cebbd3c3bba70d0a2cc0eecbc42c6c692e7369406578616d706c652e636f6d2cd6b5b0e0b9a4b3cccaa6a3a8b6fecfdfa3a90d0a';

const SAMPLE = csv(HEADER, '北京分公司,张三,zhang.san@example.com,成员单位用户', ',李四,li.si@example.com,值班工程师（二线）');

function parseOne(roles: string, unit = '北京分公司') {
  return parseUsersCsv(csv(HEADER, `${unit},张三,zhang.san@example.com,${roles}`), context);
}

function messagesOf(result: { errors: { line: number; message: string }[] }): string[] {
  return result.errors.map((e) => `${e.line}: ${e.message}`);
}

describe('decoding an uploaded file', () => {
  it.each([
    ['UTF-8 with a BOM (Excel “CSV UTF-8”)', [0xef, 0xbb, 0xbf]],
    ['UTF-8 without a BOM', []],
  ])('reads %s as UTF-8 and drops the BOM', (_label, prefix) => {
    const bytes = new Uint8Array([...prefix, ...new TextEncoder().encode(SAMPLE)]);
    const decoded = decodeCsv(bytes);
    expect(decoded.encoding).toBe('utf-8');
    expect(decoded.text).toBe(SAMPLE);
    expect(decoded.text.charCodeAt(0)).not.toBe(0xfeff);
  });

  it('reads a plain Excel CSV saved in China as GB18030', () => {
    const decoded = decodeCsv(Buffer.from(GB18030_HEX, 'hex'));
    expect(decoded.encoding).toBe('gb18030');
    expect(decoded.text).toBe(SAMPLE);
  });

  it('imports the users of a GB18030 file just like those of a UTF-8 one', () => {
    const fromGb = parseUsersCsv(decodeCsv(Buffer.from(GB18030_HEX, 'hex')).text, context);
    const fromUtf8 = parseUsersCsv(decodeCsv(new TextEncoder().encode(SAMPLE)).text, context);
    expect(fromGb.errors).toEqual([]);
    expect(fromGb.rows).toEqual(fromUtf8.rows);
    expect(fromGb.rows.map((r) => [r.name, r.unitId, r.roles, r.engineerTier])).toEqual([
      ['张三', 'unit-bj', ['member'], null],
      ['李四', null, ['engineer'], 2],
    ]);
  });

  it('treats a file that is plain ASCII as UTF-8', () => {
    expect(decodeCsv(new TextEncoder().encode('name,email,roles\n')).encoding).toBe('utf-8');
  });
});

/** Both strict readings of `bytes`, or null where the bytes are invalid. */
function strictly(encoding: 'utf-8' | 'gb18030', bytes: Uint8Array): string | null {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** A one-row file with English headers and `nameBytes` in the name column. */
function fileWithName(nameBytes: Uint8Array | number[], prefix: number[] = []): Uint8Array {
  const ascii = (s: string) => [...new TextEncoder().encode(s)];
  return new Uint8Array([...prefix, ...ascii('name,email,roles\r\n'), ...nameBytes, ...ascii(',someone@example.cn,engineer\r\n')]);
}

function errorOf(run: () => unknown): unknown {
  try {
    run();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

/** GB18030 bytes checked against Node's decoder in the first test below (Node has no GB18030 encoder). */
describe.each([
  ['郑叶', 'd6a3d2b6', '֣Ҷ'],
  ['谢霞', 'd0bbcfbc', 'лϼ'],
  ['钱伟', 'c7aeceb0', 'Ǯΰ'],
  ['姚雪', 'd2a6d1a9', 'Ҧѩ'],
  ['袁英', 'd4acd3a2', 'ԬӢ'],
])('a GB18030 file naming %s, whose bytes %s are also valid UTF-8', (name, hex, asUtf8) => {
  const bytes = fileWithName(Buffer.from(hex, 'hex'));

  it('holds bytes that read as the name in GB18030 and as other scripts in UTF-8', () => {
    expect(new TextDecoder('gb18030').decode(Buffer.from(hex, 'hex'))).toBe(name);
    expect(strictly('utf-8', bytes)).toContain(`\n${asUtf8},`);
  });

  it('is read as GB18030, with the name intact', () => {
    const decoded = decodeCsv(bytes);
    expect(decoded.encoding).toBe('gb18030');
    expect(parseUsersCsv(decoded.text, context).rows.map((r) => r.name)).toEqual([name]);
  });
});

describe.each([
  ['王芳', 'cdf5b7bc'],
  ['刘洋', 'c1f5d1f3'],
])('a GB18030 file naming %s, bytes %s, invalid as UTF-8', (name, hex) => {
  it('is read as GB18030', () => {
    const bytes = fileWithName(Buffer.from(hex, 'hex'));
    expect(strictly('utf-8', bytes)).toBeNull();
    expect(decodeCsv(bytes)).toMatchObject({ encoding: 'gb18030', text: expect.stringContaining(`\n${name},`) });
  });
});

describe.each(['王芳', '刘洋', '王伟', '郑叶', '李静'])('a UTF-8 file without a BOM naming %s', (name) => {
  const bytes = fileWithName(new TextEncoder().encode(name));

  it('holds bytes that GB18030 also reads, as other characters', () => {
    const misread = strictly('gb18030', bytes);
    expect(misread).not.toBeNull();
    expect(misread).not.toContain(name);
  });

  it('stays UTF-8', () => {
    expect(decodeCsv(bytes)).toMatchObject({ encoding: 'utf-8', text: expect.stringContaining(`\n${name},`) });
  });
});

describe('choosing and refusing encodings', () => {
  it('reads a whole UTF-8 file of Chinese as UTF-8 even where GB18030 would also read it', () => {
    const text = csv('单位,姓名', '北京,王芳', '上海,刘洋');
    const bytes = new TextEncoder().encode(text);
    expect(strictly('gb18030', bytes)).not.toBeNull();
    expect(decodeCsv(bytes)).toEqual({ text, encoding: 'utf-8' });
  });

  it('lets a UTF-8 BOM decide UTF-8: the GB18030 bytes of 郑叶 after one read as UTF-8', () => {
    expect(decodeCsv(fileWithName([0xd6, 0xa3, 0xd2, 0xb6], [0xef, 0xbb, 0xbf]))).toMatchObject({ encoding: 'utf-8', text: expect.stringContaining('֣Ҷ') });
  });

  it.each([
    ['GB18030 bytes after a UTF-8 BOM', fileWithName([0xcd, 0xf5, 0xb7, 0xbc], [0xef, 0xbb, 0xbf])],
    ['a byte 0xFF', fileWithName([0xff])],
    ['a GB18030 lead byte before a comma', fileWithName([0xd6])],
    ['a UTF-8 sequence cut short', fileWithName([0xe9, 0x83, 0x91, 0xe5, 0x8f])],
    ['a UTF-16 file with its BOM', new Uint8Array([0xff, 0xfe, 0x6e, 0x00, 0x61, 0x00])],
    ['U+FFFD left by an earlier conversion', fileWithName(new TextEncoder().encode('王\ufffd'))],
  ])('refuses %s as of unknown encoding, importing no U+FFFD', (_label, bytes) => {
    expect(errorOf(() => decodeCsv(bytes))).toMatchObject({ code: 'users.import_encoding', status: 400, message: expect.stringContaining('CSV UTF-8（逗号分隔）') });
  });

  it.each([
    ['a UTF-16 file without a BOM', new Uint8Array([0x6e, 0x00, 0x61, 0x00, 0x6d, 0x00, 0x65, 0x00, 0x0a, 0x00])],
    ['a NUL in a name', fileWithName([0x00])],
    ['an Excel workbook (a zip)', new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00, 0x00, 0x00, 0x21, 0x00, 0x62, 0xee, 0x9d, 0x68])],
  ])('refuses %s, whose NUL characters no database column holds', (_label, bytes) => {
    expect(errorOf(() => decodeCsv(bytes))).toMatchObject({ code: 'users.import_nul', status: 400 });
  });

  it.each([
    ['a NUL', 'name\0', 'users.import_nul'],
    ['U+FFFD', '王\ufffd', 'users.import_encoding'],
  ])('refuses text posted back on confirm holding %s', (_label, text, code) => {
    expect(errorOf(() => assertImportableText(text))).toMatchObject({ code, status: 400 });
  });
});

describe('reading the header', () => {
  it.each([
    ['Chinese headers', ['单位,姓名,邮箱,角色', '北京分公司,张三,Zhang.San@Example.com,成员']],
    ['Chinese headers in another order', ['角色,邮箱,姓名,单位', '成员,Zhang.San@Example.com,张三,北京分公司']],
    ['the longer Chinese headers', ['姓名,所属单位,电子邮箱,角色', '张三,北京分公司,Zhang.San@Example.com,成员']],
    ['English headers', ['unit,name,email,roles', '北京分公司,张三,Zhang.San@Example.com,member']],
    ['English headers in any case and order', ['EMAIL,Roles,Name,Unit', 'Zhang.San@Example.com,member,张三,北京分公司']],
    ['extra columns such as 备注', ['序号,姓名,单位,邮箱,角色,备注', '1,张三,北京分公司,Zhang.San@Example.com,成员,新入职']],
  ])('understands %s', (_label, lines) => {
    const result = parseUsersCsv(csv(...lines), context);
    expect(result.errors).toEqual([]);
    expect(result.rows).toEqual([
      { line: 2, unitId: 'unit-bj', name: '张三', email: 'zhang.san@example.com', roles: ['member'], engineerTier: null },
    ]);
  });

  it.each([
    ['email', '单位,姓名,角色', ['邮箱']],
    ['name and roles', '单位,邮箱', ['姓名', '角色']],
    ['every column', '序号,备注', ['姓名', '邮箱', '角色']],
  ])('refuses a file without the %s column, listing what is missing on line 1', (_label, header, missing) => {
    const result = parseUsersCsv(csv(header, '北京分公司,张三,成员'), context);
    expect(result.rows).toEqual([]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.line).toBe(1);
    for (const column of missing) expect(result.errors[0]?.message).toContain(column);
    expect(result.errors[0]?.message).toContain('缺少');
  });

  it('lets a file of engineers and trainers leave out the unit column', () => {
    const result = parseUsersCsv(csv('姓名,邮箱,角色', '王五,wang.wu@example.com,培训讲师', '赵六,zhao.liu@example.com,engineer:3'), context);
    expect(result.errors).toEqual([]);
    expect(result.rows.map((r) => [r.name, r.unitId, r.roles, r.engineerTier])).toEqual([
      ['王五', null, ['trainer'], null],
      ['赵六', null, ['engineer'], 3],
    ]);
  });

  it('asks for the unit column on line 1 when a member row needs it', () => {
    const result = parseUsersCsv(csv('姓名,邮箱,角色', '王五,wang.wu@example.com,培训讲师', '张三,zhang.san@example.com,成员'), context);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.line).toBe(1);
    expect(result.errors[0]?.message).toContain('单位');
    expect(result.errors[0]?.message).toContain('缺少');
  });

  it('refuses a header that names the same column twice', () => {
    const result = parseUsersCsv(csv('姓名,邮箱,电子邮箱,角色', '张三,a@example.com,b@example.com,trainer'), context);
    expect(result.rows).toEqual([]);
    expect(messagesOf(result)).toEqual([expect.stringMatching(/^1: .*电子邮箱.*邮箱.*重复/)]);
  });

  it.each([
    ['an empty file', ''],
    ['a file of blank lines', '\r\n\r\n  \r\n'],
    ['a header only', csv(HEADER)],
    ['a header and rows of bare commas left by Excel', csv(HEADER, ',,,', ',,,')],
  ])('says there are no users in %s', (_label, text) => {
    const result = parseUsersCsv(text, context);
    expect(result.rows).toEqual([]);
    expect(result.errors).toEqual([{ line: 1, message: '文件中没有用户数据' }]);
  });
});

describe('reading roles', () => {
  it.each([
    ['member', ['member'], null],
    ['成员', ['member'], null],
    ['成员单位用户', ['member'], null],
    ['engineer', ['engineer'], 1],
    ['Engineer', ['engineer'], 1],
    ['engineer:1', ['engineer'], 1],
    ['engineer:2', ['engineer'], 2],
    ['engineer:3', ['engineer'], 3],
    ['engineer：2', ['engineer'], 2],
    ['工程师', ['engineer'], 1],
    ['值班工程师', ['engineer'], 1],
    ['值班工程师(一线)', ['engineer'], 1],
    ['值班工程师（二线）', ['engineer'], 2],
    ['值班工程师 （三线）', ['engineer'], 3],
    ['工程师(三线)', ['engineer'], 3],
    ['一线工程师', ['engineer'], 1],
    ['驻场工程师', ['engineer'], 1],
    ['二线工程师', ['engineer'], 2],
    ['专家工程师', ['engineer'], 2],
    ['三线工程师', ['engineer'], 3],
    ['厂商工程师', ['engineer'], 3],
    ['原厂工程师', ['engineer'], 3],
    ['trainer', ['trainer'], null],
    ['讲师', ['trainer'], null],
    ['培训讲师', ['trainer'], null],
    ['admin', ['admin'], null],
    ['ADMIN', ['admin'], null],
    ['管理员', ['admin'], null],
    ['系统管理员', ['admin'], null],
  ])('reads “%s” as %j with engineer tier %s', (spelling, roles, tier) => {
    const result = parseOne(spelling);
    expect(result.errors).toEqual([]);
    expect(result.rows[0]?.roles).toEqual(roles);
    expect(result.rows[0]?.engineerTier).toBe(tier);
  });

  it.each([
    ['semicolons', '成员;培训讲师'],
    ['full-width semicolons', '成员；培训讲师'],
    ['enumeration commas', '成员、培训讲师'],
    ['commas inside a quoted field', '"成员,培训讲师"'],
    ['full-width commas', '成员，培训讲师'],
    ['bars', 'member|trainer'],
    ['spaces', 'member  trainer'],
  ])('splits several roles separated by %s', (_label, cell) => {
    const result = parseOne(cell);
    expect(result.errors).toEqual([]);
    expect(result.rows[0]?.roles).toEqual(['member', 'trainer']);
  });

  it('keeps each role once, in the usual order, with the tier that was given', () => {
    const result = parseOne('系统管理员;值班工程师（三线）;engineer;admin');
    expect(result.errors).toEqual([]);
    expect(result.rows[0]).toMatchObject({ roles: ['engineer', 'admin'], engineerTier: 3 });
  });

  it('quotes a role it does not know', () => {
    const result = parseOne('成员;超级用户');
    expect(result.rows).toEqual([]);
    expect(messagesOf(result)).toEqual([expect.stringMatching(/^2: 角色“超级用户”无法识别/)]);
  });

  it.each(['工程师(四线)', 'engineer:4'])('refuses the engineer tier in “%s”', (spelling) => {
    const result = parseOne(spelling);
    expect(result.rows).toEqual([]);
    expect(result.errors[0]?.message).toContain(`“${spelling}”`);
  });

  it('refuses two different tiers for one engineer', () => {
    const result = parseOne('一线工程师;engineer:3');
    expect(result.rows).toEqual([]);
    expect(messagesOf(result)).toEqual([expect.stringMatching(/^2: .*一线工程师.*engineer:3.*级别冲突/)]);
  });

  it.each([
    ['an empty cell', ''],
    ['a cell of separators only', '"；、,"'],
  ])('requires at least one role, refusing %s', (_label, cell) => {
    const result = parseOne(cell);
    expect(result.rows).toEqual([]);
    expect(messagesOf(result)).toEqual(['2: 角色不能为空']);
  });
});

describe('checking each row', () => {
  it('lower-cases and trims the email and trims every cell', () => {
    const result = parseUsersCsv(csv(HEADER, '  北京分公司 , 张三 ,  Zhang.San@EXAMPLE.com ,\u3000成员 '), context);
    expect(result.errors).toEqual([]);
    expect(result.rows[0]).toMatchObject({ unitId: 'unit-bj', name: '张三', email: 'zhang.san@example.com' });
  });

  it('finds the unit by its code, in any case, or by its exact name', () => {
    const result = parseUsersCsv(
      csv(HEADER, 'BJ001,张三,a@example.com,成员', 'sh002,李四,b@example.com,成员', '上海分公司,王五,c@example.com,成员'),
      context,
    );
    expect(result.errors).toEqual([]);
    expect(result.rows.map((r) => r.unitId)).toEqual(['unit-bj', 'unit-sh', 'unit-sh']);
  });

  it('quotes a unit that does not exist', () => {
    const result = parseOne('成员', '北京总公司');
    expect(result.rows).toEqual([]);
    expect(messagesOf(result)).toEqual([expect.stringMatching(/^2: 单位“北京总公司”不存在/)]);
  });

  it('asks for the code when two units share the name given', () => {
    const result = parseOne('成员', '广州办事处');
    expect(messagesOf(result)).toEqual([expect.stringMatching(/^2: 单位“广州办事处”.*同名.*编码/)]);
  });

  it('requires a unit for a member but not for engineers, trainers or admins', () => {
    const result = parseUsersCsv(
      csv(HEADER, ',张三,a@example.com,成员', ',李四,b@example.com,工程师', ',王五,c@example.com,讲师', ',赵六,d@example.com,管理员'),
      context,
    );
    expect(messagesOf(result)).toEqual([expect.stringMatching(/^2: 单位不能为空/)]);
    expect(result.rows.map((r) => r.name)).toEqual(['李四', '王五', '赵六']);
  });

  it('keeps the unit of an engineer who gives one', () => {
    expect(parseOne('二线工程师', 'SH002').rows[0]).toMatchObject({ unitId: 'unit-sh', engineerTier: 2 });
  });

  it.each([
    ['no at sign', 'zhang.example.com'],
    ['no domain dot', 'zhang@example'],
    ['a space inside', 'zhang san@example.com'],
    ['two at signs', 'zhang@@example.com'],
    ['a doubled dot', 'zhang..san@example.com'],
    ['Chinese characters', '张三@example.com'],
  ])('refuses an email with %s, quoting it', (_label, email) => {
    const result = parseUsersCsv(csv(HEADER, `北京分公司,张三,${email},成员`), context);
    expect(result.rows).toEqual([]);
    expect(messagesOf(result)).toEqual([`2: 邮箱“${email}”格式不正确`]);
  });

  it('requires a name and an email', () => {
    const result = parseUsersCsv(csv(HEADER, '北京分公司,,,成员'), context);
    expect(messagesOf(result)).toEqual(['2: 姓名不能为空', '2: 邮箱不能为空']);
  });

  it('accepts a 50-character name and refuses a 51-character one', () => {
    const ok = '张'.repeat(50);
    const long = '张'.repeat(51);
    const result = parseUsersCsv(csv(HEADER, `北京分公司,${ok},a@example.com,成员`, `北京分公司,${long},b@example.com,成员`), context);
    expect(result.rows.map((r) => r.name)).toEqual([ok]);
    expect(messagesOf(result)).toEqual([expect.stringMatching(/^3: 姓名“张+”超过 50 个字$/)]);
  });

  it('refuses the second use of an email in the file, naming the line of the first', () => {
    const result = parseUsersCsv(
      csv(HEADER, '北京分公司,张三,zhang@example.com,成员', '上海分公司,李四,li@example.com,成员', '上海分公司,张三丰,ZHANG@example.com,成员'),
      context,
    );
    expect(result.rows.map((r) => r.line)).toEqual([2, 3]);
    expect(messagesOf(result)).toEqual(['4: 邮箱“ZHANG@example.com”与第 2 行重复']);
  });

  it('refuses an email that is already registered, whatever its case', () => {
    const result = parseUsersCsv(csv(HEADER, '北京分公司,张三,Taken@Example.com,成员'), context);
    expect(result.rows).toEqual([]);
    expect(messagesOf(result)).toEqual(['2: 邮箱“Taken@Example.com”已被注册']);
  });

  it('lists every problem of a row, not just the first', () => {
    const result = parseUsersCsv(csv(HEADER, '北京总公司,,bad-email,老板'), context);
    expect(result.errors.map((e) => e.message)).toEqual([
      '姓名不能为空',
      '邮箱“bad-email”格式不正确',
      expect.stringMatching(/^角色“老板”无法识别/),
      expect.stringMatching(/^单位“北京总公司”不存在/),
    ]);
  });
});

describe('reading the CSV itself', () => {
  it('keeps a comma inside a quoted field', () => {
    const result = parseUsersCsv(csv(HEADER, '"北京分公司","张三, 主任""",a@example.com,"成员,培训讲师"'), context);
    expect(result.errors).toEqual([]);
    expect(result.rows[0]).toMatchObject({ name: '张三, 主任"', roles: ['member', 'trainer'] });
  });

  it('reports an unclosed quote as one error on the line where the quote opens', () => {
    const text = csv(HEADER, '北京分公司,张三,a@example.com,成员', '', '北京分公司,"李四,b@example.com,成员', '北京分公司,王五,c@example.com,成员');
    const result = parseUsersCsv(text, context);
    expect(result.rows).toEqual([]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.line).toBe(4);
    expect(result.errors[0]?.message).toContain('引号');
  });

  it('reports a stray quote after a closed one on its line', () => {
    const result = parseUsersCsv(csv(HEADER, '北京分公司,张三,a@example.com,成员', '北京分公司,"李四" 主任,b@example.com,成员'), context);
    expect(result.rows).toEqual([]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.line).toBe(3);
    expect(result.errors[0]?.message).toContain('CSV 格式错误');
  });

  it.each([
    ['Windows line endings', '\r\n'],
    ['Unix line endings', '\n'],
    ['old Mac line endings', '\r'],
  ])('counts file lines past blank lines and a cell spanning lines, with %s', (_label, eol) => {
    const text = [HEADER, '', '北京分公司,"张三', '（主任）",a@example.com,member', '北京分公司,李四,bad,member', ''].join(eol);
    const result = parseUsersCsv(text, context);
    expect(result.errors).toEqual([
      { line: 3, message: '姓名“张三 （主任）”不能包含换行' },
      { line: 5, message: '邮箱“bad”格式不正确' },
    ]);
  });

  it('refuses more than 2000 rows with a single error and accepts 2000', () => {
    const lines = (n: number) => Array.from({ length: n }, (_, i) => `北京分公司,用户${i},user${i}@example.com,成员`);
    const full = parseUsersCsv(csv(HEADER, ...lines(2000)), context);
    expect(full.errors).toEqual([]);
    expect(full.rows).toHaveLength(2000);

    const over = parseUsersCsv(csv(HEADER, ...lines(2000), '北京总公司,,bad,老板'), context);
    expect(over.rows).toEqual([]);
    expect(over.errors).toEqual([{ line: 2002, message: expect.stringContaining('2000') }]);
  });
});

describe('a file with good and bad rows', () => {
  const text = csv(
    '姓名,电子邮箱,角色,所属单位,备注',
    '张三,zhang@example.com,成员单位用户,北京分公司,',
    '李四,li@example,成员,北京分公司,邮箱写错',
    '王五,wang@example.com,值班工程师（三线）,,',
    ',,,,',
    '赵六,zhao@example.com,成员,,缺单位',
    '钱七,ZHANG@example.com,培训讲师,,与第 2 行重复',
    '孙八,sun@example.com,老板,上海分公司,角色不对',
    '周九,zhou@example.com,"engineer:2, admin",SH002,',
    '吴十,taken@example.com,admin,,已注册',
    '郑十一,zheng@example.com,成员,深圳分公司,单位不存在',
  );
  const result = parseUsersCsv(text, context);

  it('returns the good rows with their file lines', () => {
    expect(result.rows).toEqual([
      { line: 2, unitId: 'unit-bj', name: '张三', email: 'zhang@example.com', roles: ['member'], engineerTier: null },
      { line: 4, unitId: null, name: '王五', email: 'wang@example.com', roles: ['engineer'], engineerTier: 3 },
      { line: 9, unitId: 'unit-sh', name: '周九', email: 'zhou@example.com', roles: ['engineer', 'admin'], engineerTier: 2 },
    ]);
  });

  it('lists every bad row by line, in line order', () => {
    expect(messagesOf(result)).toEqual([
      '3: 邮箱“li@example”格式不正确',
      expect.stringMatching(/^6: 单位不能为空/),
      '7: 邮箱“ZHANG@example.com”与第 2 行重复',
      expect.stringMatching(/^8: 角色“老板”无法识别/),
      '10: 邮箱“taken@example.com”已被注册',
      expect.stringMatching(/^11: 单位“深圳分公司”不存在/),
    ]);
  });
});
