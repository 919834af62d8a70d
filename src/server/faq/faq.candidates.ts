/**
 * When a cluster becomes an FAQ candidate, and which of its titles is the
 * clearest. Pure.
 */
import type { FaqClusterStatus } from '../../../db/schema/index.ts';
import type { FaqSettings } from './faq.config.ts';
import { compare, createModel, learn, vectorize } from './similarity.ts';
import { analyze, type PreparedLexicon } from './similarity.text.ts';

const DAY = 86_400_000;
/** A rejected cluster comes back once it has grown by this many questions. */
export const REJECTED_REGROWTH = 3;

export interface CandidateMember {
  createdAt: Date;
  /** The asker's account id, or the contact address of an anonymous asker. */
  asker: string;
  answered: boolean;
}

/**
 * ≥ `faqCandidateMinQuestions` questions from ≥ `faqCandidateMinAskers`
 * distinct askers within the last `faqCandidateWindowDays` days, at least
 * `faqCandidateMinAnswered` of them answered; a published cluster never, a
 * rejected one only once it has grown by 3 since.
 */
export function isCandidate(
  cluster: { status: FaqClusterStatus; rejectedSize: number | null; members: CandidateMember[] },
  settings: FaqSettings,
  now: Date,
): boolean {
  if (cluster.status === 'published') return false;
  if (cluster.status === 'rejected' && cluster.members.length < (cluster.rejectedSize ?? 0) + REJECTED_REGROWTH) return false;
  const since = now.getTime() - settings.faqCandidateWindowDays * DAY;
  const recent = cluster.members.filter((m) => m.createdAt.getTime() >= since);
  if (recent.length < settings.faqCandidateMinQuestions) return false;
  if (new Set(recent.map((m) => m.asker)).size < settings.faqCandidateMinAskers) return false;
  return recent.filter((m) => m.answered).length >= settings.faqCandidateMinAnswered;
}

/**
 * The clearest title: the one most like all the others (the medoid), shorter
 * first on a tie, so a cluster reads as its typical question.
 */
export function clearestTitle(titles: string[], lexicon: PreparedLexicon): string {
  if (titles.length <= 2) return [...titles].sort((a, b) => a.length - b.length)[0] ?? '';
  const model = createModel(lexicon);
  const analyses = titles.map((t) => analyze(t, lexicon));
  for (const a of analyses) learn(model, a);
  const vectors = analyses.map((a) => vectorize(model, a));
  let best = 0;
  let bestScore = -1;
  vectors.forEach((v, i) => {
    let sum = 0;
    vectors.forEach((w, j) => {
      if (i !== j) sum += compare(v, w, { explain: false }).score;
    });
    if (sum > bestScore + 1e-9 || (Math.abs(sum - bestScore) <= 1e-9 && titles[i]!.length < titles[best]!.length)) {
      best = i;
      bestScore = sum;
    }
  });
  return titles[best]!;
}
