/**
 * `npm run bench:reports`: how long the service report takes on a year of
 * generated data (target: 100 000 questions a year render in under 2 s).
 *
 * It generates, in SQL, a year of questions (kinds, severities, channels,
 * units, engineers, first replies, resolutions, breached clocks), a reply
 * event each, ratings, escalations, complaints, searches, deflections and
 * hourly page views; then times the whole year's report three times (the
 * first is cold), each section of it, a month's and a quarter's, and the
 * CSV of the year's breached questions. Each figure is an SQL aggregate: no
 * row is loaded into memory except the lists the page shows.
 *
 * With DATABASE_URL it runs on that PostgreSQL server in a database of its
 * own (created and dropped); without, on embedded PGlite as `npm start` does.
 * `--questions N` changes the size (default 100 000).
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { openDatabase, type Database } from '../../db/client.ts';
import { runMigrations } from '../../db/migrate.ts';
import { reportTableCsv, serviceReport, type ReportDeps } from '../../src/server/reports/reports.usecases.ts';
import { withDatabaseName } from '../../tests/helpers/pg-url.ts';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const QUESTIONS = Number(arg('--questions') ?? 100_000);
const adminUrl = process.env.DATABASE_URL;

let database: Database;
let dropDatabase = async () => {};
if (adminUrl) {
  const name = `dayi_bench_reports_${randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = withDatabaseName(adminUrl, name);
  database = await openDatabase({ kind: 'postgres', url });
  await runMigrations(database, { url });
  dropDatabase = async () => {
    const a = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await a.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await a.end();
  };
} else {
  database = await openDatabase({ kind: 'pglite-memory' });
  await runMigrations(database);
}
const db = database.db;
const kind = database.kind === 'postgres' ? 'PostgreSQL' : 'PGlite (embedded)';

// A year ending 30 November 2026 (Asia/Shanghai).
const yearFrom = '2025-12-01';
const yearTo = '2026-11-30';
const start = `'${yearFrom}T00:00:00+08:00'::timestamptz`;

let t0 = performance.now();
await db.execute(sql.raw(`select setseed(0.42)`));
await db.execute(
  sql.raw(`insert into units (id, name, code, created_at)
  select gen_random_uuid(), '单位' || g, 'U' || g, now() from generate_series(1, 200) g`),
);
await db.execute(
  sql.raw(`insert into users (id, name, email, roles, engineer_tier, status, created_at, updated_at)
  select gen_random_uuid(), '工程师' || g, 'engineer' || g || '@bench.dayi', array['engineer'], 1 + g % 3, 'active', now(), now() from generate_series(1, 30) g`),
);
// Each question: asked at a random moment of the year; replied within 0–10 h, most soon (5 % never); resolved 1–81 h later, most soon (15 % not yet); clocks 4 h and 48 h.
await db.execute(
  sql.raw(`insert into questions (id, number, kind, severity, title, body, status, channel, unit_id, contact_name, contact_email, assignee_id, tier,
    tracking_token, first_reply_due_at, resolve_due_at, first_reply_breached_at, resolve_breached_at, first_replied_at, resolved_at, on_site_requested_at, arrival_due_at, created_at, updated_at)
  select id, 'B' || lpad(g::text, 9, '0'), k, case when k = 'fault' then (array['A','B','C','D','E'])[1 + (g % 5)] end, '问题 ' || g, '正文', case when resolved is null then 'assigned' else 'resolved' end,
    (array['web','web','web','email','phone','api'])[1 + (g % 6)], (select id from units order by code offset (g % 200) limit 1), '提问人', 'asker@bench.dayi',
    (select id from users where email = 'engineer' || (1 + g % 30) || '@bench.dayi'), 1 + (g % 7 = 0)::int,
    id::text, created + interval '4 hours', created + interval '48 hours',
    case when replied is null or replied > created + interval '4 hours' then created + interval '4 hours' end,
    case when resolved is null or resolved > created + interval '48 hours' then created + interval '48 hours' end,
    replied, resolved, case when k = 'fault' and g % 10 = 0 then created end, case when k = 'fault' and g % 10 = 0 then created + interval '2 hours' end, created, created
  from (
    select g, gen_random_uuid() id, (array['fault','consult','consult','suggestion'])[1 + (g % 4)] k,
      ${start} + random() * interval '364 days' created
    from generate_series(1, ${QUESTIONS}) g
  ) base
  cross join lateral (select case when random() < 0.95 then base.created + power(random(), 2) * interval '10 hours' end replied) r
  cross join lateral (select case when r.replied is not null and random() < 0.85 then r.replied + interval '1 hour' + power(random(), 2) * interval '80 hours' end resolved) s`),
);
await db.execute(
  sql.raw(`insert into question_events (id, question_id, kind, actor_id, body, created_at)
  select gen_random_uuid(), id, 'replied', assignee_id, '答复', first_replied_at from questions where first_replied_at is not null`),
);
await db.execute(
  sql.raw(`insert into question_ratings (id, question_id, reply_event_id, engineer_id, overall, attitude, business, technical, reasons, comment, created_at, updated_at)
  select gen_random_uuid(), e.question_id, e.id, e.actor_id, 1 + floor(random() * 5)::int, 1 + floor(random() * 5)::int, 1 + floor(random() * 5)::int, 1 + floor(random() * 5)::int, '{}',
    case when random() < 0.2 then '评价留言' end, e.created_at + interval '1 day', e.created_at + interval '1 day'
  from question_events e where e.kind = 'replied' and random() < 0.3`),
);
await db.execute(
  sql.raw(`insert into question_events (id, question_id, kind, actor_id, data, created_at)
  select gen_random_uuid(), id, 'escalated', assignee_id, jsonb_build_object('tier', 2 + (random() < 0.3)::int), created_at + interval '5 hours'
  from questions where random() < 0.05`),
);
await db.execute(
  sql.raw(`insert into question_complaints (id, question_id, body, status, created_at)
  select gen_random_uuid(), id, '处理太慢', 'open', created_at + interval '3 days' from questions where random() < 0.01`),
);
await db.execute(
  sql.raw(`insert into search_log (id, at, query, normalized, hits, kind, clicked_at)
  select gen_random_uuid(), ${start} + random() * interval '364 days', q, q, case when g % 9 = 0 then 0 else 5 end, 'submitted', case when random() < 0.6 and g % 9 <> 0 then now() end
  from (select g, '搜索词' || (g % 500) q from generate_series(1, ${QUESTIONS * 2}) g) x`),
);
await db.execute(
  sql.raw(`insert into question_deflections (id, query, article_url, created_at)
  select gen_random_uuid(), '改密码', '/faq/a', ${start} + random() * interval '364 days' from generate_series(1, ${Math.round(QUESTIONS / 10)})`),
);
await db.execute(
  sql.raw(`insert into content_page_views (hour, url, views)
  select date_trunc('hour', ${start} + h * interval '1 hour'), '/manuals/page-' || p, 1 + floor(random() * 10)::int
  from generate_series(0, 364 * 24 - 1) h cross join generate_series(1, 20) p`),
);
await db.execute(sql.raw('analyze'));
const seeded = performance.now() - t0;

// postgres.js answers rows, PGlite `{ rows }`.
const result = (await db.execute(sql.raw(`select id from users limit 1`))) as unknown as { id: string }[] | { rows: { id: string }[] };
const [admin] = Array.isArray(result) ? result : result.rows;
const deps: ReportDeps = { db, now: new Date('2026-12-02T02:00:00Z'), timeZone: 'Asia/Shanghai', viewer: { id: admin?.id ?? '', name: '管理员', roles: ['admin'] } };
const ms = (n: number) => `${Math.round(n)} ms`;

console.log(`Service report on ${kind}: ${QUESTIONS.toLocaleString('en')} questions over a year (generated in ${ms(seeded)})`);
const year = new URLSearchParams({ from: yearFrom, to: yearTo });
let last: Awaited<ReturnType<typeof serviceReport>> | null = null;
for (const run of [1, 2, 3]) {
  t0 = performance.now();
  last = await serviceReport(deps, year);
  console.log(`  the year's report, run ${run}${run === 1 ? ' (cold)' : ''}: ${ms(performance.now() - t0)}  (target < 2000 ms)`);
}
console.log('  by section (last run):');
// The timing table reads the totals-and-kinds pass the overview already ran.
for (const [section, took] of Object.entries(last!.timings)) console.log(`    ${section.padEnd(14)} ${ms(took)}${section === 'timing' ? '  (shares the overview\'s pass over the questions)' : ''}`);
const asked = last!.sections[0]!.figures[0]!;
console.log(`  (the report counted ${asked.current} questions asked in the year)`);
for (const [label, params] of [
  ['a month (2026-11)', new URLSearchParams({ period: '2026-11' })],
  ['a quarter (2026-Q3)', new URLSearchParams({ period: '2026-Q3' })],
] as const) {
  t0 = performance.now();
  await serviceReport(deps, params);
  console.log(`  ${label}: ${ms(performance.now() - t0)}`);
}
t0 = performance.now();
const { csv } = await reportTableCsv(deps, year, 'breached');
console.log(`  CSV of the year's breached questions: ${ms(performance.now() - t0)} (${(csv.split('\r\n').length - 2).toLocaleString('en')} rows, ${(csv.length / 1e6).toFixed(1)} M characters)`);
const mem = process.memoryUsage();
console.log(`  process RSS ${Math.round(mem.rss / 1e6)} MB, heap ${Math.round(mem.heapUsed / 1e6)} MB`);

await database.close();
await dropDatabase();
