/** Reading clusters: every cluster of two questions or more, with the candidate rule applied. */
import { asc, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { faqClusterMembers, faqClusters, questions, type FaqClusterStatus } from '../../../db/schema/index.ts';
import { clearestTitle, isCandidate } from './faq.candidates.ts';
import type { FaqSettings } from './faq.config.ts';
import type { PreparedLexicon } from './similarity.text.ts';

export interface ClusterSummary {
  id: string;
  questionIds: string[];
  size: number;
  /** Distinct askers: accounts, or the contact addresses of anonymous askers. */
  askers: number;
  candidate: boolean;
  title: string;
  status: FaqClusterStatus;
  answered: number;
  lastAskedAt: Date;
}

const ANSWERED = ['answered', 'resolved', 'closed'];
/** Titles looked at for the clearest one. */
const TITLE_SAMPLE = 40;

/** Clusters of ≥ `minSize` questions, candidates first, then by size and recency. */
export async function listClusters({ db, settings, lexicon, now, minSize = 2 }: { db: Db; settings: FaqSettings; lexicon: PreparedLexicon; now: Date; minSize?: number }): Promise<ClusterSummary[]> {
  const big = db
    .select({ id: faqClusterMembers.clusterId })
    .from(faqClusterMembers)
    .groupBy(faqClusterMembers.clusterId)
    .having(sql`count(*) >= ${minSize}`);
  const rows = await db
    .select({
      clusterId: faqClusterMembers.clusterId,
      questionId: questions.id,
      title: questions.title,
      askerId: questions.askerId,
      contactEmail: questions.contactEmail,
      status: questions.status,
      firstRepliedAt: questions.firstRepliedAt,
      createdAt: questions.createdAt,
    })
    .from(faqClusterMembers)
    .innerJoin(questions, sql`${questions.id} = ${faqClusterMembers.questionId}`)
    .where(inArray(faqClusterMembers.clusterId, big))
    .orderBy(asc(questions.createdAt), asc(questions.id));
  const byCluster = new Map<string, typeof rows>();
  for (const r of rows) {
    let list = byCluster.get(r.clusterId);
    if (!list) byCluster.set(r.clusterId, (list = []));
    list.push(r);
  }
  if (!byCluster.size) return [];
  const clusters = await db.select().from(faqClusters).where(inArray(faqClusters.id, [...byCluster.keys()]));
  const out: ClusterSummary[] = clusters.map((c) => {
    const members = byCluster.get(c.id)!.map((r) => ({
      id: r.questionId,
      title: r.title,
      createdAt: r.createdAt,
      asker: r.askerId ?? r.contactEmail.toLowerCase(),
      answered: r.firstRepliedAt !== null || ANSWERED.includes(r.status),
    }));
    return {
      id: c.id,
      questionIds: members.map((m) => m.id),
      size: members.length,
      askers: new Set(members.map((m) => m.asker)).size,
      candidate: isCandidate({ status: c.status, rejectedSize: c.rejectedSize, members }, settings, now),
      title: clearestTitle(members.slice(-TITLE_SAMPLE).map((m) => m.title), lexicon),
      status: c.status,
      answered: members.filter((m) => m.answered).length,
      lastAskedAt: members.at(-1)!.createdAt,
    };
  });
  return out.sort((a, b) => Number(b.candidate) - Number(a.candidate) || b.size - a.size || b.lastAskedAt.getTime() - a.lastAskedAt.getTime());
}
