import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isAppError } from '../shared/errors.ts';
import { checkAttachments, type AttachmentBatch, type AttachmentSettings, type CheckedAttachment } from '../questions/attachments.usecases.ts';
import { incomingDir, type IncomingFile, type UploadProblem } from '../uploads/uploads.receive.ts';
import type { MailFile } from './inbound.parse.ts';

/** The files of a mail after the web form's checks: those kept, and why the others were refused. */
export interface MailAttachments {
  batch: AttachmentBatch | undefined;
  /** zh-CN sentences naming each refused file and why; empty when all were kept. */
  refused: string[];
  /** Deletes whatever was not moved into place (call when done, whatever happened). */
  cleanup(): Promise<void>;
}

/** A file's name as its sender's system had it, without path parts. */
const baseName = (name: string) => name.split(/[\\/]/).pop()!.replace(/[\u0000-\u001f]/g, '').trim() || '附件';

/**
 * Writes a mail's files into the incoming folder, as the web form's upload
 * does, and checks them with the same rules (ATTACHMENT_MAX_MB,
 * ATTACHMENTS_PER_QUESTION with `already` on the asker's side, content
 * matching the name). Unlike the form, which is sent again, a mail is taken
 * as it is: the files that pass are kept, the others named in `refused`.
 */
export async function receiveMailFiles(
  files: MailFile[],
  settings: AttachmentSettings,
  { already, fromAsker }: { already: number; fromAsker: boolean },
): Promise<MailAttachments> {
  const dir = incomingDir(settings.filesDir);
  const written: IncomingFile[] = [];
  const tooLarge: UploadProblem[] = [];
  const cleanup = async () => void (await Promise.all(written.map((f) => rm(f.path, { force: true }))));
  if (!files.length) return { batch: undefined, refused: [], cleanup };
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const f of files) {
    const name = baseName(f.name);
    if (f.content.length > settings.maxFileBytes) {
      tooLarge.push({ code: 'file_too_large', name });
      continue;
    }
    const file = path.join(dir, `mail-${randomBytes(12).toString('hex')}`);
    await writeFile(file, f.content, { mode: 0o600 });
    written.push({ field: 'attachments', name, path: file, size: f.content.length, sha256: createHash('sha256').update(f.content).digest('hex') });
  }
  const messageOf = (e: unknown): string => {
    if (!isAppError(e)) throw e;
    return e.fields?.attachments ?? e.message;
  };
  const refused: string[] = [];
  let checked: CheckedAttachment[];
  try {
    checked = await checkAttachments({ files: written, problems: tooLarge }, settings, { already });
  } catch (all) {
    // One at a time, so the good files are kept and each refusal names its file.
    if (tooLarge.length) refused.push(messageOf(await checkAttachments({ files: [], problems: tooLarge }, settings).catch((e: unknown) => e)));
    checked = [];
    for (const file of written) {
      try {
        checked.push(...(await checkAttachments({ files: [file], problems: [] }, settings, { already: already + checked.length })));
      } catch (e) {
        refused.push(messageOf(e));
      }
    }
    if (!refused.length) refused.push(messageOf(all));
  }
  return { batch: checked.length ? { checked, filesDir: settings.filesDir, fromAsker } : undefined, refused, cleanup };
}
