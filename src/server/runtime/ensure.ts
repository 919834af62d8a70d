import { loadConfig } from '../config/config.ts';
import { createLogger } from '../shared/logger.ts';
import { bootRuntime, peekRuntime, setRuntime, shutdownRuntime, type Runtime } from './runtime.ts';

/**
 * The runtime for a request. Under `npm start` the start script has booted it
 * already; under `astro dev` the first request boots it in the dev process.
 */
export function ensureRuntime(): Promise<Runtime> {
  const existing = peekRuntime();
  if (existing) return existing;
  const config = loadConfig();
  const log = createLogger({ level: config.logLevel, pretty: config.nodeEnv !== 'production' });
  const booting = bootRuntime({ config, log });
  setRuntime(booting);
  booting.then(
    (rt) => {
      const stop = () => void shutdownRuntime(rt).finally(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    // Let the next request try again (e.g. after the other process holding DATA_DIR stops).
    () => setRuntime(undefined),
  );
  return booting;
}
