import type { APIRoute } from 'astro';
import { serveFile } from '../../../server/uploads/uploads.serve.ts';
import { missingFile, videoFor } from '../../../server/videos/videos.access.ts';
import { openStored, videoContentType } from '../../../server/videos/videos.files.ts';

/**
 * The video itself, for whoever may watch it: HTTP Range (206, 416) so the
 * player seeks without downloading the whole file, ETag from its sha256.
 */
export const GET: APIRoute = async ({ params, locals, request }) => {
  const { runtime, user } = locals;
  const found = videoFor(runtime.content.store(), user, params.slug);
  if ('response' in found) return found.response;
  const { video } = found;
  const opened = await openStored(runtime.config.filesDir, video.media.file);
  if (!opened) return missingFile();
  const { response } = serveFile(
    request,
    { ...opened, name: video.media.name, contentType: videoContentType(video.media.file), sha256: video.media.sha256, disposition: 'inline' },
    { cacheControl: video.access === 'public' ? 'public, no-cache' : 'private, no-cache' },
  );
  return response;
};
