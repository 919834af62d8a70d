import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'db/**/*.test.ts', 'scripts/**/*.test.ts', 'tests/**/*.test.ts'],
    globalSetup: ['tests/setup/global.ts'],
    setupFiles: ['tests/setup/cleanup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Two cores: each file gets its own database, and the browser tests start servers.
    maxWorkers: 2,
  },
});
