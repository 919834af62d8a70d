import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** What goes into the server bundle: a change to any of these makes the build stale. */
const SOURCES = ['src', 'db', 'public', 'astro.config.mjs', 'package.json', 'package-lock.json', 'tsconfig.json'];
/** Environment baked into the build (see astro.config.mjs). */
const BAKED_ENV = ['PUBLIC_URL', 'TRUST_PROXY'] as const;

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

/**
 * Where the build lives: `dist/`, or `DAYI_BUILD_DIR` — so a build with other
 * baked values (a proxy test's PUBLIC_URL) can sit beside the usual one.
 */
export function buildDir(root: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.DAYI_BUILD_DIR ? path.resolve(root, env.DAYI_BUILD_DIR) : path.join(root, 'dist');
}

function bakedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(BAKED_ENV.map((k) => [k, env[k] ?? '']));
}

/** Why the build in `root/dist` cannot be used as is, or null when it can. */
export function buildStaleReason(root: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const entry = path.join(buildDir(root, env), 'server', 'entry.mjs');
  const stampFile = path.join(buildDir(root, env), '.dayi-build.json');
  if (!existsSync(entry) || !existsSync(stampFile)) return 'no build yet';
  const builtAt = statSync(stampFile).mtimeMs;
  const newest = Math.max(...SOURCES.map((s) => newestMtime(path.join(root, s))));
  if (newest > builtAt) return 'sources changed since the last build';
  const stamp = JSON.parse(readFileSync(stampFile, 'utf8')) as Record<string, string>;
  const now = bakedEnv(env);
  const changed = BAKED_ENV.filter((k) => stamp[k] !== now[k]);
  return changed.length ? `${changed.join(', ')} changed since the last build` : null;
}

/** Runs `astro build` and records what it was built with. Throws when the build fails. */
export function build(root: string, env: NodeJS.ProcessEnv = process.env): void {
  const astro = path.join(root, 'node_modules', '.bin', 'astro');
  const result = spawnSync(astro, ['build'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...env, ASTRO_TELEMETRY_DISABLED: '1' },
  });
  if (result.status !== 0) throw new Error(`astro build failed (exit ${result.status ?? result.signal})`);
  writeFileSync(path.join(buildDir(root, env), '.dayi-build.json'), JSON.stringify(bakedEnv(env)));
}

/** Builds when the build is missing or older than the sources; returns whether it built. */
export function ensureBuild(root: string, env: NodeJS.ProcessEnv = process.env, log = console.log): boolean {
  const reason = buildStaleReason(root, env);
  if (!reason) return false;
  log(`Building Dayi (${reason})…`);
  build(root, env);
  return true;
}
