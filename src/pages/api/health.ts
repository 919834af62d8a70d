import type { APIRoute } from 'astro';
import { checkHealth } from '../../server/health/health.usecases.ts';

/** Public: states only ok/not ok per part, no addresses or versions. */
export const GET: APIRoute = async ({ locals }) => {
  const { report } = await checkHealth({ runtime: locals.runtime });
  return Response.json(report, {
    status: report.status === 'down' ? 503 : 200,
    headers: { 'Cache-Control': 'no-store' },
  });
};
