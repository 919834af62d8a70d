import type { APIRoute } from 'astro';
import { logSearch, logSearchClick } from '../../server/search/search.log.ts';
import { normalizeQuery } from '../../server/search/search.query.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * GET /search/go?u=&p=&l= (or &q=&n= for an instant search not logged yet):
 * records which result was opened, at which position, then redirects there.
 * Only site-relative targets are followed, so this is no open redirect.
 */
export const GET: APIRoute = async ({ url, locals }) => {
  const target = url.searchParams.get('u') ?? '/';
  const safe = target.startsWith('/') && !target.startsWith('//') && !target.startsWith('/\\') ? target : '/';
  const position = Number(url.searchParams.get('p'));
  const { runtime, user: viewer } = locals;
  if (safe !== '/' && Number.isInteger(position) && position >= 1 && position <= 1000) {
    try {
      let id = url.searchParams.get('l');
      const q = url.searchParams.get('q')?.trim().slice(0, 200);
      if ((!id || !UUID.test(id)) && q) {
        const hits = Number(url.searchParams.get('n'));
        id = (await logSearch({ db: runtime.database.db, clock: runtime.clock, userId: viewer?.id ?? null, unitId: locals.user?.unitId ?? null, query: q, normalized: normalizeQuery(q), hits: Number.isInteger(hits) && hits >= 0 ? hits : 0, kind: 'instant' })).id;
      }
      if (id && UUID.test(id)) await logSearchClick({ db: runtime.database.db, clock: runtime.clock, id, url: safe, position });
    } catch (err) {
      // Logging must never stand between a user and the page.
      runtime.log.warn({ err }, 'search click not logged');
    }
  }
  return new Response(null, { status: 303, headers: { Location: safe } });
};
