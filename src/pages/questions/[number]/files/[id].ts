import type { APIRoute } from 'astro';
import { can } from '../../../../server/auth/auth.policy.ts';
import { openAttachment } from '../../../../server/questions/attachments.usecases.ts';
import { findQuestionForViewer } from '../../../../server/questions/questions.queries.ts';
import { isUuid } from '../../../../server/shared/ids.ts';
import { fileResponse } from '../../../../server/uploads/uploads.download.ts';

/**
 * An attachment for a signed-in viewer of its question: the asker, the unit's
 * contact person, engineers and admins — internal notes' files for the last two only.
 */
export const GET: APIRoute = async ({ params, locals }) => {
  const { runtime, user } = locals;
  const id = params.id ?? '';
  const question = isUuid(id) ? await findQuestionForViewer({ db: runtime.database.db, number: params.number ?? '', viewer: user }) : null;
  const found =
    question &&
    (await openAttachment({ db: runtime.database.db, filesDir: runtime.config.filesDir, id, question, withInternal: can(user, 'desk.use') }));
  if (!found) return new Response('未找到该附件。', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } });
  return fileResponse({ file: found.file, name: found.row.fileName, contentType: found.row.contentType, size: found.row.size });
};
