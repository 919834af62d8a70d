import { index, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './auth.ts';

/**
 * One download of a courseware version (培训课件): counted for reports. The
 * course and its versions live in `content/courseware/<slug>.md`; the files in
 * FILES_DIR. `userId` is null for a public course downloaded without signing in.
 */
export const coursewareDownloads = pgTable(
  'courseware_downloads',
  {
    id: uuid('id').primaryKey(),
    slug: text('slug').notNull(),
    version: text('version').notNull(),
    userId: uuid('user_id').references(() => users.id),
    downloadedAt: timestamp('downloaded_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('courseware_downloads_slug_idx').on(t.slug, t.version)],
);

/** A signed-in user follows a course: a mail when a new version appears. */
export const coursewareFollows = pgTable(
  'courseware_follows',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    slug: text('slug').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.slug] }), index('courseware_follows_slug_idx').on(t.slug)],
);

/** The version of a course a signed-in user last looked at: the list's "已更新" badge shows when the latest differs. */
export const coursewareSeen = pgTable(
  'courseware_seen',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    slug: text('slug').notNull(),
    version: text('version').notNull(),
    seenAt: timestamp('seen_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.slug] })],
);
