import type { Sql } from 'postgres';
import type { Logger } from '../shared/logger.ts';
import type { ContentService } from './content.service.ts';

/** The PostgreSQL channel on which processes of one Dayi (one database) announce content changes. */
export const CONTENT_CHANNEL = 'dayi_content';

/**
 * Content changes reach every process at once (several app processes on one
 * PostgreSQL): a process whose content changed (its watcher, its rescan, or a
 * page that wrote a file) announces the new content's hash; the others reload
 * their CONTENT_DIR (shared) unless they already hold that hash. A process
 * that reloads because of a notice announces in turn only if it then holds
 * content it had not before, so two processes never echo each other: a
 * notice whose hash the receiver already has is dropped. The periodic rescan
 * stays the safety net for a notice lost while a connection was down.
 */
export async function broadcastContent({ client, content, log }: { client: Sql; content: ContentService; log: Logger }): Promise<{ stop(): Promise<void> }> {
  content.onChange(async (store) => {
    await client.notify(CONTENT_CHANNEL, store.hash);
  });
  const listening = await client.listen(CONTENT_CHANNEL, (hash) => {
    if (hash === content.store().hash) return;
    content.reload().then(
      ({ changed }) => log.info({ changed }, 'content reloaded on another process\'s notice'),
      (err: unknown) => log.error({ err }, 'content reload on notice failed; keeping the previous content'),
    );
  });
  return { stop: () => listening.unlisten() };
}
