import { index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from './auth.ts';
import { questions } from './questions.ts';

export const askedAsSources = ['rated', 'resolved', 'faq'] as const;
export type AskedAsSource = (typeof askedAsSources)[number];

/**
 * "Asked as": how users worded a question that a page answered. When an
 * answer that links a manual section or FAQ entry is rated well or confirmed
 * solved — or an FAQ entry is published from a cluster — the question's title
 * becomes a phrase of that page in the search index (a separate, lower-ranked
 * field). An admin can remove one; a removed phrase is never added again.
 */
export const searchAskedAs = pgTable(
  'search_asked_as',
  {
    id: uuid('id').primaryKey(),
    /** The page as the index names it: page URL, with `#anchor` for a manual section. */
    url: text('url').notNull(),
    phrase: text('phrase').notNull(),
    questionId: uuid('question_id').references(() => questions.id),
    source: text('source', { enum: askedAsSources }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    removedAt: timestamp('removed_at', { withTimezone: true }),
    removedBy: uuid('removed_by').references(() => users.id),
  },
  (t) => [uniqueIndex('search_asked_as_url_phrase_idx').on(t.url, t.phrase), index('search_asked_as_created_idx').on(t.createdAt)],
);
