import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** One file of a backup, as its manifest lists it. */
export interface ManifestFile {
  /** Path inside the backup folder, forward slashes. */
  path: string;
  size: number;
  sha256: string;
}

/** Progress of a long copy: bytes done of bytes in all, and what is being done. */
export type Progress = (done: number, total: number, what: string) => void;

/** Every regular file below `dir` (relative, forward slashes), sorted; `skip` names top-level folders left out. Symlinks are not followed. */
export async function listTree(dir: string, { skip = [] }: { skip?: string[] } = {}): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    const entries = await readdir(path.join(dir, rel), { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return [];
      throw e;
    });
    for (const e of entries) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (!rel && skip.includes(e.name)) continue;
      if (e.isDirectory()) await walk(child);
      else if (e.isFile()) out.push(child);
    }
  };
  await walk('');
  return out.sort();
}

/** The total size of `files` below `dir`. */
export async function treeSize(dir: string, files: string[]): Promise<number> {
  let total = 0;
  for (const f of files) total += (await stat(path.join(dir, f))).size;
  return total;
}

/**
 * Copies `from` to `to` (creating its folder, mode 0600), computing the
 * SHA-256 of the bytes as they pass; `onBytes` hears each chunk.
 */
export async function copyHashed(from: string, to: string, onBytes: (n: number) => void = () => {}): Promise<{ size: number; sha256: string }> {
  await mkdir(path.dirname(to), { recursive: true, mode: 0o700 });
  const hash = createHash('sha256');
  let size = 0;
  await pipeline(
    createReadStream(from),
    new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        size += chunk.length;
        onBytes(chunk.length);
        done(null, chunk);
      },
    }),
    createWriteStream(to, { mode: 0o600 }),
  );
  return { size, sha256: hash.digest('hex') };
}

/** SHA-256 and size of a file, read as a stream. */
export async function hashFile(file: string, onBytes: (n: number) => void = () => {}): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
    onBytes(chunk.length);
  }
  return { size, sha256: hash.digest('hex') };
}

/** Whether a folder is missing or holds nothing at all. */
export async function isEmptyDir(dir: string): Promise<boolean> {
  const entries = await readdir(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [];
    throw e;
  });
  return entries.length === 0;
}
