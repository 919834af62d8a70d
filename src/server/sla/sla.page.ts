/**
 * /admin/sla's data: the form values (as saved, or as typed when a save was
 * refused), the calendar of one year, and the posted forms dispatched to
 * their use case (PRG: a redirect after a change, the problem otherwise).
 */
import type { Db } from '../../../db/client.ts';
import { t } from '../../i18n/t.ts';
import type { RequestMeta } from '../audit/audit.usecases.ts';
import type { Clock } from '../shared/clock.ts';
import { asString, formProblem, readForm } from '../shared/forms.ts';
import { targetKey, type SlaTarget } from './sla.defaults.ts';
import { dayArrangement, weekdayText } from './sla.format.ts';
import { removeCalendarDay, saveSettings, saveTargets, setCalendarDay } from './sla.admin.ts';
import { calendarDaysIn, calendarYears, listTargets, loadSettings } from './sla.queries.ts';
import { INTERVALS_MAX } from './sla.schemas.ts';

export const slaIntents = ['targets', 'settings', 'day', 'removeDay'] as const;
export type SlaIntent = (typeof slaIntents)[number];
type Form = Record<string, string>;

export interface SlaProblem {
  intent: SlaIntent;
  message: string;
  fields: Record<string, string>;
  /** The form as typed, shown again. */
  typed: Form;
  status: number;
}

const sectionOf: Record<SlaIntent, string> = { targets: 'targets', settings: 'settings', day: 'days', removeDay: 'days' };

/** Runs the posted form; a redirect to the section that changed, or what to show for a refusal. */
export async function handleSlaPost({ request, db, clock, meta }: { request: Request; db: Db; clock: Clock; meta: RequestMeta }): Promise<{ redirect: string } | SlaProblem> {
  const raw = await readForm(request);
  const typed: Form = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, asString(v)]));
  const intent = slaIntents.find((i) => i === typed.intent) ?? 'targets';
  const year = /^\d{4}$/.test(typed.year ?? '') ? `year=${typed.year}&` : '';
  try {
    if (intent === 'targets') await saveTargets({ db, clock, meta, form: typed });
    else if (intent === 'settings') await saveSettings({ db, clock, meta, form: typed });
    else if (intent === 'day') {
      const { day } = await setCalendarDay({ db, clock, meta, form: typed });
      return { redirect: `/admin/sla?year=${day.slice(0, 4)}&done=day#days` };
    } else await removeCalendarDay({ db, clock, meta, day: typed.day ?? '' });
    return { redirect: `/admin/sla?${year}done=${intent === 'removeDay' ? 'removed' : intent}#${sectionOf[intent]}` };
  } catch (e) {
    const p = formProblem(e);
    return { intent, message: p.message, fields: p.fields, typed, status: p.status };
  }
}

const doneCodes = ['targets', 'settings', 'day', 'removed'] as const;

/** The zh-CN notice for a `?done=` code; null for none or an unknown one. */
export function slaDoneMessage(code: string | null): string | null {
  const c = doneCodes.find((d) => d === code);
  return c ? t(`admin.sla.done.${c}`) : null;
}

/** The year shown: `?year=` when it is a sensible year, else this year in the app's time zone. */
export function shownYear(param: string | null, now: Date, timeZone: string): number {
  const n = Number(param);
  if (param && /^\d{4}$/.test(param) && n >= 2000 && n <= 2100) return n;
  return Number(new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric' }).format(now));
}

export interface TargetRow {
  target: SlaTarget;
  key: string;
  label: string;
  values: { firstHours: string; firstMinutes: string; resolveHours: string; resolveMinutes: string; calendar: string };
}

const split = (minutes: number) => ({ h: String(Math.floor(minutes / 60)), m: String(minutes % 60) });

/** Everything the page shows. */
export async function slaView({ db, year, thisYear, problem }: { db: Db; year: number; thisYear: number; problem: SlaProblem | null }) {
  const typed = (intent: SlaIntent) => (problem?.intent === intent ? problem.typed : null);
  const targetForm = typed('targets');
  const targets: TargetRow[] = (await listTargets({ db })).map((target) => {
    const key = targetKey(target);
    const f = split(target.firstReplyMinutes);
    const r = split(target.resolveMinutes);
    const v = (name: string, saved: string) => targetForm?.[`${key}.${name}`] ?? saved;
    return {
      target,
      key,
      label: `${t(`question.kind.${target.kind}`)}${target.severity ? ` ${t(`question.severity.${target.severity as 'A'}`)}` : ''}`,
      values: {
        firstHours: v('firstHours', f.h),
        firstMinutes: v('firstMinutes', f.m),
        resolveHours: v('resolveHours', r.h),
        resolveMinutes: v('resolveMinutes', r.m),
        calendar: v('calendar', target.calendar),
      },
    };
  });

  const settings = await loadSettings({ db });
  const settingsForm = typed('settings');
  const intervals = Array.from({ length: INTERVALS_MAX }, (_, n) => ({
    start: settingsForm ? (settingsForm[`intervals.${n}.start`] ?? '') : (settings.workingIntervals[n]?.[0] ?? ''),
    end: settingsForm ? (settingsForm[`intervals.${n}.end`] ?? '') : (settings.workingIntervals[n]?.[1] ?? ''),
  }));
  const settingsValues = {
    intervals,
    warnPercent: settingsForm?.warnPercent ?? String(settings.warnPercent),
    arrivalMinutes: settingsForm?.arrivalMinutes ?? String(settings.arrivalMinutes),
  };

  const days = (await calendarDaysIn({ db, year })).map((d) => ({
    day: d.day,
    weekday: weekdayText(d.day),
    arrangement: dayArrangement(d.day, d.workday),
    workday: d.workday,
    name: d.name,
    source: d.source,
  }));
  const years = [...new Set([...(await calendarYears({ db })), thisYear, thisYear + 1, year])].sort((a, b) => b - a);
  const dayForm = typed('day');
  const dayValues = { day: dayForm?.day ?? '', workday: dayForm?.workday ?? '1', name: dayForm?.name ?? '' };
  return { targets, settingsValues, days, years, dayValues };
}
export type SlaView = Awaited<ReturnType<typeof slaView>>;

