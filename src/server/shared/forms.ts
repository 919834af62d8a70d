import { createValidationError, isAppError } from './errors.ts';

const invalidCharacter = () => createValidationError({ form: '提交的内容中含有无效字符。' }, '提交的内容中含有无效字符，请检查后重试。');

/**
 * The posted form data, files included (an unreadable body reads as empty).
 * A NUL character in any field name or text value is refused with a 400: no
 * text column can hold one.
 */
export async function readFormData(request: Request): Promise<FormData> {
  let data: FormData;
  try {
    data = await request.formData();
  } catch {
    return new FormData();
  }
  for (const [k, v] of data) if (k.includes('\0') || (typeof v === 'string' && v.includes('\0'))) throw invalidCharacter();
  return data;
}

/** A posted form as plain values; repeated fields (checkboxes) become arrays. Files are left out. */
export async function readForm(request: Request): Promise<Record<string, string | string[]>> {
  const data = await readFormData(request);
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of data) {
    if (typeof v !== 'string') continue;
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

export const asString = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));
export const asArray = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** What a page shows for a failed submission: the message and per-field messages; unknown errors rethrow. */
export function formProblem(e: unknown): { message: string; fields: Record<string, string>; status: number } {
  if (!isAppError(e)) throw e;
  return { message: e.message, fields: e.fields ?? {}, status: e.status };
}

/**
 * A JSON request body that must be an object: anything else (invalid JSON,
 * `null`, an array) and any string holding a NUL character is a 400.
 */
export async function readJsonObject(request: Request): Promise<Record<string, unknown>> {
  let value: unknown;
  try {
    value = await request.json();
  } catch {
    throw createValidationError({ body: '请求体必须是 JSON 对象。' });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw createValidationError({ body: '请求体必须是 JSON 对象。' });
  if (holdsNul(value)) throw invalidCharacter();
  return value as Record<string, unknown>;
}

function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (Array.isArray(value)) return value.some(holdsNul);
  if (typeof value === 'object' && value !== null) return Object.entries(value).some(([k, v]) => k.includes('\0') || holdsNul(v));
  return false;
}
