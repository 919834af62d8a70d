import { boolean, date, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from './auth.ts';

/** Which days a shift runs: every day, working days only (调休 Saturdays included), or rest days (weekends, holidays). */
export const dutyDayTypes = ['every', 'workday', 'restday'] as const;
export type DutyDayType = (typeof dutyDayTypes)[number];
/** On duty as an engineer of a tier, or as the project manager on call. */
export const dutyRoles = ['engineer', 'manager'] as const;
export type DutyRole = (typeof dutyRoles)[number];

/**
 * A shift as a weekly pattern: 白班 08:30–17:30 on working days, 夜班
 * 17:30–08:30 every day, 节假日班 on rest days. An end not after the start
 * means the shift ends the next day. Times in APP_TIME_ZONE.
 */
export const dutyShifts = pgTable('duty_shifts', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  /** `HH:MM`. */
  startTime: text('start_time').notNull(),
  endTime: text('end_time').notNull(),
  days: text('days', { enum: dutyDayTypes }).notNull(),
  sortOrder: integer('sort_order').notNull().default(0),
  active: boolean('active').notNull().default(true),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

/**
 * Who is on a shift in the weekly pattern: on one weekday (1 Monday … 7
 * Sunday) or every day the shift runs (0); engineers with their tier, the
 * manager on call without one.
 */
export const dutyAssignments = pgTable(
  'duty_assignments',
  {
    id: uuid('id').primaryKey(),
    shiftId: uuid('shift_id')
      .notNull()
      .references(() => dutyShifts.id),
    weekday: integer('weekday').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    role: text('role', { enum: dutyRoles }).notNull(),
    /** 1 on-site, 2 expert, 3 vendor; null for the manager. */
    tier: integer('tier'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('duty_assignments_unique').on(t.shiftId, t.weekday, t.userId, t.role)],
);

export const dutyOverrideChanges = ['add', 'remove'] as const;

/**
 * A dated change to the pattern: on `day`, in a shift, a person is added or
 * removed (a holiday, a swap: one of each). `day` is the date the shift starts.
 */
export const dutyOverrides = pgTable(
  'duty_overrides',
  {
    id: uuid('id').primaryKey(),
    day: date('day').notNull(),
    shiftId: uuid('shift_id')
      .notNull()
      .references(() => dutyShifts.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    change: text('change', { enum: dutyOverrideChanges }).notNull(),
    role: text('role', { enum: dutyRoles }).notNull(),
    tier: integer('tier'),
    reason: text('reason'),
    createdById: uuid('created_by_id').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('duty_overrides_day_idx').on(t.day)],
);

/** An engineer not available for a period (leave, training): never routed to then. */
export const dutyUnavailability = pgTable(
  'duty_unavailability',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    reason: text('reason'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('duty_unavailability_user_idx').on(t.userId, t.endsAt)],
);

/** 交接班记录: what a leaving shift passes on, with the open questions at that moment. */
export const dutyHandovers = pgTable(
  'duty_handovers',
  {
    id: uuid('id').primaryKey(),
    shiftId: uuid('shift_id').references(() => dutyShifts.id),
    /** The date the leaving shift started. */
    day: date('day').notNull(),
    fromUserId: uuid('from_user_id')
      .notNull()
      .references(() => users.id),
    note: text('note').notNull(),
    openQuestionIds: uuid('open_question_ids').array().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('duty_handovers_created_idx').on(t.createdAt)],
);
