/**
 * `npm start`: builds when needed, then starts in order — data-directory lock,
 * config, migrations, search engine, job workers — and only then listens.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { seedDemoAccounts } from '../src/server/auth/demo.seed.ts';
import { ConfigError, loadConfig } from '../src/server/config/config.ts';
import { DataDirLockedError } from '../src/server/runtime/lock.ts';
import { bootRuntime, setRuntime, shutdownRuntime, type Runtime } from '../src/server/runtime/runtime.ts';
import { appRoot } from '../src/server/shared/paths.ts';
import { createLogger } from '../src/server/shared/logger.ts';
import { ensureBuild } from './build-state.ts';

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

process.env.ASTRO_NODE_AUTOSTART = 'disabled';
process.env.ASTRO_NODE_LOGGING = 'disabled';
process.env.HOST = config.host;
process.env.PORT = String(config.port);
const entry = (await import(pathToFileURL(path.join(root, 'dist', 'server', 'entry.mjs')).href)) as {
  startServer(): { server: { server: Server; stop(): Promise<void> } };
};
const { server } = entry.startServer();
await new Promise<void>((resolve, reject) => {
  server.server.once('listening', resolve);
  server.server.once('error', reject);
}).catch((e: NodeJS.ErrnoException) => {
  log.fatal({ code: e.code }, `cannot listen on ${config.host}:${config.port}: ${e.message}`);
  void shutdownRuntime(runtime).finally(() => process.exit(1));
});

const { port } = server.server.address() as AddressInfo;
const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
console.log(`\n  Dayi 答疑 is running: ${config.publicUrl ?? `http://${shownHost}:${port}`}`);
if (config.usesEmbeddedState) console.log(`  Embedded data: ${config.dataDir}`);
if (config.database.kind === 'pglite' && config.nodeEnv !== 'production') {
  const demo = await seedDemoAccounts({ db: runtime.database.db, clock: runtime.clock });
  if (demo) {
    console.log('  Demo accounts (shown this once; passwords are stored only as hashes):');
    for (const d of demo) console.log(`    ${d.email.padEnd(22)} ${d.password}   ${d.roles.join(', ')}`);
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
  await server.stop().catch(() => {});
  await shutdownRuntime(runtime);
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
