import type { APIRoute } from 'astro';
import { recordDeflection } from '../../../server/questions/deflections.usecases.ts';
import { errorResponse } from '../../../server/shared/errors.ts';
import { readJsonObject } from '../../../server/shared/forms.ts';

/** POST /api/questions/deflect — "这解决了我的问题" beside the ask form: `{ query, articleUrl }`; nothing is asked. */
export const POST: APIRoute = async ({ request, locals }) => {
  try {
    const { runtime } = locals;
    await recordDeflection({ db: runtime.database.db, clock: runtime.clock, input: await readJsonObject(request), viewer: locals.user, clientIp: locals.clientIp });
    return Response.json({ ok: true }, { status: 201 });
  } catch (e) {
    return errorResponse(e, locals.runtime.log);
  }
};
