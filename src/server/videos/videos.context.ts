import type { VideoPublishDeps } from './videos.publish.ts';

interface LocalsLike {
  runtime: App.Locals['runtime'];
}

/** Dependencies of publishing videos, for this request (VIDEO_MAX_MB, CONTENT_DIR, FILES_DIR, the courses to link to). */
export function videoPublishDeps({ runtime }: LocalsLike): VideoPublishDeps {
  const { config } = runtime;
  return {
    db: runtime.database.db,
    clock: runtime.clock,
    timeZone: config.appTimeZone,
    contentDir: config.contentDir,
    filesDir: config.filesDir,
    maxFileBytes: config.videoMaxMb * 1024 * 1024,
    courses: runtime.content.store().courseware.map((c) => c.slug),
    content: runtime.content,
  };
}
