import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireDataDirLock, DataDirLockedError, processStartTime } from './lock.ts';
import { tempDir } from '../../../tests/helpers/tmp.ts';

const tmp = () => tempDir('dayi-lock');

describe('DATA_DIR lock', () => {
  it('refuses a second holder while the first is alive', () => {
    const dir = tmp();
    const first = acquireDataDirLock(dir);
    // Another live process's stamp in the lock file: our own parent (the test runner's process).
    const ppid = process.ppid;
    first.release();
    writeFileSync(
      path.join(dir, 'dayi.lock'),
      JSON.stringify({ pid: ppid, startTime: processStartTime(ppid), command: 'dayi' }),
    );
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
    expect(() => acquireDataDirLock(dir)).toThrow(/正被另一个 Dayi 进程/);
  });

  it('takes over a lock left by a process that was killed', async () => {
    const dir = tmp();
    const child = spawn('sleep', ['30']);
    const pid = child.pid!;
    writeFileSync(path.join(dir, 'dayi.lock'), JSON.stringify({ pid, startTime: processStartTime(pid), command: 'x' }));
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const lock = acquireDataDirLock(dir);
    expect(JSON.parse(readFileSync(path.join(dir, 'dayi.lock'), 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(existsSync(path.join(dir, 'dayi.lock'))).toBe(false);
  });

  it('does not mistake a reused pid for the holder', () => {
    const dir = tmp();
    // Same pid as a live process (ours), but another start time: a reboot or pid reuse.
    writeFileSync(path.join(dir, 'dayi.lock'), JSON.stringify({ pid: process.ppid, startTime: '1', command: 'x' }));
    expect(() => acquireDataDirLock(dir).release()).not.toThrow();
  });

  it('treats a garbled lock file as stale', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'dayi.lock'), '{not json');
    expect(() => acquireDataDirLock(dir).release()).not.toThrow();
  });
});
