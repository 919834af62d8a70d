import { t } from '../../i18n/t.ts';
import { barChartSvg } from '../shared/charts.ts';
import { formatDateTimeZh } from '../shared/time.ts';
import { percent, r1, type Cell, type ReportSection } from './reports.model.ts';
import { complaintList, complaintTotals, ratingComments, ratingDistribution, ratingsByEngineer, ratingsByTier, ratingTotals, workload } from './reports.people.queries.ts';
import { escalationsByTier } from './reports.questions.queries.ts';
import { figure, listed, table, tierLabel, type SectionInput } from './reports.sections.ts';
import { coursewareDownloadCounts, deflectionCount, faqPromotions, repeatedQuestions, searchCounts, searchTotals, topSearches, trainingFigures, videoViewCounts } from './reports.usage.queries.ts';

const cut = <T>(rows: T[], limit: number | null) => (limit === null ? rows : rows.slice(0, limit));
const ratingCols = ['reports.col.ratings', 'reports.col.overall', 'reports.col.attitude', 'reports.col.business', 'reports.col.technical'];

export async function escalationsSection(i: SectionInput): Promise<ReportSection> {
  const [cur, prev] = await Promise.all([escalationsByTier(i.current), escalationsByTier(i.previous)]);
  const tiers = [...new Set([2, 3, ...cur.map((r) => r.tier), ...prev.map((r) => r.tier)])].sort((a, b) => (a ?? 9) - (b ?? 9));
  const n = (list: typeof cur, tier: number | null) => list.find((r) => r.tier === tier)?.n ?? 0;
  return {
    id: 'escalations',
    title: t('reports.section.escalations'),
    figures: [],
    charts: [],
    tables: [
      table(
        'escalations',
        'reports.table.escalations',
        ['reports.col.tier', 'reports.col.current', 'reports.col.previous'],
        tiers.map((tier) => [tierLabel(tier), n(cur, tier), n(prev, tier)]),
        { note: t('reports.note.escalations') },
      ),
    ],
  };
}

export async function satisfactionSection(i: SectionInput): Promise<ReportSection> {
  const [totals, prev, dist, tiers, tiersPrev, engineers, engineersPrev, comments] = await Promise.all([
    ratingTotals(i.current),
    ratingTotals(i.previous),
    ratingDistribution(i.current),
    ratingsByTier(i.current),
    ratingsByTier(i.previous),
    ratingsByEngineer(i.current),
    ratingsByEngineer(i.previous),
    ratingComments(i.current, i.listLimit),
  ]);
  const avg = (r: { ratings: number; overall: number | null; attitude: number | null; business: number | null; technical: number | null }): Cell[] => [
    r.ratings,
    r1(r.overall),
    r1(r.attitude),
    r1(r.business),
    r1(r.technical),
  ];
  const chart = barChartSvg({
    id: 'chart-ratings',
    title: t('reports.chart.ratings'),
    description: t('reports.chart.ratingsDesc', { total: totals.ratings, parts: dist.map((d) => `${d.score} 分 ${d.n} 条`).join('，') }),
    bars: dist.map((d) => ({ label: `${d.score} 分`, value: d.n })),
  });
  const tz = i.current.timeZone;
  const commentRows: Cell[][] = comments.map((c) => [c.number, c.overall, c.comment ?? '', c.engineer ?? t('reports.none'), formatDateTimeZh(c.at, tz)]);
  return {
    id: 'satisfaction',
    title: t('reports.section.satisfaction'),
    figures: [
      figure('reports.fig.satisfaction', r1(totals.overall), r1(prev.overall), 'reports.unit.score', true),
      figure('reports.fig.satisfiedShare', percent(totals.satisfied, totals.ratings), percent(prev.satisfied, prev.ratings), 'reports.unit.percent', true),
    ],
    charts: [{ svg: chart }],
    tables: [
      table(
        'ratings',
        'reports.table.ratingScores',
        ['reports.col.score', 'reports.col.count'],
        dist.map((d) => [`${d.score} 分`, d.n]),
        { note: t('reports.note.ratings') },
      ),
      table(
        'ratings-tiers',
        'reports.table.ratingTiers',
        ['reports.col.tier', ...ratingCols, 'reports.col.ratingsPrevious', 'reports.col.overallPrevious'],
        tiers.map((r) => {
          const p = tiersPrev.find((x) => x.tier === r.tier);
          return [tierLabel(r.tier), ...avg(r), p?.ratings ?? 0, r1(p?.overall)];
        }),
      ),
      table(
        'ratings-engineers',
        'reports.table.ratingEngineers',
        ['reports.col.engineer', 'reports.col.tier', ...ratingCols, 'reports.col.ratingsPrevious', 'reports.col.overallPrevious'],
        engineers.map((r) => {
          const p = engineersPrev.find((x) => x.id === r.id);
          return [r.engineer, tierLabel(r.tier), ...avg(r), p?.ratings ?? 0, r1(p?.overall)];
        }),
      ),
      table('comments', 'reports.table.comments', ['reports.col.number', 'reports.col.score', 'reports.col.comment', 'reports.col.engineer', 'reports.col.at'], commentRows),
    ],
  };
}

export async function workloadSection(i: SectionInput): Promise<ReportSection> {
  const [rows, before] = await Promise.all([workload(i.current), workload(i.previous)]);
  return {
    id: 'workload',
    title: t('reports.section.workload'),
    figures: [],
    charts: [],
    tables: [
      table(
        'workload',
        'reports.table.workload',
        ['reports.col.engineer', 'reports.col.tier', 'reports.col.assigned', 'reports.col.replies', 'reports.col.resolved', 'reports.col.assignedPrevious', 'reports.col.resolvedPrevious'],
        rows.map((r) => {
          const p = before.find((x) => x.id === r.id);
          return [r.name, tierLabel(r.tier), r.assigned, r.replies, r.resolved, p?.assigned ?? 0, p?.resolved ?? 0];
        }),
        { note: t('reports.note.workload') },
      ),
    ],
  };
}

export async function complaintsSection(i: SectionInput): Promise<ReportSection> {
  const [cur, prev, list] = await Promise.all([complaintTotals(i.current), complaintTotals(i.previous), complaintList(i.current, i.listLimit)]);
  const tz = i.current.timeZone;
  const rows: Cell[][] = list.map((c) => [c.number, c.body, c.status === 'open' ? t('reports.value.complaintOpen') : t('reports.value.complaintAnswered'), formatDateTimeZh(c.at, tz)]);
  return {
    id: 'complaints',
    title: t('reports.section.complaints'),
    figures: [figure('reports.fig.complaints', cur.made, prev.made, '', false)],
    charts: [],
    tables: [table('complaints', 'reports.table.complaints', ['reports.col.number', 'reports.col.complaint', 'reports.col.status', 'reports.col.at'], rows, listed(i.listLimit, rows, cur.made))],
  };
}

export async function selfServiceSection(i: SectionInput): Promise<ReportSection> {
  const [cur, prev, dCur, dPrev, top, empty] = await Promise.all([
    searchTotals(i.current),
    searchTotals(i.previous),
    deflectionCount(i.current),
    deflectionCount(i.previous),
    topSearches(i.current, { empty: false, limit: i.listLimit }),
    topSearches(i.current, { empty: true, limit: i.listLimit }),
  ]);
  const before = await searchCounts(i.previous, [...new Set([...top, ...empty].map((q) => q.query))]);
  const queryRows = (list: typeof top): Cell[][] => list.map((q) => [q.query, q.searches, q.clicks, percent(q.clicks, q.searches), before.get(q.query) ?? 0]);
  const cols = ['reports.col.query', 'reports.col.searches', 'reports.col.clicks', 'reports.col.clickRate', 'reports.col.searchesPrevious'];
  return {
    id: 'selfService',
    title: t('reports.section.selfService'),
    figures: [
      figure('reports.fig.searches', cur.searches, prev.searches, '', null),
      figure('reports.fig.emptySearches', cur.empty, prev.empty, '', false),
      figure('reports.fig.clickThrough', percent(cur.clicked, cur.searches), percent(prev.clicked, prev.searches), 'reports.unit.percent', true),
      figure('reports.fig.deflections', dCur, dPrev, '', true),
    ],
    charts: [],
    tables: [
      table('searches', 'reports.table.topSearches', cols, queryRows(top), { note: t('reports.note.selfService') }),
      table('searches-empty', 'reports.table.emptySearches', cols, queryRows(empty)),
    ],
  };
}

export async function learningSection(i: SectionInput): Promise<ReportSection> {
  const [downloads, downloadsPrev, videos, videosPrev, trainings] = await Promise.all([
    coursewareDownloadCounts(i.current),
    coursewareDownloadCounts(i.previous),
    videoViewCounts(i.current),
    videoViewCounts(i.previous),
    trainingFigures(i.current),
  ]);
  return {
    id: 'learning',
    title: t('reports.section.learning'),
    figures: [],
    charts: [],
    tables: [
      table(
        'downloads',
        'reports.table.downloads',
        ['reports.col.course', 'reports.col.version', 'reports.col.downloads', 'reports.col.downloadsPrevious'],
        cut(downloads, i.listLimit).map((d) => [d.slug, d.version, d.n, downloadsPrev.find((p) => p.slug === d.slug && p.version === d.version)?.n ?? 0]),
      ),
      table(
        'videos',
        'reports.table.videos',
        ['reports.col.video', 'reports.col.views', 'reports.col.completed', 'reports.col.watchedHours', 'reports.col.viewsPrevious'],
        cut(videos, i.listLimit).map((v) => [v.slug, v.views, v.completed, r1(v.hours), videosPrev.find((p) => p.slug === v.slug)?.views ?? 0]),
      ),
      table(
        'trainings',
        'reports.table.trainings',
        ['reports.col.training', 'reports.col.lessons', 'reports.col.attendees', 'reports.col.assessed', 'reports.col.passed', 'reports.col.responses', 'reports.col.feedbackScore'],
        trainings.map((x) => [x.title, x.lessons, x.attendees, x.assessed, x.passed, x.responses, r1(x.score)]),
        { note: t('reports.note.trainings') },
      ),
    ],
  };
}

export async function faqSection(i: SectionInput): Promise<ReportSection> {
  const [rows, repeated] = await Promise.all([faqPromotions(i.current), repeatedQuestions(i.current, i.listLimit)]);
  const tz = i.current.timeZone;
  const state = (r: { status: string; slug: string | null }) => (r.status === 'published' && r.slug ? `/faq/${r.slug}` : t(`reports.value.cluster.${r.status === 'rejected' ? 'rejected' : 'open'}`));
  return {
    id: 'faq',
    title: t('reports.section.faq'),
    figures: [],
    charts: [],
    tables: [
      table('repeated', 'reports.table.repeated', ['reports.col.sample', 'reports.col.asked', 'reports.col.faqState'], repeated.map((r) => [r.title, r.n, state(r)]), { note: t('reports.note.repeated') }),
      table('faq', 'reports.table.faq', ['reports.col.faqSlug', 'reports.col.questions', 'reports.col.publishedAt'], rows.map((r) => [r.slug ? `/faq/${r.slug}` : t('reports.none'), r.questions, formatDateTimeZh(r.at, tz)])),
    ],
  };
}
