import { open } from 'node:fs/promises';
import path from 'node:path';
import { fileTypeFromFile } from 'file-type';

/** What a courseware file may be, by its name's extension: its served type, and for Office Open XML the part a real document has. */
const COURSEWARE_TYPES: Record<string, { mime: string; mainPart?: string }> = {
  pdf: { mime: 'application/pdf' },
  docx: { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', mainPart: 'word/document.xml' },
  xlsx: { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', mainPart: 'xl/workbook.xml' },
  pptx: { mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', mainPart: 'ppt/presentation.xml' },
  zip: { mime: 'application/zip' },
};

/** The extensions a version's file may have, for the file input's `accept` and the messages. */
export const coursewareExtensions = Object.keys(COURSEWARE_TYPES).map((e) => `.${e}`);

export type CoursewareSniff = { ok: true; ext: string; contentType: string } | { ok: false; reason: 'type_not_allowed' | 'content_mismatch' };

/** The end-of-central-directory record lies within the last 22 + 65535 bytes of a ZIP. */
const EOCD_SEARCH = 22 + 0xffff;

/**
 * The names in a ZIP's central directory, or null when it has none that can
 * be read (not a ZIP, or cut off: a truncated upload loses its directory,
 * which sits at the end). Reads only the tail of the file.
 */
export async function zipEntryNames(file: string): Promise<string[] | null> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const tailSize = Math.min(size, EOCD_SEARCH);
    const tail = Buffer.alloc(tailSize);
    await handle.read(tail, 0, tailSize, size - tailSize);
    let at = -1;
    for (let i = tailSize - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) {
        at = i;
        break;
      }
    }
    if (at < 0) return null;
    const entries = tail.readUInt16LE(at + 10);
    const cdSize = tail.readUInt32LE(at + 12);
    const cdOffset = tail.readUInt32LE(at + 16);
    if (cdOffset + cdSize > size || cdSize > 64 * 1024 * 1024) return null;
    const cd = Buffer.alloc(cdSize);
    await handle.read(cd, 0, cdSize, cdOffset);
    const names: string[] = [];
    let p = 0;
    for (let n = 0; n < entries; n++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== 0x02014b50) return null;
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      names.push(cd.subarray(p + 46, p + 46 + nameLen).toString('utf8'));
      p += 46 + nameLen + extraLen + commentLen;
    }
    return names;
  } catch {
    return null;
  } finally {
    await handle.close();
  }
}

/** Whether a PDF's last kilobyte holds its `%%EOF` marker: one cut off on the way does not. */
async function endsLikePdf(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const n = Math.min(size, 1024);
    const tail = Buffer.alloc(n);
    await handle.read(tail, 0, n, size - n);
    return tail.includes('%%EOF');
  } finally {
    await handle.close();
  }
}

/**
 * Whether a received courseware file is what its name says, judged by content:
 * a PDF starts and ends like one; a Word/Excel/PowerPoint file is a complete ZIP whose
 * directory holds `[Content_Types].xml` and that format's main part; a ZIP is
 * a complete ZIP. A renamed program, or an upload cut off on the way, is refused.
 */
export async function sniffCourseware(file: string, name: string): Promise<CoursewareSniff> {
  const ext = path.extname(name).slice(1).toLowerCase();
  const allowed = COURSEWARE_TYPES[ext];
  if (!allowed) return { ok: false, reason: 'type_not_allowed' };
  const detected = await fileTypeFromFile(file).catch(() => undefined);
  if (ext === 'pdf') return detected?.ext === 'pdf' && (await endsLikePdf(file)) ? { ok: true, ext, contentType: allowed.mime } : { ok: false, reason: 'content_mismatch' };
  if (!detected || !['zip', 'docx', 'xlsx', 'pptx'].includes(detected.ext)) return { ok: false, reason: 'content_mismatch' };
  const names = await zipEntryNames(file);
  if (!names) return { ok: false, reason: 'content_mismatch' };
  if (allowed.mainPart && !(names.includes('[Content_Types].xml') && names.includes(allowed.mainPart))) return { ok: false, reason: 'content_mismatch' };
  return { ok: true, ext, contentType: allowed.mime };
}

/** The served content type of a stored version's file, from its (checked) extension. */
export function coursewareContentType(file: string): string {
  return COURSEWARE_TYPES[path.extname(file).slice(1).toLowerCase()]?.mime ?? 'application/octet-stream';
}
