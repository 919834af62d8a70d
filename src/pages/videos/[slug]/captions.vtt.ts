import type { APIRoute } from 'astro';
import { videoFor } from '../../../server/videos/videos.access.ts';
import { toWebVtt } from '../../../server/videos/videos.captions.ts';

/** The video's captions as WebVTT for the player's track, written from the parsed cues (so no markup gets through). */
export const GET: APIRoute = ({ params, locals }) => {
  const { runtime, user } = locals;
  const found = videoFor(runtime.content.store(), user, params.slug);
  if ('response' in found) return found.response;
  const { video } = found;
  if (!video.cues.length) return new Response('该视频没有字幕。', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  return new Response(toWebVtt(video.cues), {
    headers: {
      'Content-Type': 'text/vtt; charset=utf-8',
      'Cache-Control': video.access === 'public' ? 'public, no-cache' : 'private, no-cache',
      'X-Content-Type-Options': 'nosniff',
    },
  });
};
