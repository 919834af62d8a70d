import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import Busboy from '@fastify/busboy';

/** A file of a multipart form, already on disk in the incoming folder. */
export interface IncomingFile {
  /** The form field it came in. */
  field: string;
  /** The file's name as the sender's system had it (path parts dropped). */
  name: string;
  /** Absolute path of the received bytes (in `FILES_DIR/incoming`). */
  path: string;
  size: number;
  sha256: string;
}

/** Something wrong with the files of a form that the page should tell its sender, keeping the rest of the form. */
export type UploadProblem = { code: 'file_too_large'; name: string } | { code: 'too_many_files' };

export interface ReceivedForm {
  /** The text fields, in order (repeated names repeat). */
  fields: [string, string][];
  files: IncomingFile[];
  problems: UploadProblem[];
}

export interface ReceiveLimits {
  maxFileBytes: number;
  maxFiles: number;
  /** The text fields together. */
  maxFieldBytes: number;
  /** The whole request body, dropped files included. */
  maxTotalBytes: number;
}

/** The form could not be read at all (malformed multipart, or its text fields over their limit). */
export class UnreadableForm extends Error {
  readonly reason: 'malformed' | 'fields_too_large' | 'too_large';
  constructor(reason: UnreadableForm['reason']) {
    super(reason);
    this.reason = reason;
  }
}

/** How long an upload may send nothing before it is given up. */
const IDLE_MS = 120_000;

export const incomingDir = (filesDir: string) => path.join(filesDir, 'incoming');

/**
 * Reads a multipart form from `req` as it arrives: text fields into memory
 * (bounded), each file streamed to its own file in the incoming folder while
 * its SHA-256 is computed — never more than one chunk of it in memory. A file
 * over the size limit, or files over the count, are dropped and reported as
 * problems; the rest of the form still arrives. Anything received is removed
 * again if reading fails.
 */
export async function receiveMultipart(req: IncomingMessage, { filesDir, limits }: { filesDir: string; limits: ReceiveLimits }): Promise<ReceivedForm> {
  const dir = incomingDir(filesDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const received: ReceivedForm = { fields: [], files: [], problems: [] };
  const writing: Promise<void>[] = [];
  let fieldBytes = 0;
  let bb: ReturnType<typeof Busboy>;
  try {
    bb = Busboy({
      headers: req.headers as { 'content-type': string },
      defCharset: 'utf8',
      limits: { fileSize: limits.maxFileBytes, files: limits.maxFiles, fieldSize: limits.maxFieldBytes, fields: 500, parts: 600 },
    });
  } catch {
    throw new UnreadableForm('malformed');
  }
  return new Promise<ReceivedForm>((resolve, reject) => {
    let failed: Error | null = null;
    /** Files in the order the form sent them: their writes may finish in any order. */
    const order: string[] = [];
    const open = new Set<Readable>();
    const fail = (e: Error) => {
      if (failed) return;
      failed = e;
      req.unpipe(bb);
      // Files still arriving will get no more bytes: end them, so their writes settle and can be removed.
      for (const s of open) s.destroy(e);
      void Promise.allSettled(writing).then(async () => {
        await Promise.all(received.files.map((f) => rm(f.path, { force: true })));
        reject(e);
      });
    };
    bb.on('field', (name, value, _nameTruncated, valueTruncated) => {
      fieldBytes += Buffer.byteLength(name) + Buffer.byteLength(value);
      if (valueTruncated || fieldBytes > limits.maxFieldBytes) return fail(new UnreadableForm('fields_too_large'));
      received.fields.push([name, value]);
    });
    bb.on('file', (field, stream, filename) => {
      const name = path.basename((filename ?? '').replaceAll('\\', '/')).trim();
      // A file input left empty still sends a part, with no name and no bytes.
      if (!name || failed) return stream.resume();
      const target = path.join(dir, `${Date.now()}-${randomBytes(12).toString('hex')}`);
      order.push(target);
      open.add(stream);
      stream.once('close', () => open.delete(stream));
      const hash = createHash('sha256');
      let size = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          size += chunk.length;
          hash.update(chunk);
          done(null, chunk);
        },
      });
      writing.push(
        pipeline(stream, counter, createWriteStream(target, { mode: 0o600 })).then(
          async () => {
            if (stream.truncated) {
              await rm(target, { force: true });
              received.problems.push({ code: 'file_too_large', name });
            } else received.files.push({ field, name, path: target, size, sha256: hash.digest('hex') });
          },
          async (e: Error) => {
            await rm(target, { force: true });
            fail(e);
          },
        ),
      );
    });
    bb.on('filesLimit', () => received.problems.push({ code: 'too_many_files' }));
    bb.on('error', () => fail(new UnreadableForm('malformed')));
    bb.on('finish', () => {
      void Promise.all(writing).then(() => {
        received.files.sort((a, b) => order.indexOf(a.path) - order.indexOf(b.path));
        if (!failed) resolve(received);
      });
    });
    let total = 0;
    // A sender that stops sending (a laptop closed mid-upload) is cut off, so its files do not wait for the 3-hour request limit.
    let idle = setTimeout(() => stall(), IDLE_MS);
    const stall = () => {
      fail(new UnreadableForm('malformed'));
      req.destroy();
    };
    bb.on('finish', () => clearTimeout(idle));
    req.on('close', () => clearTimeout(idle));
    req.on('data', (chunk: Buffer) => {
      clearTimeout(idle);
      idle = setTimeout(stall, IDLE_MS);
      total += chunk.length;
      if (total > limits.maxTotalBytes) fail(new UnreadableForm('too_large'));
    });
    req.on('error', (e) => fail(e));
    req.pipe(bb);
  });
}
