import { open } from 'node:fs/promises';
import path from 'node:path';

/** What a training video may be: MP4 or WebM, by extension and by content. */
export const videoExtensions = ['.mp4', '.webm'];

export type VideoSniff = { ok: true; ext: 'mp4' | 'webm'; contentType: 'video/mp4' | 'video/webm' } | { ok: false; reason: 'type_not_allowed' | 'content_mismatch' };
export type PosterSniff = { ok: true; ext: 'jpg' | 'png' | 'webp'; contentType: string } | { ok: false };

const HEAD = 4096;

/** The first bytes of a file (never the whole of a 4 GB video). */
async function head(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(HEAD);
    const { bytesRead } = await handle.read(buf, 0, HEAD, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

const isMp4 = (b: Buffer) => b.length >= 12 && b.toString('latin1', 4, 8) === 'ftyp';
/** EBML magic, then the DocType element (0x4282) saying `webm`. */
function isWebm(b: Buffer): boolean {
  if (b.length < 4 || b.readUInt32BE(0) !== 0x1a45dfa3) return false;
  const at = b.indexOf(Buffer.from([0x42, 0x82]));
  return at > 0 && b.indexOf('webm', at, 'latin1') > at && b.indexOf('webm', at, 'latin1') <= at + 8;
}

/** Whether a video upload is what its name says: `.mp4` must be ISO BMFF (`ftyp`), `.webm` EBML with DocType webm. */
export async function sniffVideo(file: string, name: string): Promise<VideoSniff> {
  const ext = path.extname(name).toLowerCase();
  if (!videoExtensions.includes(ext)) return { ok: false, reason: 'type_not_allowed' };
  const b = await head(file);
  if (ext === '.mp4') return isMp4(b) ? { ok: true, ext: 'mp4', contentType: 'video/mp4' } : { ok: false, reason: 'content_mismatch' };
  return isWebm(b) ? { ok: true, ext: 'webm', contentType: 'video/webm' } : { ok: false, reason: 'content_mismatch' };
}

/** Whether a poster upload is a JPEG, PNG or WebP image, by extension and magic bytes. */
export async function sniffPoster(file: string, name: string): Promise<PosterSniff> {
  const ext = path.extname(name).toLowerCase();
  const b = await head(file);
  if ((ext === '.jpg' || ext === '.jpeg') && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return { ok: true, ext: 'jpg', contentType: 'image/jpeg' };
  if (ext === '.png' && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return { ok: true, ext: 'png', contentType: 'image/png' };
  if (ext === '.webp' && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return { ok: true, ext: 'webp', contentType: 'image/webp' };
  return { ok: false };
}
