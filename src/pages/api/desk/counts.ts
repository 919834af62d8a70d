import type { APIRoute } from 'astro';
import { deskCounts } from '../../../server/questions/questions.queries.ts';

/** GET /api/desk/counts — `{ mine, unassigned, open, due_soon, overdue }` for the desk header's poll. The middleware answers 401/403 for others. */
export const GET: APIRoute = async ({ locals }) => {
  const counts = await deskCounts({ db: locals.runtime.database.db, viewer: locals.user!, now: locals.runtime.clock.now() });
  return Response.json(counts, { headers: { 'Cache-Control': 'no-store' } });
};
