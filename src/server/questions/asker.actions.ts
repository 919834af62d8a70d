import type { Config } from '../config/config.ts';
import { t } from '../../i18n/t.ts';
import type { MessageKey } from '../../i18n/zh-CN.ts';
import { createValidationError } from '../shared/errors.ts';
import { asArray, asString, formProblem } from '../shared/forms.ts';
import type { PendingUpload } from '../uploads/uploads.pending.ts';
import { readUploadForm } from '../uploads/uploads.request.ts';
import { askerAttachmentCount, checkAttachments, type AttachmentSettings } from './attachments.usecases.ts';
import { createStaleVersionError } from './questions.errors.ts';
import type { QuestionRow } from './questions.queries.ts';
import type { ChangeDeps } from './questions.workflow.ts';
import { fileComplaint } from './complaints.usecases.ts';
import { addFollowUp, confirmResolved, rateAnswer, reopenByAsker } from './tracking.usecases.ts';

/** What the asker's forms post, by `action`; the notice shown after each (`?done=`). */
export const askerActions = ['followup', 'resolve', 'reopen', 'rate', 'complain'] as const;
export type AskerActionName = (typeof askerActions)[number];

/** What was typed into the form whose post failed, to put back into that form's box. */
export interface AskerDraft {
  action: string;
  body: string;
}

/**
 * Runs one form post of the asker's page (tracking link or signed-in asker)
 * against the question as loaded; the caller redirects back on success.
 */
export async function runAskerAction({
  deps,
  config,
  question,
  form,
  upload = { files: [], problems: [] },
  settings,
}: {
  deps: ChangeDeps;
  config: Pick<Config, 'reopenDays'>;
  question: QuestionRow;
  form: Record<string, string | string[]>;
  /** Files posted with a follow-up; counted against the question's limit with the asker's earlier ones. */
  upload?: PendingUpload;
  settings: AttachmentSettings;
}): Promise<AskerActionName> {
  const action = askerActions.find((a) => a === asString(form.action));
  const version = Number(asString(form.version));
  // A form without a sensible version cannot say what its sender saw: treat it as out of date.
  if (!Number.isInteger(version) || version < 1) throw createStaleVersionError();
  const base = { ...deps, question, version, reopenDays: config.reopenDays };
  switch (action) {
    case 'followup': {
      const already = upload.files.length ? await askerAttachmentCount(deps.db, question.id) : 0;
      const checked = await checkAttachments(upload, settings, { already });
      await addFollowUp({ ...base, body: asString(form.body), attachments: checked.length ? { checked, filesDir: settings.filesDir, fromAsker: true } : undefined });
      break;
    }
    case 'resolve':
      await confirmResolved(base);
      break;
    case 'reopen':
      await reopenByAsker({ ...base, reason: asString(form.reason) });
      break;
    case 'rate':
      await rateAnswer({
        ...base,
        deskUrl: `${deps.baseUrl.replace(/\/$/, '')}/desk/${question.number}`,
        input: {
          replyEventId: asString(form.replyEventId),
          overall: asString(form.overall),
          attitude: asString(form.attitude),
          business: asString(form.business),
          technical: asString(form.technical),
          reasons: asArray(form.reasons),
          comment: asString(form.comment),
        },
      });
      break;
    case 'complain':
      await fileComplaint({ ...deps, question, body: asString(form.body) });
      break;
    default:
      throw createValidationError({ action: '不支持的操作。' });
  }
  return action;
}

/**
 * A POST to the asker's page: runs the action, then either says where to
 * redirect (PRG, with the notice code) or what went wrong, keeping the typed
 * follow-up or complaint. Both the tracking link page and the signed-in page use it.
 */
export async function handleAskerPost({
  request,
  pathname,
  deps,
  config,
  question,
  settings,
}: {
  request: Request;
  pathname: string;
  deps: ChangeDeps;
  config: Pick<Config, 'reopenDays'>;
  question: QuestionRow;
  settings: AttachmentSettings;
}): Promise<{ redirect: string } | { problem: string; status: number; draft: AskerDraft }> {
  const { form, upload } = await readUploadForm(request, settings);
  try {
    const done = await runAskerAction({ deps, config, question, form, upload, settings });
    return { redirect: `${pathname}?done=${done}` };
  } catch (e) {
    const p = formProblem(e);
    return { problem: Object.values(p.fields)[0] ?? p.message, status: p.status, draft: { action: asString(form.action), body: asString(form.body) } };
  }
}

/** The notice for `?done=` after a redirect: only codes of ours, never text from the URL. */
export function askerNotice(url: URL): string | null {
  const code = url.searchParams.get('done');
  const done = [...askerActions, 'submitted'].find((a) => a === code);
  return done ? t(`track.done.${done}` as MessageKey) : null;
}
