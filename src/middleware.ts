import { defineMiddleware } from 'astro:middleware';
import { ensureRuntime } from './server/runtime/ensure.ts';
import { VISITOR_COOKIE } from './server/shared/cookies.ts';
import { createNotFoundError, errorResponse } from './server/shared/errors.ts';
import { newId } from './server/shared/ids.ts';

const securityHeaders: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; " +
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
};

/** Resolves the runtime and per-request facts once; pages read only `Astro.locals`. */
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
  ctx.locals.requestId = requestId;
  let ip: string | null = null;
  try {
    ip = ctx.clientAddress;
  } catch {
    ip = null; // prerendering or an adapter without addresses
  }
  ctx.locals.clientIp = ip;
  ctx.locals.viewer = null;
  const visitor = ctx.cookies.get(VISITOR_COOKIE)?.value;
  ctx.locals.visitorId = visitor && /^[A-Za-z0-9_-]{16,64}$/.test(visitor) ? visitor : null;
  const started = performance.now();
  const isApi = ctx.url.pathname.startsWith('/api/');
  let response: Response;
  try {
    response = await next();
  } catch (err) {
    // API routes answer { error } JSON; pages fall through to Astro's 500 page.
    if (!isApi) throw err;
    response = errorResponse(err, ctx.locals.runtime.log);
  }
  if (isApi && response.status === 404 && !response.headers.get('content-type')?.includes('json')) {
    response = errorResponse(createNotFoundError());
  }
  ctx.locals.runtime.log.info(
    {
      requestId,
      method: ctx.request.method,
      path: ctx.url.pathname,
      status: response.status,
      ms: Math.round(performance.now() - started),
    },
    'request',
  );
  // Some responses (e.g. redirects made with Response.redirect) have immutable headers.
  try {
    response.headers.set('X-Request-Id', requestId);
    for (const [k, v] of Object.entries(securityHeaders)) if (!response.headers.has(k)) response.headers.set(k, v);
  } catch {
    /* immutable headers */
  }
  return response;
});
