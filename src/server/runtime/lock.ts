import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface ProcessStamp {
  pid: number;
  /** Kernel start time of the process (/proc/<pid>/stat field 22), so a reused pid is not mistaken for the holder. */
  startTime: string | null;
  command: string;
}

export class DataDirLockedError extends Error {
  readonly dataDir: string;
  readonly holder: ProcessStamp;
  constructor(dataDir: string, holder: ProcessStamp) {
    super(
      `The data directory ${dataDir} is in use by another Dayi process (pid ${holder.pid}: ${holder.command}). ` +
        `Stop it first; two processes on one embedded database corrupt it.\n` +
        `数据目录 ${dataDir} 正被另一个 Dayi 进程（PID ${holder.pid}）使用，请先停止该进程。`,
    );
    this.name = 'DataDirLockedError';
    this.dataDir = dataDir;
    this.holder = holder;
  }
}

/** State and start time from /proc/<pid>/stat (Linux), or null elsewhere or when gone. */
function procStat(pid: number): { state: string; startTime: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0] ?? '', startTime: rest[19] ?? '' };
  } catch {
    return null;
  }
}

export function processStartTime(pid: number): string | null {
  return procStat(pid)?.startTime ?? null;
}

/** Whether the process recorded in `stamp` is still the one running under that pid. */
export function isAlive(stamp: ProcessStamp): boolean {
  try {
    process.kill(stamp.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (stamp.startTime === null) return true;
  const stat = procStat(stamp.pid);
  // A killed process stays a zombie until its parent reaps it: it holds nothing any more.
  return stat !== null && stat.state !== 'Z' && stat.state !== 'X' && stat.startTime === stamp.startTime;
}

/**
 * Takes the exclusive lock on DATA_DIR: a file created with O_EXCL holding our
 * pid and start time. A lock left by a killed process (kill -9, power loss) is
 * taken over; a live holder makes this throw DataDirLockedError.
 */
export function acquireDataDirLock(dataDir: string, command = process.argv.slice(1).join(' ')): { release(): void } {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'dayi.lock');
  const stamp: ProcessStamp = { pid: process.pid, startTime: processStartTime(process.pid), command };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(stamp), { flag: 'wx', mode: 0o600 });
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          try {
            const current = JSON.parse(readFileSync(file, 'utf8')) as ProcessStamp;
            if (current.pid === process.pid) rmSync(file);
          } catch {
            /* already gone */
          }
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let holder: ProcessStamp | null = null;
    try {
      holder = JSON.parse(readFileSync(file, 'utf8')) as ProcessStamp;
    } catch {
      holder = null; // half-written or garbage: treat as stale
    }
    if (holder && holder.pid !== process.pid && isAlive(holder)) throw new DataDirLockedError(dataDir, holder);
    rmSync(file, { force: true });
  }
  throw new Error(`Could not take the lock on ${dataDir}`);
}
