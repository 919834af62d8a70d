import { and, eq, lt, ne, sql } from 'drizzle-orm';
import type { PGlite } from '@electric-sql/pglite';
import { Lucia, TimeSpan, type Adapter, type DatabaseSession, type DatabaseUser } from 'lucia';
import type { Db } from '../../../db/client.ts';
import { sessions, users, type Role, type UserStatus } from '../../../db/schema/index.ts';
import type { Clock } from '../shared/clock.ts';
import { hashToken, newToken } from './auth.tokens.ts';

export interface AuthUser {
  id: string;
  name: string;
  email: string;
  roles: Role[];
  engineerTier: number | null;
  /** The unit's contact person: sees all of the unit's questions. */
  isUnitContact: boolean;
  unitId: string | null;
  status: UserStatus;
}

interface SessionAttributes {
  createdAt: Date;
  ip: string | null;
  userAgent: string | null;
}

declare module 'lucia' {
  interface Register {
    Lucia: Lucia<SessionAttributes, Omit<AuthUser, 'id'>>;
    DatabaseSessionAttributes: SessionAttributes;
    DatabaseUserAttributes: Omit<AuthUser, 'id'>;
  }
}

export const SESSION_COOKIE = 'dayi_session';

/** A session id as stored: the SHA-256 of its token, in hex. */
const SESSION_ID = /^[0-9a-f]{64}$/;

/**
 * The session lookup on the embedded database. PGlite's own query took about
 * 850 µs for this join; drizzle's prepared query, now a named statement
 * (db/pglite-statements.ts), about 350 µs with drizzle's row mapping and the
 * turn of the event loop each statement gives. Prepared once on the
 * connection and run as one simple `EXECUTE`, it takes about 200 µs, and every
 * signed-in request runs it. The id is checked to be a hex digest before it
 * is written into the text.
 */
function pgliteSessionLookup(client: PGlite): (sessionId: string) => Promise<[DatabaseSession, DatabaseUser] | [null, null]> {
  const NAME = 'dayi_session_lookup';
  let prepared: Promise<unknown> | null = null;
  const prepare = () =>
    (prepared ??= client
      .exec(
        `prepare ${NAME}(text) as select s.id, s.user_id, s.expires_at, s.created_at, s.ip, s.user_agent, u.name, u.email, u.roles, u.engineer_tier, u.is_unit_contact, u.unit_id, u.status
           from sessions s join users u on u.id = s.user_id where s.id = $1`,
      )
      .catch((e: unknown) => {
        prepared = null;
        throw e;
      }));
  const run = async (sessionId: string) => {
    await prepare();
    return client.exec(`execute ${NAME}('${sessionId}')`);
  };
  return async (sessionId) => {
    if (!SESSION_ID.test(sessionId)) return [null, null];
    let results;
    try {
      results = await run(sessionId);
    } catch (e) {
      // The statement is gone (the connection's prepared statements were discarded): prepare it again, once.
      if ((e as { code?: string }).code !== '26000') throw e;
      prepared = null;
      results = await run(sessionId);
    }
    const r = results[0]?.rows[0] as Record<string, unknown> | undefined;
    if (!r) return [null, null];
    const session: DatabaseSession = {
      id: r.id as string,
      userId: r.user_id as string,
      expiresAt: r.expires_at as Date,
      attributes: { createdAt: r.created_at as Date, ip: r.ip as string | null, userAgent: r.user_agent as string | null },
    };
    const attributes: Omit<AuthUser, 'id'> = {
      name: r.name as string,
      email: r.email as string,
      roles: r.roles as Role[],
      engineerTier: r.engineer_tier as number | null,
      isUnitContact: r.is_unit_contact as boolean,
      unitId: r.unit_id as string | null,
      status: r.status as UserStatus,
    };
    return [session, { id: r.user_id as string, attributes }];
  };
}

/** Lucia's storage: our sessions table through Drizzle. Session ids are SHA-256 hashes of the cookie tokens. */
function drizzleAdapter(db: Db, pglite: PGlite | undefined): Adapter {
  const toSession = (r: typeof sessions.$inferSelect): DatabaseSession => ({
    id: r.id,
    userId: r.userId,
    expiresAt: r.expiresAt,
    attributes: { createdAt: r.createdAt, ip: r.ip, userAgent: r.userAgent },
  });
  const embeddedLookup = pglite && pgliteSessionLookup(pglite);
  // Every signed-in request runs this: built once (not per request), and only the columns a session needs (never the password hash).
  const sessionAndUser = db
    .select({
      session: sessions,
      user: { id: users.id, name: users.name, email: users.email, roles: users.roles, engineerTier: users.engineerTier, isUnitContact: users.isUnitContact, unitId: users.unitId, status: users.status },
    })
    .from(sessions)
    .innerJoin(users, eq(sessions.userId, users.id))
    .where(eq(sessions.id, sql.placeholder('id')))
    .prepare('dayi_session_and_user');
  return {
    async getSessionAndUser(sessionId) {
      if (embeddedLookup) return embeddedLookup(sessionId);
      const [row] = await sessionAndUser.execute({ id: sessionId });
      if (!row) return [null, null];
      const { id, ...attributes } = row.user;
      const user: DatabaseUser = { id, attributes };
      return [toSession(row.session), user];
    },
    async getUserSessions(userId) {
      return (await db.select().from(sessions).where(eq(sessions.userId, userId))).map(toSession);
    },
    async setSession(s) {
      const a = s.attributes as SessionAttributes;
      await db.insert(sessions).values({ id: s.id, userId: s.userId, expiresAt: s.expiresAt, createdAt: a.createdAt, ip: a.ip, userAgent: a.userAgent });
    },
    async updateSessionExpiration(sessionId, expiresAt) {
      await db.update(sessions).set({ expiresAt }).where(eq(sessions.id, sessionId));
    },
    async deleteSession(sessionId) {
      await db.delete(sessions).where(eq(sessions.id, sessionId));
    },
    async deleteUserSessions(userId) {
      await db.delete(sessions).where(eq(sessions.userId, userId));
    },
    async deleteExpiredSessions() {
      await db.delete(sessions).where(lt(sessions.expiresAt, new Date()));
    },
  };
}

export type Auth = ReturnType<typeof createAuth>;

/**
 * Sessions on lucia v3: the cookie carries a random token; the session row is
 * keyed by its SHA-256. Idle timeout through lucia's expiry (extended on use),
 * absolute lifetime from the session's creation time.
 */
export function createAuth({
  db,
  pglite,
  clock,
  secureCookies,
  idleMinutes,
  maxHours,
}: {
  db: Db;
  /** The embedded database's client, when `db` is one: sessions are looked up through it directly. */
  pglite?: PGlite;
  clock: Clock;
  secureCookies: boolean;
  idleMinutes: number;
  maxHours: number;
}) {
  const lucia = new Lucia(drizzleAdapter(db, pglite), {
    sessionExpiresIn: new TimeSpan(idleMinutes, 'm'),
    sessionCookie: { name: SESSION_COOKIE, expires: false, attributes: { secure: secureCookies, sameSite: 'lax' } },
    getSessionAttributes: (a) => a,
    getUserAttributes: (a) => a,
  });
  const maxAgeMs = maxHours * 3_600_000;
  /**
   * A browser-session cookie: no Max-Age or Expires, so it is gone when the
   * browser closes (shared PCs). Lucia's `expires: false` means 400 days instead.
   * The server-side idle and absolute limits apply either way.
   */
  const sessionCookie = (token: string) => {
    const { name, value, attributes } = lucia.createSessionCookie(token);
    const { maxAge: _persistent, ...rest } = attributes;
    return { name, value, attributes: rest };
  };
  /** The absolute lifetime, counted from sign-in. */
  const overAge = (createdAt: Date) => clock.now().getTime() - createdAt.getTime() > maxAgeMs;

  return {
    lucia,
    /** Starts a session; returns the cookie to set (its value is the token, never stored). */
    async createSession(userId: string, { ip, userAgent }: { ip: string | null; userAgent: string | null }) {
      const token = newToken();
      const session = await lucia.createSession(userId, { createdAt: clock.now(), ip, userAgent: userAgent?.slice(0, 300) ?? null }, { sessionId: hashToken(token) });
      return { session, cookie: sessionCookie(token) };
    },
    /**
     * Resolves a cookie token to its user and session. Expired, over-age, or a
     * disabled user's sessions end here. `cookie` is set when it must be re-sent.
     */
    async validate(token: string | undefined) {
      if (!token || token.length > 100) return { user: null, session: null, cookie: null };
      const { user, session } = await lucia.validateSession(hashToken(token));
      if (!session || !user) return { user: null, session: null, cookie: lucia.createBlankSessionCookie() };
      if (user.status !== 'active' || overAge(session.createdAt)) {
        await lucia.invalidateSession(session.id);
        return { user: null, session: null, cookie: lucia.createBlankSessionCookie() };
      }
      const authUser: AuthUser = { id: user.id, name: user.name, email: user.email, roles: user.roles, engineerTier: user.engineerTier, isUnitContact: user.isUnitContact, unitId: user.unitId, status: user.status };
      return { user: authUser, session, cookie: session.fresh ? sessionCookie(token) : null };
    },
    invalidate: (sessionId: string) => lucia.invalidateSession(sessionId),
    invalidateUser: (userId: string) => lucia.invalidateUserSessions(userId),
    /** The user's sessions except expired ones, newest first. */
    async listSessions(userId: string) {
      const now = clock.now();
      const rows = await db.select().from(sessions).where(eq(sessions.userId, userId));
      return rows.filter((r) => r.expiresAt > now && !overAge(r.createdAt)).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    },
    /** Ends every session of the user except `keepSessionId`. */
    async invalidateOthers(userId: string, keepSessionId: string) {
      await db.delete(sessions).where(and(eq(sessions.userId, userId), ne(sessions.id, keepSessionId)));
    },
    blankCookie: () => lucia.createBlankSessionCookie(),
  };
}
