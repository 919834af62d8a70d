import { and, asc, count, eq, inArray } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import { questionAttachments } from '../../../db/schema/index.ts';
import { createValidationError } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { resolveInside } from '../shared/paths.ts';
import type { PendingUpload } from '../uploads/uploads.pending.ts';
import type { IncomingFile } from '../uploads/uploads.receive.ts';
import { sniffAttachment } from '../uploads/uploads.sniff.ts';
import { placeFile } from '../uploads/uploads.store.ts';

/** ATTACHMENT_MAX_MB and ATTACHMENTS_PER_QUESTION, with where the files live. */
export interface AttachmentSettings {
  filesDir: string;
  maxFileBytes: number;
  perQuestion: number;
}

/** A received file that passed every check, with the type its content showed. */
export interface CheckedAttachment {
  file: IncomingFile;
  contentType: string;
}

/** Files going along with a change: checked, where to put them, and whose side sent them. */
export interface AttachmentBatch {
  checked: CheckedAttachment[];
  filesDir: string;
  fromAsker: boolean;
}

export type AttachmentRow = typeof questionAttachments.$inferSelect;

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const KINDS = '图片、Word/Excel/PowerPoint/WPS 文档、PDF、CSV、TXT/LOG 文本和 ZIP 压缩包';

/** How many files the asker's side has attached to a question so far. */
export async function askerAttachmentCount(db: Db, questionId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(questionAttachments)
    .where(and(eq(questionAttachments.questionId, questionId), eq(questionAttachments.fromAsker, true)));
  return row?.n ?? 0;
}

/**
 * Checks the files of one submission before anything is written: nothing
 * dropped on the way in (too large, too many), no more than the question
 * allows (`already` counted for the asker's side), no empty file, and each
 * file's content matching its name and an accepted kind. Every problem is
 * named, by file, in one zh-CN message on the `attachments` field.
 */
export async function checkAttachments(upload: PendingUpload, settings: AttachmentSettings, { already = 0 }: { already?: number } = {}): Promise<CheckedAttachment[]> {
  const problems: string[] = [];
  for (const p of upload.problems) {
    if (p.code === 'file_too_large') problems.push(`“${p.name}”超过 ${mb(settings.maxFileBytes)}，请压缩或只截取出错的部分后再上传。`);
    else problems.push(`一次最多上传 ${settings.perQuestion} 个附件。`);
  }
  if (already + upload.files.length > settings.perQuestion)
    problems.push(`每个问题最多 ${settings.perQuestion} 个附件${already ? `（已上传 ${already} 个）` : ''}，本次选择了 ${upload.files.length} 个。`);
  const checked: CheckedAttachment[] = [];
  for (const file of upload.files) {
    if (file.size === 0) {
      problems.push(`“${file.name}”是空文件。`);
      continue;
    }
    const sniffed = await sniffAttachment(file.path, file.name);
    if (sniffed.ok) checked.push({ file, contentType: sniffed.contentType });
    else if (sniffed.reason === 'type_not_allowed') problems.push(`“${file.name}”的文件类型不支持；可以上传${KINDS}。`);
    else problems.push(`“${file.name}”的内容与文件类型不符（例如改了扩展名的程序），未能上传。`);
  }
  if (problems.length) throw createValidationError({ attachments: problems.join(' ') }, problems[0]);
  return checked;
}

/**
 * Puts a change's checked files in place and records them, inside the
 * change's transaction: under `attachments/<yyyy>/<mm>/<id>` in FILES_DIR,
 * one row each, tied to the timeline event they came with. Internal when
 * the event is (a note's files never reach the asker).
 */
export async function saveAttachments(
  tx: Tx,
  batch: AttachmentBatch,
  /** Collects the relative paths placed, so a rolled-back change can remove them (withPlacedFiles). */
  placed: string[],
  { questionId, eventId, internal, now }: { questionId: string; eventId: string; internal: boolean; now: Date },
): Promise<void> {
  for (const { file, contentType } of batch.checked) {
    const id = newId();
    const rel = `attachments/${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}/${id}`;
    await placeFile(batch.filesDir, file, rel);
    placed.push(rel);
    await tx.insert(questionAttachments).values({
      id,
      questionId,
      eventId,
      internal,
      fromAsker: batch.fromAsker,
      fileName: file.name.slice(0, 255),
      contentType,
      size: file.size,
      sha256: file.sha256,
      storagePath: rel,
      createdAt: now,
    });
  }
}

/** A question's attachments, oldest first; internal ones only when `withInternal` (engineers). */
export async function attachmentsOf({ db, questionId, withInternal }: { db: Db; questionId: string; withInternal: boolean }): Promise<AttachmentRow[]> {
  const where = withInternal
    ? eq(questionAttachments.questionId, questionId)
    : and(eq(questionAttachments.questionId, questionId), eq(questionAttachments.internal, false));
  return db.select().from(questionAttachments).where(where).orderBy(asc(questionAttachments.createdAt), asc(questionAttachments.id));
}

/** Groups attachments by the timeline event they came with, for the timeline to show under each entry. */
export function byEvent(rows: AttachmentRow[]): Map<string, AttachmentRow[]> {
  const map = new Map<string, AttachmentRow[]>();
  for (const r of rows) map.set(r.eventId, [...(map.get(r.eventId) ?? []), r]);
  return map;
}

/**
 * One attachment of `question` (or, for a merged duplicate, of the question
 * it follows), with the real path of its bytes, if the viewer may have it
 * (`withInternal` for engineers) and the file is where its row says, inside
 * FILES_DIR; else null (answered as 404).
 */
export async function openAttachment({
  db,
  filesDir,
  id,
  question,
  withInternal,
}: {
  db: Db;
  filesDir: string;
  id: string;
  question: { id: string; mergedIntoId: string | null };
  withInternal: boolean;
}): Promise<{ row: AttachmentRow; file: string } | null> {
  const [row] = await db
    .select()
    .from(questionAttachments)
    .where(and(eq(questionAttachments.id, id), inArray(questionAttachments.questionId, [question.id, ...(question.mergedIntoId ? [question.mergedIntoId] : [])])));
  if (!row || (row.internal && !withInternal)) return null;
  const file = await resolveInside(filesDir, row.storagePath);
  return file ? { row, file } : null;
}

/** Where an attachment is downloaded: by the private tracking link, or signed in (asker, unit contact, engineers). */
export const attachmentHref = {
  byToken: (token: string) => (a: AttachmentRow) => `/track/${token}/files/${a.id}`,
  signedIn: (number: string) => (a: AttachmentRow) => `/questions/${number}/files/${a.id}`,
};
