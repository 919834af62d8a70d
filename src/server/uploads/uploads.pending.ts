import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { IncomingFile, UploadProblem } from './uploads.receive.ts';

/**
 * The header by which the front handler tells a route which received files
 * belong to its request. Set only by the front handler (a client's own is
 * dropped), its value a random key into this process's table.
 */
export const UPLOAD_HEADER = 'x-dayi-upload';

export interface PendingUpload {
  files: IncomingFile[];
  problems: UploadProblem[];
}

// On globalThis: the front handler (scripts/start.ts) and the routes (Astro's bundle) load separate copies of this module.
const TABLE = Symbol.for('dayi.pendingUploads');
function table(): Map<string, PendingUpload> {
  const g = globalThis as Record<symbol, Map<string, PendingUpload> | undefined>;
  return (g[TABLE] ??= new Map());
}

/** Holds a request's received files until its response ends; returns the key the route finds them by. */
export function holdUpload(upload: PendingUpload): string {
  const key = randomBytes(16).toString('hex');
  table().set(key, upload);
  return key;
}

/** The files the front handler received for the request carrying `key`. */
export function pendingUpload(key: string | null): PendingUpload | null {
  return key ? (table().get(key) ?? null) : null;
}

/**
 * Ends a request's hold: whatever a route did not move into place (a refused
 * form, a validation error, a crash) is deleted.
 */
export async function releaseUpload(key: string): Promise<void> {
  const upload = table().get(key);
  table().delete(key);
  if (upload) await Promise.all(upload.files.map((f) => rm(f.path, { force: true })));
}
