import { and, count, desc, eq, ilike, isNull, or } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { authTokens, roles as allRoles, units, users } from '../../../db/schema/index.ts';
import { auditRequest, type RequestMeta as AuditMeta } from '../audit/audit.usecases.ts';
import type { Jobs } from '../jobs/jobs.ts';
import { queueMail } from '../mail/mail.outbox.ts';
import { inviteMail } from '../mail/mail.templates.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError, createErrorFactory, createNotFoundError, createValidationError, fieldsOf } from '../shared/errors.ts';
import { isUuid, newId } from '../shared/ids.ts';
import { phoneFieldSchema } from '../shared/phone.ts';
import { INVITE_HOURS, issueToken, linkFor } from './auth.links.ts';
import { policies, takeAttempt } from './auth.ratelimit.ts';
import type { Auth, AuthUser } from './auth.sessions.ts';
import { assertImportableText, CSV_ENCODINGS, decodeCsv, type CsvEncoding } from './users.csv-decode.ts';
import { parseUsersCsv, type CsvRowError, type CsvUserRow } from './users.csv.ts';

export interface AccountDeps {
  db: Db;
  clock: Clock;
  jobs: Jobs;
  mailFrom: string;
  /** Where links in mails point: PUBLIC_URL, or the address fixed at start (never a request's Host). */
  baseUrl: string;
}

export type RequestMeta = AuditMeta & { actor: AuthUser | null };

const createEmailTakenError = createErrorFactory({ code: 'users.email_taken', message: '该邮箱已被注册。', status: 409 });

export const userInputSchema = z.strictObject({
  name: z.string().trim().min(1, '请填写姓名。').max(50, '姓名不能超过 50 个字。'),
  email: z.string().trim().toLowerCase().pipe(z.email('邮箱格式不正确。').max(200)),
  phone: phoneFieldSchema,
  unitId: z.uuid().nullable().optional().default(null),
  roles: z.array(z.enum(allRoles)).min(1, '请至少选择一个角色。'),
  engineerTier: z.coerce.number().int().min(1).max(3).nullable().optional().default(null),
});
export type UserInput = z.input<typeof userInputSchema>;



/**
 * The role rules of the admin forms: an engineer has a tier (1 unless given),
 * nobody else has one; a member-unit user must have a unit.
 */
function applyRoleRules<T extends { roles: string[]; engineerTier: number | null; unitId: string | null }>(input: T): T {
  if (input.roles.includes('member') && !input.unitId) throw createValidationError({ unitId: '成员单位用户必须选择所属单位。' });
  return { ...input, engineerTier: input.roles.includes('engineer') ? (input.engineerTier ?? 1) : null };
}

/** A unit picked in a form must exist (a stale or forged id is a field error, not a failed insert). */
async function assertUnitExists(db: Db, unitId: string | null): Promise<void> {
  if (!unitId) return;
  const [unit] = await db.select({ id: units.id }).from(units).where(eq(units.id, unitId));
  if (!unit) throw createValidationError({ unitId: '所选单位不存在，请刷新页面后重新选择。' });
}

/**
 * An admin creates a user (status invited) and a one-time invite link is mailed.
 * `invite: false` skips the mail (the CLI prints the link instead).
 */
export async function createUser(deps: AccountDeps & { meta: RequestMeta; input: unknown; invite?: boolean }): Promise<{ user: { id: string; email: string }; link: string }> {
  const parsed = userInputSchema.safeParse(deps.input);
  if (!parsed.success) throw createValidationError(fieldsOf(parsed.error));
  const input = applyRoleRules(parsed.data);
  const { db, clock, meta } = deps;
  await assertUnitExists(db, input.unitId);
  const [taken] = await db.select({ id: users.id }).from(users).where(eq(users.email, input.email));
  if (taken) throw createEmailTakenError({ email: '该邮箱已被注册。' });
  return db.transaction(async (tx) => {
    const id = newId();
    const now = clock.now();
    await tx.insert(users).values({ id, name: input.name, email: input.email, phone: input.phone || null, unitId: input.unitId, roles: input.roles, engineerTier: input.engineerTier, status: 'invited', createdAt: now, updatedAt: now });
    const token = await issueToken(tx, clock, id, 'invite', INVITE_HOURS * 3_600_000);
    const link = linkFor(deps.baseUrl, token);
    if (deps.invite !== false) await queueMail({ tx, jobs: deps.jobs, clock, from: deps.mailFrom, mail: inviteMail({ to: input.email, name: input.name, link, hours: INVITE_HOURS }) });
    await auditRequest({ db: tx, clock, meta, event: { action: 'user.created', targetType: 'user', targetId: id, after: { email: input.email, roles: input.roles, unitId: input.unitId } } });
    return { user: { id, email: input.email }, link };
  });
}

/** An uploaded CSV as the admin checks it before confirming the import. */
export interface UsersCsvPreview {
  encoding: CsvEncoding;
  /** The decoded text, posted back with the confirmation. */
  text: string;
  /** The valid rows, with the name of the unit each resolved to. */
  rows: (CsvUserRow & { unitName: string | null })[];
  errors: CsvRowError[];
}

async function checkUsersCsv(db: Db, text: string) {
  const unitRows = await db.select({ id: units.id, code: units.code, name: units.name }).from(units);
  const existing = new Set((await db.select({ email: users.email }).from(users)).map((u) => u.email));
  return { unitRows, ...parseUsersCsv(text, { units: unitRows, existingEmails: existing }) };
}

/**
 * Decodes an uploaded CSV (UTF-8 with or without BOM, or GB18030) and checks every row without
 * importing any, so the admin sees the names as decoded before confirming. Throws when the file
 * cannot be decoded cleanly.
 */
export async function previewUsersCsv({ db, bytes }: { db: Db; bytes: Uint8Array }): Promise<UsersCsvPreview> {
  const { text, encoding } = decodeCsv(bytes);
  const { unitRows, rows, errors } = await checkUsersCsv(db, text);
  const unitNames = new Map(unitRows.map((u) => [u.id, u.name]));
  return { encoding, text, rows: rows.map((r) => ({ ...r, unitName: r.unitId === null ? null : (unitNames.get(r.unitId) ?? null) })), errors };
}

/**
 * Imports the users of a confirmed preview. `text` and `encoding` (kept for the audit record) come
 * back from the browser, so everything is checked again; if any row is bad, nothing is imported
 * and every error is listed.
 */
export async function importUsersCsv(deps: AccountDeps & { meta: RequestMeta; text: string; encoding: string }): Promise<{ imported: number }> {
  const { db, clock, meta, text } = deps;
  const known = z.enum(CSV_ENCODINGS).safeParse(deps.encoding);
  if (!known.success) throw createValidationError({ encoding: '文件编码无效，请重新上传文件。' });
  const encoding = known.data;
  assertImportableText(text);
  const { rows, errors } = await checkUsersCsv(db, text);
  if (errors.length) {
    throw new AppError('users.import_invalid', `文件中有 ${errors.length} 处错误，没有导入任何用户。`, 400, Object.fromEntries(errors.map((e) => [`line${e.line}`, `第 ${e.line} 行：${e.message}`])));
  }
  await db.transaction(async (tx) => {
    const now = clock.now();
    for (const r of rows) {
      const id = newId();
      await tx.insert(users).values({ id, name: r.name, email: r.email, unitId: r.unitId, roles: r.roles, engineerTier: r.engineerTier, status: 'invited', createdAt: now, updatedAt: now });
      const token = await issueToken(tx, clock, id, 'invite', INVITE_HOURS * 3_600_000);
      await queueMail({ tx, jobs: deps.jobs, clock, from: deps.mailFrom, mail: inviteMail({ to: r.email, name: r.name, link: linkFor(deps.baseUrl, token), hours: INVITE_HOURS }) });
    }
    await auditRequest({ db: tx, clock, meta, event: { action: 'users.imported', targetType: 'user', after: { count: rows.length, encoding, emails: rows.map((r) => r.email) } } });
  });
  return { imported: rows.length };
}

/** Sends a fresh invite link (older unused invites stop working). */
export async function resendInvite(deps: AccountDeps & { meta: RequestMeta; userId: string }): Promise<void> {
  const { db, clock, meta } = deps;
  const [user] = await db.select().from(users).where(eq(users.id, deps.userId));
  if (!user) throw createNotFoundError();
  if (user.status !== 'invited') throw createValidationError({ user: '该用户已激活或已停用，无需重发邀请。' });
  await takeAttempt({ db, clock, key: `mail:acct:${user.email}`, policy: policies.mailAccount });
  await db.transaction(async (tx) => {
    await tx.update(authTokens).set({ usedAt: clock.now() }).where(and(eq(authTokens.userId, user.id), eq(authTokens.kind, 'invite'), isNull(authTokens.usedAt)));
    const token = await issueToken(tx, clock, user.id, 'invite', INVITE_HOURS * 3_600_000);
    await queueMail({ tx, jobs: deps.jobs, clock, from: deps.mailFrom, mail: inviteMail({ to: user.email, name: user.name, link: linkFor(deps.baseUrl, token), hours: INVITE_HOURS }) });
    await auditRequest({ db: tx, clock, meta, event: { action: 'user.invite_resent', targetType: 'user', targetId: user.id } });
  });
}

/** Changes roles, tier and unit; audited with before and after. */
export async function updateUserAccess(deps: { db: Db; clock: Clock; meta: RequestMeta; userId: string; input: unknown }) {
  const schema = z.strictObject({
    roles: userInputSchema.shape.roles,
    engineerTier: userInputSchema.shape.engineerTier,
    unitId: userInputSchema.shape.unitId,
    isUnitContact: z.boolean().optional().default(false),
  });
  const parsed = schema.safeParse(deps.input);
  if (!parsed.success) throw createValidationError(fieldsOf(parsed.error));
  const next = applyRoleRules(parsed.data);
  // The contact person (单位联系人) sees the whole unit's questions: only a member of a unit can be one.
  if (next.isUnitContact && !next.unitId) throw createValidationError({ isUnitContact: '单位联系人必须属于某个单位。' });
  const { db, clock, meta } = deps;
  await assertUnitExists(db, next.unitId);
  const [before] = await db.select().from(users).where(eq(users.id, deps.userId));
  if (!before) throw createNotFoundError();
  if (meta.actor?.id === before.id && before.roles.includes('admin') && !next.roles.includes('admin'))
    throw createValidationError({ roles: '不能取消自己的系统管理员角色。' });
  await db.transaction(async (tx) => {
    await tx.update(users).set({ roles: next.roles, engineerTier: next.engineerTier, unitId: next.unitId, isUnitContact: next.isUnitContact, updatedAt: clock.now() }).where(eq(users.id, before.id));
    await auditRequest({ db: tx, clock, meta, event: {
      action: 'user.roles_changed',
      targetType: 'user',
      targetId: before.id,
      before: { roles: before.roles, engineerTier: before.engineerTier, unitId: before.unitId, isUnitContact: before.isUnitContact },
      after: next,
    } });
  });
}

/** Disables a user: every session ends at once; the record stays for history. */
export async function disableUser(deps: { db: Db; clock: Clock; auth: Auth; meta: RequestMeta; userId: string }) {
  const { db, clock, meta } = deps;
  if (meta.actor?.id === deps.userId) throw createValidationError({ user: '不能停用自己的账号。' });
  const [before] = await db.select().from(users).where(eq(users.id, deps.userId));
  if (!before) throw createNotFoundError();
  await db.update(users).set({ status: 'disabled', updatedAt: clock.now() }).where(eq(users.id, before.id));
  await deps.auth.invalidateUser(before.id);
  await auditRequest({ db: db, clock, meta, event: { action: 'user.disabled', targetType: 'user', targetId: before.id, before: { status: before.status }, after: { status: 'disabled' } } });
}

/** Re-enables a disabled user (as invited if no password was ever set). */
export async function enableUser(deps: { db: Db; clock: Clock; meta: RequestMeta; userId: string }) {
  const { db, clock, meta } = deps;
  const [before] = await db.select().from(users).where(eq(users.id, deps.userId));
  if (!before) throw createNotFoundError();
  const status = before.passwordHash ? 'active' : 'invited';
  await db.update(users).set({ status, updatedAt: clock.now() }).where(eq(users.id, before.id));
  await auditRequest({ db: db, clock, meta, event: { action: 'user.enabled', targetType: 'user', targetId: before.id, before: { status: before.status }, after: { status } } });
}

export const PAGE_SIZE = 20;

/** Users for the admin list: search by name, email or unit; paged. */
export async function listUsers({ db, q = '', page = 1 }: { db: Db; q?: string; page?: number }) {
  const term = q.trim().slice(0, 100);
  const where = term ? or(ilike(users.name, `%${term}%`), ilike(users.email, `%${term}%`), ilike(units.name, `%${term}%`), ilike(units.code, `%${term}%`)) : undefined;
  const base = db.select({ id: users.id, name: users.name, email: users.email, roles: users.roles, engineerTier: users.engineerTier, status: users.status, unitName: units.name, createdAt: users.createdAt }).from(users).leftJoin(units, eq(users.unitId, units.id));
  const rows = await (where ? base.where(where) : base).orderBy(desc(users.createdAt), users.id).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE);
  const totalQ = db.select({ n: count() }).from(users).leftJoin(units, eq(users.unitId, units.id));
  const [{ n } = { n: 0 }] = await (where ? totalQ.where(where) : totalQ);
  return { rows, total: Number(n), page, pages: Math.max(1, Math.ceil(Number(n) / PAGE_SIZE)) };
}

export async function getUser({ db, userId }: { db: Db; userId: string }) {
  if (!isUuid(userId)) return null;
  const [row] = await db.select().from(users).where(eq(users.id, userId));
  return row ?? null;
}

