import type { APIRoute } from 'astro';
import { serveFile } from '../../../server/uploads/uploads.serve.ts';
import { missingFile, videoFor } from '../../../server/videos/videos.access.ts';
import { openStored, videoContentType } from '../../../server/videos/videos.files.ts';

/** The video's poster frame, to whoever may watch the video. */
export const GET: APIRoute = async ({ params, locals, request }) => {
  const { runtime, user } = locals;
  const found = videoFor(runtime.content.store(), user, params.slug);
  if ('response' in found) return found.response;
  const { video } = found;
  const opened = await openStored(runtime.config.filesDir, video.poster);
  if (!opened || !video.poster) return missingFile();
  const name = `${video.slug}${video.poster.slice(video.poster.lastIndexOf('.'))}`;
  const { response } = serveFile(
    request,
    { ...opened, name, contentType: videoContentType(video.poster), disposition: 'inline' },
    { cacheControl: video.access === 'public' ? 'public, max-age=3600' : 'private, max-age=3600' },
  );
  return response;
};
