import { t } from '../../i18n/t.ts';
import { surveyAnswers, surveyTotals } from '../surveys/surveys.queries.ts';
import { percent, r1, type Cell, type ReportSection } from './reports.model.ts';
import type { ReportPeriod } from './reports.period.ts';
import { figure, listed, table, type SectionInput } from './reports.sections.ts';

/** A survey is about a month: a report counts those of the months its days fall in. */
const months = (p: ReportPeriod) => ({ first: p.firstDay.slice(0, 7), last: p.lastDay.slice(0, 7) });

/** 用户服务质量调查: how many units were asked and answered, the averages, and each unit's answer. */
export async function surveySection(i: SectionInput): Promise<ReportSection> {
  const db = i.current.db;
  const [cur, prev, answers] = await Promise.all([
    surveyTotals({ db, ...months(i.period) }),
    surveyTotals({ db, ...months(i.previousPeriod) }),
    surveyAnswers({ db, ...months(i.period), limit: i.listLimit }),
  ]);
  const rows: Cell[][] = answers.map((a) => [a.period, a.unit, a.overall, a.attitude, a.business, a.technical, a.improve ?? '', a.respondent ?? '']);
  const dims = ['overall', 'attitude', 'business', 'technical'] as const;
  return {
    id: 'survey',
    title: t('reports.section.survey'),
    figures: [
      figure('reports.fig.surveySent', cur.sent, prev.sent, '', null),
      figure('reports.fig.surveyAnswered', cur.answered, prev.answered, '', true),
      figure('reports.fig.surveyRate', percent(cur.answered, cur.sent), percent(prev.answered, prev.sent), 'reports.unit.percent', true),
      figure('reports.fig.surveyOverall', r1(cur.overall), r1(prev.overall), 'reports.unit.score', true),
    ],
    charts: [],
    tables: [
      table(
        'survey',
        'reports.table.surveyDimensions',
        ['reports.col.dimension', 'reports.col.current', 'reports.col.previous'],
        dims.map((d) => [t(`survey.${d}`), r1(cur[d]), r1(prev[d])]),
      ),
      table(
        'survey-units',
        'reports.table.surveyUnits',
        ['reports.col.month', 'reports.col.unit', 'reports.col.overall', 'reports.col.attitude', 'reports.col.business', 'reports.col.technical', 'reports.col.improve', 'reports.col.respondent'],
        rows,
        { note: t('reports.note.survey'), ...listed(i.listLimit, rows, cur.answered) },
      ),
    ],
  };
}
