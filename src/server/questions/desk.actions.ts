import { t } from '../../i18n/t.ts';
import type { AuthUser } from '../auth/auth.sessions.ts';
import { createValidationError } from '../shared/errors.ts';
import { asString } from '../shared/forms.ts';
import { addNote, assignQuestion, claimQuestion, mergeQuestion, replyToQuestion, setQuestionStatus } from './desk.usecases.ts';
import { createStaleVersionError } from './questions.errors.ts';
import type { QuestionRow } from './questions.queries.ts';
import type { ChangeDeps } from './questions.workflow.ts';

/** What a successful desk action reports after the redirect (`?done=`). */
export const deskDoneCodes = ['claimed', 'assigned', 'replied', 'noted', 'resolved', 'closed', 'reopened', 'merged'] as const;
export type DeskDone = (typeof deskDoneCodes)[number];

/** The zh-CN notice for a `?done=` code; null for none or an unknown one (never text from the URL). */
export function deskDoneMessage(code: string | null): string | null {
  return code && (deskDoneCodes as readonly string[]).includes(code) ? t(`desk.done.${code as DeskDone}`) : null;
}

/**
 * One posted form of the desk's question page: its `action` and the `version`
 * of the question the engineer had open, handed to the matching use case.
 * Throws the use case's AppErrors (409 `questions.stale` when someone else
 * changed the question in between).
 */
export async function performDeskAction({
  deps,
  actor,
  question,
  form,
}: {
  deps: ChangeDeps;
  actor: AuthUser;
  question: QuestionRow;
  form: Record<string, string | string[]>;
}): Promise<DeskDone> {
  const field = (name: string) => asString(form[name]);
  const version = Number(field('version'));
  // A form without a sensible version cannot say what its sender saw: treat it as out of date.
  if (!Number.isInteger(version) || version < 1) throw createStaleVersionError();
  const d = { ...deps, actor, question, version };
  switch (field('action')) {
    case 'claim':
      await claimQuestion(d);
      return 'claimed';
    case 'assign':
      await assignQuestion({ ...d, assigneeId: field('assigneeId') });
      return 'assigned';
    case 'reply':
      await replyToQuestion({ ...d, body: field('body') });
      return 'replied';
    case 'note':
      await addNote({ ...d, body: field('body') });
      return 'noted';
    case 'status': {
      const { question: changed } = await setQuestionStatus({ ...d, status: field('status') });
      return changed.status as 'resolved' | 'closed' | 'reopened';
    }
    case 'merge':
      await mergeQuestion({ ...d, intoNumber: field('intoNumber') });
      return 'merged';
    default:
      throw createValidationError({ action: '不支持的操作。' });
  }
}
