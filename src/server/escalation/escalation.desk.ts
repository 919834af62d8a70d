import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { questions, slaSettings } from '../../../db/schema/index.ts';
import type { AuthUser } from '../auth/auth.sessions.ts';
import { createQuestionStateError } from '../questions/questions.errors.ts';
import { OPEN_STATUSES, type QuestionRow } from '../questions/questions.queries.ts';
import { changeQuestion, type ChangeDeps } from '../questions/questions.workflow.ts';
import { bringIn } from '../roster/routing.ts';
import { createValidationError } from '../shared/errors.ts';
import { startArrivalClock } from './escalation.usecases.ts';

/** An engineer's action on a question they have open at `version`. */
type DeskAction = ChangeDeps & { actor: AuthUser; question: QuestionRow; version: number; timeZone: string };

const reasonSchema = z.string().trim().min(2, '请写明升级原因。').max(500, '原因不超过 500 字。');
const DEFAULT_ARRIVAL_MINUTES = 120;

function requireOpen(q: QuestionRow) {
  if (!OPEN_STATUSES.includes(q.status) || q.mergedIntoId) throw createQuestionStateError();
}
const routing = (d: DeskAction) => ({ ...d, dutyFallbackEmail: null });

/**
 * Escalates by hand to tier 2 (experts) or tier 3 (vendor): everyone of that
 * tier on duty now is brought in and mailed; the question's tier goes up.
 * Refused when nobody of that tier is on duty (call them, and note it).
 */
export async function escalateByHand(d: DeskAction & { tier: unknown; reason: unknown }) {
  requireOpen(d.question);
  const tier = z.coerce.number().int().min(2).max(3).safeParse(d.tier);
  if (!tier.success) throw createValidationError({ tier: '请选择升级到二线或三线。' });
  const reason = reasonSchema.safeParse(d.reason);
  if (!reason.success) throw createValidationError({ reason: reason.error.issues[0]!.message });
  const label = tier.data === 2 ? '二线专家' : '三线厂商';
  return changeQuestion(d, {
    question: d.question,
    version: d.version,
    set: { tier: sql`greatest(${questions.tier}, ${tier.data})` },
    event: { kind: 'escalated', actorId: d.actor.id, body: reason.data, data: { tier: tier.data, label } },
    alongside: async (tx) => {
      const added = await bringIn(tx, routing(d), d.question, {
        who: (p) => p.role === 'engineer' && p.tier === tier.data,
        role: tier.data === 2 ? 'expert' : 'vendor',
        reason: `${d.actor.name} 手动升级：${reason.data}`,
      });
      if (!added.length) throw createValidationError({ tier: `当前没有在岗的${label}（或已全部在协助），请电话联系后在内部备注中记录。` });
    },
  });
}

/**
 * "需要上门" for a fault: someone must be on site within the arrival target
 * (120 minutes unless the SLA settings say otherwise); the service record's
 * arrival time stops the clock, else the manager and experts are alerted.
 */
export async function requestOnSite(d: DeskAction) {
  requireOpen(d.question);
  if (d.question.kind !== 'fault') throw createValidationError({ action: '只有故障申告需要上门。' });
  if (d.question.onSiteRequestedAt) throw createValidationError({ action: '已经标记为需要上门。' });
  const [settings] = await d.db.select({ arrivalMinutes: slaSettings.arrivalMinutes }).from(slaSettings).where(eq(slaSettings.id, 1));
  const minutes = settings?.arrivalMinutes ?? DEFAULT_ARRIVAL_MINUTES;
  const arrivalDueAt = new Date(d.clock.now().getTime() + minutes * 60_000);
  return changeQuestion(d, {
    question: d.question,
    version: d.version,
    event: { kind: 'on_site_requested', actorId: d.actor.id, data: { arrivalDueAt: arrivalDueAt.toISOString(), minutes } },
    alongside: async (tx) => {
      await startArrivalClock(tx, d, d.question.id, minutes);
    },
  });
}

/** Raises a major or widespread fault to a case team (专案): the manager and the experts on duty are brought in. */
export async function raiseCaseTeam(d: DeskAction & { reason: unknown }) {
  requireOpen(d.question);
  if (d.question.caseTeam) throw createValidationError({ reason: '已经是专案。' });
  const reason = reasonSchema.safeParse(d.reason);
  if (!reason.success) throw createValidationError({ reason: reason.error.issues[0]!.message });
  return changeQuestion(d, {
    question: d.question,
    version: d.version,
    set: { caseTeam: true },
    event: { kind: 'case_team', actorId: d.actor.id, body: reason.data },
    alongside: async (tx) => {
      await bringIn(tx, routing(d), d.question, { who: (p) => p.role === 'manager' || p.tier === 2, role: 'case_team', reason: `专案：${reason.data}` });
    },
  });
}
