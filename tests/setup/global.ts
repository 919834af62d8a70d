import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../db/client.ts';
import { runMigrations } from '../../db/migrate.ts';
import { startJobs } from '../../src/server/jobs/jobs.ts';
import { startEmbeddedMeili } from '../../src/server/search/embedded.ts';
import { createLogger } from '../../src/server/shared/logger.ts';
import { withDatabaseName } from '../helpers/pg-url.ts';
import { ensureBuild } from '../../scripts/build-state.ts';
import { appRoot } from '../../src/server/shared/paths.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    meiliUrl: string;
    meiliKey: string;
    /** Migrated template database that each test file copies (PostgreSQL runs only). */
    pgTemplate: string | null;
  }
}

/**
 * One real Meilisearch for the whole run, and (with DATABASE_URL) one migrated
 * template database that every test file clones with CREATE DATABASE … TEMPLATE.
 */
export default async function setup(project: TestProject) {
  // The browser and start tests run the built server, as `npm start` does.
  ensureBuild(appRoot(), { ...process.env, PUBLIC_URL: '', TRUST_PROXY: '' });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dayi-test-'));
  const meili = await startEmbeddedMeili({ dataDir: dir });
  project.provide('meiliUrl', meili.url);
  project.provide('meiliKey', meili.apiKey);

  const adminUrl = process.env.DATABASE_URL;
  let template: string | null = null;
  if (adminUrl) {
    template = `dayi_tpl_${process.pid}`;
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`DROP DATABASE IF EXISTS "${template}"`);
    await admin.unsafe(`CREATE DATABASE "${template}"`);
    const url = withDatabaseName(adminUrl, template);
    const database = await openDatabase({ kind: 'postgres', url }, { max: 2 });
    await runMigrations(database, { url });
    // Install pg-boss's schema once, so clones start their queues quickly.
    const jobs = await startJobs({ database, log: createLogger({ level: 'silent', pretty: false }) });
    await jobs.stop();
    await database.close();
    await admin.end();
  }
  project.provide('pgTemplate', template);

  return async () => {
    await meili.stop();
    rmSync(dir, { recursive: true, force: true });
    if (adminUrl && template) {
      const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
      await admin.end();
    }
  };
}
