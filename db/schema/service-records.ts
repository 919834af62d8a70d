import { integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './auth.ts';
import { questions } from './questions.ts';

/**
 * The on-site service record (现场服务记录) of a fault: what was seen, what was
 * found, when the engineer arrived and left, what was used, how it ended and
 * who at the unit confirmed it. One per question, edited as the work goes on
 * (every save is also a timeline event); printable as one A4 page.
 */
export const serviceRecords = pgTable('service_records', {
  questionId: uuid('question_id')
    .primaryKey()
    .references(() => questions.id),
  symptom: text('symptom').notNull().default(''),
  diagnosis: text('diagnosis').notNull().default(''),
  arrivedAt: timestamp('arrived_at', { withTimezone: true }),
  departedAt: timestamp('departed_at', { withTimezone: true }),
  /** Parts replaced or patches applied. */
  partsUsed: text('parts_used').notNull().default(''),
  resolution: text('resolution').notNull().default(''),
  /** Who at the unit confirmed the work (name as signed), and when. */
  confirmedBy: text('confirmed_by').notNull().default(''),
  confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
  engineerId: uuid('engineer_id').references(() => users.id),
  /** Bumped by every save: two engineers editing at once never overwrite each other. */
  version: integer('version').notNull().default(1),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});
