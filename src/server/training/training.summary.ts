import type { Db } from '../../../db/client.ts';
import { feedbackSummaryForSession } from '../feedback/feedback.results.ts';

/**
 * What the summary report (培训总结报告书) shows of the feedback forms
 * (培训效果评估表) of one training: the full results, chart included, are on
 * the training's feedback page; the one-page report carries the figures.
 */
export interface SessionFeedbackSummary {
  /** Forms filled in, over all stages (首日, 阶段, 结业). */
  responses: number;
  /** The trainer's score (讲师总得分, sum × 100 / 91), averaged; null without responses. */
  averageScore: number | null;
  /** "其他意见", newest first. */
  comments: string[];
}

/** The feedback figures of a training for its summary report; null while no form was opened. */
export async function feedbackForSummary({ db, sessionId }: { db: Db; sessionId: string }): Promise<SessionFeedbackSummary | null> {
  const { forms, overall } = await feedbackSummaryForSession({ db, sessionId });
  if (forms.length === 0) return null;
  const comments = [...overall.comments].sort((a, b) => b.submittedAt.getTime() - a.submittedAt.getTime()).map((c) => c.text);
  return { responses: overall.count, averageScore: overall.score, comments };
}
