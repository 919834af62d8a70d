import type { APIRoute } from 'astro';
import { z } from 'zod';
import { logSearch } from '../../../server/search/search.log.ts';
import { normalizeQuery } from '../../../server/search/search.query.ts';
import { createValidationError, errorResponse } from '../../../server/shared/errors.ts';

const bodySchema = z.strictObject({ q: z.string().trim().min(1).max(200), hits: z.number().int().min(0).max(100_000) });

/** POST /api/search/log — the instant search box reports a search the user settled on. */
export const POST: APIRoute = async ({ request, locals }) => {
  try {
    const parsed = bodySchema.safeParse(await request.json().catch(() => null));
    if (!parsed.success) throw createValidationError({ body: '需要 q（1-200 字）和 hits。' });
    const { runtime, user: viewer } = locals;
    const { id } = await logSearch({
      db: runtime.database.db,
      clock: runtime.clock,
      userId: viewer?.id ?? null, unitId: locals.user?.unitId ?? null,
      query: parsed.data.q,
      normalized: normalizeQuery(parsed.data.q),
      hits: parsed.data.hits,
      kind: 'instant',
    });
    return Response.json({ id }, { status: 201 });
  } catch (e) {
    return errorResponse(e, locals.runtime.log);
  }
};
