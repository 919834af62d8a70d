import { timingSafeEqual, createHash } from 'node:crypto';
import { count, eq, inArray } from 'drizzle-orm';
import { questionEvents, questions } from '../../../db/schema/index.ts';
import { outboxCounts } from '../mail/mail.outbox.ts';
import { OPEN_STATUSES } from '../questions/questions.queries.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { labelText, processMetricsText } from './metrics.registry.ts';
import { queueStates } from './system.usecases.ts';

/** Whether the request carries `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time). */
export function metricsAuthorized(header: string | null, token: string): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!m) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(m[1]!), digest(token));
}

const gauge = (name: string, help: string, rows: [Record<string, string>, number][]) => [
  `# HELP ${name} ${help}`,
  `# TYPE ${name} gauge`,
  ...rows.map(([labels, v]) => `${name}${labelText(labels)} ${v}`),
];

/** Everything `GET /metrics` answers: this process's request and search figures, and the shared state counted from the database. */
export async function metricsText({ runtime }: { runtime: Runtime }): Promise<string> {
  const db = runtime.database.db;
  const open = await db.select({ status: questions.status, n: count() }).from(questions).where(inArray(questions.status, OPEN_STATUSES)).groupBy(questions.status);
  const byStatus = new Map(open.map((r) => [r.status, Number(r.n)]));
  const [breaches] = await db.select({ n: count() }).from(questionEvents).where(eq(questionEvents.kind, 'sla_breached'));
  const mail = await outboxCounts({ db });
  const jobs = await queueStates(runtime);
  const lines = [
    processMetricsText(),
    ...gauge('dayi_questions_open', 'Open questions by state.', OPEN_STATUSES.map((s) => [{ status: s }, byStatus.get(s) ?? 0])),
    '# HELP dayi_sla_breaches_total SLA targets missed (first reply, resolution, arrival), since the start of the data.',
    '# TYPE dayi_sla_breaches_total counter',
    `dayi_sla_breaches_total ${Number(breaches?.n ?? 0)}`,
    ...gauge('dayi_outbox_mail', 'Mail in the outbox by state.', (Object.entries(mail) as [string, number][]).map(([s, n]) => [{ status: s }, n])),
    ...gauge('dayi_jobs_queued', 'Jobs ready to run, by queue.', jobs.map((q) => [{ queue: q.name }, q.queued])),
    ...gauge('dayi_jobs_failed', 'Failed jobs kept, by queue.', jobs.map((q) => [{ queue: q.name }, q.failed])),
    ...gauge('dayi_search_up', 'Whether the search engine answers (1) or not (0).', [[{}, (await runtime.search.health()).ok ? 1 : 0]]),
    ...gauge('dayi_uptime_seconds', 'Seconds since this process started.', [[{}, Math.round((runtime.clock.now().getTime() - runtime.startedAt.getTime()) / 1000)]]),
  ];
  return `${lines.join('\n')}\n`;
}
