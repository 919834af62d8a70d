import { and, count, desc, eq, ilike, isNull, or } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Tx } from '../../../db/client.ts';
import { authTokens, roles as allRoles, units, users } from '../../../db/schema/index.ts';
import { auditRequest, type RequestMeta as AuditMeta } from '../audit/audit.usecases.ts';
import type { Jobs } from '../jobs/jobs.ts';
import { queueMail } from '../mail/mail.outbox.ts';
import { inviteMail, resetMail } from '../mail/mail.templates.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError, createErrorFactory, createNotFoundError, createValidationError } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { burnPasswordCheck, hashPassword, passwordProblem, verifyPassword } from './auth.passwords.ts';
import { assertNotLimited, clearAttempts, policies, recordAttempt } from './auth.ratelimit.ts';
import type { Auth, AuthUser } from './auth.sessions.ts';
import { hashToken, newToken } from './auth.tokens.ts';
import { decodeCsv, parseUsersCsv } from './users.csv.ts';

export const INVITE_HOURS = 72;
export const RESET_MINUTES = 30;

export interface AccountDeps {
  db: Db;
  clock: Clock;
  jobs: Jobs;
  mailFrom: string;
  /** Where links in mails point: PUBLIC_URL, or the address the admin used. */
  baseUrl: string;
}

export type RequestMeta = AuditMeta & { actor: AuthUser | null };

const createInvalidCredentialsError = createErrorFactory({ code: 'auth.invalid_credentials', message: '邮箱或密码不正确。', status: 401 });
const createInvalidTokenError = createErrorFactory({ code: 'auth.invalid_token', message: '链接无效或已过期，请重新申请。', status: 400 });
const createEmailTakenError = createErrorFactory({ code: 'users.email_taken', message: '该邮箱已被注册。', status: 409 });

export const userInputSchema = z.strictObject({
  name: z.string().trim().min(1, '请填写姓名。').max(50, '姓名不能超过 50 个字。'),
  email: z.string().trim().toLowerCase().pipe(z.email('邮箱格式不正确。').max(200)),
  phone: z.string().trim().max(30).optional().default(''),
  unitId: z.uuid().nullable().optional().default(null),
  roles: z.array(z.enum(allRoles)).min(1, '请至少选择一个角色。'),
  engineerTier: z.coerce.number().int().min(1).max(3).nullable().optional().default(null),
});
export type UserInput = z.input<typeof userInputSchema>;

function fieldsOf(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const i of error.issues) fields[String(i.path[0] ?? 'form')] ??= i.message;
  return fields;
}


async function issueToken(tx: Db | Tx, clock: Clock, userId: string, kind: 'invite' | 'reset', ttlMs: number): Promise<string> {
  const token = newToken();
  const now = clock.now();
  await tx.insert(authTokens).values({ id: newId(), userId, kind, tokenHash: hashToken(token), expiresAt: new Date(now.getTime() + ttlMs), createdAt: now });
  return token;
}

const linkFor = (baseUrl: string, token: string) => `${baseUrl.replace(/\/$/, '')}/password/set?token=${token}`;

/**
 * The role rules of the admin forms: an engineer has a tier (1 unless given),
 * nobody else has one; a member-unit user must have a unit.
 */
function applyRoleRules<T extends { roles: string[]; engineerTier: number | null; unitId: string | null }>(input: T): T {
  if (input.roles.includes('member') && !input.unitId) throw createValidationError({ unitId: '成员单位用户必须选择所属单位。' });
  return { ...input, engineerTier: input.roles.includes('engineer') ? (input.engineerTier ?? 1) : null };
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

/**
 * Imports users from an uploaded CSV (UTF-8 with or without BOM, or GB18030).
 * Every row is validated; if any is bad, nothing is imported and every error is listed.
 */
export async function importUsersCsv(deps: AccountDeps & { meta: RequestMeta; bytes: Uint8Array }): Promise<{ imported: number }> {
  const { db, clock, meta } = deps;
  const { text, encoding } = decodeCsv(deps.bytes);
  const unitRows = await db.select({ id: units.id, code: units.code, name: units.name }).from(units);
  const existing = new Set((await db.select({ email: users.email }).from(users)).map((u) => u.email));
  const { rows, errors } = parseUsersCsv(text, { units: unitRows, existingEmails: existing });
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
  await assertNotLimited({ db, clock, keys: [`mail:acct:${user.email}`] });
  await recordAttempt({ db, clock, key: `mail:acct:${user.email}`, policy: policies.mailAccount });
  await db.transaction(async (tx) => {
    await tx.update(authTokens).set({ usedAt: clock.now() }).where(and(eq(authTokens.userId, user.id), eq(authTokens.kind, 'invite'), isNull(authTokens.usedAt)));
    const token = await issueToken(tx, clock, user.id, 'invite', INVITE_HOURS * 3_600_000);
    await queueMail({ tx, jobs: deps.jobs, clock, from: deps.mailFrom, mail: inviteMail({ to: user.email, name: user.name, link: linkFor(deps.baseUrl, token), hours: INVITE_HOURS }) });
    await auditRequest({ db: tx, clock, meta, event: { action: 'user.invite_resent', targetType: 'user', targetId: user.id } });
  });
}

/**
 * "忘记密码": mails a reset link to an active account. Answers the same
 * whether or not the address exists; limited per address and per IP.
 */
export async function requestPasswordReset(deps: AccountDeps & { meta: RequestMeta; email: string }): Promise<void> {
  const { db, clock, meta } = deps;
  const email = deps.email.trim().toLowerCase().slice(0, 200);
  const keys = [`mail:acct:${email}`, ...(meta.ip ? [`mail:ip:${meta.ip}`] : [])];
  await assertNotLimited({ db, clock, keys });
  await recordAttempt({ db, clock, key: keys[0]!, policy: policies.mailAccount });
  if (keys[1]) await recordAttempt({ db, clock, key: keys[1], policy: policies.mailIp });
  const [user] = await db.select().from(users).where(eq(users.email, email));
  if (!user || user.status !== 'active') {
    await auditRequest({ db: db, clock, meta, event: { action: 'password.reset_requested_unknown', actorLabel: email } });
    return;
  }
  await db.transaction(async (tx) => {
    const token = await issueToken(tx, clock, user.id, 'reset', RESET_MINUTES * 60_000);
    await queueMail({ tx, jobs: deps.jobs, clock, from: deps.mailFrom, mail: resetMail({ to: user.email, name: user.name, link: linkFor(deps.baseUrl, token), minutes: RESET_MINUTES }) });
    await auditRequest({ db: tx, clock, meta, event: { action: 'password.reset_requested', targetType: 'user', targetId: user.id, actorLabel: email } });
  });
}

/** Looks up an unused, unexpired one-time link; null when it is not valid. */
export async function findValidToken({ db, clock, token }: { db: Db; clock: Clock; token: string }) {
  if (!token || token.length > 100) return null;
  const [row] = await db.select().from(authTokens).innerJoin(users, eq(authTokens.userId, users.id)).where(eq(authTokens.tokenHash, hashToken(token)));
  if (!row || row.auth_tokens.usedAt || row.auth_tokens.expiresAt <= clock.now() || row.users.status === 'disabled') return null;
  return { token: row.auth_tokens, user: row.users };
}

/** Sets a password through an invite or reset link: single use, ends every session of the user. */
export async function setPasswordWithToken(deps: { db: Db; clock: Clock; auth: Auth; meta: RequestMeta; token: string; password: string }): Promise<{ userId: string }> {
  const { db, clock, meta } = deps;
  const found = await findValidToken({ db, clock, token: deps.token });
  if (!found) throw createInvalidTokenError();
  const problem = passwordProblem(deps.password, { email: found.user.email });
  if (problem) throw createValidationError({ password: problem }, problem);
  const passwordHash = await hashPassword(deps.password);
  const now = clock.now();
  const claimed = await db.transaction(async (tx) => {
    // Claim the token first: a second use (or a race) finds it used.
    const [t] = await tx.update(authTokens).set({ usedAt: now }).where(and(eq(authTokens.id, found.token.id), isNull(authTokens.usedAt))).returning();
    if (!t) return false;
    await tx.update(users).set({ passwordHash, passwordChangedAt: now, status: 'active', updatedAt: now }).where(eq(users.id, found.user.id));
    await auditRequest({ db: tx, clock, meta, event: { action: found.token.kind === 'invite' ? 'password.set' : 'password.reset', targetType: 'user', targetId: found.user.id, actorLabel: found.user.email } });
    return true;
  });
  if (!claimed) throw createInvalidTokenError();
  await deps.auth.invalidateUser(found.user.id);
  return { userId: found.user.id };
}

/** Signs in: limited per account and per IP with growing delays; every outcome is audited. */
export async function signIn(deps: { db: Db; clock: Clock; auth: Auth; meta: RequestMeta; email: string; password: string; userAgent: string | null }) {
  const { db, clock, meta } = deps;
  const email = deps.email.trim().toLowerCase().slice(0, 200);
  const keys = [`login:acct:${email}`, ...(meta.ip ? [`login:ip:${meta.ip}`] : [])];
  await assertNotLimited({ db, clock, keys });
  const [user] = email ? await db.select().from(users).where(eq(users.email, email)) : [];
  const ok = user?.passwordHash && user.status === 'active' ? await verifyPassword(user.passwordHash, deps.password) : (await burnPasswordCheck(deps.password), false);
  if (!ok || !user) {
    await recordAttempt({ db, clock, key: keys[0]!, policy: policies.loginAccount });
    if (keys[1]) await recordAttempt({ db, clock, key: keys[1], policy: policies.loginIp });
    await auditRequest({ db: db, clock, meta, event: { action: 'login.failed', actorLabel: email, targetType: 'user', targetId: user?.id, after: { reason: !user ? 'unknown_email' : user.status !== 'active' ? `status_${user.status}` : 'bad_password' } } });
    throw createInvalidCredentialsError();
  }
  await clearAttempts({ db, key: keys[0]! });
  const { session, cookie } = await deps.auth.createSession(user.id, { ip: meta.ip, userAgent: deps.userAgent });
  await auditRequest({ db: db, clock, meta, event: { action: 'login.succeeded', actorId: user.id, targetType: 'user', targetId: user.id } });
  return { session, cookie, user };
}

/** Changes the own password (asks the current one); other sessions end. */
export async function changePassword(deps: { db: Db; clock: Clock; auth: Auth; meta: RequestMeta & { actor: AuthUser }; sessionId: string; current: string; next: string }) {
  const { db, clock, meta } = deps;
  const [user] = await db.select().from(users).where(eq(users.id, meta.actor.id));
  if (!user?.passwordHash || !(await verifyPassword(user.passwordHash, deps.current))) throw createValidationError({ current: '当前密码不正确。' }, '当前密码不正确。');
  const problem = passwordProblem(deps.next, { email: user.email });
  if (problem) throw createValidationError({ next: problem }, problem);
  const now = clock.now();
  await db.update(users).set({ passwordHash: await hashPassword(deps.next), passwordChangedAt: now, updatedAt: now }).where(eq(users.id, user.id));
  await deps.auth.invalidateOthers(user.id, deps.sessionId);
  await auditRequest({ db: db, clock, meta, event: { action: 'password.changed', targetType: 'user', targetId: user.id } });
}

/** Updates the own profile (name, phone). */
export async function updateProfile(deps: { db: Db; clock: Clock; meta: RequestMeta & { actor: AuthUser }; input: unknown }) {
  const schema = z.strictObject({ name: userInputSchema.shape.name, phone: userInputSchema.shape.phone });
  const parsed = schema.safeParse(deps.input);
  if (!parsed.success) throw createValidationError(fieldsOf(parsed.error));
  await deps.db.update(users).set({ name: parsed.data.name, phone: parsed.data.phone || null, updatedAt: deps.clock.now() }).where(eq(users.id, deps.meta.actor.id));
}

/** Changes roles, tier and unit; audited with before and after. */
export async function updateUserAccess(deps: { db: Db; clock: Clock; meta: RequestMeta; userId: string; input: unknown }) {
  const schema = z.strictObject({ roles: userInputSchema.shape.roles, engineerTier: userInputSchema.shape.engineerTier, unitId: userInputSchema.shape.unitId });
  const parsed = schema.safeParse(deps.input);
  if (!parsed.success) throw createValidationError(fieldsOf(parsed.error));
  const next = applyRoleRules(parsed.data);
  const { db, clock, meta } = deps;
  const [before] = await db.select().from(users).where(eq(users.id, deps.userId));
  if (!before) throw createNotFoundError();
  if (meta.actor?.id === before.id && before.roles.includes('admin') && !next.roles.includes('admin'))
    throw createValidationError({ roles: '不能取消自己的系统管理员角色。' });
  await db.transaction(async (tx) => {
    await tx.update(users).set({ roles: next.roles, engineerTier: next.engineerTier, unitId: next.unitId, updatedAt: clock.now() }).where(eq(users.id, before.id));
    await auditRequest({ db: tx, clock, meta, event: {
      action: 'user.roles_changed',
      targetType: 'user',
      targetId: before.id,
      before: { roles: before.roles, engineerTier: before.engineerTier, unitId: before.unitId },
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
  if (!/^[0-9a-f-]{36}$/.test(userId)) return null;
  const [row] = await db.select().from(users).where(eq(users.id, userId));
  return row ?? null;
}

