import { randomBytes } from 'node:crypto';
import type { APIRoute } from 'astro';
import { assertNotLimited, policies, recordAttempt } from '../../server/auth/auth.ratelimit.ts';
import { recordFeedback } from '../../server/content/feedback.usecases.ts';
import { cookieOptions, VISITOR_COOKIE } from '../../server/shared/cookies.ts';
import { errorResponse, isAppError } from '../../server/shared/errors.ts';

/**
 * POST /api/feedback — "这篇内容有帮助吗？". A form post redirects back to the
 * page; a JSON request gets JSON. One vote per page per user or visitor cookie.
 */
export const POST: APIRoute = async ({ request, locals, cookies }) => {
  const { runtime, user: viewer } = locals;
  const wantsJson = (request.headers.get('content-type') ?? '').includes('application/json');
  let input: Record<string, unknown> = {};
  try {
    input = wantsJson ? ((await request.json()) as Record<string, unknown>) : Object.fromEntries(await request.formData());
  } catch {
    input = {};
  }
  let visitor = locals.visitorId;
  if (!viewer && !visitor) {
    visitor = randomBytes(18).toString('base64url');
    cookies.set(VISITOR_COOKIE, visitor, cookieOptions({ secure: runtime.config.secureCookies, maxAgeSeconds: 365 * 86400 }));
  }
  const voterKey = viewer ? `user:${viewer.id}` : `visitor:${visitor}`;
  const page = typeof input.page === 'string' && input.page.startsWith('/') && !input.page.startsWith('//') ? input.page : '/';
  try {
    if (locals.clientIp) {
      const key = `form:ip:${locals.clientIp}`;
      await assertNotLimited({ db: runtime.database.db, clock: runtime.clock, keys: [key] });
      await recordAttempt({ db: runtime.database.db, clock: runtime.clock, key, policy: policies.form });
    }
    await recordFeedback({ db: runtime.database.db, clock: runtime.clock, store: runtime.content.store(), input, voterKey, userId: viewer?.id ?? null });
    if (wantsJson) return Response.json({ ok: true }, { status: 201 });
    return new Response(null, { status: 303, headers: { Location: `${page}?feedback=thanks#feedback` } });
  } catch (e) {
    if (wantsJson || !isAppError(e) || (e.status !== 400 && e.status !== 429)) return errorResponse(e, runtime.log);
    const message = Object.values(e.fields ?? {})[0] ?? e.message;
    return new Response(null, {
      status: 303,
      headers: { Location: `${page}?feedback=invalid&message=${encodeURIComponent(message)}#feedback` },
    });
  }
};
