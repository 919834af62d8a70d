import type { APIRoute } from 'astro';
import { metricsAuthorized, metricsText } from '../server/ops/metrics.usecases.ts';

/** Prometheus metrics: off (404) unless METRICS_TOKEN is set; then only with `Authorization: Bearer <token>`. */
export const GET: APIRoute = async ({ locals, request }) => {
  const token = locals.runtime.config.metricsToken;
  if (!token) return new Response(null, { status: 404 });
  if (!metricsAuthorized(request.headers.get('authorization'), token)) {
    return new Response('unauthorized\n', { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="metrics"', 'Content-Type': 'text/plain; charset=utf-8' } });
  }
  return new Response(await metricsText({ runtime: locals.runtime }), {
    headers: { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Cache-Control': 'no-store' },
  });
};
