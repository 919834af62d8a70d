/** What a form or JSON body may weigh: generous for any form Dayi has, small enough that nobody can fill memory. */
export const DEFAULT_BODY_LIMIT = 256 * 1024;

/** Routes that accept uploads, with their own limits (exact paths). */
const UPLOAD_LIMITS: Record<string, number> = {
  // The user CSV import: the file (1 MB at most, the page says so) or its decoded text posted back, with the form around it.
  '/admin/users': 2 * 1024 * 1024,
};

/** The most a request to `pathname` may send. */
export function bodyLimitFor(pathname: string): number {
  return UPLOAD_LIMITS[pathname] ?? DEFAULT_BODY_LIMIT;
}

/** `262144` → `256 KB`, for messages people read. */
export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MB` : `${Math.round(bytes / 1024)} KB`;
}
