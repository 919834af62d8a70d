import { boolean, date, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from './auth.ts';
import { questions } from './questions.ts';

/** Round the clock, or working time (working days' intervals, per the calendar). */
export const slaCalendars = ['24x7', 'working'] as const;
export type SlaCalendar = (typeof slaCalendars)[number];

/**
 * The targets per kind and severity (severity `''` for kinds without one):
 * minutes to the first reply and to resolution, counted on a calendar.
 * Defaults from the service commitments; admins edit them at /admin/sla.
 */
export const slaPolicies = pgTable(
  'sla_policies',
  {
    kind: text('kind').notNull(),
    severity: text('severity').notNull().default(''),
    firstReplyMinutes: integer('first_reply_minutes').notNull(),
    resolveMinutes: integer('resolve_minutes').notNull(),
    calendar: text('calendar', { enum: slaCalendars }).notNull(),
    updatedById: uuid('updated_by_id').references(() => users.id),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.severity] })],
);

/**
 * Days that differ from the plain week: public holidays (not working) and
 * make-up working days (调休, a working Saturday or Sunday). Seeded from the
 * `chinese-days` package, corrected by admins (their rows win over a re-seed).
 */
export const calendarDays = pgTable('calendar_days', {
  day: date('day').primaryKey(),
  workday: boolean('workday').notNull(),
  name: text('name').notNull().default(''),
  source: text('source', { enum: ['package', 'admin'] }).notNull(),
  updatedById: uuid('updated_by_id').references(() => users.id),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

/** The one row of SLA settings: working intervals of a working day (`HH:MM` pairs), when to warn, the on-site arrival target. */
export const slaSettings = pgTable('sla_settings', {
  id: integer('id').primaryKey().default(1),
  workingIntervals: jsonb('working_intervals').$type<[string, string][]>().notNull(),
  warnPercent: integer('warn_percent').notNull().default(75),
  arrivalMinutes: integer('arrival_minutes').notNull().default(120),
  updatedById: uuid('updated_by_id').references(() => users.id),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

export const slaSteps = ['first_reply_warn', 'first_reply_breach', 'resolve_warn', 'resolve_breach', 'arrival_breach'] as const;
export type SlaStep = (typeof slaSteps)[number];

/**
 * One scheduled step of a question's clocks (a pg-boss job at `dueAt` carries
 * its id). Due times change (reopened, severity, pause): the question's
 * `slaGeneration` is bumped and older timers do nothing when they fire.
 * `firedAt` is set by one conditional update: a step fires once, whatever
 * the number of app processes.
 */
export const slaTimers = pgTable(
  'sla_timers',
  {
    id: uuid('id').primaryKey(),
    questionId: uuid('question_id')
      .notNull()
      .references(() => questions.id),
    step: text('step', { enum: slaSteps }).notNull(),
    generation: integer('generation').notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    firedAt: timestamp('fired_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('sla_timers_unique').on(t.questionId, t.step, t.generation)],
);

export const participantRoles = ['expert', 'vendor', 'manager', 'case_team'] as const;
export type ParticipantRole = (typeof participantRoles)[number];

/** People brought into a question besides its assignee: by escalation, by hand, or a case team (专案). */
export const questionParticipants = pgTable(
  'question_participants',
  {
    questionId: uuid('question_id')
      .notNull()
      .references(() => questions.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    role: text('role', { enum: participantRoles }).notNull(),
    reason: text('reason').notNull(),
    addedAt: timestamp('added_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.questionId, t.userId, t.role] })],
);
