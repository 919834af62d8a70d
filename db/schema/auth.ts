import { boolean, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/** Member units (成员单位). */
export const units = pgTable(
  'units',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    /** Unique short code people quote, e.g. the unit's credit code or an internal code. */
    code: text('code').notNull(),
    region: text('region'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('units_code_unique').on(t.code), index('units_name_idx').on(t.name)],
);

export const roles = ['member', 'engineer', 'trainer', 'admin'] as const;
export type Role = (typeof roles)[number];
export const userStatuses = ['invited', 'active', 'disabled'] as const;
export type UserStatus = (typeof userStatuses)[number];

/** People. Disabled, never deleted, so history keeps their names. */
export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    /** Lower-cased. */
    email: text('email').notNull(),
    phone: text('phone'),
    /** Engineers and trainers may have no unit (vendor staff). */
    unitId: uuid('unit_id').references(() => units.id),
    roles: text('roles').array().$type<Role[]>().notNull(),
    /** For engineers: 1 on-site, 2 expert, 3 vendor. */
    engineerTier: integer('engineer_tier'),
    status: text('status', { enum: userStatuses }).notNull(),
    /** The unit's contact person (单位联系人): sees all of the unit's questions. */
    isUnitContact: boolean('is_unit_contact').notNull().default(false),
    passwordHash: text('password_hash'),
    passwordChangedAt: timestamp('password_changed_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('users_email_unique').on(t.email), index('users_unit_idx').on(t.unitId), index('users_name_idx').on(t.name)],
);

/** Sessions, keyed by the SHA-256 of the cookie token: a leaked table holds no usable session. */
export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/** One-time links: account invites and password resets. Only a hash of the token is kept. */
export const authTokens = pgTable(
  'auth_tokens',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    kind: text('kind', { enum: ['invite', 'reset'] }).notNull(),
    tokenHash: text('token_hash').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('auth_tokens_hash_unique').on(t.tokenHash), index('auth_tokens_user_idx').on(t.userId)],
);

/** Attempt counters for rate limits (login, reset and invite mails), shared by every app process. */
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull().default(0),
  windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
  blockedUntil: timestamp('blocked_until', { withTimezone: true }),
});
