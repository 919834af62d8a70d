import { createValidationError } from '../shared/errors.ts';
import { docTypes, validateQuery } from './search.query.ts';
import type { DocType } from './search.documents.ts';

export interface SearchParams {
  q: string;
  type?: DocType;
  page: number;
  limit: number;
}

function int(v: string | null, name: string, min: number, max: number, fallback: number): number {
  if (v === null || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw createValidationError({ [name]: `必须是 ${min} 到 ${max} 之间的整数。` });
  return n;
}

/** Parses `q`, `type`, `page`, `limit` from a search URL; bad values throw a 400 with fields. */
export function parseSearchParams(params: URLSearchParams, { defaultLimit = 10 } = {}): SearchParams {
  const q = validateQuery(params.get('q'));
  const rawType = params.get('type');
  if (rawType && !(docTypes as readonly string[]).includes(rawType))
    throw createValidationError({ type: `必须是 ${docTypes.join('、')} 之一。` });
  return {
    q,
    type: (rawType || undefined) as DocType | undefined,
    page: int(params.get('page'), 'page', 1, 100, 1),
    limit: int(params.get('limit'), 'limit', 1, 50, defaultLimit),
  };
}
