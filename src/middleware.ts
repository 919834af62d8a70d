import { defineMiddleware } from 'astro:middleware';
import { can } from './server/auth/auth.policy.ts';
import { routeRules } from './server/auth/auth.routes.ts';
import { SESSION_COOKIE } from './server/auth/auth.sessions.ts';
import { ensureRuntime } from './server/runtime/ensure.ts';
import { VISITOR_COOKIE } from './server/shared/cookies.ts';
import { CLIENT_ADDRESS_HEADER, behindFront } from './server/http/front.ts';
import { createNotFoundError, createValidationError, errorResponse, isAppError } from './server/shared/errors.ts';
import { newId } from './server/shared/ids.ts';
import { observeRequest } from './server/ops/metrics.registry.ts';

const securityHeaders: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  'Content-Security-Policy':
    // Astro inlines component styles; scripts are always files (astro.config.mjs), so no inline script may run.
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; " +
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
};

const json = (status: number, code: string, message: string) => Response.json({ error: { code, message } }, { status });

/** A NUL character anywhere in the query: no field may hold one (PostgreSQL text cannot), so refuse it at the door. */
const hasNul = (url: URL) => url.pathname.includes('%00') || [...url.searchParams].some(([k, v]) => k.includes('\0') || v.includes('\0'));

/** Who is calling: resolved once by the front handler of the built server (src/server/http/front.ts); Astro's own value in `astro dev`. */
function clientAddress(ctx: { request: Request; clientAddress: string }): string | null {
  if (behindFront()) return ctx.request.headers.get(CLIENT_ADDRESS_HEADER);
  try {
    return ctx.clientAddress;
  } catch {
    return null; // prerendering or an adapter without addresses
  }
}

/**
 * Resolves the runtime, the session and per-request facts once (pages read only
 * `Astro.locals`, never cookies), then applies the route's policy: a route with
 * no rule, or a rule the user does not pass, is refused here.
 */
export const onRequest = defineMiddleware(async (ctx, next) => {
  const requestId = newId();
  const arrived = performance.now();
  try {
    ctx.locals.runtime = await ensureRuntime();
  } catch (err) {
    console.error('Dayi could not start:', (err as Error).message);
    return new Response('服务正在启动或暂时不可用，请稍后刷新。', {
      status: 503,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '5' },
    });
  }
  const { runtime } = ctx.locals;
  ctx.locals.requestId = requestId;
  ctx.locals.clientIp = clientAddress(ctx);
  const visitor = ctx.cookies.get(VISITOR_COOKIE)?.value;
  ctx.locals.visitorId = visitor && /^[A-Za-z0-9_-]{16,64}$/.test(visitor) ? visitor : null;

  // The built server's page cache may have checked the session already (src/server/http/shared-pages.ts).
  const { user, session, cookie } = ctx.locals.sessionCheck ?? (await runtime.auth.validate(ctx.cookies.get(SESSION_COOKIE)?.value));
  if (cookie) ctx.cookies.set(cookie.name, cookie.value, cookie.attributes);
  ctx.locals.user = user;
  ctx.locals.session = session;

  const started = performance.now();
  const isApi = ctx.url.pathname.startsWith('/api/');
  let response: Response;
  const rule = routeRules[ctx.routePattern];
  if (!rule) {
    runtime.log.error({ route: ctx.routePattern }, 'route has no policy rule; refused');
    response = isApi ? json(403, 'forbidden', '没有权限访问。') : await ctx.rewrite('/403');
  } else if (rule.action && !can(user, rule.action)) {
    if (user) response = isApi ? json(403, 'forbidden', '没有权限访问。') : await ctx.rewrite('/403');
    else if (isApi) response = json(401, 'unauthenticated', '请先登录。');
    else response = ctx.redirect(`/login?next=${encodeURIComponent(ctx.url.pathname + ctx.url.search)}`, 303);
  } else {
    try {
      if (hasNul(ctx.url)) throw createValidationError({ query: '请求参数中含有无效字符。' }, '请求中含有无效字符。');
      response = await next();
    } catch (err) {
      // Thrown errors never reach Astro's own logger (it prints failed queries with their parameters).
      if (isApi) response = errorResponse(err, runtime.log);
      else {
        if (!isAppError(err)) runtime.log.error({ err, requestId }, 'unhandled error');
        const failure = isAppError(err) ? { status: err.status, message: err.message } : { status: 500, message: null };
        ctx.locals.failure = failure;
        // A fresh GET: the failed request's body may have been read already, and Astro cannot rewrite such a request.
        const page = await ctx.rewrite(new Request(new URL('/500', ctx.url), { headers: ctx.request.headers }));
        // Astro answers its /500 route with 500 whatever the page sets; a bad request keeps its own status.
        response = new Response(page.body, { status: failure.status, headers: page.headers });
      }
    }
  }
  if (isApi && response.status === 404 && !response.headers.get('content-type')?.includes('json')) {
    response = errorResponse(createNotFoundError());
  }
  runtime.log.info(
    { requestId, method: ctx.request.method, path: ctx.url.pathname, status: response.status, ms: Math.round(performance.now() - started), user: user?.id },
    'request',
  );
  observeRequest({ route: ctx.routePattern, method: ctx.request.method, status: response.status, seconds: (performance.now() - arrived) / 1000 });
  // Some responses (e.g. redirects made with Response.redirect) have immutable headers.
  try {
    response.headers.set('X-Request-Id', requestId);
    for (const [k, v] of Object.entries(securityHeaders)) if (!response.headers.has(k)) response.headers.set(k, v);
    if (runtime.config.secureCookies) response.headers.set('Strict-Transport-Security', 'max-age=31536000');
    const type = response.headers.get('content-type');
    if (type && /^text\/(html|plain)$/i.test(type.trim())) response.headers.set('Content-Type', `${type.trim()}; charset=utf-8`);
    if (user) response.headers.set('Cache-Control', 'private, no-store');
  } catch {
    /* immutable headers */
  }
  return response;
});
