import { inject } from 'vitest';
import { createTestDatabase, testIndexPrefix, type TestDatabase } from './db.ts';
import { freeTestPort, startDayi, type RunningServer } from './server.ts';

/**
 * The built server for one test file: its own database (a clone of the
 * migrated template on PostgreSQL, else PGlite in its own DATA_DIR) and the
 * run's Meilisearch under its own index prefix. `env` adds or overrides settings.
 */
export async function startTestServer(env: Record<string, string | undefined> = {}): Promise<{ server: RunningServer; stop(): Promise<void> }> {
  const t: TestDatabase | undefined = process.env.DATABASE_URL && !('DATABASE_URL' in env) ? await createTestDatabase() : undefined;
  const server = await startDayi({
    PORT: await freeTestPort(),
    DATABASE_URL: t?.url,
    MEILI_URL: inject('meiliUrl'),
    MEILI_MASTER_KEY: inject('meiliKey'),
    MEILI_INDEX_PREFIX: testIndexPrefix(),
    ...env,
  });
  return {
    server,
    async stop() {
      await server.stop();
      await t?.drop();
    },
  };
}
