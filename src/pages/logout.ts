import type { APIRoute } from 'astro';
import { requestMeta } from '../server/auth/auth.context.ts';
import { auditRequest } from '../server/audit/audit.usecases.ts';

/** POST /logout: ends this session (a form post; the origin check guards it). */
export const POST: APIRoute = async ({ locals, cookies }) => {
  const { runtime, session, user } = locals;
  if (session) {
    await runtime.auth.invalidate(session.id);
    await auditRequest({ db: runtime.database.db, clock: runtime.clock, meta: requestMeta(locals), event: { action: 'logout', targetType: 'user', targetId: user?.id } });
  }
  const blank = runtime.auth.blankCookie();
  cookies.set(blank.name, blank.value, blank.attributes);
  return new Response(null, { status: 303, headers: { Location: '/' } });
};
