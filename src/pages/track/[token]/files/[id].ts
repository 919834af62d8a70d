import type { APIRoute } from 'astro';
import { openAttachment } from '../../../../server/questions/attachments.usecases.ts';
import { findQuestionByToken } from '../../../../server/questions/questions.queries.ts';
import { isUuid } from '../../../../server/shared/ids.ts';
import { fileResponse } from '../../../../server/uploads/uploads.download.ts';

/** An attachment by the private tracking link: only that question's, never an internal note's. */
export const GET: APIRoute = async ({ params, locals }) => {
  const { runtime } = locals;
  const id = params.id ?? '';
  const question = isUuid(id) ? await findQuestionByToken({ db: runtime.database.db, token: params.token ?? '' }) : null;
  const found = question && (await openAttachment({ db: runtime.database.db, filesDir: runtime.config.filesDir, id, question, withInternal: false }));
  if (!found) return new Response('未找到该附件。', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } });
  return fileResponse({ file: found.file, name: found.row.fileName, contentType: found.row.contentType, size: found.row.size });
};
