// @ts-check
import node from '@astrojs/node';
import { defineConfig } from 'astro/config';

/**
 * Behind a reverse proxy (TRUST_PROXY=true with PUBLIC_URL), Astro may believe
 * X-Forwarded-Proto/-Host/-For only for the public address, so the origin check
 * compares against the URL users really open. These values are baked into the
 * build; `npm start` rebuilds when they change (scripts/build-state.ts).
 */
function allowedDomains() {
  const trust = ['true', '1', 'yes'].includes(process.env.TRUST_PROXY ?? '');
  if (!trust || !process.env.PUBLIC_URL) return [];
  const u = new URL(process.env.PUBLIC_URL);
  return [{ protocol: u.protocol.replace(':', ''), hostname: u.hostname, ...(u.port ? { port: u.port } : {}) }];
}

export default defineConfig({
  output: 'server',
  // scripts/build-state.ts: DAYI_BUILD_DIR puts a build with other baked values beside dist/.
  outDir: process.env.DAYI_BUILD_DIR || './dist',
  // Middleware: scripts/start.ts serves the client files from memory (src/server/http/static-assets.ts)
  // and hands everything else straight to Astro, without the standalone handler's look at the disk first.
  adapter: node({ mode: 'middleware' }),
  security: { checkOrigin: true, allowedDomains: allowedDomains() },
  server: { host: true, port: 4321 },
  devToolbar: { enabled: false },
  // Scripts as files, never inlined, so the Content-Security-Policy can allow script-src 'self' only.
  vite: { build: { assetsInlineLimit: 0 } },
});
