import { inject } from 'vitest';
import { loadConfig, type Config } from '../../src/server/config/config.ts';
import { createLogger } from '../../src/server/shared/logger.ts';
import { tempDir } from './tmp.ts';

export const silentLog = createLogger({ level: 'silent', pretty: false });

/** A validated config for tests: a temp DATA_DIR and the run's Meilisearch, plus overrides. */
export function testConfig(env: Record<string, string | undefined> = {}): Config {
  const dataDir = tempDir('dayi-data');
  return loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    MEILI_URL: inject('meiliUrl'),
    MEILI_MASTER_KEY: inject('meiliKey'),
    LOG_LEVEL: 'silent',
    ...env,
  });
}
