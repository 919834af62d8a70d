import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../src/server/runtime/lock.ts';
import { appRoot } from '../../src/server/shared/paths.ts';
import { freeTestPort, runStart, startDayi, type RunningServer } from '../helpers/server.ts';

/**
 * `npm start` as a newcomer runs it: no environment, everything embedded
 * (PGlite and the bundled Meilisearch) in a fresh DATA_DIR.
 */
describe('npm start, fully embedded', () => {
  let first: RunningServer | undefined;
  // A fresh embedded start (PGlite migrations, Meilisearch, demo seeding) takes about 10 s on an idle
  // two-core machine and several times that while other test files run beside it: the hook's budget, not a test's.
  beforeAll(async () => {
    first = await startDayi({ PORT: await freeTestPort(), DATABASE_URL: undefined, MEILI_URL: undefined, MEILI_MASTER_KEY: undefined }, { timeoutMs: 110_000 });
  });
  afterAll(async () => {
    await first?.stop('SIGKILL');
  });

  it('serves the home page and reports database and search ok', async () => {
    const health = await (await fetch(`${first!.url}/api/health`)).json();
    expect(health).toMatchObject({ status: 'ok', database: { ok: true, kind: 'pglite' }, search: { ok: true, kind: 'embedded' } });
    const home = await fetch(`${first!.url}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('有问题，先来这里找答案');
    expect(first!.output()).toContain(`Embedded data: ${first!.dataDir}`);
  });

  it('refuses a second process on the same data directory', async () => {
    const second = runStart({ PORT: await freeTestPort(), DATA_DIR: first!.dataDir, DATABASE_URL: undefined, MEILI_URL: undefined, MEILI_MASTER_KEY: undefined });
    const code = await new Promise((resolve) => second.child.once('exit', resolve));
    expect(code).toBe(1);
    expect(second.output()).toContain('数据目录');
    expect(second.output()).toContain(`pid ${first!.child.pid}`);
    // The first keeps serving.
    expect((await fetch(`${first!.url}/api/health`)).status).toBe(200);
  });

  it.each([
    ['user:create', ['scripts/user-create.ts', '--email', 'late@example.cn', '--role', 'admin']],
    ['search:reindex', ['scripts/search-reindex.ts']],
    ['db:migrate', ['scripts/migrate.ts']],
  ])('refuses %s while the server holds the embedded data directory', (_name, args) => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: first!.dataDir, NODE_ENV: 'test' };
    delete env.DATABASE_URL;
    delete env.MEILI_URL;
    const r = spawnSync(process.execPath, args, { cwd: appRoot(), env, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('数据目录');
  });

  it('shuts down on SIGINT leaving no process and no lock behind', async () => {
    const meiliPid = JSON.parse(readFileSync(path.join(first!.dataDir, 'meili.pid'), 'utf8')).pid as number;
    expect(isAlive({ pid: meiliPid, startTime: null, command: '' })).toBe(true);
    const code = await first!.stop('SIGINT');
    expect(code).toBe(0);
    expect(isAlive({ pid: meiliPid, startTime: null, command: '' })).toBe(false);
    expect(existsSync(path.join(first!.dataDir, 'dayi.lock'))).toBe(false);
    first = undefined;
  });

  it('stops at once with a message naming a bad setting', async () => {
    const bad = runStart({ PORT: 'eighty' });
    const code = await new Promise((resolve) => bad.child.once('exit', resolve));
    expect(code).toBe(1);
    expect(bad.output()).toMatch(/PORT: .*eighty/);
  });
});
