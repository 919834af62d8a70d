import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users, type Role } from './auth.ts';

/** What an announcement is about: a platform upgrade, a training notice, anything else. */
export const announcementKinds = ['upgrade', 'training', 'general'] as const;
export type AnnouncementKind = (typeof announcementKinds)[number];

/**
 * An announcement (公告) by an admin or trainer: shown on the home page from
 * `publishedAt` until `expiresAt`, and mailed (through the outbox) to the
 * chosen roles and units when published. Empty audience arrays mean nobody is
 * mailed; the home page shows it to everyone who may read `access`.
 */
export const announcements = pgTable(
  'announcements',
  {
    id: uuid('id').primaryKey(),
    kind: text('kind', { enum: announcementKinds }).notNull(),
    title: text('title').notNull(),
    /** Markdown; rendered sanitized. */
    body: text('body').notNull(),
    /** 'public' shows to everyone, 'member' to signed-in users only. */
    access: text('access', { enum: ['public', 'member'] }).notNull().default('public'),
    mailRoles: text('mail_roles').array().$type<Role[]>().notNull().default([]),
    mailUnitIds: uuid('mail_unit_ids').array().notNull().default([]),
    /** A training session it announces, if any. */
    trainingSessionId: uuid('training_session_id'),
    authorId: uuid('author_id')
      .notNull()
      .references(() => users.id),
    publishedAt: timestamp('published_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    /** When its mail was queued (null: not mailed). */
    mailedAt: timestamp('mailed_at', { withTimezone: true }),
    /** Taken down early by hand. */
    withdrawnAt: timestamp('withdrawn_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('announcements_current_idx').on(t.expiresAt, t.publishedAt)],
);
