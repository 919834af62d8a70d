import { questionChannels, questionKinds, severities } from '../../../db/schema/index.ts';
import { t } from '../../i18n/t.ts';
import { barChartSvg, lineChartSvg } from '../shared/charts.ts';
import { addDays, formatDateTimeZh } from '../shared/time.ts';
import { compliance, percent, r1, type Cell, type Figure, type ReportSection, type ReportTable } from './reports.model.ts';
import type { ReportPeriod } from './reports.period.ts';
import { complaintTotals, ratingTotals } from './reports.people.queries.ts';
import {
  breachedQuestions,
  clocksByKindSeverity,
  countsBy,
  countsByUnit,
  dailyCounts,
  onSiteVisits,
  type ReportScope,
  type TimingRow,
} from './reports.questions.queries.ts';
import { deflectionCount, pageViews } from './reports.usage.queries.ts';

/** What every section builder gets: both periods' scopes, and whether lists are cut for the page (null: all rows, for CSV). */
export interface SectionInput {
  current: ReportScope;
  previous: ReportScope;
  period: ReportPeriod;
  previousPeriod: ReportPeriod;
  /** Longest list shown on the page; null for all rows (CSV export). */
  listLimit: number | null;
  /** An engineer's own report leaves out what is not theirs (units' self-service, training). */
  own: boolean;
  /** The current period's question totals and per-kind figures, computed once for the sections that show them. */
  timing: () => Promise<{ total: TimingRow; byKind: (TimingRow & { kind: string })[] }>;
  /** The same for the previous period. */
  previousTiming: () => Promise<{ total: TimingRow; byKind: (TimingRow & { kind: string })[] }>;
}

export const figure = (label: string, current: number | null, previous: number | null, unit: string, higherIsBetter: boolean | null): Figure => ({
  label: t(label as 'reports.fig.asked'),
  current,
  previous,
  unit: unit ? t(unit as 'reports.unit.hours') : '',
  higherIsBetter,
});

export const table = (id: string, title: string, columns: string[], rows: Cell[][], extra: Partial<ReportTable> = {}): ReportTable => ({
  id,
  title: t(title as 'reports.table.kinds'),
  columns: columns.map((c) => t(c as 'reports.col.kind')),
  rows,
  ...extra,
});

/** A list cut to the page's limit, saying so under the table; `total` counted by the caller. */
export const listed = (limit: number | null, rows: Cell[][], total: number): Partial<ReportTable> => (limit !== null && total > rows.length ? { shownRows: rows.length, note: t('reports.shown', { shown: rows.length, total }) } : {});

const kindLabel = (k: string) => t(`question.kind.${k}` as 'question.kind.fault');
const severityLabel = (s: string | null) => (s ? t(`question.severity.${s}` as 'question.severity.A') : t('reports.value.noSeverity'));
export const tierLabel = (tier: number | null) => (tier === null ? t('reports.value.noTier') : t('reports.value.tier', { tier }));

export async function overviewSection(i: SectionInput): Promise<ReportSection> {
  const [{ total: cur }, { total: prev }, rCur, rPrev, cCur, cPrev] = await Promise.all([
    i.timing(),
    i.previousTiming(),
    ratingTotals(i.current),
    ratingTotals(i.previous),
    complaintTotals(i.current),
    complaintTotals(i.previous),
  ]);
  const figures = [
    figure('reports.fig.asked', cur.asked, prev.asked, '', null),
    figure('reports.fig.resolved', cur.resolved, prev.resolved, '', true),
    figure('reports.fig.firstReplyMedian', r1(cur.firstReplyMedian), r1(prev.firstReplyMedian), 'reports.unit.hours', false),
    figure('reports.fig.firstReplyP90', r1(cur.firstReplyP90), r1(prev.firstReplyP90), 'reports.unit.hours', false),
    figure('reports.fig.resolveMedian', r1(cur.resolveMedian), r1(prev.resolveMedian), 'reports.unit.hours', false),
    figure('reports.fig.resolveP90', r1(cur.resolveP90), r1(prev.resolveP90), 'reports.unit.hours', false),
    figure('reports.fig.firstReplyCompliance', compliance(cur.firstReplyMet, cur.firstReplyBreached), compliance(prev.firstReplyMet, prev.firstReplyBreached), 'reports.unit.percent', true),
    figure('reports.fig.resolveCompliance', compliance(cur.resolveMet, cur.resolveBreached), compliance(prev.resolveMet, prev.resolveBreached), 'reports.unit.percent', true),
    figure('reports.fig.satisfaction', r1(rCur.overall), r1(rPrev.overall), 'reports.unit.score', true),
    figure('reports.fig.satisfiedShare', percent(rCur.satisfied, rCur.ratings), percent(rPrev.satisfied, rPrev.ratings), 'reports.unit.percent', true),
    figure('reports.fig.complaints', cCur.made, cPrev.made, '', false),
  ];
  if (!i.own) {
    const [vCur, vPrev, dCur, dPrev] = await Promise.all([pageViews(i.current), pageViews(i.previous), deflectionCount(i.current), deflectionCount(i.previous)]);
    figures.push(
      figure('reports.fig.pageViews', vCur, vPrev, '', true),
      figure('reports.fig.deflections', dCur, dPrev, '', true),
      figure('reports.fig.selfServiceRatio', cur.asked ? r1(vCur / cur.asked) : null, prev.asked ? r1(vPrev / prev.asked) : null, '', true),
    );
  }
  const days = await Promise.all([dailyCounts(i.current), dailyCounts(i.previous)]);
  const series = (p: ReportPeriod, counts: Map<string, number>) => {
    const out: { label: string; value: number }[] = [];
    for (let d = p.firstDay; d <= p.lastDay; d = addDays(d, 1)) out.push({ label: d.slice(5), value: counts.get(d) ?? 0 });
    return out;
  };
  const points = series(i.period, days[0]);
  const trend = lineChartSvg({
    id: 'chart-trend',
    title: t('reports.chart.trend'),
    description: t('reports.chart.trendDesc', { period: i.period.label, total: cur.asked, max: Math.max(0, ...points.map((p) => p.value)) }),
    points,
    compare: series(i.previousPeriod, days[1]),
  });
  const overview = table(
    'overview',
    'reports.table.overview',
    ['reports.col.figure', 'reports.col.current', 'reports.col.previous'],
    figures.map((f) => [`${f.label}${f.unit && f.unit !== '%' ? `（${f.unit}）` : f.unit === '%' ? '（%）' : ''}`, f.current, f.previous]),
    { note: t('reports.note.merged') },
  );
  return { id: 'overview', title: t('reports.section.overview'), figures, charts: [{ svg: trend }], tables: [overview] };
}

export async function volumeSection(i: SectionInput): Promise<ReportSection> {
  const [kinds, kindsPrev, sev, sevPrev, ch, chPrev, unitsCur, unitsPrev] = await Promise.all([
    countsBy(i.current, 'kind'),
    countsBy(i.previous, 'kind'),
    countsBy(i.current, 'severity'),
    countsBy(i.previous, 'severity'),
    countsBy(i.current, 'channel'),
    countsBy(i.previous, 'channel'),
    countsByUnit(i.current),
    countsByUnit(i.previous),
  ]);
  const n = (list: { key: string | null; n: number }[], key: string | null) => list.find((r) => r.key === key)?.n ?? 0;
  const kindRows = questionKinds.map((k) => [kindLabel(k), n(kinds, k), n(kindsPrev, k)]);
  // Severity is a fault's (故障级别): faults only; a fault not yet graded shows as 未定级.
  const sevRows = [...severities, null].map((s) => [severityLabel(s), n(sev, s), n(sevPrev, s)]);
  const chRows = questionChannels.map((c) => [t(`question.channel.${c}` as 'question.channel.web'), n(ch, c), n(chPrev, c)]);
  const prevByUnit = new Map(unitsPrev.map((u) => [u.unit, u.n]));
  const allUnitRows: Cell[][] = unitsCur.map((u) => [u.unit ?? t('reports.value.noUnit'), u.n, prevByUnit.get(u.unit) ?? 0]);
  const unitRows = i.listLimit === null ? allUnitRows : allUnitRows.slice(0, i.listLimit);
  const cols = ['reports.col.current', 'reports.col.previous'];
  const kindChart = barChartSvg({
    id: 'chart-kinds',
    title: t('reports.chart.kinds'),
    description: t('reports.chart.kindsDesc', { parts: kindRows.map((r) => `${r[0]} ${r[1]} 个`).join('，') }),
    bars: kindRows.map((r) => ({ label: String(r[0]), value: Number(r[1]) })),
  });
  return {
    id: 'volume',
    title: t('reports.section.volume'),
    figures: [],
    charts: [{ svg: kindChart }],
    tables: [
      table('kinds', 'reports.table.kinds', ['reports.col.kind', ...cols], kindRows),
      table('severities', 'reports.table.severities', ['reports.col.severity', ...cols], sevRows),
      table('channels', 'reports.table.channels', ['reports.col.channel', ...cols], chRows),
      table('units', 'reports.table.units', ['reports.col.unit', ...cols], unitRows, listed(i.listLimit, unitRows, allUnitRows.length)),
    ],
  };
}

export async function timingSection(i: SectionInput): Promise<ReportSection> {
  const [rows, before] = await Promise.all([i.timing().then((x) => x.byKind), i.previousTiming().then((x) => x.byKind)]);
  const body = questionKinds.map((k) => {
    const r = rows.find((x) => x.kind === k);
    const p = before.find((x) => x.kind === k);
    return [kindLabel(k), r?.asked ?? 0, r?.replied ?? 0, r?.resolved ?? 0, r1(r?.firstReplyMedian), r1(r?.firstReplyP90), r1(r?.resolveMedian), r1(r?.resolveP90), r1(p?.firstReplyMedian), r1(p?.resolveMedian)];
  });
  return {
    id: 'timing',
    title: t('reports.section.timing'),
    figures: [],
    charts: [],
    tables: [
      table(
        'timing',
        'reports.table.timingByKind',
        [
          'reports.col.kind',
          'reports.col.asked',
          'reports.col.replied',
          'reports.col.resolvedCount',
          'reports.col.firstReplyMedian',
          'reports.col.firstReplyP90',
          'reports.col.resolveMedian',
          'reports.col.resolveP90',
          'reports.col.firstReplyMedianPrevious',
          'reports.col.resolveMedianPrevious',
        ],
        body,
      ),
    ],
  };
}

export async function slaSection(i: SectionInput): Promise<ReportSection> {
  const [clocks, clocksPrev, visits, visitsPrev, breached, { total: totals }] = await Promise.all([
    clocksByKindSeverity(i.current),
    clocksByKindSeverity(i.previous),
    onSiteVisits(i.current),
    onSiteVisits(i.previous),
    breachedQuestions(i.current, i.listLimit),
    i.timing(),
  ]);
  const clockRows = clocks.map((r) => {
    const p = clocksPrev.find((x) => x.kind === r.kind && x.severity === r.severity);
    return [
      kindLabel(r.kind),
      r.severity ? severityLabel(r.severity) : t('reports.none'),
      r.asked,
      r.firstReplyMet,
      r.firstReplyBreached,
      compliance(r.firstReplyMet, r.firstReplyBreached),
      r.resolveMet,
      r.resolveBreached,
      compliance(r.resolveMet, r.resolveBreached),
      p ? compliance(p.firstReplyMet, p.firstReplyBreached) : null,
      p ? compliance(p.resolveMet, p.resolveBreached) : null,
    ];
  });
  const tz = i.current.timeZone;
  const breachedRows: Cell[][] = breached.map((q) => [
    q.number,
    q.title,
    kindLabel(q.kind),
    q.severity ?? t('reports.none'),
    tierLabel(q.tier),
    q.firstReplyBreachedAt && q.resolveBreachedAt ? t('reports.value.both') : q.firstReplyBreachedAt ? t('reports.value.firstReply') : t('reports.value.resolve'),
    q.assignee ?? t('reports.none'),
    formatDateTimeZh(q.createdAt, tz),
  ]);
  return {
    id: 'sla',
    title: t('reports.section.sla'),
    figures: [
      figure('reports.fig.firstReplyCompliance', compliance(totals.firstReplyMet, totals.firstReplyBreached), null, 'reports.unit.percent', true),
      figure('reports.fig.resolveCompliance', compliance(totals.resolveMet, totals.resolveBreached), null, 'reports.unit.percent', true),
      figure('reports.fig.onSite', visits.requested, visitsPrev.requested, '', null),
      figure('reports.fig.onSiteInTime', percent(visits.inTime, visits.requested), percent(visitsPrev.inTime, visitsPrev.requested), 'reports.unit.percent', true),
    ],
    charts: [],
    tables: [
      table(
        'clocks',
        'reports.table.clocks',
        [
          'reports.col.kind',
          'reports.col.severity',
          'reports.col.asked',
          'reports.col.firstReplyMet',
          'reports.col.firstReplyBreached',
          'reports.col.firstReplyRate',
          'reports.col.resolveMet',
          'reports.col.resolveBreached',
          'reports.col.resolveRate',
          'reports.col.firstReplyRatePrevious',
          'reports.col.resolveRatePrevious',
        ],
        clockRows,
      ),
      table(
        'breached',
        'reports.table.breached',
        ['reports.col.number', 'reports.col.title', 'reports.col.kind', 'reports.col.severity', 'reports.col.tier', 'reports.col.breachedClock', 'reports.col.assignee', 'reports.col.askedAt'],
        breachedRows,
        listed(i.listLimit, breachedRows, totals.eitherBreached),
      ),
    ],
  };
}
