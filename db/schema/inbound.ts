import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { questions } from './questions.ts';

export const inboundOutcomes = ['followup', 'reply', 'note', 'question', 'rejected', 'auto_reply', 'duplicate'] as const;
export type InboundOutcome = (typeof inboundOutcomes)[number];

/**
 * Every mail received on the inbound port and what became of it: a
 * follow-up, a reply, a note, a new question, or why nothing (forged or
 * unknown address, an auto-reply, a message seen before).
 */
export const inboundMessages = pgTable(
  'inbound_messages',
  {
    id: uuid('id').primaryKey(),
    /** The Message-ID header; a redelivered message is recognised by it. */
    messageId: text('message_id'),
    fromAddress: text('from_address').notNull(),
    toAddress: text('to_address').notNull(),
    subject: text('subject').notNull().default(''),
    size: integer('size').notNull(),
    questionId: uuid('question_id').references(() => questions.id),
    outcome: text('outcome', { enum: inboundOutcomes }).notNull(),
    reason: text('reason'),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('inbound_messages_message_id_unique').on(t.messageId).where(sql`${t.messageId} is not null`),
    index('inbound_messages_received_idx').on(t.receivedAt),
  ],
);
