import type { APIRoute } from 'astro';
import { visibleAccess } from '../../server/content/content.access.ts';
import { parseSearchParams } from '../../server/search/search.params.ts';
import { accessHiddenUntilSignIn, searchContent } from '../../server/search/search.query.ts';
import { errorResponse } from '../../server/shared/errors.ts';
import { instantAnswer } from '../../server/search/search.answer.ts';

/**
 * GET /api/search?q=&type=&page=&limit= — the instant search box, the ask form's suggestions and API clients;
 * `answer` is the clearly matching FAQ entry's answer (sanitized HTML), or null. Not logged: see /api/search/log.
 */
export const GET: APIRoute = async ({ url, locals }) => {
  try {
    const params = parseSearchParams(url.searchParams);
    const { user } = locals;
    const result = await searchContent({ search: locals.runtime.search, ...params, access: visibleAccess(user), hiddenAccess: accessHiddenUntilSignIn(user) });
    return Response.json(
      {
        hits: result.hits,
        total: result.total,
        hiddenTotal: result.hiddenTotal,
        facets: result.facets,
        answer: instantAnswer(locals.runtime.content.store(), result.answerUrl),
        tookMs: result.tookMs,
      },
      { headers: { 'Cache-Control': 'no-store' } },
    );
  } catch (e) {
    return errorResponse(e, locals.runtime.log);
  }
};
