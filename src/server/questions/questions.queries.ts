import { and, asc, count, desc, eq, ilike, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../../../db/client.ts';
import { questionEvents, questionRatings, questions, units, users, type QuestionStatus } from '../../../db/schema/index.ts';
import { can, type Actor } from '../auth/auth.policy.ts';

export type QuestionRow = typeof questions.$inferSelect;
export const PAGE_SIZE = 20;

export const OPEN_STATUSES: QuestionStatus[] = ['new', 'assigned', 'answered', 'reopened', 'waiting'];

/** The question a private tracking link points to; null for an unknown or malformed token. */
export async function findQuestionByToken({ db, token }: { db: Db; token: string }): Promise<QuestionRow | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  const [row] = await db.select().from(questions).where(eq(questions.trackingToken, token));
  return row ?? null;
}

/** The question with this number if `viewer` may see it (asker, unit contact, engineers and admins); else null. */
export async function findQuestionForViewer({ db, number, viewer }: { db: Db; number: string; viewer: Actor | null }): Promise<QuestionRow | null> {
  if (!/^\d{8}-\d{4,}$/.test(number)) return null;
  const [row] = await db.select().from(questions).where(eq(questions.number, number));
  return row && can(viewer, 'question.read', { question: row }) ? row : null;
}

export interface TimelineEntry {
  id: string;
  kind: (typeof questionEvents.$inferSelect)['kind'];
  internal: boolean;
  body: string | null;
  data: Record<string, unknown> | null;
  at: Date;
  /** A display name: the user's, or the label an asker without an account gave. */
  actor: string | null;
  actorId: string | null;
}

/** The question's timeline, oldest first; `withInternal` only for engineers (notes never reach the asker). */
export async function timeline({ db, questionId, withInternal }: { db: Db; questionId: string; withInternal: boolean }): Promise<TimelineEntry[]> {
  const where = withInternal ? eq(questionEvents.questionId, questionId) : and(eq(questionEvents.questionId, questionId), eq(questionEvents.internal, false));
  const rows = await db
    .select({ e: questionEvents, name: users.name })
    .from(questionEvents)
    .leftJoin(users, eq(questionEvents.actorId, users.id))
    .where(where)
    .orderBy(asc(questionEvents.createdAt), asc(questionEvents.id));
  return rows.map(({ e, name }) => ({ id: e.id, kind: e.kind, internal: e.internal, body: e.body, data: e.data, at: e.createdAt, actor: name ?? e.actorLabel, actorId: e.actorId }));
}

/** Display names of the people a question page shows: the assignee and the asker's unit. */
export async function questionPeople({ db, question }: { db: Db; question: QuestionRow }) {
  const [assignee] = question.assigneeId ? await db.select({ name: users.name }).from(users).where(eq(users.id, question.assigneeId)) : [];
  const [unit] = question.unitId ? await db.select({ name: units.name, code: units.code }).from(units).where(eq(units.id, question.unitId)) : [];
  return { assigneeName: assignee?.name ?? null, unitName: unit?.name ?? question.unitName ?? null, unitCode: unit?.code ?? null };
}

/** The ratings given on a question, by answer. */
export async function ratingsOf({ db, questionId }: { db: Db; questionId: string }) {
  return db.select().from(questionRatings).where(eq(questionRatings.questionId, questionId));
}

const assignee = alias(users, 'assignee');

/** The deadline that comes next: the first reply while there is none, else the resolution. */
const nextDue = sql<Date | null>`case when ${questions.firstRepliedAt} is null then least(${questions.firstReplyDueAt}, ${questions.resolveDueAt}) else ${questions.resolveDueAt} end`.mapWith(questions.resolveDueAt);
/** How far ahead 即将超时 looks. */
export const DUE_SOON_MS = 60 * 60_000;

function listSelect(db: Db) {
  return db
    .select({
      id: questions.id,
      number: questions.number,
      title: questions.title,
      kind: questions.kind,
      severity: questions.severity,
      status: questions.status,
      channel: questions.channel,
      contactName: questions.contactName,
      unitName: units.name,
      typedUnit: questions.unitName,
      assigneeName: assignee.name,
      nextDueAt: nextDue,
      clockPausedAt: questions.clockPausedAt,
      createdAt: questions.createdAt,
      updatedAt: questions.updatedAt,
    })
    .from(questions)
    .leftJoin(units, eq(questions.unitId, units.id))
    .leftJoin(assignee, eq(questions.assigneeId, assignee.id));
}
export type QuestionListItem = Awaited<ReturnType<ReturnType<typeof listSelect>['execute']>>[number];

async function paged(db: Db, where: SQL | undefined, page: number, order: SQL[]) {
  const rows = await listSelect(db).where(where).orderBy(...order).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE);
  const [{ n } = { n: 0 }] = await db.select({ n: count() }).from(questions).leftJoin(units, eq(questions.unitId, units.id)).where(where);
  return { rows, total: Number(n), page, pages: Math.max(1, Math.ceil(Number(n) / PAGE_SIZE)) };
}

/** `/my/questions`: the user's own questions, and a unit contact's whole unit. Newest first. */
export async function listMyQuestions({ db, viewer, page = 1 }: { db: Db; viewer: Actor; page?: number }) {
  const own = eq(questions.askerId, viewer.id);
  const where = viewer.isUnitContact && viewer.unitId ? or(own, eq(questions.unitId, viewer.unitId)) : own;
  return paged(db, and(where, isNull(questions.mergedIntoId)), page, [desc(questions.createdAt)]);
}

export const deskQueues = ['mine', 'unassigned', 'open', 'due_soon', 'overdue', 'closed'] as const;
export type DeskQueue = (typeof deskQueues)[number];

export interface DeskFilters {
  kind?: string;
  severity?: string;
  status?: string;
  unitId?: string;
  /** A number (20261125-0007) or words from the title or description. */
  q?: string;
}

function queueWhere(queue: DeskQueue, viewerId: string, now: Date): SQL | undefined {
  const running = and(inArray(questions.status, OPEN_STATUSES), isNull(questions.mergedIntoId), isNull(questions.clockPausedAt));
  switch (queue) {
    case 'overdue':
      return and(running, sql`${nextDue} <= ${now.toISOString()}::timestamptz`);
    case 'due_soon':
      return and(running, sql`${nextDue} > ${now.toISOString()}::timestamptz`, sql`${nextDue} <= ${new Date(now.getTime() + DUE_SOON_MS).toISOString()}::timestamptz`);
    case 'mine':
      return and(eq(questions.assigneeId, viewerId), inArray(questions.status, OPEN_STATUSES));
    case 'unassigned':
      return and(isNull(questions.assigneeId), inArray(questions.status, OPEN_STATUSES), isNull(questions.mergedIntoId));
    case 'open':
      return and(inArray(questions.status, OPEN_STATUSES), isNull(questions.mergedIntoId));
    case 'closed':
      return inArray(questions.status, ['resolved', 'closed']);
  }
}

/** A desk queue with filters; open queues oldest first (who waits longest comes first), closed newest first. */
export async function listDeskQueue({
  db,
  viewer,
  queue,
  filters = {},
  page = 1,
  now = new Date(),
}: {
  db: Db;
  viewer: Actor;
  queue: DeskQueue;
  filters?: DeskFilters;
  page?: number;
  now?: Date;
}) {
  const parts: (SQL | undefined)[] = [queueWhere(queue, viewer.id, now)];
  if (filters.kind) parts.push(eq(questions.kind, filters.kind as QuestionRow['kind']));
  if (filters.severity) parts.push(eq(questions.severity, filters.severity as NonNullable<QuestionRow['severity']>));
  if (filters.status) parts.push(eq(questions.status, filters.status as QuestionStatus));
  if (filters.unitId) parts.push(eq(questions.unitId, filters.unitId));
  const q = filters.q?.trim().slice(0, 100);
  if (q) parts.push(/^\d{8}-\d{4,}$/.test(q) ? eq(questions.number, q) : or(ilike(questions.title, `%${q}%`), ilike(questions.body, `%${q}%`)));
  // Deadline queues by the deadline; other open queues oldest first (who waits longest comes first); closed newest first.
  const order = queue === 'closed' ? [desc(questions.updatedAt)] : queue === 'due_soon' || queue === 'overdue' ? [asc(nextDue)] : [asc(questions.createdAt)];
  return paged(db, and(...parts), page, order);
}

/** The counts in the desk header: what waits for this engineer and for anyone. */
export async function deskCounts({ db, viewer, now = new Date() }: { db: Db; viewer: Actor; now?: Date }): Promise<DeskCounts> {
  const n = async (queue: DeskQueue) => Number((await db.select({ n: count() }).from(questions).where(queueWhere(queue, viewer.id, now)))[0]?.n ?? 0);
  return { mine: await n('mine'), unassigned: await n('unassigned'), open: await n('open'), due_soon: await n('due_soon'), overdue: await n('overdue') };
}
export type DeskCounts = Record<'mine' | 'unassigned' | 'open' | 'due_soon' | 'overdue', number>;

/** The asker's profile for the desk (用户档案): their unit's earlier questions, newest first. */
export async function unitHistory({ db, question }: { db: Db; question: QuestionRow }) {
  const where = question.unitId ? eq(questions.unitId, question.unitId) : question.askerId ? eq(questions.askerId, question.askerId) : eq(questions.contactEmail, question.contactEmail);
  return listSelect(db).where(and(where)).orderBy(desc(questions.createdAt)).limit(10);
}
