import { and, arrayContains, asc, count, eq, inArray, max, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import { questionParticipants, questions, users, type DutyRole, type ParticipantRole } from '../../../db/schema/index.ts';
import { can } from '../auth/auth.policy.ts';
import type { Jobs } from '../jobs/jobs.ts';
import { queueMail, type MailInput } from '../mail/mail.outbox.ts';
import { addEvent } from '../questions/questions.workflow.ts';
import type { Clock } from '../shared/clock.ts';
import { loadRoster } from './roster.queries.ts';
import { localDay } from '../shared/time.ts';
import { onDutyAt } from './roster.schedule.ts';
import { assignedMail, participantMail, unroutedMail } from './routing.mail.ts';

export interface RoutingDeps {
  clock: Clock;
  jobs: Jobs;
  mailFrom: string;
  baseUrl: string;
  timeZone: string;
  /** DUTY_FALLBACK_EMAIL: also alerted when nobody is on duty. */
  dutyFallbackEmail: string | null;
}

/** Statuses in which a question still counts as someone's open work. */
const OPEN = ['new', 'assigned', 'answered', 'reopened', 'waiting'] as const;

export interface Candidate {
  id: string;
  name: string;
  open: number;
  lastAssignedAt: Date | null;
}

/** Fewest open questions first; then the one assigned least recently (never first); then by name, so the choice is stable. */
export function pickEngineer(candidates: Candidate[]): Candidate | null {
  return (
    [...candidates].sort(
      (a, b) =>
        a.open - b.open ||
        (a.lastAssignedAt?.getTime() ?? -Infinity) - (b.lastAssignedAt?.getTime() ?? -Infinity) ||
        a.name.localeCompare(b.name, 'zh-CN'),
    )[0] ?? null
  );
}

async function candidatesFor(tx: Tx, ids: string[]): Promise<Candidate[]> {
  if (!ids.length) return [];
  const people = (await tx.select({ id: users.id, name: users.name, roles: users.roles }).from(users).where(and(inArray(users.id, ids), eq(users.status, 'active')))).filter(
    (u) => can(u, 'desk.use'),
  );
  if (!people.length) return [];
  const load = await tx
    .select({
      id: questions.assigneeId,
      open: count(sql`case when ${inArray(questions.status, [...OPEN])} then 1 end`),
      last: max(questions.assignedAt),
    })
    .from(questions)
    .where(inArray(questions.assigneeId, people.map((p) => p.id)))
    .groupBy(questions.assigneeId);
  const byId = new Map(load.map((l) => [l.id, l]));
  return people.map((p) => ({ id: p.id, name: p.name, open: byId.get(p.id)?.open ?? 0, lastAssignedAt: byId.get(p.id)?.last ?? null }));
}

/**
 * Routes a question that has just been written, in its transaction: to the
 * tier-1 engineer on duty now with the fewest open questions, who is mailed;
 * with nobody on duty it stays unassigned and the admins and the fallback
 * address are alerted. Until the first shift is defined there is no routing.
 * A level-A fault also brings in the tier-2 experts on
 * duty at once. Every decision goes on the timeline with its reason.
 */
export async function routeNewQuestion(
  tx: Tx,
  deps: RoutingDeps,
  question: { id: string; number: string; title: string; kind: string; severity: string | null },
): Promise<{ assigneeId: string | null }> {
  const now = deps.clock.now();
  const today = localDay(now, deps.timeZone);
  const roster = await loadRoster({ db: tx, timeZone: deps.timeZone, from: today, to: today });
  // No roster at all (a new site, or one that does not use it): engineers claim from the unassigned queue, nobody is alerted.
  if (!roster.shifts.length) return { assigneeId: null };
  const duty = onDutyAt(now, roster).filter((p) => p.role === 'engineer');
  const deskUrl = `${deps.baseUrl.replace(/\/$/, '')}/desk/${question.number}`;
  const send = (mail: MailInput) => queueMail({ tx, jobs: deps.jobs, clock: deps.clock, from: deps.mailFrom, mail });

  const tier1 = await candidatesFor(tx, duty.filter((p) => p.tier === 1).map((p) => p.userId));
  const chosen = pickEngineer(tier1);
  if (chosen) {
    const tie = tier1.filter((c) => c.open === chosen.open).length > 1;
    const reason = `值班一线 ${chosen.name}，当前未结 ${chosen.open} 个，${tier1.length > 1 ? (tie ? '最少，且最久未分派' : '最少') : '唯一在岗'}`;
    await tx
      .update(questions)
      .set({ assigneeId: chosen.id, assignedAt: now, status: 'assigned', tier: 1, version: sql`${questions.version} + 1` })
      .where(eq(questions.id, question.id));
    await addEvent(tx, now, question.id, { kind: 'routed', data: { to: chosen.id, toName: chosen.name, open: chosen.open, candidates: tier1.length, reason } });
    const [to] = await tx.select({ email: users.email }).from(users).where(eq(users.id, chosen.id));
    await send(assignedMail(question, { to: to!.email, name: chosen.name, reason, deskUrl }));
  } else {
    const reason = '当前没有在岗的一线值班工程师，留在“未受理”队列';
    await addEvent(tx, now, question.id, { kind: 'routed', data: { to: null, reason } });
    const admins = await tx.select({ email: users.email }).from(users).where(and(eq(users.status, 'active'), arrayContains(users.roles, ['admin'])));
    const to = [...new Set([...admins.map((a) => a.email), ...(deps.dutyFallbackEmail ? [deps.dutyFallbackEmail] : [])])];
    if (to.length) await send(unroutedMail(question, { to, deskUrl }));
  }

  if (question.kind === 'fault' && question.severity === 'A')
    await bringIn(tx, deps, question, { who: (p) => p.role === 'engineer' && p.tier === 2, role: 'expert', reason: 'A 级（紧急）故障，到达即通知二线专家' });
  return { assigneeId: chosen?.id ?? null };
}

/**
 * Brings the people on duty now whom `who` picks into a question as
 * participants (each once), each on the timeline (internal) and mailed:
 * the experts of a level-A fault, tier 2 on a first-reply breach, tier 3 and
 * the manager on a resolution breach, a case team. Returns who was added.
 */
export async function bringIn(
  tx: Tx,
  deps: RoutingDeps,
  question: { id: string; number: string; title: string },
  { who, role, reason }: { who: (p: { role: DutyRole; tier: number | null }) => boolean; role: ParticipantRole; reason: string },
): Promise<string[]> {
  const now = deps.clock.now();
  const today = localDay(now, deps.timeZone);
  const roster = await loadRoster({ db: tx, timeZone: deps.timeZone, from: today, to: today });
  const people = await candidatesFor(tx, onDutyAt(now, roster).filter(who).map((p) => p.userId));
  const deskUrl = `${deps.baseUrl.replace(/\/$/, '')}/desk/${question.number}`;
  const added: string[] = [];
  for (const person of people.sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'))) {
    const inserted = await tx
      .insert(questionParticipants)
      .values({ questionId: question.id, userId: person.id, role, reason, addedAt: now })
      .onConflictDoNothing()
      .returning({ userId: questionParticipants.userId });
    if (!inserted.length) continue;
    added.push(person.id);
    await addEvent(tx, now, question.id, { kind: 'participant_added', internal: true, data: { userId: person.id, name: person.name, role, reason } });
    const [to] = await tx.select({ email: users.email }).from(users).where(eq(users.id, person.id));
    await queueMail({ tx, jobs: deps.jobs, clock: deps.clock, from: deps.mailFrom, mail: participantMail(question, { to: to!.email, name: person.name, reason, deskUrl }) });
  }
  return added;
}

/** Experts, vendors, managers brought into a question, with names, oldest first. */
export function participantsOf(db: Db | Tx, questionId: string) {
  return db
    .select({ userId: questionParticipants.userId, role: questionParticipants.role, reason: questionParticipants.reason, addedAt: questionParticipants.addedAt, name: users.name })
    .from(questionParticipants)
    .innerJoin(users, eq(users.id, questionParticipants.userId))
    .where(eq(questionParticipants.questionId, questionId))
    .orderBy(asc(questionParticipants.addedAt));
}
