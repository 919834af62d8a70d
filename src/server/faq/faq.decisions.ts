/**
 * Reviewers' decisions on clusters: merge two, split a question out, reject.
 * Each is recorded in `faq_decisions` and pins the members it touched, so a
 * recluster never undoes it.
 */
import { count, eq, inArray } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import { faqClusterMembers, faqClusters, faqDecisions } from '../../../db/schema/index.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import { createFaqClusterNotFoundError, createFaqNotAMemberError, createFaqSameClusterError } from './faq.errors.ts';

interface DecisionDeps {
  db: Db;
  clock: Clock;
  actorId: string | null;
}

async function clusterOrThrow(tx: Tx, id: string) {
  const [c] = await tx.select().from(faqClusters).where(eq(faqClusters.id, id));
  if (!c) throw createFaqClusterNotFoundError();
  return c;
}

const pinAll = (tx: Tx, clusterIds: string[], to: string) =>
  tx.update(faqClusterMembers).set({ clusterId: to, pinned: true }).where(inArray(faqClusterMembers.clusterId, clusterIds));

/** Moves every question of `mergeId` into `keepId`. */
export async function mergeClusters({ db, clock, actorId }: DecisionDeps, { keepId, mergeId }: { keepId: string; mergeId: string }): Promise<{ clusterId: string }> {
  if (keepId === mergeId) throw createFaqSameClusterError();
  return db.transaction(async (tx) => {
    await clusterOrThrow(tx, keepId);
    await clusterOrThrow(tx, mergeId);
    const now = clock.now();
    await pinAll(tx, [keepId, mergeId], keepId);
    await tx.update(faqClusters).set({ updatedAt: now }).where(eq(faqClusters.id, keepId));
    await tx.insert(faqDecisions).values({ id: newId(), kind: 'merged', clusterId: keepId, otherClusterId: mergeId, actorId, createdAt: now });
    return { clusterId: keepId };
  });
}

/** Takes one question out of its cluster into a cluster of its own; neither side moves again. */
export async function splitQuestion({ db, clock, actorId }: DecisionDeps, { questionId }: { questionId: string }): Promise<{ clusterId: string; fromClusterId: string }> {
  return db.transaction(async (tx) => {
    const [member] = await tx.select().from(faqClusterMembers).where(eq(faqClusterMembers.questionId, questionId));
    if (!member) throw createFaqNotAMemberError();
    const now = clock.now();
    const clusterId = newId();
    await tx.insert(faqClusters).values({ id: clusterId, createdAt: now, updatedAt: now });
    await pinAll(tx, [member.clusterId], member.clusterId);
    await tx.update(faqClusterMembers).set({ clusterId, pinned: true, matchedQuestionId: null, score: null, shared: null }).where(eq(faqClusterMembers.questionId, questionId));
    await tx.insert(faqDecisions).values({ id: newId(), kind: 'split', clusterId: member.clusterId, otherClusterId: clusterId, questionId, actorId, createdAt: now });
    return { clusterId, fromClusterId: member.clusterId };
  });
}

/** Not an FAQ: the cluster stays quiet until it has grown by 3 more questions. */
export async function rejectCluster({ db, clock, actorId }: DecisionDeps, { clusterId }: { clusterId: string }): Promise<void> {
  await db.transaction(async (tx) => {
    await clusterOrThrow(tx, clusterId);
    const [{ n } = { n: 0 }] = await tx.select({ n: count() }).from(faqClusterMembers).where(eq(faqClusterMembers.clusterId, clusterId));
    const now = clock.now();
    await pinAll(tx, [clusterId], clusterId);
    await tx.update(faqClusters).set({ status: 'rejected', rejectedSize: n, updatedAt: now }).where(eq(faqClusters.id, clusterId));
    await tx.insert(faqDecisions).values({ id: newId(), kind: 'rejected', clusterId, actorId, createdAt: now });
  });
}
