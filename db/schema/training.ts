import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, primaryKey, real, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users, type Role } from './auth.ts';
import { questions } from './questions.ts';

/** Draft while the plan is written; published once the notice went out; cancelled or finished at the end. */
export const trainingStatuses = ['draft', 'published', 'cancelled', 'finished'] as const;
export type TrainingStatus = (typeof trainingStatuses)[number];
/** 集中授课, 上机实操, 线上直播, 一对一 (leaders). */
export const trainingForms = ['lecture', 'hands_on', 'online', 'one_to_one'] as const;
export type TrainingForm = (typeof trainingForms)[number];

/** Who a training is for: named users, whole units, whole roles. */
export interface TrainingAudience {
  userIds: string[];
  unitIds: string[];
  roles: Role[];
}

/** The 培训方案 template's fields, as the trainer filled them in. */
export interface TrainingPlan {
  /** 培训对象 (领导 / 系统管理员 / 应用开发人员 / 数据处理人员 / 成员单位用户), free text. */
  audienceKind: string;
  /** 培训目标. */
  goals: string;
  /** 培训内容 (markdown). */
  content: string;
  /** 组织单位. */
  organizer: string;
  /** 考核方式 (在线试题 / 上机操作 / 不考核), free text. */
  assessment: string;
  /** 合格分数, when scored. */
  passScore: number | null;
  /** Anything else the notice should say (报到时间, 自带电脑 …). */
  notes: string;
}

/**
 * A training (培训): one course taught to an audience in one or more lessons
 * (场次), following plan → notice → sign-in → lessons → feedback →
 * assessment → summary. A retake training points at the one it offers a
 * retake of.
 */
export const trainingSessions = pgTable(
  'training_sessions',
  {
    id: uuid('id').primaryKey(),
    title: text('title').notNull(),
    /** The course taught (`content/courseware/<slug>.md`) and the version used as material. */
    courseSlug: text('course_slug'),
    courseVersion: text('course_version'),
    trainerId: uuid('trainer_id')
      .notNull()
      .references(() => users.id),
    form: text('form', { enum: trainingForms }).notNull(),
    status: text('status', { enum: trainingStatuses }).notNull().default('draft'),
    audience: jsonb('audience').$type<TrainingAudience>().notNull(),
    plan: jsonb('plan').$type<TrainingPlan>().notNull(),
    /** 名额上限; null for no limit. */
    capacity: integer('capacity'),
    /** A retake training (补考) of this earlier one. */
    retakeOfId: uuid('retake_of_id'),
    noticeSentAt: timestamp('notice_sent_at', { withTimezone: true }),
    /** The trainer's closing words and improvements for the summary report (培训总结报告书). */
    summary: text('summary').notNull().default(''),
    createdById: uuid('created_by_id')
      .notNull()
      .references(() => users.id),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('training_sessions_trainer_idx').on(t.trainerId)],
);

/**
 * A lesson (场次) of a training: when and where, its own sign-in. The sign-in
 * code is shown in the room (as text and QR) and accepted only while the
 * lesson runs (from a little before its start to its end).
 */
export const trainingLessons = pgTable(
  'training_lessons',
  {
    id: uuid('id').primaryKey(),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => trainingSessions.id),
    topic: text('topic').notNull().default(''),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    place: text('place').notNull().default(''),
    onlineUrl: text('online_url'),
    /** 课时 counted for the registration record. */
    hours: real('hours').notNull().default(0),
    /** Six digits, unique among lessons. */
    checkinCode: text('checkin_code').notNull(),
  },
  (t) => [index('training_lessons_session_idx').on(t.sessionId, t.startsAt), uniqueIndex('training_lessons_code_idx').on(t.checkinCode)],
);

/**
 * An invitee of a training (from the audience, or added by hand): the notice
 * mail, and their answer — confirmed or declined — accepted until three days
 * before the first lesson.
 */
export const trainingInvitations = pgTable(
  'training_invitations',
  {
    sessionId: uuid('session_id')
      .notNull()
      .references(() => trainingSessions.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    invitedAt: timestamp('invited_at', { withTimezone: true }).notNull(),
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
    declinedAt: timestamp('declined_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.userId] }), index('training_invitations_user_idx').on(t.userId)],
);

/** Signed in to a lesson (签到): by the attendee with the room's code, or by the trainer from the list. */
export const trainingCheckins = pgTable(
  'training_checkins',
  {
    lessonId: uuid('lesson_id')
      .notNull()
      .references(() => trainingLessons.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    method: text('method', { enum: ['code', 'trainer'] }).notNull(),
    recordedById: uuid('recorded_by_id').references(() => users.id),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.lessonId, t.userId] })],
);

/** A trainee's question recorded in class (培训人员问题表): a Dayi question assigned to the trainer. */
export const trainingQuestions = pgTable(
  'training_questions',
  {
    questionId: uuid('question_id')
      .primaryKey()
      .references(() => questions.id),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => trainingSessions.id),
    lessonId: uuid('lesson_id').references(() => trainingLessons.id),
    /** The trainee who asked, when known. */
    traineeId: uuid('trainee_id').references(() => users.id),
    recordedById: uuid('recorded_by_id')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('training_questions_session_idx').on(t.sessionId)],
);

/** 结业考核 result of one attendee in one training; a retake is a result in the retake training. */
export const trainingAssessments = pgTable(
  'training_assessments',
  {
    sessionId: uuid('session_id')
      .notNull()
      .references(() => trainingSessions.id),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    passed: boolean('passed').notNull(),
    score: real('score'),
    note: text('note').notNull().default(''),
    recordedById: uuid('recorded_by_id')
      .notNull()
      .references(() => users.id),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.userId] })],
);

/**
 * A feedback form (培训效果评估表) opened for a training: 首日, 阶段 or 结业
 * (a training may open several), for the trainer who taught (per lesson when
 * several trainers teach). Open from `opensAt` until `closedAt`.
 */
export const feedbackForms = pgTable(
  'feedback_forms',
  {
    id: uuid('id').primaryKey(),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => trainingSessions.id),
    lessonId: uuid('lesson_id').references(() => trainingLessons.id),
    stage: text('stage', { enum: ['first_day', 'daily', 'final'] }).notNull(),
    trainerId: uuid('trainer_id')
      .notNull()
      .references(() => users.id),
    opensAt: timestamp('opens_at', { withTimezone: true }).notNull(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    createdById: uuid('created_by_id')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('feedback_forms_session_idx').on(t.sessionId)],
);

/** A single-use link to a form for someone without an account (or who prefers not to sign in): the token is kept hashed. */
export const feedbackLinks = pgTable(
  'feedback_links',
  {
    id: uuid('id').primaryKey(),
    formId: uuid('form_id')
      .notNull()
      .references(() => feedbackForms.id),
    tokenHash: text('token_hash').notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('feedback_links_token_idx').on(t.tokenHash)],
);

/**
 * One filled-in form: the 13 ratings (1–7, in the commitments' order), the
 * score (sum × 100 / 91), optional name, other comments. One per attendee per
 * form, or one per single-use link.
 */
export const feedbackResponses = pgTable(
  'feedback_responses',
  {
    id: uuid('id').primaryKey(),
    formId: uuid('form_id')
      .notNull()
      .references(() => feedbackForms.id),
    userId: uuid('user_id').references(() => users.id),
    linkId: uuid('link_id').references(() => feedbackLinks.id),
    ratings: integer('ratings').array().notNull(),
    score: real('score').notNull(),
    name: text('name').notNull().default(''),
    comments: text('comments').notNull().default(''),
    submittedAt: timestamp('submitted_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('feedback_responses_form_idx').on(t.formId),
    uniqueIndex('feedback_responses_user_idx').on(t.formId, t.userId).where(sql`${t.userId} is not null`),
    uniqueIndex('feedback_responses_link_idx').on(t.linkId).where(sql`${t.linkId} is not null`),
  ],
);
