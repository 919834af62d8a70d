import { rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from '../shared/logger.ts';
import type { DumpDatabase } from './backup.ts';

/**
 * Where a server on the embedded database listens for local operations: a
 * Unix socket inside DATA_DIR (0700, so only the account that runs Dayi can
 * connect). `npm run backup` asks it for the database dump while the server
 * runs, since PGlite can be opened by one process only.
 */
export const controlSocketPath = (dataDir: string) => path.join(dataDir, 'control.sock');

interface Request {
  op: 'dump-database';
  to: string;
}

/** Listens on the control socket; one JSON line in, one JSON line out per connection. */
export async function startControlSocket({ dataDir, dumpDatabase, log }: { dataDir: string; dumpDatabase: DumpDatabase; log: Logger }): Promise<{ close(): Promise<void> }> {
  const file = controlSocketPath(dataDir);
  // A socket file left by a killed process: we hold the DATA_DIR lock, so nobody else listens on it.
  rmSync(file, { force: true });
  const server = net.createServer((socket) => {
    let buf = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > 64 * 1024) return socket.destroy();
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      let req: Request;
      try {
        req = JSON.parse(buf.slice(0, nl)) as Request;
      } catch {
        return socket.end(`${JSON.stringify({ ok: false, error: 'malformed request' })}\n`);
      }
      if (req.op !== 'dump-database' || typeof req.to !== 'string' || !path.isAbsolute(req.to)) {
        return socket.end(`${JSON.stringify({ ok: false, error: 'unknown request' })}\n`);
      }
      log.info({ op: req.op }, 'control socket: dumping the database for a backup');
      dumpDatabase(req.to).then(
        () => socket.end(`${JSON.stringify({ ok: true })}\n`),
        (e: Error) => socket.end(`${JSON.stringify({ ok: false, error: e.message })}\n`),
      );
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(file, resolve);
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        rmSync(file, { force: true });
      }),
  };
}

/** Asks the running server on `dataDir` to write its database dump to `to`. */
export const dumpThroughServer =
  (dataDir: string): DumpDatabase =>
  (to) =>
    new Promise((resolve, reject) => {
      const socket = net.connect(controlSocketPath(dataDir));
      let buf = '';
      socket.setEncoding('utf8');
      socket.on('connect', () => socket.write(`${JSON.stringify({ op: 'dump-database', to })}\n`));
      socket.on('data', (c: string) => (buf += c));
      socket.on('end', () => {
        try {
          const res = JSON.parse(buf) as { ok: boolean; error?: string };
          if (res.ok) resolve();
          else reject(new Error(`the running server could not dump its database: ${res.error}`));
        } catch {
          reject(new Error('the running server did not answer the backup request'));
        }
      });
      socket.on('error', (e) => reject(new Error(`cannot reach the running server's control socket (${e.message}); is it an older version? Stop it and run the backup again`)));
    });
