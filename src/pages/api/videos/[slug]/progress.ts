import type { APIRoute } from 'astro';
import { policies, takeAttempt } from '../../../../server/auth/auth.ratelimit.ts';
import { canView } from '../../../../server/content/content.access.ts';
import { createNotFoundError, createValidationError, errorResponse, fieldsOf } from '../../../../server/shared/errors.ts';
import { readJsonObject } from '../../../../server/shared/forms.ts';
import { recordProgress } from '../../../../server/videos/videos.queries.ts';
import { progressSchema } from '../../../../server/videos/videos.schemas.ts';

/**
 * POST /api/videos/<slug>/progress — the player's report: `{ view, position,
 * watched, duration }` → `{ view, completed }`. Counts views and completion
 * (≥ 90 % watched) for every viewer, and remembers a signed-in viewer's
 * position. A video the viewer may not watch answers 404, as if it did not exist.
 */
export const POST: APIRoute = async ({ params, request, locals }) => {
  const { runtime, user } = locals;
  try {
    const video = runtime.content.store().videos.find((v) => v.slug === params.slug);
    if (!video || !canView(user, video.access)) throw createNotFoundError();
    const key = user ? `video:user:${user.id}` : locals.clientIp ? `video:ip:${locals.clientIp}` : null;
    if (key) await takeAttempt({ db: runtime.database.db, clock: runtime.clock, key, policy: policies.videoProgress });
    const parsed = progressSchema.safeParse(await readJsonObject(request));
    if (!parsed.success) throw createValidationError(fieldsOf(parsed.error));
    const result = await recordProgress({ db: runtime.database.db, clock: runtime.clock, slug: video.slug, userId: user?.id ?? null, knownDuration: video.duration, report: parsed.data });
    return Response.json(result, { headers: { 'Cache-Control': 'no-store' } });
  } catch (e) {
    return errorResponse(e, runtime.log);
  }
};
