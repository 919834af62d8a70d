import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { behindFront } from '../http/front.ts';
import { readForm, readFormData } from '../shared/forms.ts';
import { pendingUpload, UPLOAD_HEADER, type PendingUpload } from './uploads.pending.ts';
import { incomingDir } from './uploads.receive.ts';

export interface UploadForm {
  form: Record<string, string | string[]>;
  upload: PendingUpload;
}

/**
 * A posted form and the files that came with it. Behind the front handler
 * (`npm start`) the files were streamed to disk before the route ran; under
 * `astro dev` there is no front handler, so the form is read here and its
 * files written to the same incoming folder (development only: in memory).
 */
export async function readUploadForm(request: Request, { filesDir, maxFileBytes }: { filesDir: string; maxFileBytes: number }): Promise<UploadForm> {
  if (behindFront() || !(request.headers.get('content-type') ?? '').startsWith('multipart/form-data')) {
    const form = await readForm(request);
    return { form, upload: pendingUpload(request.headers.get(UPLOAD_HEADER)) ?? { files: [], problems: [] } };
  }
  const data = await readFormData(request);
  const form: Record<string, string | string[]> = {};
  const upload: PendingUpload = { files: [], problems: [] };
  await mkdir(incomingDir(filesDir), { recursive: true, mode: 0o700 });
  for (const [field, v] of data) {
    if (typeof v === 'string') {
      const prev = form[field];
      form[field] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    } else if (v.name && v.size > maxFileBytes) upload.problems.push({ code: 'file_too_large', name: v.name });
    else if (v.name) {
      const bytes = Buffer.from(await v.arrayBuffer());
      const target = path.join(incomingDir(filesDir), `${Date.now()}-${randomBytes(12).toString('hex')}`);
      await writeFile(target, bytes, { mode: 0o600 });
      upload.files.push({ field, name: path.basename(v.name), path: target, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    }
  }
  return { form, upload };
}
