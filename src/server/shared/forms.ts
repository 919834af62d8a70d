import { isAppError } from './errors.ts';

/** A posted form as plain values; repeated fields (checkboxes) become arrays. Files are left out. */
export async function readForm(request: Request): Promise<Record<string, string | string[]>> {
  let data: FormData;
  try {
    data = await request.formData();
  } catch {
    return {};
  }
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
