/**
 * What a reviewer sees of one cluster at /admin/faq/<id>: its questions with
 * why each matched (score and shared terms), the best-rated answer, and a
 * draft FAQ prefilled from the clearest title and that answer.
 */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { pinyin } from 'pinyin-pro';
import type { Db } from '../../../db/client.ts';
import { faqClusterMembers, faqClusters, questionEvents, questionRatings, questions, units, type FaqClusterStatus, type FaqSharedTerm, type QuestionStatus } from '../../../db/schema/index.ts';
import { understandQuery } from '../search/search.understand.ts';
import { clearestTitle } from './faq.candidates.ts';
import { createFaqClusterNotFoundError } from './faq.errors.ts';
import type { PreparedLexicon } from './similarity.text.ts';

export interface ReviewQuestion {
  id: string;
  number: string;
  title: string;
  body: string;
  status: QuestionStatus;
  createdAt: Date;
  unit: string | null;
  /** The earlier question it matched best when it joined, and how well. */
  matchedNumber: string | null;
  score: number | null;
  shared: FaqSharedTerm[];
}

export interface BestAnswer {
  body: string;
  questionNumber: string;
  /** The asker's overall rating (1–5) of this answer, when rated. */
  rating: number | null;
}

export interface ClusterReview {
  id: string;
  status: FaqClusterStatus;
  faqSlug: string | null;
  questions: ReviewQuestion[];
  best: BestAnswer | null;
  draft: { title: string; body: string; tags: string[] };
}

/** The cluster, its questions oldest first, the best answer (best rated, then newest), and the draft. */
export async function clusterReview({ db, lexicon, clusterId }: { db: Db; lexicon: PreparedLexicon; clusterId: string }): Promise<ClusterReview> {
  const [cluster] = await db.select().from(faqClusters).where(eq(faqClusters.id, clusterId));
  if (!cluster) throw createFaqClusterNotFoundError();
  const rows = await db
    .select({
      id: questions.id,
      number: questions.number,
      title: questions.title,
      body: questions.body,
      status: questions.status,
      createdAt: questions.createdAt,
      unit: units.name,
      matchedQuestionId: faqClusterMembers.matchedQuestionId,
      score: faqClusterMembers.score,
      shared: faqClusterMembers.shared,
    })
    .from(faqClusterMembers)
    .innerJoin(questions, eq(questions.id, faqClusterMembers.questionId))
    .leftJoin(units, eq(units.id, questions.unitId))
    .where(eq(faqClusterMembers.clusterId, clusterId))
    .orderBy(asc(questions.createdAt), asc(questions.id));
  const ids = rows.map((r) => r.id);
  const matched = rows.map((r) => r.matchedQuestionId).filter((v): v is string => v !== null);
  const numbers = new Map(
    matched.length ? (await db.select({ id: questions.id, number: questions.number }).from(questions).where(inArray(questions.id, matched))).map((r) => [r.id, r.number]) : [],
  );
  const [answer] = ids.length
    ? await db
        .select({ body: questionEvents.body, questionNumber: questions.number, rating: questionRatings.overall })
        .from(questionEvents)
        .innerJoin(questions, eq(questions.id, questionEvents.questionId))
        .leftJoin(questionRatings, eq(questionRatings.replyEventId, questionEvents.id))
        .where(and(inArray(questionEvents.questionId, ids), eq(questionEvents.kind, 'replied'), eq(questionEvents.internal, false)))
        .orderBy(sql`${questionRatings.overall} desc nulls last`, desc(questionEvents.createdAt))
        .limit(1)
    : [];
  const list: ReviewQuestion[] = rows.map((r) => ({
    id: r.id,
    number: r.number,
    title: r.title,
    body: r.body,
    status: r.status,
    createdAt: r.createdAt,
    unit: r.unit,
    matchedNumber: r.matchedQuestionId ? (numbers.get(r.matchedQuestionId) ?? null) : null,
    score: r.score,
    shared: r.shared ?? [],
  }));
  const best = answer?.body ? { body: answer.body, questionNumber: answer.questionNumber, rating: answer.rating } : null;
  return { id: cluster.id, status: cluster.status, faqSlug: cluster.faqSlug, questions: list, best, draft: draftOf(list, best, lexicon) };
}

/** The draft: the cluster's clearest title as the question, the best answer as the answer, the most shared terms as tags. */
function draftOf(list: ReviewQuestion[], best: BestAnswer | null, lexicon: PreparedLexicon): ClusterReview['draft'] {
  const weights = new Map<string, number>();
  for (const q of list) for (const s of q.shared) if (s.term.length >= 2) weights.set(s.term, (weights.get(s.term) ?? 0) + s.weight);
  const tags = [...weights].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([term]) => term);
  return { title: clearestTitle(list.map((q) => q.title), lexicon), body: best?.body ?? '', tags };
}

/** The FAQ a question's cluster was published as, for its tracking page; null when it was not. */
export async function publishedFaqOf({ db, questionId }: { db: Db; questionId: string }): Promise<string | null> {
  const [row] = await db
    .select({ slug: faqClusters.faqSlug })
    .from(faqClusterMembers)
    .innerJoin(faqClusters, eq(faqClusters.id, faqClusterMembers.clusterId))
    .where(and(eq(faqClusterMembers.questionId, questionId), eq(faqClusters.status, 'published')));
  return row?.slug ?? null;
}

const words = new Intl.Segmenter('zh-CN', { granularity: 'word' });
/** Single-character function words left out of an address name. */
const PARTICLES = new Set(['的', '了', '吗', '呢', '吧', '啊', '和', '与', '及', '或', '在', '是', '把', '被']);

/**
 * An address name for a new FAQ entry from its title: each word of its topic
 * (asking words and particles dropped) in pinyin (信用修复怎么申请 →
 * xinyong-xiufu-shenqing), at most 55 characters,
 * with -2, -3… when `taken` says the name is in use.
 */
export function suggestSlug(title: string, taken: (slug: string) => boolean): string {
  const parts: string[] = [];
  for (const { segment, isWordLike } of words.segment(understandQuery(title).topic)) {
    if (!isWordLike || PARTICLES.has(segment)) continue;
    const latin = pinyin(segment, { toneType: 'none', type: 'array', nonZh: 'consecutive', v: true })
      .join('')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '');
    if (latin) parts.push(latin);
  }
  let base = '';
  for (const p of parts) {
    const next = base ? `${base}-${p}` : p;
    if (next.length > 55) break;
    base = next;
  }
  if (base.length < 2) base = 'faq';
  let slug = base;
  for (let n = 2; taken(slug); n++) slug = `${base}-${n}`;
  return slug;
}
