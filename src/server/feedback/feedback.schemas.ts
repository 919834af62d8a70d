import { z } from 'zod';
import { t } from '../../i18n/t.ts';
import { createValidationError } from '../shared/errors.ts';
import { isUuid } from '../shared/ids.ts';
import { parseLocalDateTime } from '../shared/time.ts';
import { feedbackStages, itemNumbers, RATING_MAX, RATING_MIN, type FeedbackStage } from './feedback.items.ts';

export const NAME_MAX = 50;
export const COMMENTS_MAX = 2000;
export const LINKS_MAX = 200;

/** The form's field of item `n`. */
export const ratingField = (n: number) => `r${n}`;

/** What one filled-in form says, checked. */
export interface FeedbackAnswer {
  ratings: number[];
  name: string;
  comments: string;
}

const rating = (n: number) =>
  z.coerce
    .number({ error: t('feedback.error.rating', { n }) })
    .int(t('feedback.error.rating', { n }))
    .min(RATING_MIN, t('feedback.error.rating', { n }))
    .max(RATING_MAX, t('feedback.error.rating', { n }));

const answerSchema = z.strictObject({
  ratings: z.tuple(itemNumbers.map((n) => rating(n)) as [ReturnType<typeof rating>, ...ReturnType<typeof rating>[]]),
  name: z.string().trim().max(NAME_MAX, t('feedback.error.name')),
  comments: z.string().trim().max(COMMENTS_MAX, t('feedback.error.comments')),
});

/**
 * A posted form (`r1`…`r13`, `name`, `comments`) as an answer; every item is
 * required. A refusal names each missing item in `fields` (`r<n>`) and says
 * how many are missing.
 */
export function parseFeedbackAnswer(form: Record<string, string>): FeedbackAnswer {
  const input = { ratings: itemNumbers.map((n) => (form[ratingField(n)] ?? '').trim() || undefined), name: form.name ?? '', comments: form.comments ?? '' };
  const parsed = answerSchema.safeParse(input);
  if (parsed.success) return { ratings: [...parsed.data.ratings], name: parsed.data.name, comments: parsed.data.comments };
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const [head, index] = issue.path;
    const key = head === 'ratings' && typeof index === 'number' ? ratingField(index + 1) : String(head ?? 'form');
    fields[key] ??= issue.message;
  }
  const missing = itemNumbers.filter((n) => fields[ratingField(n)]).length;
  throw createValidationError(fields, missing ? t('feedback.error.missing', { count: missing }) : undefined);
}

/** What the trainer chose when opening a form, checked. */
export interface FormOpening {
  stage: FeedbackStage;
  lessonId: string | null;
  trainerId: string;
  opensAt: Date | null;
  closesAt: Date | null;
}

/**
 * The "open a form" fields: the stage, a lesson of this training (or none),
 * the trainer (default the training's), when it opens (default now) and
 * closes (default when closed by hand), as local times in `timeZone`.
 */
export function parseFormOpening(
  form: Record<string, string>,
  { lessonIds, trainerIds, defaultTrainerId, timeZone }: { lessonIds: string[]; trainerIds: string[]; defaultTrainerId: string; timeZone: string },
): FormOpening {
  const fields: Record<string, string> = {};
  const stage = feedbackStages.find((s) => s === form.stage);
  if (!stage) fields.stage = t('feedback.error.stage');
  const lessonId = form.lessonId || null;
  if (lessonId && !(isUuid(lessonId) && lessonIds.includes(lessonId))) fields.lessonId = t('feedback.error.lesson');
  const trainerId = form.trainerId || defaultTrainerId;
  if (!(isUuid(trainerId) && (trainerIds.includes(trainerId) || trainerId === defaultTrainerId))) fields.trainerId = t('feedback.error.trainer');
  const time = (key: 'opensAt' | 'closesAt') => {
    const raw = (form[key] ?? '').trim();
    if (!raw) return null;
    const at = parseLocalDateTime(raw, timeZone);
    if (!at) fields[key] = t('feedback.error.time');
    return at;
  };
  const opensAt = time('opensAt');
  const closesAt = time('closesAt');
  if (opensAt && closesAt && closesAt <= opensAt) fields.closesAt = t('feedback.error.closeBeforeOpen');
  if (Object.keys(fields).length || !stage) throw createValidationError(fields);
  return { stage, lessonId, trainerId, opensAt, closesAt };
}

/** How many single-use links to make at once: 1–200. */
export function parseLinkCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > LINKS_MAX) throw createValidationError({ count: t('feedback.error.count') });
  return n;
}
