import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type Config } from '../../src/server/config/config.ts';
import { pgDump, pgliteDump } from '../../src/server/ops/backup.ts';
import { runScheduledBackup, scheduledBackupName } from '../../src/server/ops/backup.schedule.ts';
import { bootRuntime, shutdownRuntime, type Runtime } from '../../src/server/runtime/runtime.ts';
import { createTestDatabase, testIndexPrefix, type TestDatabase } from '../helpers/db.ts';
import { silentLog, testConfig } from '../helpers/runtime.ts';
import { tempDir } from '../helpers/tmp.ts';

let t: TestDatabase;
let rt: Runtime | undefined;
let config: Config;
const backupDir = tempDir('dayi-backups');
const prefix = testIndexPrefix();

beforeAll(async () => {
  t = await createTestDatabase();
  config = testConfig({ ...(t.url ? { DATABASE_URL: t.url } : {}), MEILI_INDEX_PREFIX: prefix, BACKUP_DIR: backupDir, BACKUP_KEEP: '2', BACKUP_SCHEDULE: '45 1 * * *' });
  rt = await bootRuntime({ config, log: silentLog, work: true });
});
afterAll(async () => {
  if (rt) await shutdownRuntime(rt);
  await t?.drop();
});

const dumpOf = (r: Runtime) => (r.database.kind === 'postgres' ? pgDump(r.database.url) : pgliteDump(r.database.client));

describe('scheduled backups (BACKUP_DIR)', () => {
  it('are scheduled by the process that works jobs, at BACKUP_SCHEDULE in APP_TIME_ZONE', async () => {
    const schedules = await rt!.jobs.boss.getSchedules('backup.run');
    expect(schedules).toHaveLength(1);
    expect(schedules[0]).toMatchObject({ name: 'backup.run', cron: '45 1 * * *', options: expect.objectContaining({ tz: 'Asia/Shanghai' }) });
  });

  it('keep the newest BACKUP_KEEP complete backups, and clear an unfinished folder left by a killed run', async () => {
    // An unfinished backup of an earlier night (no manifest), as a kill -9 mid-backup leaves it.
    const leftover = scheduledBackupName(new Date('2026-12-01T18:30:00Z'));
    mkdirSync(path.join(backupDir, leftover));
    writeFileSync(path.join(backupDir, leftover, 'database.dump'), 'half');
    // Something else an operator keeps there is never touched.
    writeFileSync(path.join(backupDir, 'README.txt'), '运维说明');
    const nights = ['2026-12-02T18:30:00Z', '2026-12-03T18:30:00Z', '2026-12-04T18:30:00Z'].map((d) => new Date(d));
    const results = [];
    for (const now of nights) results.push(await runScheduledBackup({ config, backupDir, keep: 2, dumpDatabase: dumpOf(rt!), now }));
    expect(results[0]!.removed).toEqual([leftover]);
    expect(results[1]!.removed).toEqual([]);
    expect(results[2]!.removed).toEqual([scheduledBackupName(nights[0]!)]);
    expect(readdirSync(backupDir).sort()).toEqual(['README.txt', 'dayi-backup-20261203-183000', 'dayi-backup-20261204-183000']);
    for (const name of ['dayi-backup-20261203-183000', 'dayi-backup-20261204-183000']) expect(existsSync(path.join(backupDir, name, 'manifest.json'))).toBe(true);
  });

  it('stop when BACKUP_DIR is unset: the next start removes the schedule', async () => {
    await shutdownRuntime(rt!);
    rt = undefined;
    const again = testConfig({ DATA_DIR: config.dataDir, ...(t.url ? { DATABASE_URL: t.url } : {}), MEILI_INDEX_PREFIX: prefix });
    rt = await bootRuntime({ config: again, log: silentLog, work: true });
    expect(await rt.jobs.boss.getSchedules('backup.run')).toEqual([]);
  });

  it('refuses a BACKUP_DIR inside what it backs up', () => {
    const dataDir = tempDir('dayi-data');
    expect(() => loadConfig({ DATA_DIR: dataDir, BACKUP_DIR: path.join(dataDir, 'files', 'backups') })).toThrow(ConfigError);
    expect(() => loadConfig({ DATA_DIR: dataDir, CONTENT_DIR: path.join(dataDir, 'content'), BACKUP_DIR: path.join(dataDir, 'content') })).toThrow(/BACKUP_DIR: must not be inside/);
    expect(loadConfig({ DATA_DIR: dataDir, BACKUP_DIR: path.join(dataDir, 'backups') }).backupDir).toBe(path.join(dataDir, 'backups'));
  });
});
