import path from 'node:path';
import { configKeys, type ConfigKey, type RawConfig } from './config.schema.ts';

export interface Config extends RawConfig {
  dataDir: string;
  contentDir: string;
  filesDir: string;
  /** Scheduled backups go here; undefined: none. */
  backupDir: string | undefined;
  /** `postgres` when DATABASE_URL is set, else the embedded PGlite. */
  database: { kind: 'postgres'; url: string } | { kind: 'pglite'; dir: string };
  /** `external` when MEILI_URL is set, else the embedded server Dayi starts. */
  search: { kind: 'external'; url: string; apiKey?: string } | { kind: 'embedded'; bin?: string };
  mail: { kind: 'smtp'; url: string } | { kind: 'files'; dir: string };
  /** Cookies get `Secure` only when users reach Dayi over https. */
  secureCookies: boolean;
  /** Whether this process keeps state in DATA_DIR that a second process would corrupt. */
  usesEmbeddedState: boolean;
}

export class ConfigError extends Error {
  readonly problems: { env: string; message: string }[];
  constructor(problems: { env: string; message: string }[]) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  ${p.env}: ${p.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Env = Record<string, string | undefined>;

/**
 * Parses and validates the environment into the one config object.
 * Throws a ConfigError naming every bad key; secret values are never echoed.
 */
export function loadConfig(env: Env = process.env, { cwd = process.cwd() } = {}): Config {
  const problems: { env: string; message: string }[] = [];
  const raw: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(configKeys) as [keyof RawConfig, ConfigKey][]) {
    const given = env[key.env];
    const value = given === undefined || given === '' ? key.default : given;
    const parsed = key.schema.safeParse(value);
    if (parsed.success) raw[name] = parsed.data;
    else {
      const message = parsed.error.issues.map((i) => i.message).join('; ');
      problems.push({ env: key.env, message: key.secret ? message : `${message} (got "${value}")` });
    }
  }
  if (problems.length) throw new ConfigError(problems);
  const c = raw as RawConfig;

  if (c.trustProxy && !c.publicUrl)
    problems.push({ env: 'TRUST_PROXY', message: 'needs PUBLIC_URL: forwarded headers are believed only for that address' });
  if (c.inboundSmtpPort !== undefined && !c.inboundMailDomain)
    problems.push({ env: 'INBOUND_MAIL_DOMAIN', message: 'required with INBOUND_SMTP_PORT: the domain of the reply addresses' });
  if (c.inboundNewAddress && c.inboundSmtpPort === undefined)
    problems.push({ env: 'INBOUND_NEW_ADDRESS', message: 'needs INBOUND_SMTP_PORT: mail is received only on that port' });
  if (c.nodeEnv === 'production') {
    if (c.meiliUrl && !c.meiliMasterKey)
      problems.push({ env: 'MEILI_MASTER_KEY', message: 'required in production when MEILI_URL is set' });
    if (!c.sessionSecret)
      problems.push({ env: 'SESSION_SECRET', message: 'required in production (32+ random characters)' });
    if (!c.databaseUrl && !c.allowPglite)
      problems.push({
        env: 'DATABASE_URL',
        message: 'required in production; set ALLOW_PGLITE=true to run on embedded PGlite anyway',
      });
  }
  if (problems.length) throw new ConfigError(problems);

  const dataDir = path.resolve(cwd, c.dataDir);
  const contentDir = path.resolve(cwd, c.contentDir);
  const filesDir = path.resolve(cwd, c.filesDir ?? path.join(dataDir, 'files'));
  const backupDir = c.backupDir ? path.resolve(cwd, c.backupDir) : undefined;
  // A backup folder inside what is backed up would copy every earlier backup into the next.
  const inside = (dir: string, parent: string) => dir === parent || dir.startsWith(parent + path.sep);
  if (backupDir && (inside(backupDir, filesDir) || inside(backupDir, contentDir)))
    throw new ConfigError([{ env: 'BACKUP_DIR', message: `must not be inside FILES_DIR or CONTENT_DIR (got "${c.backupDir}")` }]);
  return {
    ...c,
    dataDir,
    contentDir,
    filesDir,
    backupDir,
    database: c.databaseUrl
      ? { kind: 'postgres', url: c.databaseUrl }
      : { kind: 'pglite', dir: path.join(dataDir, 'pglite') },
    search: c.meiliUrl
      ? { kind: 'external', url: c.meiliUrl, apiKey: c.meiliMasterKey }
      : { kind: 'embedded', bin: c.meiliBin },
    mail: c.smtpUrl ? { kind: 'smtp', url: c.smtpUrl } : { kind: 'files', dir: path.join(dataDir, 'mail') },
    secureCookies: c.publicUrl ? new URL(c.publicUrl).protocol === 'https:' : false,
    usesEmbeddedState: !c.databaseUrl || !c.meiliUrl,
  };
}

/** Renders the configuration table for README from the key list. */
export function configTableMarkdown(): string {
  const rows = Object.values(configKeys as Record<string, ConfigKey>).map(
    (k) => `| \`${k.env}\` | ${k.default === undefined ? '—' : `\`${k.default}\``} | ${k.doc} |`,
  );
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}
