import type { APIRoute } from 'astro';
import { z } from 'zod';
import { logSearch, searchLogSource } from '../../../server/search/search.log.ts';
import { normalizeQuery } from '../../../server/search/search.query.ts';
import { createValidationError, errorResponse } from '../../../server/shared/errors.ts';
import { readJsonObject } from '../../../server/shared/forms.ts';

const bodySchema = z.strictObject({ q: z.string().trim().min(1).max(200), hits: z.number().int().min(0).max(100_000) });

/** POST /api/search/log — the instant search box reports a search the user settled on. `id` is null once the caller's log limit is used up. */
export const POST: APIRoute = async ({ request, locals }) => {
  const { runtime, user: viewer } = locals;
  try {
    const parsed = bodySchema.safeParse(await readJsonObject(request));
    if (!parsed.success) throw createValidationError({ body: '需要 q（1-200 字）和 hits。' });
    const { id } = await logSearch({
      db: runtime.database.db,
      clock: runtime.clock,
      source: searchLogSource(viewer, locals.clientIp),
      userId: viewer?.id ?? null,
      unitId: viewer?.unitId ?? null,
      query: parsed.data.q,
      normalized: normalizeQuery(parsed.data.q),
      hits: parsed.data.hits,
      kind: 'instant',
    });
    return Response.json({ id }, { status: 201 });
  } catch (e) {
    return errorResponse(e, runtime.log);
  }
};
