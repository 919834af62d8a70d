import type { DbOrTx } from '../../../db/client.ts';
import { t } from '../../i18n/t.ts';
import { barChartSvg } from '../shared/charts.ts';
import { areaNames, bucketOf, feedbackAreas, itemNumbers, LOW_BELOW, oneDecimal, scoreBuckets, type FeedbackArea } from './feedback.items.ts';
import { formsOfSession, formsOfTrainer, responsesOf, type FeedbackFormView, type FeedbackResponseRow } from './feedback.queries.ts';

/** The figures of a set of responses (one form, a training, a trainer). */
export interface FeedbackFigures {
  count: number;
  /** 讲师总得分: the average of the forms' scores, one decimal; null without responses. */
  score: number | null;
  /** Average rating per item (one decimal); `low` when under 4 (中). */
  items: { n: number; average: number | null; low: boolean }[];
  /** Average rating of each area's items (one decimal). */
  areas: { area: FeedbackArea; items: readonly number[]; average: number | null; low: boolean }[];
  /** How many forms scored in each range of `scoreBuckets`. */
  distribution: { label: string; count: number }[];
  /** Every non-empty 其他意见, in the order they came in. */
  comments: { name: string; text: string; submittedAt: Date }[];
}

export interface FeedbackSummary {
  forms: { form: FeedbackFormView; figures: FeedbackFigures }[];
  overall: FeedbackFigures;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/** Counts, averages, the score distribution and the comments of some responses. Pure. */
export function summarizeResponses(responses: Pick<FeedbackResponseRow, 'ratings' | 'score' | 'name' | 'comments' | 'submittedAt'>[]): FeedbackFigures {
  const ratingOf = (n: number) => responses.map((r) => r.ratings[n - 1]!).filter((x) => typeof x === 'number');
  const items = itemNumbers.map((n) => {
    const avg = mean(ratingOf(n));
    return { n, average: avg === null ? null : oneDecimal(avg), low: avg !== null && avg < LOW_BELOW };
  });
  const areas = areaNames.map((area) => {
    const avg = mean(feedbackAreas[area].flatMap((n) => ratingOf(n)));
    return { area, items: feedbackAreas[area], average: avg === null ? null : oneDecimal(avg), low: avg !== null && avg < LOW_BELOW };
  });
  const distribution = scoreBuckets.map((b) => ({ label: b.label, count: 0 }));
  for (const r of responses) distribution[bucketOf(r.score)]!.count++;
  const score = mean(responses.map((r) => r.score));
  return {
    count: responses.length,
    score: score === null ? null : oneDecimal(score),
    items,
    areas,
    distribution,
    comments: responses.filter((r) => r.comments.trim()).map((r) => ({ name: r.name, text: r.comments, submittedAt: r.submittedAt })),
  };
}

async function summaryOf(db: DbOrTx, forms: FeedbackFormView[]): Promise<FeedbackSummary> {
  const responses = await responsesOf({ db, formIds: forms.map((f) => f.id) });
  return {
    forms: forms.map((form) => ({ form, figures: summarizeResponses(responses.filter((r) => r.formId === form.id)) })),
    overall: summarizeResponses(responses),
  };
}

/**
 * The feedback part of a training's summary report (培训总结报告书): each
 * form's figures and the whole training's. Render it with
 * `src/components/feedback/FeedbackSummary.astro`.
 */
export async function feedbackSummaryForSession({ db, sessionId }: { db: DbOrTx; sessionId: string }): Promise<FeedbackSummary> {
  return summaryOf(db, await formsOfSession({ db, sessionId }));
}

/** One trainer's forms across all trainings, and their figures together. */
export async function feedbackSummaryForTrainer({ db, trainerId }: { db: DbOrTx; trainerId: string }): Promise<FeedbackSummary> {
  return summaryOf(db, await formsOfTrainer({ db, trainerId }));
}

/** The score distribution as an SVG bar chart (`id` unique on the page). */
export function distributionChart(figures: FeedbackFigures, id: string): string {
  const parts = figures.distribution.map((d) => `${d.label} 分 ${d.count} 份`).join('，');
  return barChartSvg({
    id,
    title: t('feedback.results.chartTitle'),
    description: t('feedback.results.chartDesc', { count: figures.count, parts }),
    bars: figures.distribution.map((d) => ({ label: d.label, value: d.count })),
  });
}
