import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { inArray } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { contentPages } from '../../../db/schema/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { walk } from './content.files.ts';
import { createRenderCache, formatIssue, loadContent, type ContentStore, type Page } from './content.loader.ts';

export interface ContentService {
  store(): ContentStore;
  /** "Last updated": frontmatter `updated`, else when the page's hash last changed. */
  updatedAt(page: Page): Date;
  /** Reloads now; resolves once the new store is in place and listeners ran. */
  reload(): Promise<{ changed: boolean }>;
  onChange(listener: (store: ContentStore) => Promise<void> | void): void;
  stop(): void;
}

/** When a file was last modified, no later than `now`; `now` when it cannot be read. */
async function modifiedAt(file: string, now: Date): Promise<Date> {
  const s = await stat(file).catch(() => null);
  return s && s.mtimeMs < now.getTime() ? new Date(Math.floor(s.mtimeMs)) : now;
}

/**
 * Records each page's hash and returns when every current page last changed.
 * A page seen for the first time is dated by its file's mtime under
 * `contentDir` (so a fresh install does not date every page by its first
 * start); a page whose hash changed later gets `changed_at = now`.
 */
export async function syncContentPages({ db, clock, store, contentDir }: { db: Db; clock: Clock; store: ContentStore; contentDir?: string }): Promise<Map<string, Date>> {
  const pages = [...store.pages.values()];
  const changed = new Map<string, Date>();
  if (!pages.length) return changed;
  const rows = await db.select().from(contentPages).where(inArray(contentPages.url, pages.map((p) => p.url)));
  const known = new Map(rows.map((r) => [r.url, r]));
  const now = clock.now();
  for (const p of pages) {
    const row = known.get(p.url);
    if (row?.hash === p.hash) {
      changed.set(p.url, row.changedAt);
      continue;
    }
    const changedAt = row || !contentDir ? now : await modifiedAt(path.join(contentDir, p.file), now);
    await db
      .insert(contentPages)
      .values({ url: p.url, file: p.file, hash: p.hash, changedAt })
      .onConflictDoUpdate({ target: contentPages.url, set: { file: p.file, hash: p.hash, changedAt } });
    changed.set(p.url, changedAt);
  }
  return changed;
}

/** A cheap fingerprint of the tree (names, sizes, mtimes; hidden files too) for the periodic rescan. */
async function fingerprint(dir: string): Promise<string> {
  const files = await walk(dir, { hidden: true });
  const parts = await Promise.all(
    files.map(async (file) => {
      const s = await stat(path.join(dir, file)).catch(() => null);
      return s ? `${file}:${s.size}:${s.mtimeMs}` : '';
    }),
  );
  return parts.filter(Boolean).join('\n');
}

/**
 * Loads CONTENT_DIR and keeps it current: a debounced file watcher, plus a
 * periodic rescan for file systems where watching is unreliable (network shares).
 */
export async function startContent({
  contentDir,
  db,
  clock,
  log,
  debounceMs = 200,
  rescanMs = 2000,
  watchFiles = true,
}: {
  contentDir: string;
  db: Db;
  clock: Clock;
  log: Logger;
  debounceMs?: number;
  rescanMs?: number;
  /** CONTENT_WATCH: false where file events do not arrive (network shares); the rescan and the broadcast remain. */
  watchFiles?: boolean;
}): Promise<ContentService> {
  // Kept between loads: a reload renders only the files whose render changed.
  const renders = createRenderCache();
  let store = await loadContent(contentDir, renders);
  let changedAt = await syncContentPages({ db, clock, store, contentDir });
  let print = await fingerprint(contentDir);
  const listeners: ((s: ContentStore) => Promise<void> | void)[] = [];
  const report = (s: ContentStore) => {
    for (const issue of s.issues) log.warn({ file: issue.file, line: issue.line }, `content skipped: ${formatIssue(issue)}`);
  };
  report(store);

  let running: Promise<{ changed: boolean }> | null = null;
  let queued: Promise<{ changed: boolean }> | null = null;
  const doReload = async (): Promise<{ changed: boolean }> => {
    // The fingerprint before the load: a file changed while loading differs from it, so the next rescan loads again.
    const before = await fingerprint(contentDir);
    const next = await loadContent(contentDir, renders);
    print = before;
    if (next.hash === store.hash) return { changed: false };
    changedAt = await syncContentPages({ db, clock, store: next, contentDir });
    store = next;
    report(next);
    log.info({ pages: next.pages.size, issues: next.issues.length }, 'content reloaded');
    // Side by side: the page cache is dropped at once, not after the search index caught up.
    await Promise.all(
      listeners.map(async (l) => {
        try {
          await l(next);
        } catch (err) {
          log.error({ err }, 'content change listener failed');
        }
      }),
    );
    return { changed: true };
  };
  // One reload at a time. A reload asked for while one runs is a fresh one after it (shared by everyone who
  // asks meanwhile): the running one may have read the files before the caller wrote theirs.
  const reload = (): Promise<{ changed: boolean }> => {
    if (!running) {
      running = doReload().finally(() => {
        running = null;
      });
      return running;
    }
    queued ??= running
      .catch(() => undefined)
      .then(() => {
        queued = null;
        return reload();
      });
    return queued;
  };
  const safeReload = () =>
    reload().catch((err: unknown) => log.error({ err }, 'content reload failed; keeping the previous content'));

  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    if (watchFiles)
      watcher = watch(contentDir, { recursive: true }, () => {
        clearTimeout(timer);
        timer = setTimeout(() => void safeReload(), debounceMs);
      });
    watcher?.on('error', (err) => log.warn({ err }, 'content watcher failed; relying on the periodic rescan'));
  } catch (err) {
    log.warn({ err }, 'cannot watch CONTENT_DIR; relying on the periodic rescan');
  }
  const rescan = setInterval(() => {
    void fingerprint(contentDir).then((now) => {
      if (now !== print && !running) void safeReload();
    });
  }, rescanMs);
  rescan.unref();

  return {
    store: () => store,
    updatedAt: (page) => page.updated ?? changedAt.get(page.url) ?? clock.now(),
    reload,
    onChange: (l) => void listeners.push(l),
    stop() {
      clearTimeout(timer);
      clearInterval(rescan);
      watcher?.close();
    },
  };
}
