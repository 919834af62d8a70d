import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { openDatabase } from '../../db/client.ts';
import { runMigrations } from '../../db/migrate.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, authTokens, mailOutbox, rateLimits, sessions, units, users } from '../../db/schema/index.ts';
import { hashPassword, passwordProblem, verifyPassword } from '../../src/server/auth/auth.passwords.ts';
import { createAuth, type Auth } from '../../src/server/auth/auth.sessions.ts';
import { createUnit } from '../../src/server/auth/units.usecases.ts';
import { changePassword, requestPasswordReset, setPasswordWithToken, signIn, updateProfile } from '../../src/server/auth/account.usecases.ts';
import {
  createUser,
  disableUser,
  importUsersCsv,
  previewUsersCsv,
  updateUserAccess,
  type AccountDeps,
} from '../../src/server/auth/users.usecases.ts';
import { startJobs, type Jobs } from '../../src/server/jobs/jobs.ts';
import { pruneExpired } from '../../src/server/jobs/maintenance.ts';
import { createFixedClock } from '../../src/server/shared/clock.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { silentLog } from '../helpers/runtime.ts';

const clock = createFixedClock('2026-11-24T02:00:00Z');
let t: TestDatabase;
let jobs: Jobs;
let auth: Auth;
let deps: AccountDeps;
const meta = { actor: null, ip: '10.0.0.9', requestId: 'test' };
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  t = await createTestDatabase();
  jobs = await startJobs({ database: t.database, log: silentLog });
  auth = createAuth({ db: t.database.db, clock, secureCookies: false, idleMinutes: 30, maxHours: 12 });
  deps = { db: t.database.db, clock, jobs, mailFrom: 'Dayi <dayi@example.cn>', baseUrl: 'http://help.local' };
});
afterAll(async () => {
  await jobs?.stop();
  await t?.drop();
});

let n = 0;
async function activeUser(roles: string[] = ['engineer']) {
  const email = `user${++n}@example.cn`;
  const { user, link } = await createUser({ ...deps, meta, input: { name: `用户${n}`, email, roles } });
  await setPasswordWithToken({ db: deps.db, clock, auth, meta, token: new URL(link).searchParams.get('token')!, password: PASSWORD });
  return { id: user.id, email };
}
/** The tokens of the reset links mailed to `email`, oldest first. */
async function resetTokensFor(email: string): Promise<string[]> {
  const mails = (await deps.db.select().from(mailOutbox).where(eq(mailOutbox.kind, 'account.reset')).orderBy(mailOutbox.createdAt, mailOutbox.id)).filter((m) => m.to.includes(email));
  return mails.map((m) => /token=([A-Za-z0-9_-]+)/.exec(m.text)![1]!);
}
const login = (email: string, password = PASSWORD, ip = '10.0.0.9') =>
  signIn({ db: deps.db, clock, auth, meta: { ...meta, ip }, email, password, userAgent: 'vitest' });

describe('passwords', () => {
  it('hashes with argon2id and verifies only the right password', async () => {
    const h = await hashPassword(PASSWORD);
    expect(h).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(h, PASSWORD)).toBe(true);
    expect(await verifyPassword(h, 'wrong password!!')).toBe(false);
    expect(await verifyPassword('not-a-hash', PASSWORD)).toBe(false);
  });

  it.each([
    ['short1', '至少需要 12'],
    ['aaaaaaaaaaaaaaa', '同一个字符'],
    ['x'.repeat(129), '不能超过 128'],
  ])('refuses the password %j', (pw, message) => {
    expect(passwordProblem(pw)).toContain(message);
  });
});

describe('sessions', () => {
  it('keys the session row by the hash of the cookie token, never the token itself', async () => {
    const u = await activeUser();
    const { cookie, session } = await login(u.email);
    expect(session.id).not.toBe(cookie.value);
    expect(session.id).toMatch(/^[0-9a-f]{64}$/);
    const rows = await deps.db.select().from(sessions).where(eq(sessions.userId, u.id));
    expect(rows.map((r) => r.id)).toEqual([session.id]);
    expect(JSON.stringify(rows)).not.toContain(cookie.value);
    expect((await auth.validate(cookie.value)).user?.id).toBe(u.id);
    expect((await auth.validate(session.id)).user).toBeNull();
  });

  it('looks a session up on the embedded database exactly as through Drizzle, never with an id that is not a digest, and after its prepared statement was discarded', async () => {
    const embedded = await openDatabase({ kind: 'pglite-memory' });
    try {
      await runMigrations(embedded);
      if (embedded.kind !== 'pglite') throw new Error('expected PGlite');
      const now = clock.now();
      const [unit] = await embedded.db.insert(units).values({ id: randomUUID(), name: '某某局', code: 'U-1', createdAt: now }).returning();
      const [user] = await embedded.db
        .insert(users)
        .values({ id: randomUUID(), name: `王"五'<>`, email: 'w@example.cn', unitId: unit!.id, roles: ['engineer', 'trainer'], engineerTier: 2, status: 'active', isUnitContact: true, createdAt: now, updatedAt: now })
        .returning();
      const direct = createAuth({ db: embedded.db, pglite: embedded.client, clock, secureCookies: false, idleMinutes: 30, maxHours: 12 });
      const drizzle = createAuth({ db: embedded.db, clock, secureCookies: false, idleMinutes: 30, maxHours: 12 });
      const { cookie } = await direct.createSession(user!.id, { ip: '10.0.0.1', userAgent: 'ua' });
      const a = await direct.validate(cookie.value);
      const b = await drizzle.validate(cookie.value);
      expect(a.user).toMatchObject({ id: user!.id, name: `王"五'<>`, roles: ['engineer', 'trainer'], engineerTier: 2, isUnitContact: true, unitId: unit!.id, status: 'active' });
      expect(a).toEqual(b);
      expect(a.session?.expiresAt).toBeInstanceOf(Date);
      const [found] = await direct.lucia.getUserSessions(user!.id);
      expect((await direct.validate(`${cookie.value}x`)).user).toBeNull();
      // A forged id in the cookie's place is hashed first; the lookup itself refuses anything but a digest.
      expect(found?.id).toMatch(/^[0-9a-f]{64}$/);
      const adapter = (direct.lucia as unknown as { adapter: { getSessionAndUser(id: string): Promise<unknown[]> } }).adapter;
      expect(await adapter.getSessionAndUser(`' or '1'='1`)).toEqual([null, null]);
      expect(await adapter.getSessionAndUser(found!.id)).not.toEqual([null, null]);
      // The lookup is a statement prepared on the connection: discarded, it is prepared again.
      await embedded.client.exec('deallocate all');
      expect((await direct.validate(cookie.value)).user?.id).toBe(user!.id);
    } finally {
      await embedded.close();
    }
  });

  it('ends a session after the idle timeout', async () => {
    const u = await activeUser();
    const { cookie, session } = await login(u.email);
    await deps.db.update(sessions).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(sessions.id, session.id));
    expect((await auth.validate(cookie.value)).user).toBeNull();
    expect(await deps.db.select().from(sessions).where(eq(sessions.id, session.id))).toEqual([]);
  });

  it('ends a session 12 hours after sign-in however active it is', async () => {
    const u = await activeUser();
    const { cookie } = await login(u.email);
    clock.advance(11 * 3_600_000);
    expect((await auth.validate(cookie.value)).user?.id).toBe(u.id);
    clock.advance(1 * 3_600_000 + 60_000);
    expect((await auth.validate(cookie.value)).user).toBeNull();
  });

  it('ends every session of a user who is disabled', async () => {
    const admin = await activeUser(['admin']);
    const u = await activeUser();
    const a = await login(u.email);
    const b = await login(u.email);
    await disableUser({ db: deps.db, clock, auth, meta: { ...meta, actor: { id: admin.id } as never }, userId: u.id });
    expect((await auth.validate(a.cookie.value)).user).toBeNull();
    expect((await auth.validate(b.cookie.value)).user).toBeNull();
    await expect(login(u.email)).rejects.toMatchObject({ status: 401 });
  });

  it('ends every other session when the password changes, and gives this browser a new token', async () => {
    const u = await activeUser();
    const here = await login(u.email);
    const elsewhere = await login(u.email);
    const actor = (await auth.validate(here.cookie.value)).user!;
    const change = (current: string) => changePassword({ db: deps.db, clock, auth, meta: { ...meta, actor }, current, next: 'another long password', userAgent: 'vitest' });
    await expect(change('wrong password!!')).rejects.toMatchObject({ status: 400, fields: { current: expect.any(String) } });
    const { cookie } = await change(PASSWORD);
    expect(cookie.value).not.toBe(here.cookie.value);
    expect((await auth.validate(cookie.value)).user?.id).toBe(u.id);
    // The token this browser had before is rotated: whoever copied it is out too.
    expect((await auth.validate(here.cookie.value)).user).toBeNull();
    expect((await auth.validate(elsewhere.cookie.value)).user).toBeNull();
    await expect(login(u.email)).rejects.toMatchObject({ status: 401 });
    await expect(login(u.email, 'another long password')).resolves.toBeTruthy();
  });

  it('throttles guesses of the current password like sign-ins, keyed to the account', async () => {
    const u = await activeUser();
    const here = await login(u.email);
    const actor = (await auth.validate(here.cookie.value)).user!;
    const change = (current: string) => changePassword({ db: deps.db, clock, auth, meta: { ...meta, actor }, current, next: 'another long password', userAgent: 'vitest' });
    for (let i = 0; i < 5; i++) await expect(change(`wrong guess ${i}!!`)).rejects.toMatchObject({ status: 400 });
    await expect(change(PASSWORD)).rejects.toMatchObject({ status: 429 });
    clock.advance(31_000);
    await expect(change(PASSWORD)).resolves.toMatchObject({ cookie: expect.anything() });
  });

  it('sets the session cookie without Max-Age or Expires, so it ends with the browser', async () => {
    const u = await activeUser();
    const { cookie } = await login(u.email);
    expect(cookie.attributes).not.toHaveProperty('maxAge');
    expect(cookie.attributes).not.toHaveProperty('expires');
    expect(cookie.attributes).toMatchObject({ httpOnly: true, sameSite: 'lax', path: '/' });
  });
});

describe('invite and reset links', () => {
  it('mails an invite with a single-use link that activates the account', async () => {
    const { user, link } = await createUser({ ...deps, meta, input: { name: '新用户', email: 'New.User@Example.cn', roles: ['trainer'] } });
    const [mail] = await deps.db.select().from(mailOutbox).where(eq(mailOutbox.kind, 'account.invite'));
    expect(mail).toBeDefined();
    const token = new URL(link).searchParams.get('token')!;
    expect((await deps.db.select().from(users).where(eq(users.id, user.id)))[0]!.email).toBe('new.user@example.cn');
    await setPasswordWithToken({ db: deps.db, clock, auth, meta, token, password: PASSWORD });
    await expect(setPasswordWithToken({ db: deps.db, clock, auth, meta, token, password: 'a different password' })).rejects.toMatchObject({ code: 'auth.invalid_token' });
    await expect(login('new.user@example.cn')).resolves.toBeTruthy();
  });

  it('ends an older reset link once a password is set through a newer one', async () => {
    const u = await activeUser();
    await requestPasswordReset({ ...deps, meta: { ...meta, ip: '10.4.0.1' }, email: u.email });
    await requestPasswordReset({ ...deps, meta: { ...meta, ip: '10.4.0.2' }, email: u.email });
    const [first, second] = await resetTokensFor(u.email);
    await setPasswordWithToken({ db: deps.db, clock, auth, meta, token: second!, password: 'second reset password' });
    await expect(setPasswordWithToken({ db: deps.db, clock, auth, meta, token: first!, password: 'first reset password' })).rejects.toMatchObject({ code: 'auth.invalid_token' });
    await expect(login(u.email, 'second reset password')).resolves.toBeTruthy();
  });

  it('ends a reset link issued before the password was changed on the account page', async () => {
    const u = await activeUser();
    await requestPasswordReset({ ...deps, meta: { ...meta, ip: '10.4.1.1' }, email: u.email });
    const [token] = await resetTokensFor(u.email);
    const here = await login(u.email);
    const actor = (await auth.validate(here.cookie.value)).user!;
    await changePassword({ db: deps.db, clock, auth, meta: { ...meta, actor }, current: PASSWORD, next: 'changed on the page', userAgent: 'vitest' });
    await expect(setPasswordWithToken({ db: deps.db, clock, auth, meta, token: token!, password: 'attacker password' })).rejects.toMatchObject({ code: 'auth.invalid_token' });
    await expect(login(u.email, 'changed on the page')).resolves.toBeTruthy();
  });

  it('refuses an expired link', async () => {
    const { link } = await createUser({ ...deps, meta, input: { name: '过期', email: 'late@example.cn', roles: ['trainer'] } });
    clock.advance(73 * 3_600_000);
    await expect(setPasswordWithToken({ db: deps.db, clock, auth, meta, token: new URL(link).searchParams.get('token')!, password: PASSWORD })).rejects.toMatchObject({ code: 'auth.invalid_token' });
  });

  it('sets the password only of the user the link was made for', async () => {
    const a = await activeUser();
    const b = await activeUser();
    await requestPasswordReset({ ...deps, meta, email: a.email });
    const [row] = await deps.db.select().from(authTokens).where(eq(authTokens.userId, a.id)).orderBy(authTokens.createdAt);
    expect(row).toBeDefined();
    // The link is only its token: there is no way to aim it at b; a's link changes a's password.
    const [mail] = (await deps.db.select().from(mailOutbox).where(eq(mailOutbox.kind, 'account.reset'))).filter((m) => m.to.includes(a.email));
    const token = /token=([A-Za-z0-9_-]+)/.exec(mail!.text)![1]!;
    const { userId } = await setPasswordWithToken({ db: deps.db, clock, auth, meta, token, password: 'reset password for a' });
    expect(userId).toBe(a.id);
    await expect(login(b.email, 'reset password for a')).rejects.toMatchObject({ status: 401 });
    await expect(login(a.email, 'reset password for a')).resolves.toBeTruthy();
  });

  it('answers a reset request the same way for an unknown address, and sends nothing', async () => {
    const before = (await deps.db.select().from(mailOutbox)).length;
    await expect(requestPasswordReset({ ...deps, meta, email: 'nobody@example.cn' })).resolves.toBeUndefined();
    expect((await deps.db.select().from(mailOutbox)).length).toBe(before);
  });
});

describe('rate limits', () => {
  it('allows 5 failed sign-ins to an account, then makes each further attempt wait twice as long', async () => {
    const u = await activeUser();
    for (let i = 0; i < 5; i++) await expect(login(u.email, 'wrong password!!', `10.1.0.${i}`)).rejects.toMatchObject({ status: 401 });
    // The 6th attempt is refused, even with the right password, from any address.
    await expect(login(u.email, PASSWORD, '10.1.1.2')).rejects.toMatchObject({ status: 429, message: expect.stringContaining('30 秒后再试') });
    clock.advance(31_000);
    await expect(login(u.email, 'wrong password!!', '10.1.1.3')).rejects.toMatchObject({ status: 401 });
    await expect(login(u.email, PASSWORD, '10.1.1.4')).rejects.toMatchObject({ status: 429, message: expect.stringContaining('1 分钟后再试') });
    clock.advance(61_000);
    await expect(login(u.email, PASSWORD, '10.1.1.5')).resolves.toBeTruthy();
  });

  it('counts concurrent wrong passwords one by one: 30 at once, only 5 are checked', async () => {
    const u = await activeUser();
    const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => login(u.email, `wrong password ${i}`, `10.5.0.${i}`)));
    const statuses = results.map((r) => (r.status === 'rejected' ? (r.reason as { status: number }).status : 200));
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(25);
    const failed = await deps.db.select().from(auditEvents).where(eq(auditEvents.targetId, u.id));
    expect(failed.filter((e) => e.action === 'login.failed')).toHaveLength(5);
  });

  it('does not count successful sign-ins against a shared address', async () => {
    const people = await Promise.all(Array.from({ length: 25 }, () => activeUser()));
    for (const p of people) await expect(login(p.email, PASSWORD, '10.6.0.1')).resolves.toBeTruthy();
  });

  it('limits reset mails per address: 3, then the 4th waits', async () => {
    const u = await activeUser();
    for (let i = 0; i < 3; i++) await requestPasswordReset({ ...deps, meta: { ...meta, ip: `10.2.0.${i}` }, email: u.email });
    await expect(requestPasswordReset({ ...deps, meta: { ...meta, ip: '10.2.1.2' }, email: u.email })).rejects.toMatchObject({ status: 429 });
  });

  it('records sign-in failures and successes in the audit log', async () => {
    const u = await activeUser();
    await expect(login(u.email, 'wrong password!!', '10.3.0.1')).rejects.toBeTruthy();
    await login(u.email, PASSWORD, '10.3.0.1');
    const events = await deps.db.select().from(auditEvents).where(eq(auditEvents.targetId, u.id));
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(['login.failed', 'login.succeeded', 'password.set', 'user.created']));
    expect(events.find((e) => e.action === 'login.failed')!.ip).toBe('10.3.0.1');
  });
});

describe('nightly clean-up', () => {
  it('removes expired sessions, old one-time links and idle rate-limit counters, and keeps live ones', async () => {
    const u = await activeUser();
    const live = await login(u.email);
    const stale = await login(u.email);
    await deps.db.update(sessions).set({ expiresAt: new Date(clock.now().getTime() - 1000) }).where(eq(sessions.id, stale.session.id));
    await deps.db.insert(rateLimits).values([
      { key: 'login:ip:10.9.9.9', failures: 3, windowStart: new Date(clock.now().getTime() - 2 * 86_400_000) },
      { key: 'login:ip:10.9.9.8', failures: 3, windowStart: clock.now() },
    ]);
    clock.advance(31 * 86_400_000);
    await deps.db.update(sessions).set({ expiresAt: new Date(clock.now().getTime() + 60_000) }).where(eq(sessions.id, live.session.id));
    const removed = await pruneExpired({ db: deps.db, clock });
    expect(removed.sessions).toBeGreaterThanOrEqual(1);
    expect(removed.tokens).toBeGreaterThanOrEqual(1);
    expect(await deps.db.select().from(sessions).where(eq(sessions.id, stale.session.id))).toEqual([]);
    expect(await deps.db.select().from(sessions).where(eq(sessions.id, live.session.id))).toHaveLength(1);
    const keys = (await deps.db.select().from(rateLimits)).map((r) => r.key);
    expect(keys).not.toContain('login:ip:10.9.9.9');
    expect(await pruneExpired({ db: deps.db, clock })).toMatchObject({ sessions: 0, tokens: 0 });
  });

  it('is scheduled nightly in APP_TIME_ZONE when the server runs the workers', async () => {
    const withSchedule = await startJobs({ database: t.database, log: silentLog, timeZone: 'Asia/Shanghai' });
    try {
      const [s] = await withSchedule.boss.getSchedules('maintenance.prune');
      expect(s).toMatchObject({ name: 'maintenance.prune', cron: '17 3 * * *', timezone: 'Asia/Shanghai' });
    } finally {
      await withSchedule.stop();
    }
  });
});

describe('roles and units', () => {
  it('records a role change with before and after', async () => {
    const admin = await activeUser(['admin']);
    const u = await activeUser(['trainer']);
    await updateUserAccess({ db: deps.db, clock, meta: { ...meta, actor: { id: admin.id } as never }, userId: u.id, input: { roles: ['trainer', 'engineer'], engineerTier: '2', unitId: null } });
    const [row] = await deps.db.select().from(users).where(eq(users.id, u.id));
    expect(row).toMatchObject({ roles: ['trainer', 'engineer'], engineerTier: 2 });
    const [event] = await deps.db.select().from(auditEvents).where(eq(auditEvents.action, 'user.roles_changed'));
    expect(event).toMatchObject({ actorId: admin.id, before: { roles: ['trainer'] }, after: { roles: ['trainer', 'engineer'], engineerTier: 2 } });
  });

  it('answers an unknown unit with a field error, not a failed insert', async () => {
    const missing = '0193a000-0000-7000-8000-000000000000';
    await expect(createUser({ ...deps, meta, input: { name: '错单位', email: 'wrongunit@example.cn', roles: ['member'], unitId: missing } })).rejects.toMatchObject({ status: 400, fields: { unitId: expect.stringContaining('单位不存在') } });
    const u = await activeUser(['trainer']);
    await expect(updateUserAccess({ db: deps.db, clock, meta, userId: u.id, input: { roles: ['member'], engineerTier: null, unitId: missing } })).rejects.toMatchObject({ status: 400, fields: { unitId: expect.any(String) } });
  });

  it('records profile edits in the audit log with before and after', async () => {
    const u = await activeUser();
    const here = await login(u.email);
    const actor = (await auth.validate(here.cookie.value)).user!;
    await updateProfile({ db: deps.db, clock, meta: { ...meta, actor }, input: { name: '改过的名字', phone: '0871-1234567' } });
    const [event] = await deps.db.select().from(auditEvents).where(eq(auditEvents.action, 'profile.updated'));
    expect(event).toMatchObject({ actorId: u.id, targetId: u.id, after: { name: '改过的名字', phone: '0871-1234567' } });
    expect((event!.before as { name: string }).name).toMatch(/^用户\d+$/);
  });

  it('requires a unit for a member-unit user', async () => {
    await expect(createUser({ ...deps, meta, input: { name: '无单位', email: 'nounit@example.cn', roles: ['member'] } })).rejects.toMatchObject({ status: 400, fields: { unitId: expect.any(String) } });
  });

  describe('importing a CSV: preview, then confirm', () => {
    const gb = (s: string) => Buffer.from(new TextEncoderGb18030().encode(s));
    const usersWith = (email: string) => deps.db.select().from(users).where(eq(users.email, email));
    beforeAll(async () => {
      await createUnit({ db: deps.db, clock, meta, input: { name: '市发展改革委', code: 'FGW' } });
    });

    it('previews a GB18030 CSV as Excel saves it without importing, and imports the confirmed text', async () => {
      const good = '单位,姓名,邮箱,角色\r\nFGW,陈一,chen1@fgw.cn,成员单位用户\r\n,刘二,liu2@vendor.cn,值班工程师（二线）\r\n';
      const preview = await previewUsersCsv({ db: deps.db, bytes: gb(good) });
      expect(preview).toMatchObject({ encoding: 'gb18030', errors: [] });
      expect(preview.rows.map((r) => [r.name, r.email, r.unitName, r.roles, r.engineerTier])).toEqual([
        ['陈一', 'chen1@fgw.cn', '市发展改革委', ['member'], null],
        ['刘二', 'liu2@vendor.cn', null, ['engineer'], 2],
      ]);
      expect(await usersWith('chen1@fgw.cn')).toEqual([]);

      const { imported } = await importUsersCsv({ ...deps, meta, text: preview.text, encoding: preview.encoding });
      expect(imported).toBe(2);
      const [chen] = await usersWith('chen1@fgw.cn');
      expect(chen).toMatchObject({ name: '陈一', roles: ['member'], status: 'invited' });
      const events = await deps.db.select().from(auditEvents).where(eq(auditEvents.action, 'users.imported'));
      expect(events.map((e) => e.after)).toContainEqual({ count: 2, encoding: 'gb18030', emails: ['chen1@fgw.cn', 'liu2@vendor.cn'] });
    });

    it('reads 郑叶 saved in GB18030 as 郑叶, though its bytes are also valid UTF-8 (“֣Ҷ”)', async () => {
      const preview = await previewUsersCsv({ db: deps.db, bytes: gb('name,email,roles\r\n郑叶,zheng.ye@vendor.cn,engineer\r\n') });
      expect(preview).toMatchObject({ encoding: 'gb18030', errors: [] });
      expect(preview.rows.map((r) => r.name)).toEqual(['郑叶']);
    });

    it('refuses a file that is neither UTF-8 nor GB18030 before reading any row', async () => {
      const bytes = new Uint8Array([...Buffer.from('name,email,roles\r\n'), 0xff, ...Buffer.from(',x@vendor.cn,engineer\r\n')]);
      await expect(previewUsersCsv({ db: deps.db, bytes })).rejects.toMatchObject({ status: 400, code: 'users.import_encoding' });
    });

    it('checks the confirmed text again and imports nothing when any row is bad', async () => {
      const bad = '单位,姓名,邮箱,角色\nFGW,王三,wang3@fgw.cn,成员单位用户\nFGW,赵四,not-an-email,成员单位用户\nNOPE,孙五,sun5@fgw.cn,成员单位用户\n';
      await expect(importUsersCsv({ ...deps, meta, text: bad, encoding: 'utf-8' })).rejects.toMatchObject({ status: 400, fields: { line3: expect.stringContaining('第 3 行'), line4: expect.stringContaining('第 4 行') } });
      expect(await usersWith('wang3@fgw.cn')).toEqual([]);
    });

    it('refuses on confirm an address registered since the preview', async () => {
      const text = 'name,email,roles\r\n吴六,wu6@vendor.cn,trainer\r\n';
      const preview = await previewUsersCsv({ db: deps.db, bytes: Buffer.from(text) });
      expect(preview.errors).toEqual([]);
      await createUser({ ...deps, meta, input: { name: '吴六', email: 'wu6@vendor.cn', roles: ['trainer'] } });
      await expect(importUsersCsv({ ...deps, meta, text: preview.text, encoding: preview.encoding })).rejects.toMatchObject({ status: 400, fields: { line2: expect.stringContaining('已被注册') } });
    });

    it.each([
      ['a NUL', 'name,email,roles\n钱七\0,qian7@vendor.cn,trainer\n', 'utf-8', 'users.import_nul'],
      ['U+FFFD', 'name,email,roles\n钱\ufffd,qian7@vendor.cn,trainer\n', 'utf-8', 'users.import_encoding'],
      ['an unknown encoding', 'name,email,roles\n钱七,qian7@vendor.cn,trainer\n', 'latin1', 'validation.failed'],
    ])('refuses posted-back text with %s', async (_label, text, encoding, code) => {
      await expect(importUsersCsv({ ...deps, meta, text, encoding })).rejects.toMatchObject({ status: 400, code });
      expect(await usersWith('qian7@vendor.cn')).toEqual([]);
    });
  });
});

/** GB18030 bytes for the test, from a tiny table of the characters used (Node has a GB18030 decoder but no encoder). */
class TextEncoderGb18030 {
  encode(s: string): Uint8Array {
    const out: number[] = [];
    for (const ch of s) {
      const code = ch.codePointAt(0)!;
      if (code < 0x80) out.push(code);
      else {
        const hex = GB[ch];
        if (!hex) throw new Error(`no GB18030 bytes for ${ch}`);
        out.push(...Buffer.from(hex, 'hex'));
      }
    }
    return new Uint8Array(out);
  }
}
const GB: Record<string, string> = {"郑": "d6a3", "叶": "d2b6", "一": "d2bb", "二": "b6fe", "位": "cebb", "值": "d6b5", "刘": "c1f5", "单": "b5a5", "名": "c3fb", "员": "d4b1", "姓": "d0d5", "工": "b9a4", "师": "caa6", "成": "b3c9", "户": "bba7", "班": "b0e0", "用": "d3c3", "程": "b3cc", "箱": "cfe4", "线": "cfdf", "色": "c9ab", "角": "bdc7", "邮": "d3ca", "陈": "b3c2", "（": "a3a8", "）": "a3a9"};
