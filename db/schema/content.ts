import { boolean, index, integer, pgTable, primaryKey, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';

/** When each published page's content last changed (by hash), and how often it is viewed. */
export const contentPages = pgTable('content_pages', {
  url: text('url').primaryKey(),
  file: text('file').notNull(),
  hash: text('hash').notNull(),
  changedAt: timestamp('changed_at', { withTimezone: true }).notNull(),
  views: integer('views').notNull().default(0),
});

/**
 * Page views per hour (UTC hours, so any whole-hour time zone reads its days
 * exactly): the reports' knowledge page views and self-service ratio for any
 * period. One row per page per hour it was viewed in.
 */
export const contentPageViews = pgTable(
  'content_page_views',
  {
    hour: timestamp('hour', { withTimezone: true }).notNull(),
    url: text('url').notNull(),
    views: integer('views').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.hour, t.url] })],
);

/** "这篇内容有帮助吗？": one vote per page per signed-in user or anonymous visitor. */
export const pageFeedback = pgTable(
  'page_feedback',
  {
    id: uuid('id').primaryKey(),
    pageUrl: text('page_url').notNull(),
    /** `user:<id>` or `visitor:<cookie id>`. */
    voterKey: text('voter_key').notNull(),
    userId: uuid('user_id'),
    helpful: boolean('helpful').notNull(),
    comment: text('comment'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [unique('page_feedback_voter_unique').on(t.pageUrl, t.voterKey), index('page_feedback_page_idx').on(t.pageUrl)],
);

/** Every settled search: what reports and the FAQ pipeline learn from. */
export const searchLog = pgTable(
  'search_log',
  {
    id: uuid('id').primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    userId: uuid('user_id'),
    unitId: uuid('unit_id'),
    query: text('query').notNull(),
    normalized: text('normalized').notNull(),
    hits: integer('hits').notNull(),
    kind: text('kind', { enum: ['instant', 'submitted'] }).notNull(),
    clickedUrl: text('clicked_url'),
    clickedPosition: integer('clicked_position'),
    clickedAt: timestamp('clicked_at', { withTimezone: true }),
  },
  (t) => [index('search_log_at_idx').on(t.at), index('search_log_normalized_idx').on(t.normalized)],
);
