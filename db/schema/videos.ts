import { index, integer, pgTable, primaryKey, real, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './auth.ts';

/**
 * One view of a training video (培训视频): started when playback starts,
 * `watchedSeconds` grows as the viewer reports progress, `completedAt` set
 * once ≥ 90 % of the video was watched. The video itself is
 * `content/videos/<slug>.md` with its media in FILES_DIR. `userId` is null
 * for a public video watched without signing in.
 */
export const videoViews = pgTable(
  'video_views',
  {
    id: uuid('id').primaryKey(),
    slug: text('slug').notNull(),
    userId: uuid('user_id').references(() => users.id),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    /** Distinct seconds of the video played in this view (seeking ahead does not count). */
    watchedSeconds: integer('watched_seconds').notNull().default(0),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('video_views_slug_idx').on(t.slug, t.startedAt)],
);

/** Where a signed-in viewer left a video: the next visit resumes there. */
export const videoPositions = pgTable(
  'video_positions',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    slug: text('slug').notNull(),
    /** Seconds from the start. */
    position: real('position').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.slug] })],
);
