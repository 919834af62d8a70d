/**
 * `npm start`: builds when needed, then starts in order — data-directory lock,
 * config, migrations, search engine, job workers — and only then listens.
 */
import type { AddressInfo } from 'node:net';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { seedDemoAccounts } from '../src/server/auth/demo.seed.ts';
import { ConfigError, loadConfig } from '../src/server/config/config.ts';
import { trustedProxyList } from '../src/server/http/client-address.ts';
import { createFrontHandler } from '../src/server/http/front.ts';
import { cachedRoutePattern } from '../src/server/http/page-cache.paths.ts';
import { countCachedView, createPageCache } from '../src/server/http/page-cache.ts';
import { linkBase } from '../src/server/http/public-url.ts';
import { checkSession } from '../src/server/http/shared-pages.ts';
import { loadStaticAssets } from '../src/server/http/static-assets.ts';
import { observeRequest } from '../src/server/ops/metrics.registry.ts';
import { DataDirLockedError } from '../src/server/runtime/lock.ts';
import { bootRuntime, setRuntime, shutdownRuntime, type Runtime } from '../src/server/runtime/runtime.ts';
import { appRoot } from '../src/server/shared/paths.ts';
import { seedDemoTraining } from '../src/server/training/training.demo.ts';
import { createLogger } from '../src/server/shared/logger.ts';
import { buildDir, ensureBuild } from './build-state.ts';

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

let config;
try {
  config = loadConfig();
} catch (e) {
  if (e instanceof ConfigError) fail(`${e.message}\nSee README.md, "Configuration".`);
  throw e;
}
const log = createLogger({ level: config.logLevel, pretty: config.nodeEnv !== 'production' });
const root = appRoot();

try {
  ensureBuild(root);
} catch (e) {
  fail((e as Error).message);
}

let runtime: Runtime;
try {
  const booting = bootRuntime({ config, log });
  setRuntime(booting);
  runtime = await booting;
} catch (e) {
  if (e instanceof DataDirLockedError) fail(e.message);
  log.fatal({ err: e }, 'start failed');
  process.exit(1);
}

const entry = (await import(pathToFileURL(path.join(buildDir(root), 'server', 'entry.mjs')).href)) as {
  /** The adapter's middleware: `locals` are what Astro.locals start from. */
  handler(req: IncomingMessage, res: ServerResponse, next?: undefined, locals?: Record<string, unknown>): void;
};
// Our own listener in front of the adapter's handler: body limits, methods and the client address (src/server/http/front.ts).
const MB = 1024 * 1024;
const uploads = {
  filesDir: config.filesDir,
  limits: {
    attachments: { maxFileBytes: config.attachmentMaxMb * MB, maxFiles: config.attachmentsPerQuestion },
    courseware: { maxFileBytes: config.coursewareMaxMb * MB, maxFiles: 1 },
    // The video, its captions and a poster image.
    video: { maxFileBytes: config.videoMaxMb * MB, maxFiles: 3 },
  },
};
// Knowledge pages from memory (src/server/http/page-cache.ts), dropped whenever content changes: anonymous ones,
// and signed-in ones once per group of roles with the viewer's name written in (src/server/http/shared-pages.ts).
const pageCache = createPageCache({
  maxBytes: config.pageCacheMb * MB,
  ttlMs: config.pageCacheSeconds * 1000,
  homeTtlMs: Math.min(config.pageCacheSeconds, 30) * 1000,
  // A chapter or FAQ served from the cache is still a view (the page counts its own when rendered).
  onHit: (url) => countCachedView(runtime, url),
  // Pages from the cache count in /metrics under their route, as rendered ones do.
  onServed: ({ pathname, method, status, seconds }) => observeRequest({ route: cachedRoutePattern(pathname), method, status, seconds }),
  checkSession: async (req, pathname) => {
    const { session, viewer } = await checkSession(runtime.auth, req, pathname);
    // Only a session found is handed on: a cookie this layer could not read the way Astro does costs a second check, never a sign-out.
    return { locals: session.user ? { sessionCheck: session } : {}, viewer };
  },
});
runtime.pageCache = pageCache;
runtime.content.onChange(() => pageCache.clear());
// The client files (CSS, scripts, public/) from memory, compressed once now (src/server/http/static-assets.ts);
// Astro, built as middleware, gets everything else.
const assets = await loadStaticAssets(path.join(buildDir(root), 'client'));
const server = createServer(
  createFrontHandler({ trustProxy: config.trustProxy, trusted: trustedProxyList(config.trustedProxies), uploads }, (req, res) => {
    if (!assets.handle(req, res)) pageCache.handle(req, res, (rq, rs, locals) => entry.handler(rq, rs, undefined, locals));
  }),
);
// Node ends any request not received whole within 5 minutes; a 4 GB lesson over a slow link takes longer.
// Headers must still arrive within headersTimeout (60 s), and an upload that sends nothing for 2 minutes is cut off (uploads.receive.ts).
server.requestTimeout = 3 * 3600_000;
await new Promise<void>((resolve, reject) => {
  server.once('listening', resolve);
  server.once('error', reject);
  server.listen(config.port, config.host);
}).catch((e: NodeJS.ErrnoException) => {
  log.fatal({ code: e.code }, `cannot listen on ${config.host}:${config.port}: ${e.message}`);
  void shutdownRuntime(runtime).finally(() => process.exit(1));
});

const { port } = server.address() as AddressInfo;
runtime.publicBase = linkBase({ publicUrl: config.publicUrl, host: config.host, port });
console.log(`\n  Dayi 答疑 is running: ${runtime.publicBase}`);
if (!config.publicUrl) console.log('  Links in mail use this address; set PUBLIC_URL if users open Dayi by another one.');
if (config.usesEmbeddedState) console.log(`  Embedded data: ${config.dataDir}`);
if (config.database.kind === 'pglite' && config.nodeEnv !== 'production') {
  const demo = await seedDemoAccounts({ db: runtime.database.db, clock: runtime.clock });
  if (demo) {
    console.log('  Demo accounts (shown this once; passwords are stored only as hashes):');
    for (const d of demo) console.log(`    ${d.email.padEnd(22)} ${d.password}   ${d.roles.join(', ')}`);
    // A training with a lesson running now, so sign-in can be tried at once.
    const training = await seedDemoTraining({ db: runtime.database.db, clock: runtime.clock, timeZone: config.appTimeZone });
    if (training) console.log(`  Demo training: ${training.title}, sign-in code ${training.code} (/training/checkin)`);
  }
}
if (config.mail.kind === 'files') console.log(`  Outgoing mail is kept as files in ${config.mail.dir}`);
console.log('');

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
  const force = setTimeout(() => process.exit(1), 20_000);
  force.unref();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  await shutdownRuntime(runtime);
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
