import { and, arrayOverlaps, asc, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { questionKinds, questionStatuses, questions, severities, slaSettings, users } from '../../../db/schema/index.ts';
import { t } from '../../i18n/t.ts';
import { isUuid } from '../shared/ids.ts';
import { pageParam } from '../shared/paging.ts';
import { participantsOf } from '../roster/routing.ts';
import { attachmentsOf, byEvent } from './attachments.usecases.ts';
import { deskQueues, questionPeople, timeline, unitHistory, type DeskFilters, type DeskQueue, type QuestionRow } from './questions.queries.ts';

/** What the desk list shows: a queue, its filters and a page. */
export interface DeskListParams {
  queue: DeskQueue;
  filters: DeskFilters;
  page: number;
}

/** The list's parameters from its URL; an unknown value (a forged link) is ignored rather than refused. */
export function deskListParams(url: URL): DeskListParams {
  const p = url.searchParams;
  const pick = <T extends string>(name: string, allowed: readonly T[]): T | undefined => {
    const v = p.get(name) ?? '';
    return (allowed as readonly string[]).includes(v) ? (v as T) : undefined;
  };
  const unit = p.get('unit');
  return {
    queue: pick('queue', deskQueues) ?? 'mine',
    filters: {
      kind: pick('kind', questionKinds),
      severity: pick('severity', severities),
      status: pick('status', questionStatuses),
      unitId: isUuid(unit) ? unit : undefined,
      q: (p.get('q') ?? '').trim().slice(0, 100) || undefined,
    },
    page: pageParam(url),
  };
}

/** The desk URL of a queue with these filters; the page is left out, so a new queue or filter starts at page 1. */
export function deskHref(queue: DeskQueue, filters: DeskFilters = {}): string {
  const s = new URLSearchParams({ queue });
  const pairs: [string, string | undefined][] = [
    ['kind', filters.kind],
    ['severity', filters.severity],
    ['status', filters.status],
    ['unit', filters.unitId],
    ['q', filters.q],
  ];
  for (const [k, v] of pairs) if (v) s.set(k, v);
  return `/desk?${s}`;
}

/** "3 小时前": how long ago `from` was, in the coarsest unit that fits. */
export function ageText(from: Date, now: Date): string {
  const minutes = Math.floor((now.getTime() - from.getTime()) / 60_000);
  if (minutes < 1) return t('desk.age.now');
  if (minutes < 60) return t('desk.age.minutes', { n: minutes });
  if (minutes < 48 * 60) return t('desk.age.hours', { n: Math.floor(minutes / 60) });
  return t('desk.age.days', { n: Math.floor(minutes / 1440) });
}

/** Active engineers and admins: who a question can be assigned or transferred to. */
export function deskEngineers({ db }: { db: Db }) {
  return db
    .select({ id: users.id, name: users.name, engineerTier: users.engineerTier })
    .from(users)
    .where(and(eq(users.status, 'active'), arrayOverlaps(users.roles, ['engineer', 'admin'])))
    .orderBy(asc(users.name));
}

/**
 * Everything the desk's question page shows besides the question: names,
 * the full timeline (internal notes included), the asker's profile (用户档案)
 * with the unit's other questions, the question a duplicate was merged into,
 * and who it can go to.
 */
export async function deskQuestionView({ db, question }: { db: Db; question: QuestionRow }) {
  const people = await questionPeople({ db, question });
  const entries = await timeline({ db, questionId: question.id, withInternal: true });
  const files = byEvent(await attachmentsOf({ db, questionId: question.id, withInternal: true }));
  const [participants, [settings]] = await Promise.all([
    participantsOf(db, question.id),
    db.select({ arrivalMinutes: slaSettings.arrivalMinutes }).from(slaSettings).where(eq(slaSettings.id, 1)),
  ]);
  const history = (await unitHistory({ db, question })).filter((h) => h.id !== question.id);
  const [account] = question.askerId ? await db.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, question.askerId)) : [];
  const [mergedInto] = question.mergedIntoId ? await db.select({ number: questions.number, title: questions.title }).from(questions).where(eq(questions.id, question.mergedIntoId)) : [];
  return {
    ...people,
    entries,
    files,
    participants,
    arrivalMinutes: settings?.arrivalMinutes ?? 120,
    history,
    historyScope: question.unitId ? ('unit' as const) : ('asker' as const),
    account: account ?? null,
    mergedInto: mergedInto ?? null,
    engineers: await deskEngineers({ db }),
  };
}
export type DeskQuestionView = Awaited<ReturnType<typeof deskQuestionView>>;
