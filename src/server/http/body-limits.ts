/** What a form or JSON body may weigh: generous for any form Dayi has, small enough that nobody can fill memory. */
export const DEFAULT_BODY_LIMIT = 256 * 1024;

/** Routes that accept uploads, with their own limits (exact paths). */
const UPLOAD_LIMITS: Record<string, number> = {
  // The user CSV import: the file (1 MB at most, the page says so) or its decoded text posted back, with the form around it.
  '/admin/users': 2 * 1024 * 1024,
};

/**
 * Pages whose forms carry attachments: a multipart post to one of them is
 * streamed to disk by the front handler (src/server/uploads) instead of read
 * into memory, under the attachment limits instead of the ones above.
 */
const UPLOAD_ROUTES = [/^\/ask$/, /^\/track\/[^/]+$/, /^\/questions\/[^/]+$/, /^\/desk\/[^/]+$/];

export const acceptsUploads = (pathname: string): boolean => UPLOAD_ROUTES.some((r) => r.test(pathname));

/** The most a request to `pathname` may send. */
export function bodyLimitFor(pathname: string): number {
  return UPLOAD_LIMITS[pathname] ?? DEFAULT_BODY_LIMIT;
}

/** `262144` → `256 KB`, `1572864` → `1.5 MB`, for messages and lists people read. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${Number((bytes / 1024 / 1024).toFixed(1))} MB`;
}
