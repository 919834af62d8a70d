import type { Db } from '../../../db/client.ts';
import { t } from '../../i18n/t.ts';
import type { Actor } from '../auth/auth.policy.ts';
import { createNotFoundError } from '../shared/errors.ts';
import { csvDocument } from '../shared/csv.ts';
import type { Report, ReportSection, ReportTable } from './reports.model.ts';
import { parsePeriod } from './reports.period.ts';
import { timingTotalsAndKinds } from './reports.questions.queries.ts';
import { complaintsSection, escalationsSection, faqSection, learningSection, satisfactionSection, selfServiceSection, workloadSection } from './reports.sections-more.ts';
import { surveySection } from './reports.survey.ts';
import { overviewSection, slaSection, timingSection, volumeSection, type SectionInput } from './reports.sections.ts';

/** The page lists at most this many rows of a list (breaches, comments, units …); the CSV has them all. */
export const PAGE_LIST_LIMIT = 50;

type Builder = (i: SectionInput) => Promise<ReportSection>;

/** The sections in the report's order; `all` ones only in the whole service's report, not an engineer's own. */
const sections: { id: string; build: Builder; all?: true }[] = [
  { id: 'overview', build: overviewSection },
  { id: 'volume', build: volumeSection },
  { id: 'timing', build: timingSection },
  { id: 'sla', build: slaSection },
  { id: 'escalations', build: escalationsSection },
  { id: 'satisfaction', build: satisfactionSection },
  { id: 'workload', build: workloadSection },
  { id: 'complaints', build: complaintsSection },
  { id: 'selfService', build: selfServiceSection, all: true },
  { id: 'learning', build: learningSection, all: true },
  { id: 'survey', build: surveySection, all: true },
  { id: 'faq', build: faqSection, all: true },
];

/** Which section holds each exported table: the CSV export builds only that section. */
const tableSection: Record<string, string> = {
  overview: 'overview',
  kinds: 'volume',
  severities: 'volume',
  channels: 'volume',
  units: 'volume',
  timing: 'timing',
  clocks: 'sla',
  breached: 'sla',
  escalations: 'escalations',
  ratings: 'satisfaction',
  'ratings-tiers': 'satisfaction',
  'ratings-engineers': 'satisfaction',
  comments: 'satisfaction',
  workload: 'workload',
  complaints: 'complaints',
  searches: 'selfService',
  'searches-empty': 'selfService',
  downloads: 'learning',
  videos: 'learning',
  trainings: 'learning',
  survey: 'survey',
  'survey-units': 'survey',
  repeated: 'faq',
  faq: 'faq',
};

export interface ReportDeps {
  db: Db;
  now: Date;
  timeZone: string;
  /** Who asks: an admin sees the whole service; an engineer their own figures. */
  viewer: Actor & { name: string };
}

/** Whether the viewer gets the whole service's report (admins) or their own (engineers). */
export const ownReport = (viewer: Actor) => !viewer.roles.includes('admin');

async function build(deps: ReportDeps, params: URLSearchParams, only: string | null, listLimit: number | null): Promise<Report> {
  const { current, previous } = parsePeriod(params, { now: deps.now, timeZone: deps.timeZone });
  const own = ownReport(deps.viewer);
  const scope = (p: typeof current) => ({ db: deps.db, from: p.from, to: p.to, timeZone: deps.timeZone, engineerId: own ? deps.viewer.id : null });
  let timing: ReturnType<SectionInput['timing']> | null = null;
  let previousTiming: ReturnType<SectionInput['timing']> | null = null;
  const input: SectionInput = {
    current: scope(current),
    previous: scope(previous),
    period: current,
    previousPeriod: previous,
    listLimit,
    own,
    timing: () => (timing ??= timingTotalsAndKinds(input.current)),
    previousTiming: () => (previousTiming ??= timingTotalsAndKinds(input.previous)),
  };
  const out: ReportSection[] = [];
  const timings: Record<string, number> = {};
  // One section after another: each is a handful of aggregate queries, and the bench times each.
  for (const s of sections) {
    if ((s.all && own) || (only && s.id !== only)) continue;
    const started = performance.now();
    out.push(await s.build(input));
    timings[s.id] = Math.round(performance.now() - started);
  }
  return { period: current, previous, engineer: own ? { id: deps.viewer.id, name: deps.viewer.name } : null, sections: out, timings };
}

/** The service report for the period the query names (`period`, or `from`/`to`; default the last full month). */
export function serviceReport(deps: ReportDeps, params: URLSearchParams): Promise<Report> {
  return build(deps, params, null, PAGE_LIST_LIMIT);
}

/** One table of the report as CSV (UTF-8 with BOM, every row), and its file name. */
export async function reportTableCsv(deps: ReportDeps, params: URLSearchParams, tableId: string): Promise<{ csv: string; fileName: string }> {
  const section = tableSection[tableId];
  const report = section ? await build(deps, params, section, null) : null;
  const table: ReportTable | undefined = report?.sections.flatMap((s) => s.tables).find((x) => x.id === tableId);
  if (!report || !table) throw createNotFoundError({ table: t('reports.error.csvTable') });
  const who = report.engineer ? `-${report.engineer.name}` : '';
  return {
    csv: csvDocument([table.columns, ...table.rows.map((r) => r.map((c) => c ?? ''))]),
    fileName: `${t('reports.title')}-${report.period.key}${who}-${table.title}.csv`.replace(/[\\/:*?"<>|\r\n]/g, '_'),
  };
}
