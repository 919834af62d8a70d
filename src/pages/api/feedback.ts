import { randomBytes } from 'node:crypto';
import type { APIRoute } from 'astro';
import { feedbackReasons, type FeedbackReason } from '../../components/FeedbackState.ts';
import { policies, takeAttempt } from '../../server/auth/auth.ratelimit.ts';
import { recordFeedback } from '../../server/content/feedback.usecases.ts';
import { safeRedirectTarget } from '../../server/http/redirect.ts';
import { cookieOptions, VISITOR_COOKIE } from '../../server/shared/cookies.ts';
import { errorResponse, isAppError } from '../../server/shared/errors.ts';
import { readForm, readJsonObject } from '../../server/shared/forms.ts';

/** Back to the page that was voted on (a path of ours only), with a marker the page turns into our own message. */
function backTo(page: unknown, marker: Record<string, string>): Response {
  const url = new URL(safeRedirectTarget(typeof page === 'string' ? page : '/'), 'http://dayi.invalid');
  url.search = new URLSearchParams(marker).toString();
  url.hash = 'feedback';
  return new Response(null, { status: 303, headers: { Location: url.pathname + url.search + url.hash } });
}

/**
 * POST /api/feedback — "这篇内容有帮助吗？". A form post redirects back to the
 * page; a JSON request gets JSON. One vote per page per user or visitor cookie.
 */
export const POST: APIRoute = async ({ request, locals, cookies }) => {
  const { runtime, user: viewer } = locals;
  const wantsJson = (request.headers.get('content-type') ?? '').includes('application/json');
  let input: Record<string, unknown> = {};
  try {
    input = wantsJson ? await readJsonObject(request) : await readForm(request);
    let visitor = locals.visitorId;
    if (!viewer && !visitor) {
      visitor = randomBytes(18).toString('base64url');
      cookies.set(VISITOR_COOKIE, visitor, cookieOptions({ secure: runtime.config.secureCookies, maxAgeSeconds: 365 * 86400 }));
    }
    const voterKey = viewer ? `user:${viewer.id}` : `visitor:${visitor}`;
    if (locals.clientIp) await takeAttempt({ db: runtime.database.db, clock: runtime.clock, key: `form:ip:${locals.clientIp}`, policy: policies.form });
    await recordFeedback({ db: runtime.database.db, clock: runtime.clock, store: runtime.content.store(), input, voterKey, viewer });
    if (wantsJson) return Response.json({ ok: true }, { status: 201 });
    return backTo(input.page, { feedback: 'thanks' });
  } catch (e) {
    if (wantsJson || !isAppError(e) || ![400, 404, 429].includes(e.status)) return errorResponse(e, runtime.log);
    const field = Object.keys(e.fields ?? {})[0];
    const reason: FeedbackReason = e.status === 429 ? 'rate_limited' : (feedbackReasons.find((r) => r === field) ?? 'invalid');
    return backTo(input.page, { feedback: 'invalid', reason });
  }
};
