import type { APIRoute } from 'astro';
import { reportTableCsv } from '../../../server/reports/reports.usecases.ts';
import { errorResponse } from '../../../server/shared/errors.ts';
import { contentDisposition } from '../../../server/uploads/uploads.download.ts';

/** One table of the service report as CSV (UTF-8 with BOM, every row), for the period the query names (route rule reports.view). */
export const GET: APIRoute = async ({ locals, params, url }) => {
  const { runtime, user } = locals;
  try {
    const { csv, fileName } = await reportTableCsv({ db: runtime.database.db, now: runtime.clock.now(), timeZone: runtime.config.appTimeZone, viewer: user! }, url.searchParams, params.table ?? '');
    return new Response(csv, {
      headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': contentDisposition('attachment', fileName), 'Cache-Control': 'private, no-store' },
    });
  } catch (e) {
    return errorResponse(e, runtime.log);
  }
};
