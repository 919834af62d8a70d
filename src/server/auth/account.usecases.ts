import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { authTokens, users } from '../../../db/schema/index.ts';
import { auditRequest } from '../audit/audit.usecases.ts';
import { queueMail } from '../mail/mail.outbox.ts';
import { resetMail } from '../mail/mail.templates.ts';
import type { Clock } from '../shared/clock.ts';
import { createErrorFactory, createValidationError, fieldsOf } from '../shared/errors.ts';
import { createInvalidTokenError, endOutstandingLinks, findValidToken, issueToken, linkFor, RESET_MINUTES } from './auth.links.ts';
import { burnPasswordCheck, hashPassword, passwordProblem, verifyPassword } from './auth.passwords.ts';
import { clearAttempts, policies, refundAttempt, takeAttempt, takeAttempts } from './auth.ratelimit.ts';
import type { Auth, AuthUser } from './auth.sessions.ts';
import { userInputSchema, type AccountDeps, type RequestMeta } from './users.usecases.ts';

/** Self-service: signing in, resetting and changing one's own password, one's own profile. */

const createInvalidCredentialsError = createErrorFactory({ code: 'auth.invalid_credentials', message: '邮箱或密码不正确。', status: 401 });

/**
 * "忘记密码": mails a reset link to an active account. Answers the same
 * whether or not the address exists; limited per address and per IP.
 */
export async function requestPasswordReset(deps: AccountDeps & { meta: RequestMeta; email: string }): Promise<void> {
  const { db, clock, meta } = deps;
  const email = deps.email.trim().toLowerCase().slice(0, 200);
  await takeAttempts({ db, clock, attempts: [{ key: `mail:acct:${email}`, policy: policies.mailAccount }, ...(meta.ip ? [{ key: `mail:ip:${meta.ip}`, policy: policies.mailIp }] : [])] });
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
    await endOutstandingLinks(tx, found.user.id, now);
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
  const accountKey = `login:acct:${email}`;
  const ipKey = meta.ip ? `login:ip:${meta.ip}` : null;
  // Attempts are taken before the password is checked, so concurrent guesses are counted too.
  await takeAttempts({ db, clock, attempts: [{ key: accountKey, policy: policies.loginAccount }, ...(ipKey ? [{ key: ipKey, policy: policies.loginIp }] : [])] });
  const [user] = email ? await db.select().from(users).where(eq(users.email, email)) : [];
  const ok = user?.passwordHash && user.status === 'active' ? await verifyPassword(user.passwordHash, deps.password) : (await burnPasswordCheck(deps.password), false);
  if (!ok || !user) {
    await auditRequest({ db: db, clock, meta, event: { action: 'login.failed', actorLabel: email, targetType: 'user', targetId: user?.id, after: { reason: !user ? 'unknown_email' : user.status !== 'active' ? `status_${user.status}` : 'bad_password' } } });
    throw createInvalidCredentialsError();
  }
  await clearAttempts({ db, key: accountKey });
  if (ipKey) await refundAttempt({ db, key: ipKey, policy: policies.loginIp });
  const { session, cookie } = await deps.auth.createSession(user.id, { ip: meta.ip, userAgent: deps.userAgent });
  await auditRequest({ db: db, clock, meta, event: { action: 'login.succeeded', actorId: user.id, targetType: 'user', targetId: user.id } });
  return { session, cookie, user };
}

/**
 * Changes the own password (asks the current one, throttled like sign-in).
 * Every outstanding one-time link ends, and so does every session: this
 * browser gets a new one (a rotated token) to set as its cookie.
 */
export async function changePassword(deps: { db: Db; clock: Clock; auth: Auth; meta: RequestMeta & { actor: AuthUser }; current: string; next: string; userAgent: string | null }) {
  const { db, clock, meta } = deps;
  const guessKey = `password:acct:${meta.actor.id}`;
  await takeAttempt({ db, clock, key: guessKey, policy: policies.loginAccount });
  const [user] = await db.select().from(users).where(eq(users.id, meta.actor.id));
  if (!user?.passwordHash || !(await verifyPassword(user.passwordHash, deps.current))) throw createValidationError({ current: '当前密码不正确。' }, '当前密码不正确。');
  await clearAttempts({ db, key: guessKey });
  const problem = passwordProblem(deps.next, { email: user.email });
  if (problem) throw createValidationError({ next: problem }, problem);
  const passwordHash = await hashPassword(deps.next);
  const now = clock.now();
  await db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash, passwordChangedAt: now, updatedAt: now }).where(eq(users.id, user.id));
    await endOutstandingLinks(tx, user.id, now);
    await auditRequest({ db: tx, clock, meta, event: { action: 'password.changed', targetType: 'user', targetId: user.id } });
  });
  const { session, cookie } = await deps.auth.createSession(user.id, { ip: meta.ip, userAgent: deps.userAgent });
  await deps.auth.invalidateOthers(user.id, session.id);
  return { session, cookie };
}

/** Updates the own profile (name, phone); audited with before and after. */
export async function updateProfile(deps: { db: Db; clock: Clock; meta: RequestMeta & { actor: AuthUser }; input: unknown }) {
  const schema = z.strictObject({ name: userInputSchema.shape.name, phone: userInputSchema.shape.phone });
  const parsed = schema.safeParse(deps.input);
  if (!parsed.success) throw createValidationError(fieldsOf(parsed.error));
  const { db, clock, meta } = deps;
  const next = { name: parsed.data.name, phone: parsed.data.phone || null };
  await db.transaction(async (tx) => {
    const [before] = await tx.select({ name: users.name, phone: users.phone }).from(users).where(eq(users.id, meta.actor.id));
    await tx.update(users).set({ ...next, updatedAt: clock.now() }).where(eq(users.id, meta.actor.id));
    await auditRequest({ db: tx, clock, meta, event: { action: 'profile.updated', targetType: 'user', targetId: meta.actor.id, before, after: next } });
  });
}
