import type { APIRoute } from 'astro';
import { redirectTo, safeRedirectTarget } from '../../server/http/redirect.ts';
import { logSearch, logSearchClick, searchLogSource } from '../../server/search/search.log.ts';
import { normalizeQuery } from '../../server/search/search.query.ts';
import { isUuid } from '../../server/shared/ids.ts';

/**
 * GET /search/go?u=&p=&l= (or &q=&n= for an instant search not logged yet):
 * records which result was opened, at which position, then redirects there.
 * Only targets on this site are followed (the one redirect check), so this is
 * no open redirect. Logging is rate-limited per user or address (in logSearch).
 */
export const GET: APIRoute = async ({ url, locals }) => {
  const target = safeRedirectTarget(url.searchParams.get('u'));
  const position = Number(url.searchParams.get('p'));
  const { runtime, user: viewer } = locals;
  if (target !== '/' && Number.isInteger(position) && position >= 1 && position <= 1000) {
    try {
      let id = url.searchParams.get('l');
      const q = url.searchParams.get('q')?.trim().slice(0, 200);
      if (!isUuid(id) && q) {
        const hits = Number(url.searchParams.get('n'));
        id = (await logSearch({ db: runtime.database.db, clock: runtime.clock, source: searchLogSource(viewer, locals.clientIp), userId: viewer?.id ?? null, unitId: viewer?.unitId ?? null, query: q, normalized: normalizeQuery(q), hits: Number.isInteger(hits) && hits >= 0 ? hits : 0, kind: 'instant' })).id;
      }
      if (isUuid(id)) await logSearchClick({ db: runtime.database.db, clock: runtime.clock, id, url: target, position });
    } catch (err) {
      // Logging must never stand between a user and the page.
      runtime.log.warn({ err }, 'search click not logged');
    }
  }
  return redirectTo(target);
};
