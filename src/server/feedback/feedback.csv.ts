import { t } from '../../i18n/t.ts';
import { formatDateTimeZh } from '../shared/time.ts';
import { itemNumbers, oneDecimal } from './feedback.items.ts';
import type { FeedbackFormView, FeedbackResponseRow } from './feedback.queries.ts';

/**
 * A cell as Excel reads it safely: quoted when it holds a comma, quote or line
 * break, and a text starting with = + - @ (or a tab or carriage return) is
 * prefixed with ' so Excel shows it instead of running it as a formula.
 */
export function csvCell(value: string | number): string {
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

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
  return `\uFEFF${[header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** The download's name: 培训效果评估-<training>-<stage>.csv. */
export function feedbackCsvName(form: Pick<FeedbackFormView, 'trainingTitle' | 'stage'>): string {
  const title = form.trainingTitle.replace(/[\\/:*?"<>|\r\n]/g, '_').slice(0, 60);
  return t('feedback.csv.fileName', { training: title, stage: t(`feedback.stage.${form.stage}`) });
}
