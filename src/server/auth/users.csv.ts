/**
 * Bulk user import: validating the CSV an admin uploads (decoding is in
 * users.csv-decode.ts).
 *
 * Pure: no database, no clock. The caller passes the known units and the
 * addresses already registered, and imports nothing unless `errors` is empty.
 */
import { CsvError, parse } from 'csv-parse/sync';
import { roles as ALL_ROLES, type Role } from '../../../db/schema/auth.ts';

/** Data rows accepted in one upload; more is refused outright. */
const MAX_ROWS = 2000;
const MAX_NAME_LENGTH = 50;

/** A member unit the unit column may name, by code or by exact name. */
export interface UnitRef {
  id: string;
  code: string;
  name: string;
}

/** One valid row, ready to import. `line` is the file line the row starts on (the header is line 1). */
export interface CsvUserRow {
  line: number;
  unitId: string | null;
  name: string;
  /** Lower-cased. */
  email: string;
  /** Without duplicates, in the order of `roles` in the schema. */
  roles: Role[];
  /** 1 on-site, 2 expert, 3 vendor; null unless `roles` includes engineer. */
  engineerTier: 1 | 2 | 3 | null;
}

/** One problem, on the file line it starts on; `message` is Simplified Chinese and names the column and the bad value. */
export interface CsvRowError {
  line: number;
  message: string;
}

/**
 * Parses and validates every row. `units` resolves the unit column by code or by exact name;
 * `existingEmails` (lower-cased) are addresses already registered. Returns all valid rows and
 * every error; the caller imports nothing when errors is non-empty.
 */
export function parseUsersCsv(
  text: string,
  { units, existingEmails }: { units: UnitRef[]; existingEmails: Set<string> },
): { rows: CsvUserRow[]; errors: CsvRowError[] } {
  const read = readRecords(text);
  if ('error' in read) return { rows: [], errors: [read.error] };

  // Excel leaves rows of bare commas below the data; they are not rows.
  const records = read.records.filter((r) => r.fields.some((f) => clean(f) !== ''));
  const [header, ...data] = records;
  if (!header) return { rows: [], errors: [{ line: 1, message: NO_DATA }] };

  const columns = readHeader(header);
  if ('error' in columns) return { rows: [], errors: [columns.error] };

  if (data.length === 0) {
    const errors: CsvRowError[] = [];
    const missing = CORE_COLUMNS.filter((c) => columns.index[c] === undefined);
    if (missing.length > 0) errors.push(missingColumnsError(header.line, missing));
    errors.push({ line: header.line, message: NO_DATA });
    return { rows: [], errors };
  }

  const firstTooMany = data[MAX_ROWS];
  if (firstTooMany) {
    return {
      rows: [],
      errors: [{ line: firstTooMany.line, message: `数据超过 ${MAX_ROWS} 行上限（共 ${data.length} 行），请拆分成多个文件分批导入` }],
    };
  }

  const cell = (record: CsvRecord, column: Column): string => {
    const i = columns.index[column];
    return i === undefined ? '' : clean(record.fields[i] ?? '');
  };

  const missing: Column[] = CORE_COLUMNS.filter((c) => columns.index[c] === undefined);
  // The unit column is needed only when some row is a member's.
  if (columns.index.unit === undefined && columns.index.roles !== undefined) {
    if (data.some((r) => parseRoles(cell(r, 'roles')).roles.has('member'))) missing.push('unit');
  }
  if (missing.length > 0) return { rows: [], errors: [missingColumnsError(header.line, missing)] };

  const errors: CsvRowError[] = [];
  const rows: CsvUserRow[] = [];
  const resolveUnit = unitResolver(units);
  const firstLineOfEmail = new Map<string, number>();

  for (const record of data) {
    const { line } = record;
    const rowErrors: string[] = [];

    const name = cell(record, 'name');
    if (name === '') rowErrors.push('姓名不能为空');
    else if (/[\r\n]/.test(name)) rowErrors.push(`姓名“${oneLine(name)}”不能包含换行`);
    else if ([...name].length > MAX_NAME_LENGTH) rowErrors.push(`姓名“${name}”超过 ${MAX_NAME_LENGTH} 个字`);

    const rawEmail = cell(record, 'email');
    const email = rawEmail.normalize('NFKC').toLowerCase();
    if (rawEmail === '') rowErrors.push('邮箱不能为空');
    else if (!isEmail(email)) rowErrors.push(`邮箱“${oneLine(rawEmail)}”格式不正确`);
    else {
      const firstLine = firstLineOfEmail.get(email);
      if (firstLine === undefined) firstLineOfEmail.set(email, line);
      else rowErrors.push(`邮箱“${rawEmail}”与第 ${firstLine} 行重复`);
      if (existingEmails.has(email)) rowErrors.push(`邮箱“${rawEmail}”已被注册`);
    }

    const rawRoles = cell(record, 'roles');
    const parsedRoles = parseRoles(rawRoles);
    if (parsedRoles.roles.size === 0 && parsedRoles.errors.length === 0) rowErrors.push('角色不能为空');
    rowErrors.push(...parsedRoles.errors);

    const rawUnit = cell(record, 'unit');
    let unitId: string | null = null;
    if (rawUnit !== '') {
      const resolved = resolveUnit(rawUnit);
      if ('error' in resolved) rowErrors.push(resolved.error);
      else unitId = resolved.id;
    } else if (parsedRoles.roles.has('member')) {
      rowErrors.push('单位不能为空：角色为成员单位用户时必须填写单位');
    }

    if (rowErrors.length > 0) {
      for (const message of rowErrors) errors.push({ line, message });
      continue;
    }
    const rowRoles = ALL_ROLES.filter((r) => parsedRoles.roles.has(r));
    rows.push({
      line,
      unitId,
      name,
      email,
      roles: rowRoles,
      engineerTier: rowRoles.includes('engineer') ? (parsedRoles.tier ?? 1) : null,
    });
  }

  errors.sort((a, b) => a.line - b.line);
  return { rows, errors };
}

// ---------------------------------------------------------------- CSV records

interface CsvRecord {
  /** The file line the record starts on (a quoted field may span lines). */
  line: number;
  fields: string[];
}

const NO_DATA = '文件中没有用户数据';

function readRecords(text: string): { records: CsvRecord[] } | { error: CsvRowError } {
  // csv-parse counts a CRLF inside a quoted field as two lines; one kind of line break keeps line numbers true.
  const normalized = text.replace(/\r\n?/g, '\n');
  const records: CsvRecord[] = [];
  let lastEndLine = 0;
  try {
    parse(normalized, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      on_record: (fields, context) => {
        // context.lines is the line the record ends on; step back over line breaks inside quoted fields.
        const breaks = fields.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0);
        records.push({ line: context.lines - breaks, fields });
        lastEndLine = context.lines;
        return null;
      },
    });
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
      // The parser reports the last line of the file; the admin needs the line the quote opened on.
      const lines = normalized.split('\n');
      let start = lastEndLine;
      while (start < lines.length - 1 && (lines[start] ?? '').trim() === '') start++;
      return { error: { line: start + 1, message: 'CSV 格式错误：引号没有闭合（从这一行开始），请检查该行的双引号是否成对' } };
    }
    const line = typeof err.lines === 'number' && err.lines > 0 ? err.lines : lastEndLine + 1;
    const quoteCodes = ['INVALID_OPENING_QUOTE', 'CSV_INVALID_CLOSING_QUOTE', 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE'];
    const message = quoteCodes.includes(err.code)
      ? 'CSV 格式错误：双引号使用不正确，含逗号或引号的内容须整体用双引号括起，内容中的双引号写成两个'
      : `CSV 格式错误（${err.code}），请用 Excel 重新另存为 CSV 后再上传`;
    return { error: { line, message } };
  }
  return { records };
}

// ---------------------------------------------------------------- header

type Column = 'unit' | 'name' | 'email' | 'roles';

const CORE_COLUMNS: readonly Column[] = ['name', 'email', 'roles'];

const COLUMN_LABEL: Record<Column, string> = { unit: '单位', name: '姓名', email: '邮箱', roles: '角色' };

/** Accepted header spellings, compared lower-cased. */
const HEADER_ALIASES: Record<Column, readonly string[]> = {
  unit: ['单位', '所属单位', 'unit'],
  name: ['姓名', 'name'],
  email: ['邮箱', '电子邮箱', 'email'],
  roles: ['角色', 'roles'],
};

const COLUMN_BY_HEADER = new Map<string, Column>(
  (Object.keys(HEADER_ALIASES) as Column[]).flatMap((c) => HEADER_ALIASES[c].map((alias) => [alias, c] as const)),
);

function readHeader(header: CsvRecord): { index: Partial<Record<Column, number>> } | { error: CsvRowError } {
  const index: Partial<Record<Column, number>> = {};
  const spelling: Partial<Record<Column, string>> = {};
  for (const [i, raw] of header.fields.entries()) {
    const title = clean(raw);
    const column = COLUMN_BY_HEADER.get(title.toLowerCase());
    if (!column) continue; // extra columns (备注 and the like) are ignored
    if (index[column] !== undefined) {
      return { error: { line: header.line, message: `表头中列“${title}”与“${spelling[column] ?? ''}”重复，请只保留一列` } };
    }
    index[column] = i;
    spelling[column] = title;
  }
  return { index };
}

function missingColumnsError(line: number, missing: readonly Column[]): CsvRowError {
  const list = missing.map((c) => `${COLUMN_LABEL[c]}（可写作 ${HEADER_ALIASES[c].join(' / ')}）`).join('、');
  const why = missing.includes('unit') ? '；有行的角色为成员单位用户，必须有单位列' : '';
  return { line, message: `表头缺少必需的列：${list}${why}` };
}

// ---------------------------------------------------------------- roles

type Tier = 1 | 2 | 3;

const ROLE_WORDS = new Map<string, { role: Role; tier?: Tier }>([
  ['member', { role: 'member' }],
  ['成员', { role: 'member' }],
  ['成员单位用户', { role: 'member' }],
  ['engineer', { role: 'engineer' }],
  ['engineer:1', { role: 'engineer', tier: 1 }],
  ['engineer:2', { role: 'engineer', tier: 2 }],
  ['engineer:3', { role: 'engineer', tier: 3 }],
  ['工程师', { role: 'engineer' }],
  ['值班工程师', { role: 'engineer' }],
  ['一线工程师', { role: 'engineer', tier: 1 }],
  ['驻场工程师', { role: 'engineer', tier: 1 }],
  ['二线工程师', { role: 'engineer', tier: 2 }],
  ['专家工程师', { role: 'engineer', tier: 2 }],
  ['三线工程师', { role: 'engineer', tier: 3 }],
  ['厂商工程师', { role: 'engineer', tier: 3 }],
  ['原厂工程师', { role: 'engineer', tier: 3 }],
  ['trainer', { role: 'trainer' }],
  ['讲师', { role: 'trainer' }],
  ['培训讲师', { role: 'trainer' }],
  ['admin', { role: 'admin' }],
  ['管理员', { role: 'admin' }],
  ['系统管理员', { role: 'admin' }],
]);

const TIER_WORDS: Record<string, Tier> = { 一线: 1, 二线: 2, 三线: 3 };

/** The words the roles column takes, in zh-CN: in every unknown-role error and beside the import form. */
export const ROLE_HINT = '可填写：成员单位用户、值班工程师（一线/二线/三线）、培训讲师、系统管理员，或 member、engineer:1、trainer、admin';

function lookUpRole(token: string): { role: Role; tier?: Tier } | undefined {
  const known = ROLE_WORDS.get(token.toLowerCase());
  if (known) return known;
  const withTier = /^(?:值班)?工程师\((一线|二线|三线)\)$/.exec(token);
  const tier = withTier?.[1] === undefined ? undefined : TIER_WORDS[withTier[1]];
  return tier === undefined ? undefined : { role: 'engineer', tier };
}

/** Reads the roles cell; `tier` is the engineer tier it states, if any. Errors quote the original spelling. */
function parseRoles(cellText: string): { roles: Set<Role>; tier: Tier | null; errors: string[] } {
  // NFKC turns full-width （）：；，｜ into ASCII; spaces around brackets and colons are not separators.
  const normalized = cellText
    .normalize('NFKC')
    .replace(/\s*\(\s*/g, '(')
    .replace(/\s*\)/g, ')')
    .replace(/\s*:\s*/g, ':');
  const tokens = normalized.split(/[;、,|\s]+/).filter((t) => t !== '');
  const found = new Set<Role>();
  const errors: string[] = [];
  let tier: Tier | null = null;
  let tierToken = '';
  for (const token of tokens) {
    const match = lookUpRole(token);
    if (!match) {
      errors.push(`角色“${token}”无法识别，${ROLE_HINT}`);
      continue;
    }
    found.add(match.role);
    if (match.tier === undefined) continue;
    if (tier !== null && tier !== match.tier) {
      errors.push(`角色“${tierToken}”与“${token}”的工程师级别冲突，每人只能有一个级别`);
      continue;
    }
    tier = match.tier;
    tierToken = token;
  }
  return { roles: found, tier, errors };
}

// ---------------------------------------------------------------- units, emails, text

function unitResolver(units: UnitRef[]): (value: string) => { id: string } | { error: string } {
  const byCode = new Map<string, UnitRef>();
  const byName = new Map<string, UnitRef[]>();
  for (const unit of units) {
    byCode.set(unit.code.trim().toLowerCase(), unit);
    const name = unit.name.trim();
    byName.set(name, [...(byName.get(name) ?? []), unit]);
  }
  return (value) => {
    const unit = byCode.get(value.toLowerCase());
    if (unit) return { id: unit.id };
    const named = byName.get(value) ?? [];
    if (named.length === 1 && named[0]) return { id: named[0].id };
    if (named.length > 1) return { error: `单位“${value}”有 ${named.length} 个同名单位，请改填单位编码` };
    return { error: `单位“${oneLine(value)}”不存在，请填写单位编码或与系统中完全一致的单位名称` };
  };
}

const EMAIL =
  /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

function isEmail(email: string): boolean {
  if (email.length > 254 || !EMAIL.test(email)) return false;
  const local = email.slice(0, email.indexOf('@'));
  return local.length <= 64 && !local.startsWith('.') && !local.endsWith('.') && !local.includes('..');
}

/** Trims, including the full-width and no-break spaces and zero-width marks that pasted text brings. */
function clean(value: string): string {
  return value.replace(/[\u200b-\u200d\u2060\ufeff]/g, '').trim();
}

function oneLine(value: string): string {
  return value.replace(/\s*\n\s*/g, ' ');
}
