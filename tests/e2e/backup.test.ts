import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { describe, expect, inject, it } from 'vitest';
import { writeContent, manualIndex, chapter } from '../helpers/content.ts';
import { withDatabaseName } from '../helpers/pg-url.ts';
import { type RunningServer } from '../helpers/server.ts';
import { startTestServer } from '../helpers/test-server.ts';
import { testIndexPrefix } from '../helpers/db.ts';
import { tempDir } from '../helpers/tmp.ts';
import { appRoot } from '../../src/server/shared/paths.ts';

const run = promisify(execFile);
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082', 'hex');

/** Runs one of our CLIs as `npm run` would, with the site's settings; resolves with its exit code and output. */
async function cli(script: string, args: string[], env: Record<string, string | undefined>): Promise<{ code: number; out: string }> {
  const full: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, NODE_ENV: 'test', ...env })) if (v !== undefined) full[k] = v;
  try {
    const { stdout, stderr } = await run(process.execPath, [`scripts/${script}.ts`, ...args], { cwd: appRoot(), env: full });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: err.stdout + err.stderr };
  }
}

/** A site's own settings: data, files and content folders (and its database, on PostgreSQL). */
function site(databaseUrl?: string) {
  const dataDir = tempDir('dayi-site');
  return {
    DATA_DIR: dataDir,
    FILES_DIR: path.join(dataDir, 'files'),
    CONTENT_DIR: path.join(dataDir, 'content'),
    DATABASE_URL: databaseUrl,
    // The run's Meilisearch, under this site's own index names (the restore rebuilds them).
    MEILI_URL: inject('meiliUrl'),
    MEILI_MASTER_KEY: inject('meiliKey'),
    MEILI_INDEX_PREFIX: testIndexPrefix(),
  };
}

/** Asks a question with a screenshot through the ask form; returns its tracking page. */
async function askWithFile(server: RunningServer): Promise<string> {
  const form = new FormData();
  for (const [k, v] of Object.entries({ kind: 'consult', title: '备份前提的问题', body: '备份之前提交的问题，恢复之后它还在吗？', email: 'backup@example.cn' })) form.append(k, v);
  form.append('attachments', new Blob([new Uint8Array(PNG)]), '备份截图.png');
  const res = await fetch(`${server.url}/ask`, { method: 'POST', redirect: 'manual', body: form, headers: { Origin: server.url } });
  if (res.status !== 303) throw new Error((await res.text()).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 2000));
  return new URL(res.headers.get('location')!, server.url).pathname;
}

/** What a user would check after a restore: the question, its file byte for byte, and the knowledge page. */
async function observe(server: RunningServer, track: string) {
  const page = await (await fetch(`${server.url}${track}`)).text();
  const file = /href="([^"]+\/files\/[0-9a-f-]{36})"/.exec(page)?.[1];
  const bytes = file ? Buffer.from(await (await fetch(`${server.url}${file}`)).arrayBuffer()) : null;
  const chapterPage = await fetch(`${server.url}/manuals/ops/restore`);
  return { title: page.includes('备份前提的问题'), file: bytes?.equals(PNG) ?? false, chapter: chapterPage.status === 200 && (await chapterPage.text()).includes('恢复演练') };
}

async function emptyDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = process.env.DATABASE_URL!;
  const name = `dayi_restore_${process.pid}_${Date.now()}`;
  const sql = postgres(admin, { max: 1, onnotice: () => {} });
  await sql.unsafe(`CREATE DATABASE "${name}"`);
  await sql.end();
  return {
    url: withDatabaseName(admin, name),
    async drop() {
      const s = postgres(admin, { max: 1, onnotice: () => {} });
      await s.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await s.end();
    },
  };
}

const kinds = process.env.DATABASE_URL ? (['postgres', 'pglite'] as const) : (['pglite'] as const);

describe.each(kinds)('backup and restore (%s)', (kind) => {
  it('brings back the same question, attachment and pages into a wiped installation, and refuses to restore over data', async () => {
    const pg = kind === 'postgres' ? await emptyDatabase() : undefined;
    const target = kind === 'postgres' ? await emptyDatabase() : undefined;
    try {
      const before = site(pg?.url);
      writeContent({ 'manuals/ops/index.md': manualIndex('运维'), 'manuals/ops/restore.md': chapter('恢复', '## 恢复演练\n\n每季度做一次恢复演练。') }, before.CONTENT_DIR);
      const { server, stop } = await startTestServer(before);
      const out = tempDir('dayi-backup');
      let track: string;
      try {
        track = await askWithFile(server);
        expect(await observe(server, track)).toEqual({ title: true, file: true, chapter: true });
        // While the server runs: on PGlite the running server writes the dump through its control socket.
        const backup = await cli('backup', ['--out', out], before);
        expect(backup.out).toContain('Backup written to');
        expect(backup.code).toBe(0);
        if (kind === 'pglite') expect(backup.out).toMatch(/The server \(pid \d+\) is running: it writes the database dump/);
      } finally {
        await stop();
      }
      const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { database: string; files: { path: string; sha256: string }[] };
      expect(manifest.database).toBe(kind);
      expect(manifest.files.some((f) => f.path.startsWith('files/'))).toBe(true);
      expect(manifest.files.map((f) => f.path)).toContain('content/manuals/ops/restore.md');
      // No secret in the settings kept beside the data.
      expect(readFileSync(path.join(out, 'config.json'), 'utf8')).not.toMatch(/DATABASE_URL|MEILI_MASTER_KEY|SESSION_SECRET/);

      const after = site(target?.url);
      const restored = await cli('restore', ['--from', out], after);
      expect(restored.out).toContain('Restored the backup');
      expect(restored.code).toBe(0);
      // A second restore over the restored site is refused unless --force.
      const again = await cli('restore', ['--from', out], after);
      expect(again.code).toBe(1);
      expect(again.out).toContain('Restore refused: not empty');

      const { server: back, stop: stopBack } = await startTestServer(after);
      try {
        expect(await observe(back, track)).toEqual({ title: true, file: true, chapter: true });
      } finally {
        await stopBack();
      }
    } finally {
      await pg?.drop();
      await target?.drop();
    }
  }, 240_000);
});

describe('restore checks the backup first', () => {
  it('refuses a backup whose file does not match its manifest, touching nothing', async () => {
    const src = site();
    writeContent({ 'faq/a.md': '---\ntitle: 问\n---\n\n答。\n' }, src.CONTENT_DIR);
    const out = tempDir('dayi-backup');
    const made = await cli('backup', ['--out', out], { ...src, DATABASE_URL: undefined });
    expect(made.code).toBe(0);
    writeFileSync(path.join(out, 'content', 'faq', 'a.md'), 'tampered');
    const dest = site();
    const res = await cli('restore', ['--from', out], { ...dest, DATABASE_URL: undefined });
    expect(res.code).toBe(1);
    expect(res.out).toContain('content/faq/a.md is missing or damaged');
  }, 120_000);

  it('refuses a folder that is not empty as the backup target, leaving it as it was', async () => {
    const out = tempDir('dayi-backup');
    writeFileSync(path.join(out, 'keep.txt'), 'mine');
    const res = await cli('backup', ['--out', out], { ...site(), DATABASE_URL: undefined });
    expect(res.code).toBe(1);
    expect(res.out).toContain('is not empty');
    expect(readFileSync(path.join(out, 'keep.txt'), 'utf8')).toBe('mine');
  });
});
