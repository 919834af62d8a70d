import { integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';

/** Per-day counters behind human-readable numbers such as 20261124-0007. */
export const dailySequences = pgTable(
  'daily_sequences',
  {
    scope: text('scope').notNull(),
    day: text('day').notNull(),
    value: integer('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.day] })],
);
