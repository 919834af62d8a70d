import { open } from 'node:fs/promises';
import path from 'node:path';
import { fileTypeFromFile } from 'file-type';

/**
 * What an attachment may be, by its name's extension: the types its content
 * must show (as the file-type library names them), or `text` for plain text
 * that has no signature, and the type it is served with.
 */
const ATTACHMENT_TYPES: Record<string, { content: readonly string[] | 'text'; mime: string }> = {
  png: { content: ['png'], mime: 'image/png' },
  jpg: { content: ['jpg'], mime: 'image/jpeg' },
  jpeg: { content: ['jpg'], mime: 'image/jpeg' },
  gif: { content: ['gif'], mime: 'image/gif' },
  webp: { content: ['webp'], mime: 'image/webp' },
  bmp: { content: ['bmp'], mime: 'image/bmp' },
  pdf: { content: ['pdf'], mime: 'application/pdf' },
  // Office Open XML is a ZIP; some tools write it so that only the ZIP shows.
  docx: { content: ['docx', 'zip'], mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
  xlsx: { content: ['xlsx', 'zip'], mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
  pptx: { content: ['pptx', 'zip'], mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation' },
  // Office 97–2003 and WPS files are compound documents (CFB).
  doc: { content: ['cfb'], mime: 'application/msword' },
  xls: { content: ['cfb'], mime: 'application/vnd.ms-excel' },
  ppt: { content: ['cfb'], mime: 'application/vnd.ms-powerpoint' },
  wps: { content: ['cfb'], mime: 'application/vnd.ms-works' },
  et: { content: ['cfb'], mime: 'application/vnd.ms-excel' },
  zip: { content: ['zip', 'docx', 'xlsx', 'pptx'], mime: 'application/zip' },
  txt: { content: 'text', mime: 'text/plain' },
  log: { content: 'text', mime: 'text/plain' },
  csv: { content: 'text', mime: 'text/csv' },
};

/** The extensions people may attach, for the file input's `accept` and the messages. */
export const attachmentExtensions = Object.keys(ATTACHMENT_TYPES).map((e) => `.${e}`);

/** Types a browser may show in place (screenshots); everything else downloads. */
export const inlineTypes = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp']);

export type SniffResult = { ok: true; contentType: string } | { ok: false; reason: 'type_not_allowed' | 'content_mismatch' };

/** How much of a text file is looked at: enough to tell text from a binary. */
const TEXT_PROBE = 64 * 1024;

async function looksLikeText(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(TEXT_PROBE);
    const { bytesRead } = await handle.read(buf, 0, TEXT_PROBE, 0);
    // Text in any encoding a clerk's tools write (UTF-8, GB18030, UTF-16 with BOM aside) has no NUL bytes.
    return !buf.subarray(0, bytesRead).includes(0);
  } catch {
    return false;
  } finally {
    await handle.close();
  }
}

/**
 * Whether the file at `file`, named `name`, is what its name says and a kind
 * Dayi accepts: an executable renamed to `.pdf`, or a ZIP renamed to `.png`,
 * is refused. Judged by content, never by the type the browser declared.
 */
export async function sniffAttachment(file: string, name: string): Promise<SniffResult> {
  const ext = path.extname(name).slice(1).toLowerCase();
  const allowed = ATTACHMENT_TYPES[ext];
  if (!allowed) return { ok: false, reason: 'type_not_allowed' };
  const detected = await fileTypeFromFile(file).catch(() => undefined);
  if (allowed.content === 'text') {
    return !detected && (await looksLikeText(file)) ? { ok: true, contentType: allowed.mime } : { ok: false, reason: 'content_mismatch' };
  }
  return detected && allowed.content.includes(detected.ext) ? { ok: true, contentType: allowed.mime } : { ok: false, reason: 'content_mismatch' };
}
