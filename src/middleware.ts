import { defineMiddleware } from 'astro:middleware';
import { can } from './server/auth/auth.policy.ts';
import { routeRules } from './server/auth/auth.routes.ts';
import { SESSION_COOKIE } from './server/auth/auth.sessions.ts';
import { ensureRuntime } from './server/runtime/ensure.ts';
import { VISITOR_COOKIE } from './server/shared/cookies.ts';
import { createNotFoundError, errorResponse } from './server/shared/errors.ts';
import { newId } from './server/shared/ids.ts';

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

/**
 * Resolves the runtime, the session and per-request facts once (pages read only
 * `Astro.locals`, never cookies), then applies the route's policy: a route with
 * no rule, or a rule the user does not pass, is refused here.
 */
export const onRequest = defineMiddleware(async (ctx, next) => {
  const requestId = newId();
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
  let ip: string | null = null;
  try {
    ip = ctx.clientAddress;
  } catch {
    ip = null; // prerendering or an adapter without addresses
  }
  ctx.locals.clientIp = ip;
  const visitor = ctx.cookies.get(VISITOR_COOKIE)?.value;
  ctx.locals.visitorId = visitor && /^[A-Za-z0-9_-]{16,64}$/.test(visitor) ? visitor : null;

  const { user, session, cookie } = await runtime.auth.validate(ctx.cookies.get(SESSION_COOKIE)?.value);
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
      response = await next();
    } catch (err) {
      // API routes answer { error } JSON; pages fall through to Astro's 500 page.
      if (!isApi) throw err;
      response = errorResponse(err, runtime.log);
    }
  }
  if (isApi && response.status === 404 && !response.headers.get('content-type')?.includes('json')) {
    response = errorResponse(createNotFoundError());
  }
  runtime.log.info(
    { requestId, method: ctx.request.method, path: ctx.url.pathname, status: response.status, ms: Math.round(performance.now() - started), user: user?.id },
    'request',
  );
  // Some responses (e.g. redirects made with Response.redirect) have immutable headers.
  try {
    response.headers.set('X-Request-Id', requestId);
    for (const [k, v] of Object.entries(securityHeaders)) if (!response.headers.has(k)) response.headers.set(k, v);
    if (user) response.headers.set('Cache-Control', 'private, no-store');
  } catch {
    /* immutable headers */
  }
  return response;
});
