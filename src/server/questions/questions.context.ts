import type { AttachmentSettings } from './attachments.usecases.ts';
import type { QuestionDeps } from './questions.usecases.ts';
import type { ChangeDeps } from './questions.workflow.ts';

interface LocalsLike {
  runtime: App.Locals['runtime'];
}

/** Dependencies of asking, for this request. */
export function questionDeps({ runtime }: LocalsLike): QuestionDeps {
  const { config } = runtime;
  return {
    ...changeDeps({ runtime }),
    timeZone: config.appTimeZone,
    askRateLimit: config.askRateLimit,
    askAnonymous: config.askAnonymous,
    dutyFallbackEmail: config.dutyFallbackEmail ?? null,
  };
}

/** Dependencies of every change to a question (desk and tracking page). */
export function changeDeps({ runtime }: LocalsLike): ChangeDeps {
  return {
    db: runtime.database.db,
    clock: runtime.clock,
    jobs: runtime.jobs,
    mailFrom: runtime.config.mailFrom,
    baseUrl: runtime.publicBase,
    timeZone: runtime.config.appTimeZone,
    replyAddress: runtime.replyAddress,
    searchChanged: () => void runtime.indexer.sync(),
  };
}

/** Where attachments go and how many and how large they may be (FILES_DIR, ATTACHMENT_MAX_MB, ATTACHMENTS_PER_QUESTION). */
export function attachmentSettings({ runtime }: LocalsLike): AttachmentSettings {
  const { config } = runtime;
  return { filesDir: config.filesDir, maxFileBytes: config.attachmentMaxMb * 1024 * 1024, perQuestion: config.attachmentsPerQuestion };
}
