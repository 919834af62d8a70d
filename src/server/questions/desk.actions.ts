import { t } from '../../i18n/t.ts';
import type { AuthUser } from '../auth/auth.sessions.ts';
import { createValidationError } from '../shared/errors.ts';
import { asString } from '../shared/forms.ts';
import { addNote, assignQuestion, classifyQuestion, claimQuestion, mergeQuestion, replyToQuestion, setQuestionStatus } from './desk.usecases.ts';
import { escalateByHand, raiseCaseTeam, requestOnSite } from '../escalation/escalation.desk.ts';
import type { PendingUpload } from '../uploads/uploads.pending.ts';
import { checkAttachments, type AttachmentBatch, type AttachmentSettings } from './attachments.usecases.ts';
import { createStaleVersionError } from './questions.errors.ts';
import type { QuestionRow } from './questions.queries.ts';
import type { ChangeDeps } from './questions.workflow.ts';

/** What a successful desk action reports after the redirect (`?done=`). */
export const deskDoneCodes = ['claimed', 'assigned', 'replied', 'noted', 'resolved', 'closed', 'reopened', 'merged', 'classified', 'escalated', 'onsite', 'caseteam'] as const;
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
  upload,
  settings,
}: {
  deps: ChangeDeps;
  actor: AuthUser;
  question: QuestionRow;
  form: Record<string, string | string[]>;
  /** Files posted with a reply or note (an engineer's message may carry as many as the asker's question). */
  upload: PendingUpload;
  settings: AttachmentSettings;
}): Promise<DeskDone> {
  const field = (name: string) => asString(form[name]);
  const version = Number(field('version'));
  // A form without a sensible version cannot say what its sender saw: treat it as out of date.
  if (!Number.isInteger(version) || version < 1) throw createStaleVersionError();
  const d = { ...deps, actor, question, version };
  const files = async (): Promise<AttachmentBatch | undefined> => {
    const checked = await checkAttachments(upload, settings);
    return checked.length ? { checked, filesDir: settings.filesDir, fromAsker: false } : undefined;
  };
  switch (field('action')) {
    case 'claim':
      await claimQuestion(d);
      return 'claimed';
    case 'assign':
      await assignQuestion({ ...d, assigneeId: field('assigneeId') });
      return 'assigned';
    case 'reply':
      await replyToQuestion({ ...d, body: field('body'), attachments: await files(), waitForAsker: field('waitForAsker') === '1' });
      return 'replied';
    case 'note':
      await addNote({ ...d, body: field('body'), attachments: await files() });
      return 'noted';
    case 'status': {
      const { question: changed } = await setQuestionStatus({ ...d, status: field('status') });
      return changed.status as 'resolved' | 'closed' | 'reopened';
    }
    case 'classify':
      await classifyQuestion({ ...d, kind: field('kind'), severity: field('severity') });
      return 'classified';
    case 'escalate':
      await escalateByHand({ ...d, tier: field('tier'), reason: field('reason') });
      return 'escalated';
    case 'onsite':
      await requestOnSite(d);
      return 'onsite';
    case 'caseteam':
      await raiseCaseTeam({ ...d, reason: field('reason') });
      return 'caseteam';
    case 'merge':
      await mergeQuestion({ ...d, intoNumber: field('intoNumber') });
      return 'merged';
    default:
      throw createValidationError({ action: '不支持的操作。' });
  }
}
