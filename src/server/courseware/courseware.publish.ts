import { readFile, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { auditRequest, type RequestMeta } from '../audit/audit.usecases.ts';
import type { ContentService } from '../content/content.service.ts';
import { parseFrontmatter } from '../content/content.frontmatter.ts';
import { coursewareSchema, type Access } from '../content/content.schemas.ts';
import { markdownFile, writeContentFile } from '../content/content.write.ts';
import type { Jobs } from '../jobs/jobs.ts';
import type { Clock } from '../shared/clock.ts';
import { createValidationError, fieldsOf } from '../shared/errors.ts';
import { localDay } from '../shared/time.ts';
import type { PendingUpload } from '../uploads/uploads.pending.ts';
import { placeFile, withPlacedFiles } from '../uploads/uploads.store.ts';
import { createCourseExistsError, createCourseFileInvalidError, createCourseNotFoundError, createCourseStorageError, createVersionNotNewError } from './courseware.errors.ts';
import { mailFollowers } from './courseware.mail.ts';
import { courseInputSchema, versionInputSchema } from './courseware.schemas.ts';
import { checkVersionFile, type CheckedVersionFile } from './courseware.upload.ts';
import { compareVersions } from './courseware.versions.ts';

/** What publishing needs: the database and outbox, where content and files live, COURSEWARE_MAX_MB. */
export interface PublishDeps {
  db: Db;
  clock: Clock;
  jobs: Pick<Jobs, 'wakeMail'>;
  mailFrom: string;
  baseUrl: string;
  timeZone: string;
  contentDir: string;
  filesDir: string;
  maxFileBytes: number;
  /** Reloaded after a write, so the next page shows the new version at once (the watcher would within seconds). */
  content?: Pick<ContentService, 'reload'>;
}

/** The version entry as it is written into the course's frontmatter. */
export interface VersionEntry {
  version: string;
  date: string;
  changelog: string;
  file: string;
  name: string;
  size: number;
  sha256: string;
}

interface CurrentCourse {
  /** The frontmatter as written (raw YAML values), kept as it is apart from the new version. */
  data: Record<string, unknown>;
  body: string;
  title: string;
  access: Access;
  versions: string[];
}

/** The name a version downloads as: "<title>-<version>.<ext>", Chinese kept, without characters no file system takes. */
export const downloadName = (title: string, version: string, ext: string) => `${title.replace(/[\\/:*?"<>|\0-\x1f]/g, '_').trim()}-${version}.${ext}`;

function parseCourse(text: string): CurrentCourse {
  const fm = parseFrontmatter(text);
  if (!fm.ok) throw createCourseFileInvalidError();
  const parsed = coursewareSchema.safeParse(fm.value.data);
  if (!parsed.success) throw createCourseFileInvalidError();
  return { data: fm.value.data as Record<string, unknown>, body: fm.value.body, title: parsed.data.title, access: parsed.data.access, versions: parsed.data.versions.map((v) => v.version) };
}

/**
 * Writes one version of a course, all or nothing, one writer per course at a
 * time (a transaction-scoped advisory lock on the course, so two trainers'
 * uploads never lose one): the course file is read fresh under the lock,
 * `build` decides the new frontmatter (and refuses a version that is not new),
 * the file is moved into `courseware/<slug>/<version>/`, followers' mails are
 * queued, and the markdown is replaced atomically as the last step before
 * commit. If anything fails, the placed file is removed and the previous
 * markdown put back, so no file and no version is left behind.
 */
async function commitVersion({
  deps,
  slug,
  checked,
  changelog,
  version,
  notify,
  meta,
  action,
  build,
}: {
  deps: PublishDeps;
  slug: string;
  checked: CheckedVersionFile;
  version: string;
  changelog: string;
  notify: boolean;
  meta: RequestMeta;
  action: 'courseware.create' | 'courseware.publish';
  build: (current: CurrentCourse | null, entry: (title: string) => VersionEntry) => { data: Record<string, unknown>; body: string; title: string; access: Access };
}): Promise<{ version: VersionEntry; mailed: number }> {
  const { db, clock, contentDir, filesDir } = deps;
  const rel = `courseware/${slug}.md`;
  const mdPath = path.join(contentDir, rel);
  const folder = `courseware/${slug}/${version}`;
  let written: { previous: string | null } | null = null;
  try {
    const result = await withPlacedFiles(filesDir, (placed) =>
      db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`courseware:${slug}`}))`);
        const previous = await readFile(mdPath, 'utf8').catch((e: NodeJS.ErrnoException) => {
          if (e.code === 'ENOENT') return null;
          throw e;
        });
        let entry: VersionEntry | undefined;
        const next = build(previous === null ? null : parseCourse(previous), (title) => {
          entry = {
            version,
            date: localDay(clock.now(), deps.timeZone),
            changelog,
            file: `${folder}/${slug}-${version}.${checked.ext}`,
            name: downloadName(title, version, checked.ext),
            size: checked.file.size,
            sha256: checked.file.sha256,
          };
          return entry;
        });
        if (!entry) throw new Error('build did not add the version');
        // What is written must load: checked with the loader's own schema before anything moves.
        const valid = coursewareSchema.safeParse(next.data);
        if (!valid.success) throw createValidationError(fieldsOf(valid.error));
        await placeFile(filesDir, checked.file, entry.file);
        placed.push(entry.file);
        const mailed = notify
          ? await mailFollowers({ tx, jobs: deps.jobs, clock, mailFrom: deps.mailFrom, baseUrl: deps.baseUrl, course: { slug, title: next.title, access: next.access, version, changelog } })
          : 0;
        await auditRequest({ db: tx, clock, meta, event: { action, targetType: 'courseware', targetId: slug, after: { version, name: entry.name, size: entry.size, sha256: entry.sha256, mailed } } });
        await writeContentFile(contentDir, rel, markdownFile(next.data, next.body));
        written = { previous };
        return { version: entry, mailed };
      }),
    );
    await deps.content?.reload();
    return result;
  } catch (e) {
    const w = written as { previous: string | null } | null;
    if (w) await (w.previous === null ? rm(mdPath, { force: true }) : writeContentFile(contentDir, rel, w.previous));
    await rmdir(path.join(filesDir, folder)).catch(() => {});
    const code = (e as NodeJS.ErrnoException).code;
    // CONTENT_DIR or FILES_DIR not writable (read-only mount, wrong owner) or full: a clear message, not a 500.
    if (code === 'EACCES' || code === 'EROFS' || code === 'EPERM' || code === 'ENOSPC') throw createCourseStorageError();
    throw e;
  }
}

/**
 * Publishes a new version of an existing course from the upload form: the
 * version number must be well-formed and higher than every existing one, the
 * file one of the accepted kinds by content. Followers are mailed unless
 * `notify` is off (a typo fix).
 */
export async function publishVersion({
  deps,
  slug,
  form,
  upload,
  meta,
}: {
  deps: PublishDeps;
  slug: string;
  form: { version: string; changelog: string; notify: boolean };
  upload: PendingUpload;
  meta: RequestMeta;
}): Promise<{ version: VersionEntry; mailed: number }> {
  const input = versionInputSchema.safeParse({ version: form.version, changelog: form.changelog });
  if (!input.success) throw createValidationError(fieldsOf(input.error));
  const checked = await checkVersionFile(upload, deps);
  const { version, changelog } = input.data;
  return commitVersion({
    deps,
    slug,
    checked,
    version,
    changelog,
    notify: form.notify,
    meta,
    action: 'courseware.publish',
    build: (current, entry) => {
      if (!current) throw createCourseNotFoundError();
      const latest = [...current.versions].sort(compareVersions).at(-1);
      if (latest && compareVersions(version, latest) <= 0) throw createVersionNotNewError(latest);
      const versions = Array.isArray(current.data.versions) ? current.data.versions : [];
      const data: Record<string, unknown> = { ...current.data, versions: [entry(current.title), ...versions] };
      if ('updated' in data) data.updated = localDay(deps.clock.now(), deps.timeZone);
      return { data, body: current.body, title: current.title, access: current.access };
    },
  });
}

/** Creates a course from the web with its first version (nobody follows it yet, so nobody is mailed). */
export async function createCourse({
  deps,
  form,
  upload,
  meta,
}: {
  deps: PublishDeps;
  form: Record<string, string>;
  upload: PendingUpload;
  meta: RequestMeta;
}): Promise<{ slug: string; version: VersionEntry }> {
  const input = courseInputSchema.safeParse({
    slug: form.slug ?? '',
    title: form.title ?? '',
    summary: form.summary ?? '',
    audience: form.audience ?? '',
    access: form.access ?? '',
    version: form.version ?? '',
    changelog: form.changelog ?? '',
  });
  if (!input.success) throw createValidationError(fieldsOf(input.error));
  const checked = await checkVersionFile(upload, deps);
  const c = input.data;
  const body = (form.body ?? '').trim().slice(0, 5000);
  const { version } = await commitVersion({
    deps,
    slug: c.slug,
    checked,
    version: c.version,
    changelog: c.changelog,
    notify: false,
    meta,
    action: 'courseware.create',
    build: (current, entry) => {
      if (current) throw createCourseExistsError();
      const data = { title: c.title, summary: c.summary, audience: c.audience, access: c.access, versions: [entry(c.title)] };
      return { data, body: body ? `${body}\n` : '', title: c.title, access: c.access };
    },
  });
  return { slug: c.slug, version };
}
