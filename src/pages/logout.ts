import type { APIRoute } from 'astro';
import { requestMeta } from '../server/auth/auth.context.ts';
import { recordAuditEvent } from '../server/audit/audit.usecases.ts';

/** POST /logout: ends this session (a form post; the origin check guards it). */
export const POST: APIRoute = async ({ locals, cookies }) => {
  const { runtime, session, user } = locals;
  if (session) {
    await runtime.auth.invalidate(session.id);
    await recordAuditEvent({ db: runtime.database.db, clock: runtime.clock, event: { ...requestMeta(locals), actorId: user?.id ?? null, action: 'logout', targetType: 'user', targetId: user?.id } });
  }
  const blank = runtime.auth.blankCookie();
  cookies.set(blank.name, blank.value, blank.attributes);
  return new Response(null, { status: 303, headers: { Location: '/' } });
};
