import type { APIRoute } from 'astro';
import { recordSuggestions } from '../../../server/questions/deflections.usecases.ts';
import { errorResponse } from '../../../server/shared/errors.ts';
import { readJsonObject } from '../../../server/shared/forms.ts';

/** POST /api/questions/suggested — pages the ask form suggested, each once per form: `{ urls: [...] }`. */
export const POST: APIRoute = async ({ request, locals }) => {
  try {
    const { runtime } = locals;
    const { recorded } = await recordSuggestions({ db: runtime.database.db, clock: runtime.clock, input: await readJsonObject(request), clientIp: locals.clientIp });
    return Response.json({ recorded }, { status: 201 });
  } catch (e) {
    return errorResponse(e, locals.runtime.log);
  }
};
