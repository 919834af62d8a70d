import { t } from '../../i18n/t.ts';
import { createErrorFactory } from '../shared/errors.ts';

export const createFeedbackFormNotFoundError = createErrorFactory({ code: 'feedback.not_found', message: t('feedback.error.notFound'), status: 404 });
export const createFeedbackNotOpenError = createErrorFactory({ code: 'feedback.not_open', message: t('feedback.error.notOpen'), status: 409 });
export const createFeedbackClosedError = createErrorFactory({ code: 'feedback.closed', message: t('feedback.error.closed'), status: 409 });
export const createFeedbackAlreadySubmittedError = createErrorFactory({
  code: 'feedback.already_submitted',
  message: t('feedback.error.already'),
  status: 409,
});
export const createFeedbackLinkUsedError = createErrorFactory({ code: 'feedback.link_used', message: t('feedback.error.linkUsed'), status: 409 });
export const createFeedbackNotAttendeeError = createErrorFactory({ code: 'feedback.not_attendee', message: t('feedback.error.notAttendee'), status: 403 });
