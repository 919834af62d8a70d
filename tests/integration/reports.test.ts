import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  contentPageViews,
  faqClusterMembers,
  faqClusters,
  questionComplaints,
  questionDeflections,
  questionEvents,
  questionRatings,
  questions,
  searchLog,
  units,
  users,
  type QuestionKind,
} from '../../db/schema/index.ts';
import { createViewCounter } from '../../src/server/content/content.views.ts';
import type { Figure, Report } from '../../src/server/reports/reports.model.ts';
import { reportTableCsv, serviceReport, type ReportDeps } from '../../src/server/reports/reports.usecases.ts';
import { newId } from '../../src/server/shared/ids.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

/**
 * The service report against a seeded month whose answers this file computes
 * on its own, from the seed (not from the flags or SQL the report reads):
 * counts, medians and p90 (linear interpolation, as percentile_cont), clock
 * compliance, satisfaction, comparisons with the month before, an engineer's
 * own report, and the CSV export.
 */
const tz = 'Asia/Shanghai';
const HOUR = 3_600_000;
/** A local wall time in Shanghai (UTC+8, no DST) as an instant. */
const local = (day: string, time = '10:00') => new Date(Date.parse(`${day}T${time}:00+08:00`));

let t: TestDatabase;
const ids = { admin: newId(), e1: newId(), e2: newId(), unitA: newId(), unitB: newId() };

interface Seed {
  kind: QuestionKind;
  severity: string | null;
  channel: 'web' | 'email' | 'phone';
  unitId: string | null;
  unitName: string | null;
  createdAt: Date;
  assignee: string;
  /** Hours to the first reply and to resolution; null: not yet. */
  reply: number | null;
  resolve: number | null;
  title: string;
}

const FIRST_REPLY_DUE_H = 4;
const RESOLVE_DUE_H = 48;
const kinds: QuestionKind[] = ['fault', 'consult', 'suggestion'];
const november: Seed[] = Array.from({ length: 30 }, (_, i) => ({
  kind: kinds[i % 3]!,
  severity: i % 3 === 0 ? 'ABCDE'[i % 5]! : null,
  channel: (['web', 'email', 'phone'] as const)[Math.floor(i / 3) % 3]!,
  unitId: i % 4 === 0 ? ids.unitA : i % 4 === 1 || i % 4 === 2 ? ids.unitB : null,
  unitName: i % 4 === 3 ? '外部来访单位' : null,
  // The first falls ten minutes into November, the last half an hour before its end (local time).
  createdAt: i === 0 ? local('2026-11-01', '00:10') : i === 29 ? local('2026-11-30', '23:30') : local(`2026-11-${String(1 + (i % 28)).padStart(2, '0')}`),
  assignee: i % 3 === 0 ? ids.e1 : ids.e2,
  reply: i % 5 === 4 ? null : ((i * 7) % 23) + 0.5,
  resolve: i % 4 === 3 || i % 5 === 4 ? null : ((i * 7) % 23) + 10 + i,
  title: i === 5 ? '=HYPERLINK("http://x")' : `十一月的问题 ${i}`,
}));
// October: the month compared with. The last falls ten minutes before November (local), which a UTC day would count in November.
const october: Seed[] = Array.from({ length: 8 }, (_, i) => ({
  ...november[i]!,
  createdAt: i === 7 ? local('2026-10-31', '23:50') : local(`2026-10-${String(3 + i).padStart(2, '0')}`),
  title: `十月的问题 ${i}`,
}));

/** percentile_cont: linear interpolation between the closest ranks. */
function percentile(values: number[], p: number): number | null {
  if (!values.length) return null;
  const v = [...values].sort((a, b) => a - b);
  const pos = p * (v.length - 1);
  const lo = Math.floor(pos);
  return v[lo]! + (v[Math.min(lo + 1, v.length - 1)]! - v[lo]!) * (pos - lo);
}
const r1 = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);

async function insertQuestion(s: Seed, i: number, extra: Partial<typeof questions.$inferInsert> = {}) {
  const id = newId();
  const at = (h: number | null) => (h === null ? null : new Date(s.createdAt.getTime() + h * HOUR));
  const lateReply = s.reply === null || s.reply > FIRST_REPLY_DUE_H;
  const lateResolve = s.resolve === null || s.resolve > RESOLVE_DUE_H;
  await t.database.db.insert(questions).values({
    id,
    number: `2026${String(i).padStart(8, '0')}`,
    kind: s.kind,
    severity: s.severity as 'A' | null,
    title: s.title,
    body: '正文',
    status: s.resolve === null ? 'assigned' : 'resolved',
    channel: s.channel,
    unitId: s.unitId,
    unitName: s.unitName,
    contactName: '提问人',
    contactEmail: 'asker@example.cn',
    assigneeId: s.assignee,
    trackingToken: id,
    firstReplyDueAt: at(FIRST_REPLY_DUE_H),
    resolveDueAt: at(RESOLVE_DUE_H),
    // The clocks ran out (the month is over): a late or missing reply breached.
    firstReplyBreachedAt: lateReply ? at(FIRST_REPLY_DUE_H) : null,
    resolveBreachedAt: lateResolve ? at(RESOLVE_DUE_H) : null,
    firstRepliedAt: at(s.reply),
    resolvedAt: at(s.resolve),
    createdAt: s.createdAt,
    updatedAt: s.createdAt,
    ...extra,
  });
  return id;
}

const novemberIds: string[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  const db = t.database.db;
  const now = new Date('2026-12-02T02:00:00Z');
  await db.insert(units).values([
    { id: ids.unitA, name: '市发改委', code: 'A01', createdAt: now },
    { id: ids.unitB, name: '市市场监管局', code: 'B02', createdAt: now },
  ]);
  const person = (id: string, name: string, roles: ('admin' | 'engineer')[], tier: number | null) => ({ id, name, email: `${id}@example.cn`, roles, engineerTier: tier, status: 'active' as const, createdAt: now, updatedAt: now });
  await db.insert(users).values([person(ids.admin, '管理员', ['admin'], null), person(ids.e1, '张工', ['engineer'], 1), person(ids.e2, '李工', ['engineer'], 2)]);
  for (const [i, s] of november.entries()) novemberIds.push(await insertQuestion(s, i));
  const octoberIds: string[] = [];
  for (const [i, s] of october.entries()) octoberIds.push(await insertQuestion(s, 100 + i));
  // Repeated questions: a cluster published as an FAQ holds three November questions and one of October; another holds one.
  const [c1, c2] = [newId(), newId()];
  await db.insert(faqClusters).values([
    { id: c1, status: 'published', faqSlug: 'export-garbled', createdAt: now, updatedAt: now },
    { id: c2, status: 'open', createdAt: now, updatedAt: now },
  ]);
  await db.insert(faqClusterMembers).values([
    ...[6, 3, 0].map((i) => ({ questionId: novemberIds[i]!, clusterId: c1, createdAt: now })),
    { questionId: octoberIds[0]!, clusterId: c1, createdAt: now },
    { questionId: novemberIds[1]!, clusterId: c2, createdAt: now },
  ]);
  // A duplicate merged into another is not counted; nor is a question of December.
  await insertQuestion({ ...november[1]!, title: '重复的问题' }, 200, { mergedIntoId: novemberIds[1]! });
  await insertQuestion({ ...november[1]!, createdAt: local('2026-12-01', '00:05'), title: '十二月的问题' }, 201);

  // Ratings (each of a reply by the engineer): November 5,4,5 for 张工 and 2,3,4 for 李工; one in October.
  const rate = async (qIndex: number, engineer: string, overall: number, at: Date, comment: string | null = null) => {
    const eventId = newId();
    await db.insert(questionEvents).values({ id: eventId, questionId: novemberIds[qIndex]!, kind: 'replied', actorId: engineer, body: '答复', createdAt: at });
    await db.insert(questionRatings).values({ id: newId(), questionId: novemberIds[qIndex]!, replyEventId: eventId, engineerId: engineer, overall, attitude: overall, business: 5, technical: 3, reasons: [], comment, createdAt: at, updatedAt: at });
  };
  await rate(0, ids.e1, 5, local('2026-11-03'), '很及时');
  await rate(3, ids.e1, 4, local('2026-11-05'));
  await rate(6, ids.e1, 5, local('2026-11-08'));
  await rate(1, ids.e2, 2, local('2026-11-04'), '没解决');
  await rate(2, ids.e2, 3, local('2026-11-06'));
  await rate(4, ids.e2, 4, local('2026-11-09'));
  await rate(7, ids.e2, 1, local('2026-10-20'));
  // Escalations: two to tier 2 and one to tier 3 in November, one to tier 2 in October.
  for (const [tier, at] of [[2, '2026-11-02'], [2, '2026-11-12'], [3, '2026-11-20'], [2, '2026-10-15']] as const)
    await db.insert(questionEvents).values({ id: newId(), questionId: novemberIds[0]!, kind: 'escalated', actorId: ids.e1, data: { tier }, createdAt: local(at) });
  // Complaints: two in November (one of 张工's questions, one of 李工's), one in October.
  for (const [q, at] of [[0, '2026-11-10'], [1, '2026-11-11'], [2, '2026-10-11']] as const)
    await db.insert(questionComplaints).values({ id: newId(), questionId: novemberIds[q]!, body: '处理太慢了，一直没有人联系我。', createdAt: local(at) });
  // Knowledge page views by the hour: 150 in November (one hour at the very end), 40 in October.
  await db.insert(contentPageViews).values([
    { hour: local('2026-11-02', '09:00'), url: '/faq/a', views: 120 },
    { hour: local('2026-11-30', '23:00'), url: '/manuals/user-guide/ask', views: 30 },
    { hour: local('2026-10-30', '09:00'), url: '/faq/a', views: 40 },
  ]);
  for (const at of ['2026-11-03', '2026-11-04', '2026-11-05', '2026-10-05'])
    await db.insert(questionDeflections).values({ id: newId(), query: '怎么改密码', articleUrl: '/faq/a', createdAt: local(at) });
  const search = (query: string, hits: number, clicked: boolean, day: string) =>
    ({ id: newId(), at: local(day), query, normalized: query, hits, kind: 'submitted' as const, clickedAt: clicked ? local(day) : null, clickedUrl: clicked ? '/faq/a' : null });
  await db.insert(searchLog).values([search('改密码', 4, true, '2026-11-02'), search('改密码', 4, true, '2026-11-03'), search('改密码', 4, false, '2026-11-04'), search('不存在的词', 0, false, '2026-11-05'), search('不存在的词', 0, false, '2026-11-06')]);
});
afterAll(async () => {
  await t?.drop();
});

const deps = (viewer: ReportDeps['viewer']): ReportDeps => ({ db: t.database.db, now: new Date('2026-12-02T02:00:00Z'), timeZone: tz, viewer });
const admin = { id: ids.admin, name: '管理员', roles: ['admin' as const] };
const november2026 = new URLSearchParams({ period: '2026-11' });
const fig = (report: Report, section: string, label: string): Figure => report.sections.find((s) => s.id === section)!.figures.find((f) => f.label === label)!;
const rows = (report: Report, table: string) => report.sections.flatMap((s) => s.tables).find((x) => x.id === table)!.rows;

/** The figures of a set of seeded questions, computed here. */
function expected(seeds: Seed[]) {
  const replies = seeds.flatMap((s) => (s.reply === null ? [] : [s.reply]));
  const resolutions = seeds.flatMap((s) => (s.resolve === null ? [] : [s.resolve]));
  const replyMet = seeds.filter((s) => s.reply !== null && s.reply <= FIRST_REPLY_DUE_H).length;
  const resolveMet = seeds.filter((s) => s.resolve !== null && s.resolve <= RESOLVE_DUE_H).length;
  return {
    asked: seeds.length,
    resolved: resolutions.length,
    replyMedian: r1(percentile(replies, 0.5)),
    replyP90: r1(percentile(replies, 0.9)),
    resolveMedian: r1(percentile(resolutions, 0.5)),
    resolveP90: r1(percentile(resolutions, 0.9)),
    replyCompliance: r1((replyMet * 100) / seeds.length),
    resolveCompliance: r1((resolveMet * 100) / seeds.length),
    breached: seeds.filter((s) => s.reply === null || s.reply > FIRST_REPLY_DUE_H || s.resolve === null || s.resolve > RESOLVE_DUE_H).length,
  };
}

describe('the service report (服务总结报告)', () => {
  it('counts the month in local time, with medians, p90 and clock compliance as computed from the seed, beside the month before', async () => {
    const report = await serviceReport(deps(admin), november2026);
    const [nov, oct] = [expected(november), expected(october)];
    expect(report.period).toMatchObject({ key: '2026-11', label: '2026年11月' });
    expect(report.previous.key).toBe('2026-10');
    expect(fig(report, 'overview', '提问数')).toMatchObject({ current: nov.asked, previous: oct.asked });
    expect(fig(report, 'overview', '已解决')).toMatchObject({ current: nov.resolved, previous: oct.resolved });
    expect(fig(report, 'overview', '首次响应时间中位数').current).toBe(nov.replyMedian);
    expect(fig(report, 'overview', '首次响应时间 P90').current).toBe(nov.replyP90);
    expect(fig(report, 'overview', '解决时间中位数')).toMatchObject({ current: nov.resolveMedian, previous: oct.resolveMedian });
    expect(fig(report, 'overview', '解决时间 P90').current).toBe(nov.resolveP90);
    expect(fig(report, 'overview', '首次响应按时率').current).toBe(nov.replyCompliance);
    expect(fig(report, 'overview', '按时解决率')).toMatchObject({ current: nov.resolveCompliance, previous: oct.resolveCompliance });
    // Satisfaction: (5+4+5+2+3+4)/6 = 3.8; 4 of 6 gave 4 or 5; October's single 1.
    expect(fig(report, 'overview', '满意度平均分（1–5）')).toMatchObject({ current: 3.8, previous: 1 });
    expect(fig(report, 'overview', '满意率（4 分及以上）').current).toBe(66.7);
    expect(fig(report, 'overview', '投诉')).toMatchObject({ current: 2, previous: 1 });
    expect(fig(report, 'overview', '知识页面浏览')).toMatchObject({ current: 150, previous: 40 });
    expect(fig(report, 'overview', '看了建议未再提问')).toMatchObject({ current: 3, previous: 1 });
    expect(fig(report, 'overview', '自助比（知识页面浏览 ÷ 提问数）')).toMatchObject({ current: 5, previous: 5 });
  });

  it('breaks the month down by kind, fault severity, channel and unit, and lists every breached question', async () => {
    const report = await serviceReport(deps(admin), november2026);
    const count = (seeds: Seed[], f: (s: Seed) => boolean) => seeds.filter(f).length;
    expect(rows(report, 'kinds')).toEqual([
      ['故障申告', count(november, (s) => s.kind === 'fault'), count(october, (s) => s.kind === 'fault')],
      ['技术咨询', count(november, (s) => s.kind === 'consult'), count(october, (s) => s.kind === 'consult')],
      ['意见建议', count(november, (s) => s.kind === 'suggestion'), count(october, (s) => s.kind === 'suggestion')],
    ]);
    const severityA = rows(report, 'severities').find((r) => r[0] === 'A 紧急')!;
    expect(severityA[1]).toBe(count(november, (s) => s.kind === 'fault' && s.severity === 'A'));
    expect(rows(report, 'severities').reduce((a, r) => a + Number(r[1]), 0)).toBe(count(november, (s) => s.kind === 'fault'));
    expect(rows(report, 'channels').find((r) => r[0] === '邮件')![1]).toBe(count(november, (s) => s.channel === 'email'));
    const unitRows = rows(report, 'units');
    expect(unitRows[0]).toEqual(['市市场监管局', count(november, (s) => s.unitId === ids.unitB), count(october, (s) => s.unitId === ids.unitB)]);
    expect(unitRows.find((r) => r[0] === '外部来访单位')![1]).toBe(count(november, (s) => s.unitName === '外部来访单位'));
    expect(rows(report, 'breached')).toHaveLength(expected(november).breached);
    expect(rows(report, 'escalations')).toEqual([
      ['2 线', 2, 1],
      ['3 线', 1, 0],
    ]);
    expect(rows(report, 'ratings').map((r) => r[1])).toEqual([0, 1, 1, 2, 2]);
    // Beside each engineer, the month before: 李工's one rating of 1 in October.
    expect(rows(report, 'ratings-engineers')).toEqual([
      ['张工', '1 线', 3, 4.7, 4.7, 5, 3, 0, null],
      ['李工', '2 线', 3, 3, 3, 5, 3, 1, 1],
    ]);
    expect(rows(report, 'comments').map((r) => r[2]).sort()).toEqual(['很及时', '没解决']);
    expect(rows(report, 'searches')[0]).toEqual(['改密码', 3, 2, 66.7, 0]);
    expect(rows(report, 'searches-empty')).toEqual([['不存在的词', 2, 0, 0, 0]]);
    // Each kind's medians beside October's, computed from the seed.
    const timing = rows(report, 'timing').find((r) => r[0] === '技术咨询')!;
    const consult = (seeds: Seed[]) => seeds.filter((x) => x.kind === 'consult');
    expect([timing[4], timing[8], timing[9]]).toEqual([expected(consult(november)).replyMedian, expected(consult(october)).replyMedian, expected(consult(october)).resolveMedian]);
    // Workload beside October's: 张工 was assigned every third question of both months and sent the three rated replies.
    expect(rows(report, 'workload').find((r) => r[0] === '张工')!.slice(2)).toEqual([
      november.filter((x) => x.assignee === ids.e1).length,
      3,
      november.filter((x) => x.assignee === ids.e1 && x.resolve !== null).length,
      october.filter((x) => x.assignee === ids.e1).length,
      october.filter((x) => x.assignee === ids.e1 && x.resolve !== null && x.createdAt.getTime() + x.resolve * HOUR < local('2026-11-01', '00:00').getTime()).length,
    ]);
    // Repeated questions: the cluster with three of the month's questions, named by its earliest; a cluster of one is not repeated.
    expect(rows(report, 'repeated')).toEqual([['十一月的问题 0', 3, '/faq/export-garbled']]);
    // The daily trend covers every day of the month, the empty ones as zero.
    const trend = report.sections[0]!.charts[0]!.svg;
    expect(trend).toContain(`共 ${november.length} 个提问`);
    expect((/class="line" d="([^"]+)"/.exec(trend)![1]!.match(/[ML]/g) ?? []).length).toBe(30);
  });

  it("gives an engineer only their own questions and ratings, without the service's self-service and training sections", async () => {
    const report = await serviceReport(deps({ id: ids.e1, name: '张工', roles: ['engineer'] }), november2026);
    const mine = november.filter((s) => s.assignee === ids.e1);
    expect(report.engineer).toEqual({ id: ids.e1, name: '张工' });
    expect(fig(report, 'overview', '提问数').current).toBe(mine.length);
    expect(fig(report, 'overview', '首次响应时间中位数').current).toBe(expected(mine).replyMedian);
    expect(fig(report, 'overview', '满意度平均分（1–5）').current).toBe(4.7);
    expect(fig(report, 'overview', '投诉').current).toBe(1);
    expect(report.sections.map((s) => s.id)).not.toContain('selfService');
    expect(report.sections.map((s) => s.id)).not.toContain('learning');
    expect(rows(report, 'workload').map((r) => r[0])).toEqual(['张工']);
  });

  it('compares a quarter with the quarter before, and a range of days with as many days just before it', async () => {
    const q4 = await serviceReport(deps(admin), new URLSearchParams({ period: '2026-Q4' }));
    expect(q4.previous.key).toBe('2026-Q3');
    // The quarter holds October, November and the question of 1 December.
    expect(fig(q4, 'overview', '提问数')).toMatchObject({ current: november.length + october.length + 1, previous: 0 });
    const range = await serviceReport(deps(admin), new URLSearchParams({ from: '2026-11-01', to: '2026-11-01' }));
    expect(range.previous).toMatchObject({ firstDay: '2026-10-31', lastDay: '2026-10-31' });
    // 00:10 on 1 November local is 16:10 UTC on 31 October: it counts in the day asked for, not the day before.
    expect(fig(range, 'overview', '提问数')).toMatchObject({ current: november.filter((s) => s.createdAt.getTime() < local('2026-11-02', '00:00').getTime()).length, previous: 1 });
  });

  it('counts opened knowledge pages in memory and writes them by the hour, so any range of days reads its own views', async () => {
    const views = createViewCounter({ db: t.database.db, log: console, flushMs: 60_000 });
    for (const time of ['10:20', '10:55', '11:05']) views.count('/manuals/user-guide/ask', local('2026-11-15', time));
    await views.stop();
    const day = await serviceReport(deps(admin), new URLSearchParams({ from: '2026-11-15', to: '2026-11-15' }));
    expect(fig(day, 'overview', '知识页面浏览')).toMatchObject({ current: 3, previous: 0 });
  });

  it('refuses a period it cannot read, naming the field in Chinese', async () => {
    await expect(serviceReport(deps(admin), new URLSearchParams({ period: '2026-13' }))).rejects.toMatchObject({ status: 400, fields: { period: expect.stringContaining('2026-11') } });
    await expect(serviceReport(deps(admin), new URLSearchParams({ from: '2026-11-10', to: '2026-11-01' }))).rejects.toMatchObject({ status: 400, fields: { to: expect.stringContaining('不能早于') } });
    await expect(serviceReport(deps(admin), new URLSearchParams({ from: '2025-01-01', to: '2026-11-01' }))).rejects.toMatchObject({ status: 400, fields: { to: expect.stringContaining('400 天') } });
  });

  it('exports one table as CSV for Excel: BOM, CRLF, every row, and a formula-looking title defused', async () => {
    const { csv, fileName } = await reportTableCsv(deps(admin), november2026, 'breached');
    expect(csv.startsWith('\uFEFF编号,标题,类别,级别,层级,超时的时限,处理人,提问时间\r\n')).toBe(true);
    const lines = csv.slice(1).trimEnd().split('\r\n');
    expect(lines).toHaveLength(1 + expected(november).breached);
    expect(csv).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(fileName).toBe('服务报告-2026-11-超时的问题.csv');
    await expect(reportTableCsv(deps(admin), november2026, 'no-such-table')).rejects.toMatchObject({ status: 404 });
    // Every table the page shows has its export (the export finds a table's section by its id).
    const report = await serviceReport(deps(admin), november2026);
    for (const table of report.sections.flatMap((x) => x.tables)) expect((await reportTableCsv(deps(admin), november2026, table.id)).csv).toContain(table.columns[0]!);
    // An engineer cannot export the service's self-service tables.
    await expect(reportTableCsv(deps({ id: ids.e1, name: '张工', roles: ['engineer'] }), november2026, 'searches')).rejects.toMatchObject({ status: 404 });
  });
});
