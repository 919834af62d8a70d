/**
 * `npm run user:create -- --email a@b.cn --role admin [--name 张三] [--unit CODE] [--password-stdin]`
 * Creates a user and prints a one-time set-password link, or with
 * --password-stdin reads the password from standard input and activates the account.
 * Uses the server's config and DATA_DIR; on embedded data the server must be stopped.
 */
import { parseArgs } from 'node:util';
import { eq } from 'drizzle-orm';
import { openDatabase } from '../db/client.ts';
import { runMigrations } from '../db/migrate.ts';
import { units } from '../db/schema/index.ts';
import { createAuth } from '../src/server/auth/auth.sessions.ts';
import { setPasswordWithToken } from '../src/server/auth/account.usecases.ts';
import { createUser } from '../src/server/auth/users.usecases.ts';
import { ConfigError, loadConfig } from '../src/server/config/config.ts';
import { startJobs } from '../src/server/jobs/jobs.ts';
import { linkBase } from '../src/server/http/public-url.ts';
import { acquireDataDirLock, DataDirLockedError } from '../src/server/runtime/lock.ts';
import { systemClock } from '../src/server/shared/clock.ts';
import { isAppError } from '../src/server/shared/errors.ts';
import { createLogger } from '../src/server/shared/logger.ts';

const usage = 'Usage: npm run user:create -- --email a@b.cn --role admin[,engineer:2] [--name 姓名] [--unit 单位编码] [--password-stdin]';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

let args;
try {
  args = parseArgs({
    options: { email: { type: 'string' }, role: { type: 'string', multiple: true }, name: { type: 'string' }, unit: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
  }).values;
} catch (e) {
  console.error(`${(e as Error).message}\n${usage}`);
  process.exit(2);
}
if (!args.email || !args.role?.length) {
  console.error(usage);
  process.exit(2);
}
const roleSpecs = args.role.flatMap((r) => r.split(',')).map((r) => r.trim()).filter(Boolean);
const roles = [...new Set(roleSpecs.map((r) => r.split(':')[0]!))];
const tierSpec = roleSpecs.find((r) => r.startsWith('engineer:'));

try {
  const config = loadConfig();
  let lock;
  // Only the embedded database cannot be shared; on PostgreSQL this runs beside the server.
  if (config.database.kind === 'pglite') {
    try {
      lock = acquireDataDirLock(config.dataDir);
    } catch (e) {
      if (e instanceof DataDirLockedError)
        console.error(`${e.message}\nThe server holds the embedded data directory: stop it, run this command, then start it again.`);
      else throw e;
      process.exit(1);
    }
  }
  const log = createLogger({ level: 'warn', pretty: true });
  const database = await openDatabase(config.database, { max: 2 });
  try {
    await runMigrations(database, { url: config.database.kind === 'postgres' ? config.database.url : undefined });
    // Enqueue only; the server's workers deliver the invite mail.
    const jobs = await startJobs({ database, log });
    try {
      let unitId: string | null = null;
      if (args.unit) {
        const [u] = await database.db.select().from(units).where(eq(units.code, args.unit.toUpperCase()));
        if (!u) throw new Error(`No unit with code ${args.unit}`);
        unitId = u.id;
      }
      const baseUrl = linkBase({ publicUrl: config.publicUrl, host: config.host, port: config.port });
      const meta = { actor: null, ip: null, requestId: 'cli:user:create' };
      const password = args['password-stdin'] ? await readStdin() : null;
      const { user, link } = await createUser({
        db: database.db, clock: systemClock, jobs, mailFrom: config.mailFrom, baseUrl, meta,
        input: { name: args.name ?? args.email.split('@')[0], email: args.email, unitId, roles, engineerTier: tierSpec ? Number(tierSpec.split(':')[1]) : null },
        invite: password === null,
      });
      if (password !== null) {
        const auth = createAuth({ db: database.db, clock: systemClock, secureCookies: false, idleMinutes: config.sessionIdleMinutes, maxHours: config.sessionMaxHours });
        await setPasswordWithToken({ db: database.db, clock: systemClock, auth, meta, token: new URL(link).searchParams.get('token')!, password });
        console.log(`Created ${user.email} (${roles.join(', ')}) with the password from standard input.`);
      } else {
        console.log(`Created ${user.email} (${roles.join(', ')}). One-time link to set the password (valid 72 hours; also mailed):\n${link}`);
      }
    } finally {
      await jobs.stop();
    }
  } finally {
    await database.close();
    lock?.release();
  }
} catch (e) {
  if (e instanceof ConfigError) console.error(e.message);
  else if (isAppError(e)) console.error(`${e.message}${e.fields ? ` ${JSON.stringify(e.fields)}` : ''}`);
  else console.error((e as Error).message);
  process.exit(1);
}
