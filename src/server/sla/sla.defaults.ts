/**
 * The SLA targets Dayi ships with, from the service commitments
 * (docs/service-commitments.md): faults of every level and consultations
 * 1 h to the first reply and 4 h to resolution round the clock (7×24);
 * suggestions 4 h and 24 h of working time, holidays excluded. Admins change
 * them at /admin/sla; these are seeded once and used for anything missing.
 */
import { severities, type QuestionKind } from '../../../db/schema/questions.ts';
import type { SlaCalendar } from '../../../db/schema/sla.ts';

export interface SlaTarget {
  kind: QuestionKind;
  /** 'A'…'E' for faults, '' for kinds without a severity. */
  severity: string;
  firstReplyMinutes: number;
  resolveMinutes: number;
  calendar: SlaCalendar;
}

export const defaultWorkingIntervals: [string, string][] = [
  ['08:30', '12:00'],
  ['13:30', '17:30'],
];
export const defaultWarnPercent = 75;
/** An expert on site within 2 h of being dispatched. */
export const defaultArrivalMinutes = 120;

/** One target per kind and severity, in the order admins see them. */
export const defaultTargets: readonly SlaTarget[] = [
  ...severities.map((severity): SlaTarget => ({ kind: 'fault', severity, firstReplyMinutes: 60, resolveMinutes: 240, calendar: '24x7' })),
  // The commitments give consultations 1 h / 4 h without naming a calendar; like faults, they run 7×24.
  { kind: 'consult', severity: '', firstReplyMinutes: 60, resolveMinutes: 240, calendar: '24x7' },
  { kind: 'suggestion', severity: '', firstReplyMinutes: 240, resolveMinutes: 1440, calendar: 'working' },
];

/** The severity a kind's target is filed under: the fault's level, '' for the other kinds. */
export function targetSeverity(kind: QuestionKind, severity: string | null | undefined): string {
  return kind === 'fault' ? (severity ?? '') : '';
}

/** The shipped target for a kind and severity (a fault without a known level gets level A's). */
export function defaultTargetFor(kind: QuestionKind, severity: string | null | undefined): SlaTarget {
  const s = targetSeverity(kind, severity);
  return defaultTargets.find((d) => d.kind === kind && d.severity === s) ?? defaultTargets.find((d) => d.kind === kind)!;
}

/** A target's key in forms and field errors: "fault-A", "consult". */
export const targetKey = (t: { kind: QuestionKind; severity: string }) => (t.severity ? `${t.kind}-${t.severity}` : t.kind);
