import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { units, users } from './auth.ts';

export const questionKinds = ['fault', 'consult', 'suggestion'] as const;
export type QuestionKind = (typeof questionKinds)[number];
/** Fault severity (故障级别), A urgent … E minor. */
export const severities = ['A', 'B', 'C', 'D', 'E'] as const;
export type Severity = (typeof severities)[number];
/**
 * new → assigned → answered → resolved → closed; reopened goes back to an
 * engineer; waiting (等待用户补充) pauses the clocks until the asker replies.
 */
export const questionStatuses = ['new', 'assigned', 'answered', 'resolved', 'closed', 'reopened', 'waiting'] as const;
export type QuestionStatus = (typeof questionStatuses)[number];
/** How a question came in; `email` arrives with reply-by-email, `training` was recorded in class by the trainer. */
export const questionChannels = ['web', 'api', 'phone', 'email', 'training'] as const;
export type QuestionChannel = (typeof questionChannels)[number];

/**
 * A question (服务请求): what was asked, by whom, where it stands. Routing,
 * SLA clocks and escalation (next steps) fill `assigneeId`, `tier` and the due
 * times; everything that happens is a row in `question_events`.
 */
export const questions = pgTable(
  'questions',
  {
    id: uuid('id').primaryKey(),
    /** The number people quote, 20261125-0007. */
    number: text('number').notNull(),
    kind: text('kind', { enum: questionKinds }).notNull(),
    severity: text('severity', { enum: severities }),
    title: text('title').notNull(),
    /** Markdown as written; rendered sanitized wherever it shows. */
    body: text('body').notNull(),
    status: text('status', { enum: questionStatuses }).notNull(),
    channel: text('channel', { enum: questionChannels }).notNull(),
    /** The signed-in asker; null for an anonymous asker or a caller without an account. */
    askerId: uuid('asker_id').references(() => users.id),
    unitId: uuid('unit_id').references(() => units.id),
    /** The unit as an anonymous asker typed it, when it matched no unit. */
    unitName: text('unit_name'),
    contactName: text('contact_name').notNull(),
    /** Lower-cased; receipts and replies go here. */
    contactEmail: text('contact_email').notNull(),
    contactPhone: text('contact_phone'),
    /** The engineer who recorded a phoned-in question on the caller's behalf. */
    recordedById: uuid('recorded_by_id').references(() => users.id),
    assigneeId: uuid('assignee_id').references(() => users.id),
    /** The support tier handling it: 1 on-site, 2 expert, 3 vendor. */
    tier: integer('tier').notNull().default(1),
    /**
     * The private token of the asker's tracking link. Kept as is (not hashed):
     * every mail about the question carries the link again, and the token opens
     * nothing but this question, whose data sits in the same database anyway.
     */
    trackingToken: text('tracking_token').notNull(),
    /** Bumped by every change: two engineers acting at once never overwrite each other. */
    version: integer('version').notNull().default(1),
    /** The receipt's Message-ID: every later mail about the question replies to it. */
    threadMessageId: text('thread_message_id'),
    /** When the current assignee got it: routing's tie-break (the one assigned least recently). */
    assignedAt: timestamp('assigned_at', { withTimezone: true }),
    /** Set while the clocks are paused (waiting on the asker); resuming moves the due times on. */
    clockPausedAt: timestamp('clock_paused_at', { withTimezone: true }),
    /** Bumped whenever the due times are set anew: timers of an older generation do nothing. */
    slaGeneration: integer('sla_generation').notNull().default(0),
    /** "需要上门": when the engineer said so, and when someone must be on site by. */
    onSiteRequestedAt: timestamp('on_site_requested_at', { withTimezone: true }),
    arrivalDueAt: timestamp('arrival_due_at', { withTimezone: true }),
    /** Raised to a case team (专案) by hand. */
    caseTeam: boolean('case_team').notNull().default(false),
    firstReplyBreachedAt: timestamp('first_reply_breached_at', { withTimezone: true }),
    resolveBreachedAt: timestamp('resolve_breached_at', { withTimezone: true }),
    firstReplyDueAt: timestamp('first_reply_due_at', { withTimezone: true }),
    resolveDueAt: timestamp('resolve_due_at', { withTimezone: true }),
    firstRepliedAt: timestamp('first_replied_at', { withTimezone: true }),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    /** Set when this question was merged into another as a duplicate. */
    mergedIntoId: uuid('merged_into_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('questions_number_unique').on(t.number),
    uniqueIndex('questions_tracking_unique').on(t.trackingToken),
    index('questions_status_idx').on(t.status, t.createdAt),
    // Reports count the questions asked in a period.
    index('questions_created_idx').on(t.createdAt),
    index('questions_assignee_idx').on(t.assigneeId, t.status),
    index('questions_asker_idx').on(t.askerId, t.createdAt),
    index('questions_unit_idx').on(t.unitId, t.createdAt),
    // A mailed reply that kept only its threading headers finds its question by the thread root.
    index('questions_thread_idx').on(t.threadMessageId),
    // The duplicates that follow a question (mail on its replies and status changes).
    index('questions_merged_into_idx').on(t.mergedIntoId).where(sql`${t.mergedIntoId} is not null`),
  ],
);

export const questionEventKinds = [
  'submitted',
  'claimed',
  'assigned',
  'replied',
  'note',
  'status_changed',
  'followup',
  'resolved',
  'reopened',
  'rated',
  'merged',
  'complained',
  'complaint_answered',
  'service_record',
  'reclassified',
  'routed',
  'escalated',
  'participant_added',
  'sla_warning',
  'sla_breached',
  'clock_paused',
  'clock_resumed',
  'on_site_requested',
  'case_team',
  'email_received',
] as const;
export type QuestionEventKind = (typeof questionEventKinds)[number];

/** The timeline: who did what, when. Internal events (notes) never reach the asker. */
export const questionEvents = pgTable(
  'question_events',
  {
    id: uuid('id').primaryKey(),
    questionId: uuid('question_id')
      .notNull()
      .references(() => questions.id),
    kind: text('kind', { enum: questionEventKinds }).notNull(),
    actorId: uuid('actor_id').references(() => users.id),
    /** Who acted when there is no account (the asker by tracking link): a display name. */
    actorLabel: text('actor_label'),
    internal: boolean('internal').notNull().default(false),
    /** Markdown of a reply, note or follow-up. */
    body: text('body'),
    /** What changed: { from, to } statuses, the assignee, the merged question… */
    data: jsonb('data').$type<Record<string, unknown>>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('question_events_question_idx').on(t.questionId, t.createdAt),
    // Reports count replies and escalations made in a period.
    index('question_events_kind_idx').on(t.kind, t.createdAt),
  ],
);

/** A rating of one answer (a `replied` event), belonging to the engineer who answered. */
export const questionRatings = pgTable(
  'question_ratings',
  {
    id: uuid('id').primaryKey(),
    questionId: uuid('question_id')
      .notNull()
      .references(() => questions.id),
    replyEventId: uuid('reply_event_id')
      .notNull()
      .references(() => questionEvents.id),
    engineerId: uuid('engineer_id').references(() => users.id),
    overall: integer('overall').notNull(),
    /** 服务态度, 业务水平, 技术水平: 1–5 each. */
    attitude: integer('attitude').notNull(),
    business: integer('business').notNull(),
    technical: integer('technical').notNull(),
    reasons: text('reasons').array().$type<string[]>().notNull(),
    comment: text('comment'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('question_ratings_reply_unique').on(t.replyEventId), index('question_ratings_engineer_idx').on(t.engineerId)],
);

/**
 * Idempotency keys of `POST /api/questions`: the first request with a key
 * stores its result; a retry with the same key gets the same question. The
 * row is written in the question's own transaction, so a concurrent retry
 * waits for it and then finds it.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    /** SHA-256 of the request body: the same key with another body is refused. */
    requestHash: text('request_hash').notNull(),
    questionId: uuid('question_id').references(() => questions.id),
    /** The first response, replayed to a retry (it carries the tracking link; kept for a day). */
    response: jsonb('response').$type<Record<string, unknown>>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index('idempotency_keys_created_idx').on(t.createdAt)],
);

/** "这解决了我的问题": a suggestion shown while asking answered it, and nothing was submitted. */
export const questionDeflections = pgTable(
  'question_deflections',
  {
    id: uuid('id').primaryKey(),
    /** What the asker had typed (title and the start of the description). */
    query: text('query').notNull(),
    articleUrl: text('article_url').notNull(),
    userId: uuid('user_id').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('question_deflections_created_idx').on(t.createdAt)],
);

/**
 * A page suggested beside the ask form: one row per page per ask form opened
 * (the browser reports each page once), so an FAQ's admin view can say how
 * often it was suggested next to how often it ended the asking.
 */
export const askSuggestions = pgTable(
  'ask_suggestions',
  {
    id: uuid('id').primaryKey(),
    /** The page, without its anchor. */
    pageUrl: text('page_url').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('ask_suggestions_created_idx').on(t.createdAt)],
);

export const complaintStatuses = ['open', 'answered'] as const;
export type ComplaintStatus = (typeof complaintStatuses)[number];

/**
 * A complaint (投诉) about how a question was handled: it goes to the admins
 * and stays open until one of them answers it. At most one open complaint per
 * question at a time (the partial unique index holds it under concurrency).
 */
export const questionComplaints = pgTable(
  'question_complaints',
  {
    id: uuid('id').primaryKey(),
    questionId: uuid('question_id')
      .notNull()
      .references(() => questions.id),
    /** What the asker wrote; plain text. */
    body: text('body').notNull(),
    status: text('status', { enum: complaintStatuses }).notNull().default('open'),
    /** The admin's answer, shown to the asker and mailed to them. */
    answer: text('answer'),
    answeredById: uuid('answered_by_id').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    answeredAt: timestamp('answered_at', { withTimezone: true }),
  },
  (t) => [
    index('question_complaints_status_idx').on(t.status, t.createdAt),
    index('question_complaints_question_idx').on(t.questionId, t.createdAt),
    uniqueIndex('question_complaints_open_unique').on(t.questionId).where(sql`${t.status} = 'open'`),
  ],
);

/**
 * A file that came with a question, a follow-up, a reply or an internal note.
 * The bytes live under `FILES_DIR` at `storagePath`; the name is the one the
 * sender's file had (Chinese kept), the type the one its content showed.
 * Attachments of an internal note are internal too: never shown to the asker.
 */
export const questionAttachments = pgTable(
  'question_attachments',
  {
    id: uuid('id').primaryKey(),
    questionId: uuid('question_id')
      .notNull()
      .references(() => questions.id),
    /** The timeline event it came with (submitted, followup, replied, note). */
    eventId: uuid('event_id')
      .notNull()
      .references(() => questionEvents.id),
    internal: boolean('internal').notNull().default(false),
    /** Whether the asker's side sent it (counts towards the per-question limit). */
    fromAsker: boolean('from_asker').notNull(),
    fileName: text('file_name').notNull(),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    /** Relative to FILES_DIR. */
    storagePath: text('storage_path').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('question_attachments_question_idx').on(t.questionId, t.createdAt), index('question_attachments_event_idx').on(t.eventId)],
);
