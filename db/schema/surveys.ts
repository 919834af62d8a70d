import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { units, users } from './auth.ts';

/**
 * The monthly service-quality survey of a unit (用户服务质量调查表): one per
 * unit per month asked about ("2026-11"), mailed to the unit's contact person
 * with a private link, reminded once, answered once. The answer feeds the
 * service report of the month it is about.
 */
export const unitSurveys = pgTable(
  'unit_surveys',
  {
    id: uuid('id').primaryKey(),
    /** The month asked about, "2026-11". */
    period: text('period').notNull(),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => units.id),
    /** The contact person it was mailed to. */
    contactId: uuid('contact_id').references(() => users.id),
    contactEmail: text('contact_email').notNull(),
    /**
     * The private link's token. Kept as is (not hashed), as a question's
     * tracking token: the reminder carries the same link again, and the token
     * opens nothing but this one survey.
     */
    token: text('token').notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }).notNull(),
    remindedAt: timestamp('reminded_at', { withTimezone: true }),
    respondedAt: timestamp('responded_at', { withTimezone: true }),
    /** 1–5 each: overall, 服务态度, 业务水平, 技术水平. */
    overall: integer('overall'),
    attitude: integer('attitude'),
    business: integer('business'),
    technical: integer('technical'),
    /** 需要改进的地方 (plain text). */
    improve: text('improve'),
    /** Who answered, as they wrote it. */
    respondent: text('respondent'),
  },
  (t) => [uniqueIndex('unit_surveys_period_unit_unique').on(t.period, t.unitId), uniqueIndex('unit_surveys_token_unique').on(t.token), index('unit_surveys_sent_idx').on(t.sentAt)],
);
