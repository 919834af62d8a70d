import { and, arrayContains, count, eq, isNull, ne, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import { questions, serviceRecords, slaTimers, users, type SlaStep } from '../../../db/schema/index.ts';
import type { Jobs } from '../jobs/jobs.ts';
import { queueMail } from '../mail/mail.outbox.ts';
import { addEvent } from '../questions/questions.workflow.ts';
import { bringIn, type RoutingDeps } from '../roster/routing.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import { formatDateTimeZh } from '../shared/time.ts';
import { breachMail, warningMail } from './escalation.mail.ts';

/** The instants a question's clocks aim at, and when to warn before each. */
export interface ClockPlan {
  firstReplyDueAt: Date | null;
  resolveDueAt: Date | null;
  firstReplyWarnAt: Date | null;
  resolveWarnAt: Date | null;
}

export type EscalationDeps = RoutingDeps & { db: Db };

const TARGET: Record<SlaStep, string> = {
  first_reply_warn: '首次响应',
  first_reply_breach: '首次响应',
  resolve_warn: '解决',
  resolve_breach: '解决',
  arrival_breach: '上门到场',
};

/** Steps as timer rows and, for each, a minute-precise job at its due time (never a sweep): one statement each, in the caller's transaction. */
async function scheduleTimers(tx: Tx, jobs: Jobs, now: Date, steps: { questionId: string; step: SlaStep; generation: number; dueAt: Date }[]) {
  if (!steps.length) return;
  const rows = steps.map((s) => ({ id: newId(), ...s, createdAt: now }));
  await tx.insert(slaTimers).values(rows);
  await jobs.sendMany('sla.fire', rows.map((r) => ({ data: { id: r.id }, startAfter: r.dueAt })), { tx });
}

/**
 * Sets a question's due times and schedules its warning and breach steps, in
 * the caller's transaction. The generation is bumped, so every step of an
 * earlier plan (before a reopen, a severity change, a pause) does nothing.
 * First-reply steps only while the question has no reply yet.
 */
export async function scheduleClocks(
  tx: Tx,
  deps: { jobs: Jobs; clock: Clock },
  question: { id: string; firstRepliedAt: Date | null },
  plan: ClockPlan,
  /** Only these steps (a resumed clock does not repeat what already fired); all by default. */
  only?: ReadonlySet<SlaStep>,
): Promise<void> {
  const now = deps.clock.now();
  const [row] = await tx
    .update(questions)
    .set({ slaGeneration: sql`${questions.slaGeneration} + 1`, firstReplyDueAt: plan.firstReplyDueAt, resolveDueAt: plan.resolveDueAt, clockPausedAt: null })
    .where(eq(questions.id, question.id))
    .returning({ generation: questions.slaGeneration });
  const steps: [SlaStep, Date | null][] = [
    ...(question.firstRepliedAt
      ? []
      : ([
          ['first_reply_warn', plan.firstReplyWarnAt],
          ['first_reply_breach', plan.firstReplyDueAt],
        ] as [SlaStep, Date | null][])),
    ['resolve_warn', plan.resolveWarnAt],
    ['resolve_breach', plan.resolveDueAt],
  ];
  const due = steps.filter((s): s is [SlaStep, Date] => s[1] !== null && (!only || only.has(s[0])));
  await scheduleTimers(tx, deps.jobs, now, due.map(([step, dueAt]) => ({ questionId: question.id, step, generation: row!.generation, dueAt })));
}

/** Stops the clocks (waiting on the asker): every scheduled step goes stale until they are scheduled again. */
export async function pauseClocks(tx: Tx, questionId: string, now: Date): Promise<void> {
  await tx.update(questions).set({ clockPausedAt: now, slaGeneration: sql`${questions.slaGeneration} + 1` }).where(eq(questions.id, questionId));
}

/**
 * The asker replied to a question waiting on them: the clocks go on. Each step
 * not yet due when they stopped is scheduled again, moved on by `shift` (the
 * paused time, counted on the policy's calendar); what was already due then
 * stays as it was.
 */
export async function resumeClocks(
  tx: Tx,
  deps: { jobs: Jobs; clock: Clock },
  q: { id: string; firstRepliedAt: Date | null; clockPausedAt: Date | null; slaGeneration: number; firstReplyDueAt: Date | null; resolveDueAt: Date | null },
  shift: (due: Date) => Date,
): Promise<void> {
  const pausedAt = q.clockPausedAt;
  if (!pausedAt) return;
  const before = await tx
    .select()
    .from(slaTimers)
    .where(and(eq(slaTimers.questionId, q.id), eq(slaTimers.generation, q.slaGeneration - 1), ne(slaTimers.step, 'arrival_breach')));
  const pending = new Set(before.filter((x) => x.dueAt > pausedAt).map((x) => x.step));
  const at = (step: SlaStep) => before.find((x) => x.step === step)?.dueAt ?? null;
  const moved = (d: Date | null) => (d && d > pausedAt ? shift(d) : d);
  await scheduleClocks(
    tx,
    deps,
    q,
    { firstReplyWarnAt: moved(at('first_reply_warn')), firstReplyDueAt: moved(q.firstReplyDueAt), resolveWarnAt: moved(at('resolve_warn')), resolveDueAt: moved(q.resolveDueAt) },
    pending,
  );
}

/** "需要上门": someone must be on site within `minutes`; if the service record has no arrival by then, managers and experts hear of it. */
export async function startArrivalClock(tx: Tx, deps: { jobs: Jobs; clock: Clock }, questionId: string, minutes: number): Promise<Date> {
  const now = deps.clock.now();
  const dueAt = new Date(now.getTime() + minutes * 60_000);
  const [{ n } = { n: 0 }] = await tx.select({ n: count() }).from(slaTimers).where(and(eq(slaTimers.questionId, questionId), eq(slaTimers.step, 'arrival_breach')));
  await tx.update(questions).set({ onSiteRequestedAt: now, arrivalDueAt: dueAt }).where(eq(questions.id, questionId));
  await scheduleTimers(tx, deps.jobs, now, [{ questionId, step: 'arrival_breach', generation: Number(n) + 1, dueAt }]);
  return dueAt;
}

async function adminEmails(tx: Tx): Promise<string[]> {
  return (await tx.select({ email: users.email }).from(users).where(and(eq(users.status, 'active'), arrayContains(users.roles, ['admin'])))).map((u) => u.email);
}

/**
 * A scheduled step comes due (the `sla.fire` job). Claimed by one
 * conditional update, so it acts once whatever the number of processes; a
 * step of an older plan, of a paused clock, or whose target was met does
 * nothing. Warnings go to the assignee; a missed first reply brings in the
 * tier-2 experts on duty, a missed resolution tier 3 and the manager on call,
 * a missed arrival the manager and the experts — each on the timeline and mailed.
 */
export async function fireSlaTimer(deps: EscalationDeps, timerId: string): Promise<'fired' | 'stale' | 'done'> {
  return deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const [timer] = await tx.update(slaTimers).set({ firedAt: now }).where(and(eq(slaTimers.id, timerId), isNull(slaTimers.firedAt))).returning();
    if (!timer) return 'done';
    const [q] = await tx.select().from(questions).where(eq(questions.id, timer.questionId)).for('update');
    if (!q || q.mergedIntoId || ['resolved', 'closed'].includes(q.status)) return 'stale';
    if (timer.step === 'arrival_breach') {
      const [record] = await tx.select({ arrivedAt: serviceRecords.arrivedAt }).from(serviceRecords).where(eq(serviceRecords.questionId, q.id));
      if (record?.arrivedAt) return 'stale';
    } else {
      if (q.slaGeneration !== timer.generation || q.clockPausedAt) return 'stale';
      if (timer.step.startsWith('first_reply') && q.firstRepliedAt) return 'stale';
    }
    const deskUrl = `${deps.baseUrl.replace(/\/$/, '')}/desk/${q.number}`;
    const target = TARGET[timer.step];
    const due = formatDateTimeZh(timer.dueAt, deps.timeZone);
    const [assignee] = q.assigneeId ? await tx.select({ email: users.email }).from(users).where(eq(users.id, q.assigneeId)) : [];
    const send = (mail: Parameters<typeof queueMail>[0]['mail']) => queueMail({ tx, jobs: deps.jobs, clock: deps.clock, from: deps.mailFrom, mail });

    if (timer.step.endsWith('_warn')) {
      await addEvent(tx, now, q.id, { kind: 'sla_warning', internal: true, data: { step: timer.step, target, dueAt: timer.dueAt.toISOString() } });
      await send(warningMail(q, { to: assignee ? [assignee.email] : await adminEmails(tx), target, due, deskUrl }));
      return 'fired';
    }
    const plan =
      timer.step === 'first_reply_breach'
        ? { set: { firstReplyBreachedAt: now, tier: sql`greatest(${questions.tier}, 2)` }, who: (p: { role: string; tier: number | null }) => p.role === 'engineer' && p.tier === 2, role: 'expert' as const }
        : timer.step === 'resolve_breach'
          ? { set: { resolveBreachedAt: now, tier: sql`greatest(${questions.tier}, 3)` }, who: (p: { role: string; tier: number | null }) => p.role === 'manager' || p.tier === 3, role: 'vendor' as const }
          : { set: {}, who: (p: { role: string; tier: number | null }) => p.role === 'manager' || p.tier === 2, role: 'manager' as const };
    if (Object.keys(plan.set).length) await tx.update(questions).set(plan.set).where(eq(questions.id, q.id));
    const reason = `${target}时限（${due}）已到`;
    const added = await bringIn(tx, deps, q, { who: plan.who, role: plan.role, reason });
    await addEvent(tx, now, q.id, { kind: 'sla_breached', internal: true, data: { step: timer.step, target, dueAt: timer.dueAt.toISOString(), added: added.length } });
    const escalated = added.length ? `已通知在岗的${timer.step === 'first_reply_breach' ? '二线专家' : timer.step === 'resolve_breach' ? '三线厂商和值班项目经理' : '值班项目经理和二线专家'}协助处理。` : '当前没有在岗的上一级人员，请管理员安排。';
    const to = [...new Set([...(assignee ? [assignee.email] : []), ...(await adminEmails(tx))])];
    if (to.length) await send(breachMail(q, { to, target, due, escalated, deskUrl }));
    return 'fired';
  });
}
