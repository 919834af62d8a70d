import type { APIRoute } from 'astro';
import { loginHref } from '../../../../components/login-link.ts';
import { canView } from '../../../../server/content/content.access.ts';
import { openVersionFile } from '../../../../server/courseware/courseware.files.ts';
import { countDownload } from '../../../../server/courseware/courseware.queries.ts';
import { coursewareContentType } from '../../../../server/courseware/courseware.sniff.ts';
import { serveFile } from '../../../../server/uploads/uploads.serve.ts';

const notFound = () => new Response('未找到该课件版本。', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } });

/**
 * One version's file, for whoever may read the course (its `access`): Range
 * and ETag through serveFile, the Chinese name in Content-Disposition. A whole
 * download, or the first piece of a resumed one, is counted once.
 */
export const GET: APIRoute = async ({ params, locals, request, url }) => {
  const { runtime, user } = locals;
  const course = runtime.content.store().courseware.find((c) => c.slug === params.slug);
  const version = course?.versions.find((v) => v.version === params.version);
  if (!course || !version) return notFound();
  if (!canView(user, course.access)) {
    if (!user) return new Response(null, { status: 303, headers: { Location: loginHref(new URL(course.url, url)) } });
    return new Response('没有权限下载该课件。', { status: 403, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } });
  }
  const opened = await openVersionFile({ filesDir: runtime.config.filesDir, version });
  if (!opened) return notFound();
  const { response, servedAs } = serveFile(request, {
    file: opened.file,
    name: version.name,
    contentType: coursewareContentType(version.file),
    size: opened.size,
    modifiedAt: opened.modifiedAt,
    sha256: version.sha256,
    disposition: 'attachment',
  }, { cacheControl: course.access === 'public' ? 'public, no-cache' : 'private, no-cache' });
  const first = servedAs.status === 200 || (servedAs.status === 206 && servedAs.start === 0);
  if (first && request.method === 'GET') await countDownload({ db: runtime.database.db, clock: runtime.clock, slug: course.slug, version: version.version, userId: user?.id ?? null });
  return response;
};
