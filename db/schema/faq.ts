import { boolean, index, integer, jsonb, pgTable, real, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './auth.ts';
import { questions } from './questions.ts';

export const faqClusterStatuses = ['open', 'rejected', 'published'] as const;
export type FaqClusterStatus = (typeof faqClusterStatuses)[number];

/**
 * A cluster of questions asking the same thing (FAQ promotion). Every question
 * belongs to exactly one cluster (most are alone in theirs); a cluster of
 * enough questions from enough askers becomes an FAQ candidate.
 */
export const faqClusters = pgTable(
  'faq_clusters',
  {
    id: uuid('id').primaryKey(),
    status: text('status', { enum: faqClusterStatuses }).notNull().default('open'),
    /** Rejected: the size then; the cluster stays quiet until it has grown by 3 more. */
    rejectedSize: integer('rejected_size'),
    /** Published: the slug of `content/faq/<slug>.md`. */
    faqSlug: text('faq_slug'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('faq_clusters_status_idx').on(t.status)],
);

/** Shared terms shown to reviewers: why a question matched. */
export type FaqSharedTerm = { term: string; kind: string; weight: number };

/**
 * Which cluster a question is in, and why: the earlier question it matched
 * best, the score and the shared terms. `pinned` rows were placed by a
 * reviewer (merge, split, reject): reclustering never moves them.
 */
export const faqClusterMembers = pgTable(
  'faq_cluster_members',
  {
    questionId: uuid('question_id')
      .primaryKey()
      .references(() => questions.id),
    clusterId: uuid('cluster_id')
      .notNull()
      .references(() => faqClusters.id),
    matchedQuestionId: uuid('matched_question_id'),
    score: real('score'),
    shared: jsonb('shared').$type<FaqSharedTerm[]>(),
    pinned: boolean('pinned').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('faq_cluster_members_cluster_idx').on(t.clusterId)],
);

export const faqDecisionKinds = ['merged', 'split', 'rejected'] as const;
export type FaqDecisionKind = (typeof faqDecisionKinds)[number];

/** A reviewer's decision on clusters: kept forever, and never undone by reclustering. */
export const faqDecisions = pgTable(
  'faq_decisions',
  {
    id: uuid('id').primaryKey(),
    kind: text('kind', { enum: faqDecisionKinds }).notNull(),
    /** The cluster decided on (merged: the one kept; split: the one the question left). */
    clusterId: uuid('cluster_id')
      .notNull()
      .references(() => faqClusters.id),
    /** Merged: the cluster merged into `clusterId`; split: the new cluster of the question. */
    otherClusterId: uuid('other_cluster_id'),
    /** Split: the question taken out. */
    questionId: uuid('question_id'),
    actorId: uuid('actor_id').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('faq_decisions_cluster_idx').on(t.clusterId)],
);
