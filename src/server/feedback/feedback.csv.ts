import { t } from '../../i18n/t.ts';
import { csvDocument } from '../shared/csv.ts';
import { formatDateTimeZh } from '../shared/time.ts';
import { itemNumbers, oneDecimal } from './feedback.items.ts';
import type { FeedbackFormView, FeedbackResponseRow } from './feedback.queries.ts';

/**
 * One form's responses as CSV that Excel opens in Chinese: UTF-8 with a BOM,
 * CRLF line ends, a header row, one row per response (the time, the 13
 * ratings, the score, the name, the comments).
 */
export function feedbackCsv({ responses, timeZone }: { responses: FeedbackResponseRow[]; timeZone: string }): string {
  const header = [
    t('feedback.csv.submittedAt'),
    ...itemNumbers.map((n) => t('feedback.csv.item', { n, text: t(`feedback.item.${n}` as 'feedback.item.1') })),
    t('feedback.csv.score'),
    t('feedback.csv.name'),
    t('feedback.csv.comments'),
  ];
  const rows = responses.map((r) => [formatDateTimeZh(r.submittedAt, timeZone), ...r.ratings, oneDecimal(r.score).toFixed(1), r.name, r.comments]);
  return csvDocument([header, ...rows]);
}

/** The download's name: 培训效果评估-<training>-<stage>.csv. */
export function feedbackCsvName(form: Pick<FeedbackFormView, 'trainingTitle' | 'stage'>): string {
  const title = form.trainingTitle.replace(/[\\/:*?"<>|\r\n]/g, '_').slice(0, 60);
  return t('feedback.csv.fileName', { training: title, stage: t(`feedback.stage.${form.stage}`) });
}
