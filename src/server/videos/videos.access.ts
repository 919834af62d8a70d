import { canView, type Viewer } from '../content/content.access.ts';
import type { ContentStore, Video } from '../content/content.loader.ts';

const text = (status: number, body: string) => new Response(body, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } });

/**
 * The video a media, poster or captions request is for, when the viewer may
 * watch it; otherwise the answer to send: 404 for no such video, a redirect
 * to sign in for a signed-out visitor, 403 for a signed-in one.
 */
export function videoFor(store: ContentStore, viewer: Viewer | null, slug: string | undefined): { video: Video } | { response: Response } {
  const video = store.videos.find((v) => v.slug === slug);
  if (!video) return { response: text(404, '未找到该视频。') };
  if (!canView(viewer, video.access)) {
    // Back to the video's page after signing in (its files are fetched by the page).
    if (!viewer) return { response: new Response(null, { status: 303, headers: { Location: `/login?next=${encodeURIComponent(video.url)}` } }) };
    return { response: text(403, '没有权限观看该视频。') };
  }
  return { video };
}

export const missingFile = () => text(404, '视频文件缺失。');
