import { crc32, deflateRawSync, constants as zlib } from 'node:zlib';

type Packed = 'br' | 'gzip';

/** The encoding the client takes, in the order of `prefer` (br, then gzip), else none (q=0 refuses). */
export function pickEncoding(accept: string | undefined, prefer: readonly Packed[] = ['br', 'gzip']): Packed | 'identity' {
  const offered = new Map<string, number>();
  for (const part of (accept ?? '').split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
    if (name) offered.set(name, q === undefined ? 1 : Number(q));
  }
  const accepts = (name: string) => (offered.get(name) ?? offered.get('*') ?? 0) > 0;
  return prefer.find(accepts) ?? 'identity';
}

/**
 * A gzip body for pages that differ in one short run of bytes. The parts
 * before and after it are compressed once, each on its own (no back-reference
 * crosses into them), so a page is their two copies around the middle
 * compressed now, with the header and the checksum of the whole.
 */
export interface GzipFrame {
  head: Buffer;
  tail: Buffer;
  beforeCrc: number;
  after: Buffer;
  length: number;
}

/** A gzip member's header: deflate, no name or time, unknown OS. */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);

export function gzipFrame(before: Buffer, after: Buffer): GzipFrame {
  const head = Buffer.concat([GZIP_HEADER, deflateRawSync(before, { level: 6, finishFlush: zlib.Z_SYNC_FLUSH })]);
  return { head, tail: deflateRawSync(after, { level: 6 }), beforeCrc: crc32(before), after, length: before.length + after.length };
}

/** The gzip body of the page with `middle` between the frame's parts. */
export function gzipWith(frame: GzipFrame, middle: Buffer): Buffer {
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(frame.after, crc32(middle, frame.beforeCrc)), 0);
  trailer.writeUInt32LE((frame.length + middle.length) % 2 ** 32, 4);
  return Buffer.concat([frame.head, deflateRawSync(middle, { level: 1, finishFlush: zlib.Z_SYNC_FLUSH }), frame.tail, trailer]);
}
