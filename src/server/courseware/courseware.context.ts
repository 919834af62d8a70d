import type { PublishDeps } from './courseware.publish.ts';

interface LocalsLike {
  runtime: App.Locals['runtime'];
}

/** Dependencies of publishing courseware, for this request (COURSEWARE_MAX_MB, CONTENT_DIR, FILES_DIR). */
export function publishDeps({ runtime }: LocalsLike): PublishDeps {
  const { config } = runtime;
  return {
    db: runtime.database.db,
    clock: runtime.clock,
    jobs: runtime.jobs,
    mailFrom: config.mailFrom,
    baseUrl: runtime.publicBase,
    timeZone: config.appTimeZone,
    contentDir: config.contentDir,
    filesDir: config.filesDir,
    maxFileBytes: config.coursewareMaxMb * 1024 * 1024,
    content: runtime.content,
  };
}
