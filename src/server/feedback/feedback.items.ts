/**
 * The training feedback form (培训效果评估表) of the service commitments:
 * 13 items rated 1 (差) … 4 (中) … 7 (好), the score, and the three areas
 * low scores are acted on in. Pure: no database here.
 */

export const ITEM_COUNT = 13;
export const RATING_MIN = 1;
export const RATING_MAX = 7;
/** The item numbers, 1–13, in the commitments' order (their wording: `feedback.item.<n>`). */
export const itemNumbers = Array.from({ length: ITEM_COUNT }, (_, i) => i + 1);

export const feedbackStages = ['first_day', 'daily', 'final'] as const;
export type FeedbackStage = (typeof feedbackStages)[number];

/** Which items point at which area to improve: trainer performance, content, the rest (logistics: item 13 and the comments). */
export const feedbackAreas = {
  trainer: [2, 3, 4, 6, 11],
  content: [1, 5, 7, 8, 9, 10, 12],
  other: [13],
} as const;
export type FeedbackArea = keyof typeof feedbackAreas;
export const areaNames = Object.keys(feedbackAreas) as FeedbackArea[];

/** An item average under this (中) is marked low. */
export const LOW_BELOW = 4;

/** One form's score: the sum of its 13 ratings × 100 / 91 (91 = 13 × 7, so all 7s make 100). */
export function feedbackScore(ratings: readonly number[]): number {
  if (ratings.length !== ITEM_COUNT || ratings.some((r) => !Number.isInteger(r) || r < RATING_MIN || r > RATING_MAX)) {
    throw new RangeError(`a feedback form has ${ITEM_COUNT} ratings of ${RATING_MIN}–${RATING_MAX}`);
  }
  const sum = ratings.reduce((a, b) => a + b, 0);
  return (sum * 100) / (ITEM_COUNT * RATING_MAX);
}

/** Scores and averages are shown with one decimal. */
export const oneDecimal = (n: number) => Math.round(n * 10) / 10;

/** The score ranges of the distribution chart. */
export const scoreBuckets = [
  { label: '60 以下', min: 0, below: 60 },
  { label: '60–69', min: 60, below: 70 },
  { label: '70–79', min: 70, below: 80 },
  { label: '80–89', min: 80, below: 90 },
  { label: '90–100', min: 90, below: Infinity },
] as const;

/** The range a score falls in (the score as shown, with one decimal: 89.96 counts as 90). */
export function bucketOf(score: number): number {
  const shown = oneDecimal(score);
  return scoreBuckets.findIndex((b) => shown >= b.min && shown < b.below);
}
