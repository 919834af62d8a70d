import { t } from '../../i18n/t.ts';
import type { AuthUser } from '../auth/auth.sessions.ts';
import type { ChangeDeps } from '../questions/questions.workflow.ts';
import { createValidationError } from '../shared/errors.ts';
import { asArray, asString } from '../shared/forms.ts';
import { formatLocalDateTime } from '../shared/time.ts';
import { createRetake, recordAssessment } from './training.assessment.ts';
import { saveChecklist } from './training.checkin.ts';
import { createTrainingStaleError } from './training.errors.ts';
import { publishNotice } from './training.notice.ts';
import { answerClassQuestion, recordClassQuestion } from './training.questions.ts';
import { addLesson, removeLesson, saveSummary, setTrainingStatus, updateLesson, updatePlan, type LessonRow, type TrainingRow } from './training.usecases.ts';

/** The archive's sections (档案), one tab each; the two printable records have pages of their own. */
export const archiveTabs = ['plan', 'notice', 'checkin', 'questions', 'assessment'] as const;
export type ArchiveTab = (typeof archiveTabs)[number];
export const tabOf = (value: string | null): ArchiveTab => ((archiveTabs as readonly string[]).includes(value ?? '') ? (value as ArchiveTab) : 'plan');

/** What a successful archive action reports after the redirect (`?done=`). */
export const archiveDoneCodes = ['created', 'saved', 'lessonAdded', 'lessonSaved', 'lessonRemoved', 'published', 'checklist', 'question', 'answered', 'assessed', 'retake', 'summary', 'cancelled', 'finished'] as const;
export type ArchiveDone = (typeof archiveDoneCodes)[number];

/** The zh-CN notice for a `?done=` code; null for none or an unknown one (never text from the URL). */
export function archiveDoneMessage(code: string | null): string | null {
  return code && (archiveDoneCodes as readonly string[]).includes(code) ? t(`training.done.${code as ArchiveDone}`) : null;
}

/** The plan form's fields as posted (the lists as arrays). */
export function postedPlan(form: Record<string, string | string[]>) {
  const one = (k: string) => asString(form[k]);
  return {
    title: one('title'),
    courseSlug: one('courseSlug'),
    courseVersion: one('courseVersion'),
    trainerId: one('trainerId'),
    form: one('form'),
    capacity: one('capacity'),
    audienceEmails: one('audienceEmails'),
    audienceUnitIds: asArray(form.audienceUnitIds),
    audienceRoles: asArray(form.audienceRoles),
    audienceKind: one('audienceKind'),
    goals: one('goals'),
    content: one('content'),
    organizer: one('organizer'),
    assessment: one('assessment'),
    passScore: one('passScore'),
    notes: one('notes'),
  };
}
export type PlanFormValues = ReturnType<typeof postedPlan>;

/** The plan form's values for a saved training (the named invitees as their e-mail addresses). */
export function planFormValues(training: TrainingRow | null, audienceEmails: string[]): PlanFormValues {
  const p = training?.plan;
  return {
    title: training?.title ?? '',
    courseSlug: training?.courseSlug ?? '',
    courseVersion: training?.courseVersion ?? '',
    trainerId: training?.trainerId ?? '',
    form: training?.form ?? 'lecture',
    capacity: training?.capacity != null ? String(training.capacity) : '',
    audienceEmails: audienceEmails.join('\n'),
    audienceUnitIds: training?.audience.unitIds ?? [],
    audienceRoles: training?.audience.roles ?? [],
    audienceKind: p?.audienceKind ?? '',
    goals: p?.goals ?? '',
    content: p?.content ?? '',
    organizer: p?.organizer ?? '',
    assessment: p?.assessment ?? '',
    passScore: p?.passScore != null ? String(p.passScore) : '',
    notes: p?.notes ?? '',
  };
}

/** A lesson's form values: local times in `timeZone`. */
export function lessonFormValues(l: LessonRow | null, timeZone: string) {
  return {
    topic: l?.topic ?? '',
    startsAt: l ? formatLocalDateTime(l.startsAt, timeZone) : '',
    endsAt: l ? formatLocalDateTime(l.endsAt, timeZone) : '',
    place: l?.place ?? '',
    onlineUrl: l?.onlineUrl ?? '',
    hours: l ? String(l.hours) : '',
  };
}
export const postedLesson = (form: Record<string, string | string[]>) => ({
  topic: asString(form.topic),
  startsAt: asString(form.startsAt),
  endsAt: asString(form.endsAt),
  place: asString(form.place),
  onlineUrl: asString(form.onlineUrl),
  hours: asString(form.hours),
});

/** The tab each action belongs to, so a refusal shows where the form was. */
export const tabOfAction: Record<string, ArchiveTab> = {
  plan: 'plan',
  addLesson: 'plan',
  saveLesson: 'plan',
  removeLesson: 'plan',
  cancel: 'plan',
  publish: 'notice',
  checklist: 'checkin',
  question: 'questions',
  answer: 'questions',
  assess: 'assessment',
  retake: 'assessment',
  finish: 'assessment',
};

/**
 * One posted form of the archive, handed to its use case; the policy check
 * (training.manage) is the page's. Returns the `?done=` code and where to go
 * (a new retake training opens its own archive).
 */
export async function performArchiveAction({
  deps,
  actor,
  training,
  form,
}: {
  deps: ChangeDeps;
  actor: AuthUser;
  training: TrainingRow;
  form: Record<string, string | string[]>;
}): Promise<{ done: ArchiveDone; tab: ArchiveTab; trainingId: string }> {
  const field = (k: string) => asString(form[k]);
  const version = () => {
    const v = Number(field('version'));
    if (!Number.isInteger(v) || v < 1) throw createTrainingStaleError();
    return v;
  };
  const action = field('action');
  const tab = tabOfAction[action] ?? 'plan';
  const ok = (done: ArchiveDone) => ({ done, tab, trainingId: training.id });
  switch (action) {
    case 'plan':
      await updatePlan({ ...deps, actor, training, version: version(), input: postedPlan(form) });
      return ok('saved');
    case 'addLesson':
      await addLesson({ ...deps, training, input: postedLesson(form) });
      return ok('lessonAdded');
    case 'saveLesson':
      await updateLesson({ ...deps, training, lessonId: field('lessonId'), input: postedLesson(form) });
      return ok('lessonSaved');
    case 'removeLesson':
      await removeLesson({ ...deps, training, lessonId: field('lessonId') });
      return ok('lessonRemoved');
    case 'publish':
      await publishNotice({ ...deps, training, version: version(), authorId: actor.id });
      return ok('published');
    case 'cancel':
      await setTrainingStatus({ ...deps, training, version: version(), status: 'cancelled' });
      return ok('cancelled');
    case 'finish':
      await setTrainingStatus({ ...deps, training, version: version(), status: 'finished' });
      return ok('finished');
    case 'checklist':
      await saveChecklist({ ...deps, training, lessonId: field('lessonId'), userIds: asArray(form.present), actorId: actor.id });
      return ok('checklist');
    case 'question':
      await recordClassQuestion({ ...deps, training, actor, input: { title: field('title'), body: field('body'), traineeId: field('traineeId'), lessonId: field('lessonId') } });
      return ok('question');
    case 'answer':
      await answerClassQuestion({ ...deps, training, actor, questionId: field('questionId'), version: version(), body: field('body'), resolve: field('resolve') === '1' });
      return ok('answered');
    case 'assess':
      await recordAssessment({ ...deps, training, actorId: actor.id, input: { userId: field('userId'), result: field('result'), score: field('score'), note: field('note') } });
      return ok('assessed');
    case 'retake': {
      const { training: retake } = await createRetake({ ...deps, training, actorId: actor.id });
      return { done: 'retake', tab: 'plan', trainingId: retake.id };
    }
    case 'summary':
      await saveSummary({ ...deps, training, version: version(), summary: field('summary') });
      return ok('summary');
    default:
      throw createValidationError({ action: '不支持的操作。' });
  }
}
