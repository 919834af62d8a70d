import type { APIRoute } from 'astro';
import { can } from '../../../../../server/auth/auth.policy.ts';
import { feedbackCsv, feedbackCsvName } from '../../../../../server/feedback/feedback.csv.ts';
import { findForm, findTraining, responsesOf } from '../../../../../server/feedback/feedback.queries.ts';
import { contentDisposition } from '../../../../../server/uploads/uploads.download.ts';

/** One form's responses as CSV (UTF-8 with BOM, opens in Excel), for the training's trainer and admins. */
export const GET: APIRoute = async ({ locals, params }) => {
  const db = locals.runtime.database.db;
  const training = await findTraining({ db, id: params.id ?? '' });
  const form = training ? await findForm({ db, id: params.formId ?? '' }) : null;
  if (!training || !form || form.sessionId !== training.id || !can(locals.user, 'training.manage', { training })) return new Response(null, { status: 404 });
  const csv = feedbackCsv({ responses: await responsesOf({ db, formIds: [form.id] }), timeZone: locals.runtime.config.appTimeZone });
  return new Response(csv, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': contentDisposition('attachment', feedbackCsvName(form)),
      'Cache-Control': 'private, no-store',
    },
  });
};
