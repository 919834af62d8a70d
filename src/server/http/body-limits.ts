/** What a form or JSON body may weigh: generous for any form Dayi has, small enough that nobody can fill memory. */
export const DEFAULT_BODY_LIMIT = 256 * 1024;

/** Routes that accept uploads, with their own limits (exact paths). */
const UPLOAD_LIMITS: Record<string, number> = {
  // The user CSV import: the file (1 MB at most, the page says so) or its decoded text posted back, with the form around it.
  '/admin/users': 2 * 1024 * 1024,
};

/**
 * What a page's form uploads: question attachments, a courseware version, or a
 * training video with its captions. Each kind has its own limits
 * (ATTACHMENT_MAX_MB, COURSEWARE_MAX_MB, VIDEO_MAX_MB).
 */
export type UploadKind = 'attachments' | 'courseware' | 'video';

/**
 * Pages whose forms carry files: a multipart post to one of them is streamed
 * to disk by the front handler (src/server/uploads) instead of read into
 * memory, under its kind's limits instead of the ones above.
 */
const UPLOAD_ROUTES: [RegExp, UploadKind][] = [
  [/^\/ask$/, 'attachments'],
  [/^\/track\/[^/]+$/, 'attachments'],
  [/^\/questions\/[^/]+$/, 'attachments'],
  [/^\/desk\/[^/]+$/, 'attachments'],
  [/^\/courseware\/new$/, 'courseware'],
  [/^\/courseware\/[^/]+\/versions$/, 'courseware'],
  [/^\/videos\/new$/, 'video'],
  [/^\/videos\/[^/]+\/edit$/, 'video'],
];

/** The kind of upload a multipart post to `pathname` carries; null where none is taken. */
export const uploadKindOf = (pathname: string): UploadKind | null => UPLOAD_ROUTES.find(([r]) => r.test(pathname))?.[1] ?? null;

/** The most a request to `pathname` may send. */
export function bodyLimitFor(pathname: string): number {
  return UPLOAD_LIMITS[pathname] ?? DEFAULT_BODY_LIMIT;
}

/** `262144` → `256 KB`, `1572864` → `1.5 MB`, `5368709120` → `5 GB`, for messages and lists people read. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  if (bytes < 1024 ** 3) return `${Number((bytes / 1024 / 1024).toFixed(1))} MB`;
  return `${Number((bytes / 1024 ** 3).toFixed(1))} GB`;
}
