/**
 * Errors are created by factories with a stable code and HTTP status; one
 * handler (`errorResponse`) turns them into `{ error: { code, message, fields } }`.
 * Unknown errors become a generic 500 without internals.
 */
export class AppError extends Error {
  readonly isAppError = true;
  readonly code: string;
  readonly status: number;
  readonly fields?: Record<string, string>;
  constructor(code: string, message: string, status: number, fields?: Record<string, string>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    if (fields) this.fields = fields;
  }
}

export function createErrorFactory({ code, message, status }: { code: string; message: string; status: number }) {
  return (fields?: Record<string, string>) => new AppError(code, message, status, fields);
}

/** Checks by shape, not class identity: the start script and the Astro bundle each load their own copy. */
export function isAppError(e: unknown): e is AppError {
  return typeof e === 'object' && e !== null && (e as { isAppError?: unknown }).isAppError === true;
}

/** A zod error as one zh-CN message per field (the first issue of each); issues without a path go under `form`. */
export function fieldsOf(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const i of error.issues) fields[String(i.path[0] ?? 'form')] ??= i.message;
  return fields;
}

export const createValidationError = (fields: Record<string, string>, message = '提交的内容有误，请检查后重试。') =>
  new AppError('validation.failed', message, 400, fields);
export const createNotFoundError = createErrorFactory({ code: 'not_found', message: '未找到该内容。', status: 404 });
export const createServiceUnavailableError = createErrorFactory({
  code: 'service.unavailable',
  message: '服务暂时不可用，请稍后再试。',
  status: 503,
});

export function errorBody(e: AppError) {
  return { error: { code: e.code, message: e.message, ...(e.fields ? { fields: e.fields } : {}) } };
}

/** The one mapping from any thrown value to an API response. */
export function errorResponse(e: unknown, log?: { error: (obj: object, msg: string) => void }): Response {
  if (isAppError(e)) return Response.json(errorBody(e), { status: e.status });
  log?.error({ err: e }, 'unhandled error');
  return Response.json(
    { error: { code: 'internal', message: '服务器内部错误，请稍后再试。' } },
    { status: 500 },
  );
}
