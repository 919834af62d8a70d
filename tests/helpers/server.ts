import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort } from '../../src/server/search/embedded.ts';
import { appRoot } from '../../src/server/shared/paths.ts';
import { tempDir } from './tmp.ts';

export const chromiumPath = '/usr/bin/chromium';
export const hasChromium = existsSync(chromiumPath);

export interface RunningServer {
  url: string;
  dataDir: string;
  child: ChildProcess;
  output: () => string;
  /** Sends the signal and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs `node scripts/start.ts` (what `npm start` runs) and resolves when it serves. A fresh start takes
 * about 10 s on an idle two-core machine and several times that beside other test files: the default
 * wait stays under the hooks' 120 s.
 */
export async function startDayi(env: Record<string, string | undefined> = {}, { timeoutMs = 110_000 } = {}): Promise<RunningServer> {
  const run = runStart(env);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (run.child.exitCode !== null) throw new Error(`Dayi exited with ${run.child.exitCode}:\n${run.output()}`);
    try {
      const res = await fetch(`${run.url}/api/health`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return run;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await run.stop('SIGKILL');
  throw new Error(`Dayi did not serve within ${timeoutMs} ms:\n${run.output()}`);
}

/** Starts the process without waiting; for tests of refusals and failures. */
export function runStart(env: Record<string, string | undefined> = {}): RunningServer {
  const dataDir = env.DATA_DIR ?? tempDir('dayi-e2e');
  const port = env.PORT ?? '0';
  let out = '';
  const fullEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...env, DATA_DIR: dataDir, PORT: port }))
    if (v !== undefined) fullEnv[k] = v;
  const child = spawn(process.execPath, ['scripts/start.ts'], { cwd: appRoot(), env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    url: `http://127.0.0.1:${port}`,
    dataDir,
    child,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** A free port, so each server in the run listens on its own. */
export async function freeTestPort(): Promise<string> {
  return String(await freePort());
}
