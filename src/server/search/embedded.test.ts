import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAlive } from '../runtime/lock.ts';
import { BUNDLED_MEILI_SHA256, MeiliUnavailableError, resolveMeiliBinary, startEmbeddedMeili, stopLeftover } from './embedded.ts';
import { tempDir } from '../../../tests/helpers/tmp.ts';

const tmp = () => tempDir('dayi-meili');

describe('embedded Meilisearch', () => {
  it('refuses a bundled binary whose hash is not the pinned one', async () => {
    const dir = tmp();
    const fake = path.join(dir, 'meilisearch');
    writeFileSync(fake, '#!/bin/sh\necho tampered\n');
    await expect(resolveMeiliBinary({ dataDir: dir, packaged: fake })).rejects.toThrow(/not the pinned/);
    expect(existsSync(path.join(dir, 'bin'))).toBe(false);
  });

  it('says what to do when the bundled package is missing', async () => {
    await expect(resolveMeiliBinary({ dataDir: tmp(), packaged: null })).rejects.toBeInstanceOf(MeiliUnavailableError);
  });

  it('copies the verified binary into DATA_DIR/bin with the execute bit', async () => {
    const dir = tmp();
    const bin = await resolveMeiliBinary({ dataDir: dir });
    expect(bin).toBe(path.join(dir, 'bin', 'meilisearch-1.21.0'));
    expect(statSync(bin).mode & 0o777).toBe(0o700);
    expect(BUNDLED_MEILI_SHA256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('starts on loopback with a kept 0600 key, and stops without leaving a process', async () => {
    const dir = tmp();
    const meili = await startEmbeddedMeili({ dataDir: dir });
    expect(meili.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const keyFile = path.join(dir, 'meili-master-key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyFile, 'utf8')).toBe(meili.apiKey);
    // The master key is enforced: no key, no access.
    expect((await fetch(`${meili.url}/indexes`)).status).toBe(401);
    const ok = await fetch(`${meili.url}/indexes`, { headers: { Authorization: `Bearer ${meili.apiKey}` } });
    expect(ok.status).toBe(200);
    const pid = meili.pid;
    await meili.stop();
    expect(isAlive({ pid, startTime: null, command: '' })).toBe(false);
    expect(existsSync(path.join(dir, 'meili.pid'))).toBe(false);
  });

  it('stops a Meilisearch left over from a killed run before starting anew', async () => {
    const dir = tmp();
    const first = await startEmbeddedMeili({ dataDir: dir });
    const stamp = JSON.parse(readFileSync(path.join(dir, 'meili.pid'), 'utf8'));
    // As if our process had been killed -9: the child and its pid file are still there.
    await stopLeftover(path.join(dir, 'meili.pid'), path.join(dir, 'meili'));
    expect(isAlive(stamp)).toBe(false);
    const second = await startEmbeddedMeili({ dataDir: dir });
    expect(second.apiKey).toBe(first.apiKey);
    await second.stop();
    await first.stop();
  });

  it('leaves alone a process whose command line is not ours', async () => {
    const dir = tmp();
    const pidFile = path.join(dir, 'meili.pid');
    writeFileSync(pidFile, JSON.stringify({ pid: process.pid, startTime: null, command: 'x' }));
    await stopLeftover(pidFile, path.join(dir, 'meili'));
    expect(isAlive({ pid: process.pid, startTime: null, command: '' })).toBe(true);
  });
});
