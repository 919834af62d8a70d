import { isIP } from 'node:net';
import { z } from 'zod';
import { faqConfigKeys } from '../faq/faq.config.ts';
import { isPhone, normalizePhone } from '../shared/phone.ts';

/**
 * Every setting Dayi reads from the environment, with its doc and default.
 * README's configuration table is generated from this list (`npm run config:doc`),
 * so the two cannot drift apart.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

const url = (protocols: string[]) =>
  z.url().refine((v) => protocols.includes(new URL(v).protocol), {
    message: `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`,
  });

const timeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be an IANA time zone such as Asia/Shanghai' },
);

/** `10.0.0.5, 10.1.0.0/16, ::1` → ['10.0.0.5', '10.1.0.0/16', '::1']; each an IP address or an address/prefix. */
const addressList = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
  .refine((list) => list.every(isAddressOrCidr), { message: 'must be IP addresses or CIDR ranges, separated by commas' });

function isAddressOrCidr(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}

export interface ConfigKey {
  env: string;
  doc: string;
  schema: z.ZodType;
  /** Default as the environment string; undefined = unset. */
  default?: string;
  /** Whether the value must be kept out of logs and error messages. */
  secret?: boolean;
}

export const configKeys = {
  nodeEnv: {
    env: 'NODE_ENV',
    doc: '`production` refuses unsafe defaults (no Meilisearch key, no session secret, PGlite unless allowed).',
    schema: z.enum(['development', 'production', 'test']),
    default: 'development',
  },
  host: { env: 'HOST', doc: 'Address the HTTP server listens on.', schema: z.string().min(1), default: '0.0.0.0' },
  port: { env: 'PORT', doc: 'HTTP port.', schema: z.coerce.number({ error: 'must be a port number (0-65535)' }).int().min(0).max(65535), default: '4321' },
  publicUrl: {
    env: 'PUBLIC_URL',
    doc: 'The address users open, e.g. `https://help.example.gov.cn`: the base of every link in mail, the allowed domain of the origin check behind a proxy, and whether cookies are `Secure` and HSTS is sent (only for https). Unset: plain http; links in mail use the address printed at start (never a request\'s `Host`), and `/admin` says so.',
    schema: url(['http:', 'https:']).optional(),
  },
  trustProxy: {
    env: 'TRUST_PROXY',
    doc: 'Believe `X-Forwarded-For`/`-Proto`/`-Host` from a reverse proxy (set only when one is in front).',
    schema: bool,
    default: 'false',
  },
  trustedProxies: {
    env: 'TRUSTED_PROXIES',
    doc: 'With `TRUST_PROXY`: comma-separated addresses or CIDR ranges of the proxies in front. The client address is the right-most `X-Forwarded-For` entry that is not one of them; headers from any other peer are ignored.',
    schema: addressList,
    default: '127.0.0.0/8,::1',
  },
  dataDir: {
    env: 'DATA_DIR',
    doc: 'Where embedded data lives: PGlite, Meilisearch, its key, kept mail, the process lock.',
    schema: z.string().min(1),
    default: './data',
  },
  contentDir: {
    env: 'CONTENT_DIR',
    doc: 'Markdown knowledge (manuals, FAQ, courseware, videos). Defaults to the shipped demo content; production points it outside the checkout.',
    schema: z.string().min(1),
    default: './content',
  },
  contentWatch: {
    env: 'CONTENT_WATCH',
    doc: 'Watch CONTENT_DIR for file events. Set false where events do not arrive (network shares): the periodic rescan and, on PostgreSQL, the other processes\' change notices keep content current.',
    schema: bool,
    default: 'true',
  },
  contentRescanSeconds: {
    env: 'CONTENT_RESCAN_SECONDS',
    doc: 'How often CONTENT_DIR is rescanned (names, sizes and times of its files) for changes the watcher missed.',
    schema: z.coerce.number({ error: 'must be a number of seconds' }).int().min(1).max(3600),
    default: '2',
  },
  filesDir: {
    env: 'FILES_DIR',
    doc: 'Uploaded and downloadable files (question attachments, courseware, videos). Default `DATA_DIR/files`.',
    schema: z.string().min(1).optional(),
  },
  databaseUrl: {
    env: 'DATABASE_URL',
    doc: 'PostgreSQL connection string. Unset: embedded PGlite in `DATA_DIR/pglite`.',
    schema: url(['postgres:', 'postgresql:']).optional(),
    secret: true,
  },
  allowPglite: {
    env: 'ALLOW_PGLITE',
    doc: 'Allow embedded PGlite when `NODE_ENV=production` (single process, small sites).',
    schema: bool,
    default: 'false',
  },
  meiliUrl: {
    env: 'MEILI_URL',
    doc: 'Meilisearch server URL. Unset: Dayi starts the bundled Meilisearch 1.21 on 127.0.0.1.',
    schema: url(['http:', 'https:']).optional(),
  },
  meiliMasterKey: {
    env: 'MEILI_MASTER_KEY',
    doc: 'Key for `MEILI_URL` (required in production). Embedded mode generates one in `DATA_DIR`.',
    schema: z.string().min(16, 'must be at least 16 bytes').optional(),
    secret: true,
  },
  meiliBin: {
    env: 'MEILI_BIN',
    doc: 'Path of a Meilisearch binary to run instead of the bundled one (embedded mode).',
    schema: z.string().min(1).optional(),
  },
  meiliIndexPrefix: {
    env: 'MEILI_INDEX_PREFIX',
    doc: 'Prefix of Dayi\'s index names, so several sites can share one Meilisearch.',
    schema: z.string().regex(/^[A-Za-z0-9_-]*$/, 'letters, digits, _ and - only'),
    default: 'dayi',
  },
  sessionSecret: {
    env: 'SESSION_SECRET',
    doc: 'Secret for signed tokens: the reply-by-email addresses unless `INBOUND_SECRET` is set. Required in production.',
    schema: z.string().min(32, 'must be at least 32 characters').optional(),
    secret: true,
  },
  askRateLimit: {
    env: 'ASK_RATE_LIMIT',
    doc: 'Questions one client address may submit per hour (the ask form and `POST /api/questions`); `0` turns the limit off, for trusted networks and benchmarks.',
    schema: z.coerce.number({ error: 'must be a whole number' }).int().min(0).max(100_000),
    default: '30',
  },
  askAnonymous: {
    env: 'ASK_ANONYMOUS',
    doc: 'Whether people without an account may ask (with an e-mail address); `false` asks them to sign in first.',
    schema: bool,
    default: 'true',
  },
  reopenDays: {
    env: 'REOPEN_DAYS',
    doc: 'How many days after a question is closed its asker may still reopen it.',
    schema: z.coerce.number({ error: 'must be a number of days' }).int().min(0).max(365),
    default: '30',
  },
  attachmentMaxMb: {
    env: 'ATTACHMENT_MAX_MB',
    doc: 'The largest file (in MB) a question, follow-up or reply may carry.',
    schema: z.coerce.number({ error: 'must be a whole number of MB' }).int().min(1).max(1024),
    default: '20',
  },
  attachmentsPerQuestion: {
    env: 'ATTACHMENTS_PER_QUESTION',
    doc: 'How many files the asker may attach to one question (the question and its follow-ups together); also the most one engineer reply or note may carry.',
    schema: z.coerce.number({ error: 'must be a whole number' }).int().min(1).max(100),
    default: '10',
  },
  coursewareMaxMb: {
    env: 'COURSEWARE_MAX_MB',
    doc: 'The largest courseware file (in MB) a trainer may upload as a version (pdf, pptx, docx, xlsx, zip).',
    schema: z.coerce.number({ error: 'must be a whole number of MB' }).int().min(1).max(100 * 1024),
    default: '500',
  },
  videoMaxMb: {
    env: 'VIDEO_MAX_MB',
    doc: 'The largest training video (in MB) a trainer may upload (mp4, webm).',
    schema: z.coerce.number({ error: 'must be a whole number of MB' }).int().min(1).max(100 * 1024),
    default: '4096',
  },
  sessionIdleMinutes: {
    env: 'SESSION_IDLE_MINUTES',
    doc: 'A session ends after this many minutes without a request.',
    schema: z.coerce.number({ error: 'must be a number of minutes' }).int().min(5).max(24 * 60),
    default: '30',
  },
  sessionMaxHours: {
    env: 'SESSION_MAX_HOURS',
    doc: 'A session ends this many hours after sign-in, however active.',
    schema: z.coerce.number({ error: 'must be a number of hours' }).int().min(1).max(24 * 30),
    default: '12',
  },
  smtpUrl: {
    env: 'SMTP_URL',
    doc: 'Outgoing mail, e.g. `smtps://user:pass@mail.example.cn:465`. Unset: messages are kept as `.eml` files in `DATA_DIR/mail`.',
    schema: url(['smtp:', 'smtps:']).optional(),
    secret: true,
  },
  mailFrom: {
    env: 'MAIL_FROM',
    doc: 'Sender of outgoing mail.',
    schema: z.string().min(3),
    default: '答疑 Dayi <dayi@localhost>',
  },
  inboundSmtpPort: {
    env: 'INBOUND_SMTP_PORT',
    doc: 'Port on which Dayi receives mail (reply by e-mail), e.g. `2525` behind the mail relay. Unset: no mail is received and outgoing mail carries no reply address.',
    schema: z.coerce.number({ error: 'must be a port number (0-65535)' }).int().min(0).max(65535).optional(),
  },
  inboundSmtpHost: {
    env: 'INBOUND_SMTP_HOST',
    doc: 'Address the inbound SMTP port listens on.',
    schema: z.string().min(1),
    default: '0.0.0.0',
  },
  inboundMailDomain: {
    env: 'INBOUND_MAIL_DOMAIN',
    doc: 'Mail domain of the reply addresses (`reply+<number>-<token>@<domain>`), e.g. `dayi.example.cn`; its MX record (or a relay rule) points at the inbound port. Required with `INBOUND_SMTP_PORT`.',
    schema: z.string().trim().toLowerCase().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a domain name such as dayi.example.cn').optional(),
  },
  inboundNewAddress: {
    env: 'INBOUND_NEW_ADDRESS',
    doc: 'A general address (e.g. `help@dayi.example.cn`) whose new mail opens a question (channel 邮件); mail there quoting a question number in its subject is added to that question. Unset: only reply addresses are accepted.',
    schema: z.string().trim().toLowerCase().pipe(z.email({ error: 'must be an e-mail address' })).optional(),
  },
  inboundSecret: {
    env: 'INBOUND_SECRET',
    doc: 'Key of the reply addresses\' signatures (32+ characters). Unset: `SESSION_SECRET`; in development without either, one is generated in `DATA_DIR`. Changing it invalidates the reply addresses of mail already sent.',
    schema: z.string().min(32, 'must be at least 32 characters').optional(),
    secret: true,
  },
  inboundMaxMb: {
    env: 'INBOUND_MAX_MB',
    doc: 'The largest mail (in MB, attachments included) the inbound port accepts; larger mail is refused with 552.',
    schema: z.coerce.number({ error: 'must be a whole number of MB' }).int().min(1).max(1024),
    default: '25',
  },
  serviceHotline: {
    env: 'SERVICE_HOTLINE',
    doc: 'Service hotline shown in every page footer and on the error pages, e.g. `023-6379 0000 转 8001` (digits, spaces, `+ - ( )`, an extension). Unset: no hotline is shown, and `/admin` says so.',
    schema: z.string().transform(normalizePhone).refine(isPhone, { message: 'must be a phone number: digits, spaces, + - ( ) and an extension' }).optional(),
  },
  serviceEmail: {
    env: 'SERVICE_EMAIL',
    doc: 'Service mailbox shown beside the hotline, e.g. `helpdesk@example.cn`. Unset: not shown.',
    schema: z.email({ error: 'must be an e-mail address' }).optional(),
  },
  dutyFallbackEmail: {
    env: 'DUTY_FALLBACK_EMAIL',
    doc: 'Also alerted (besides every admin) when a question arrives and no tier-1 engineer is on duty, e.g. the project manager\'s mailbox.',
    schema: z.email({ error: 'must be an e-mail address' }).transform((s) => s.toLowerCase()).optional(),
  },
  serviceHours: {
    env: 'SERVICE_HOURS',
    doc: 'When the hotline answers, shown beside it.',
    schema: z.string().trim().min(1).max(40),
    default: '7×24 小时',
  },
  ...faqConfigKeys,
  metricsToken: {
    env: 'METRICS_TOKEN',
    doc: 'Turns on `GET /metrics` (Prometheus text format) for scrapers sending `Authorization: Bearer <token>`; 24+ characters. Unset: `/metrics` answers 404.',
    schema: z.string().min(24, 'must be at least 24 characters').optional(),
    secret: true,
  },
  appTimeZone: {
    env: 'APP_TIME_ZONE',
    doc: 'Time zone in which times are shown.',
    schema: timeZone,
    default: 'Asia/Shanghai',
  },
  pageCacheMb: {
    env: 'PAGE_CACHE_MB',
    doc: 'Memory (MB) for the cache of knowledge pages: anonymous ones (home, manuals, FAQ, courseware and video pages), kept with gzip and brotli bodies, and signed-in ones (home, manuals, FAQ) once per set of roles; 0 turns it off.',
    schema: z.coerce.number({ error: 'must be a whole number of MB' }).int().min(0).max(4096),
    default: '64',
  },
  pageCacheSeconds: {
    env: 'PAGE_CACHE_SECONDS',
    doc: 'The longest a cached page is served (content and announcement changes drop it at once; the home page keeps at most 30 s for its most-viewed list).',
    schema: z.coerce.number({ error: 'must be a number of seconds' }).int().min(1).max(86_400),
    default: '300',
  },
  reportOrganization: {
    env: 'REPORT_ORGANIZATION',
    doc: 'The organisation named on the cover of the service report (服务总结报告), e.g. 某市公共信用信息中心.',
    schema: z.string().trim().min(1).max(60),
    default: '公共信用信息平台',
  },
  backupDir: {
    env: 'BACKUP_DIR',
    doc: 'Folder for scheduled backups (a `dayi-backup-<time>` folder each, as `npm run backup` writes). Unset: no scheduled backup. Not inside FILES_DIR or CONTENT_DIR; best on another disk.',
    schema: z.string().min(1).optional(),
  },
  backupSchedule: {
    env: 'BACKUP_SCHEDULE',
    doc: 'When scheduled backups run: a cron expression (minute hour day month weekday) in APP_TIME_ZONE.',
    schema: z
      .string()
      .trim()
      .regex(/^(\S+\s+){4}\S+$/, { message: 'must be a cron expression of five fields, such as "30 2 * * *"' }),
    default: '30 2 * * *',
  },
  backupKeep: {
    env: 'BACKUP_KEEP',
    doc: 'How many scheduled backups are kept; older ones are deleted after each new one is complete.',
    schema: z.coerce.number({ error: 'must be a whole number' }).int().min(1).max(365),
    default: '7',
  },
  unitSurveyDay: {
    env: 'UNIT_SURVEY_DAY',
    doc: "Day of the month (1-28) on which each unit's contact person is mailed the survey of the month before (用户服务质量调查表), from 09:05 in APP_TIME_ZONE; 0 turns the survey off.",
    schema: z.coerce.number({ error: 'must be a day of the month (0-28)' }).int().min(0).max(28),
    default: '1',
  },
  unitSurveyReminderDays: {
    env: 'UNIT_SURVEY_REMINDER_DAYS',
    doc: 'Days after the survey mail when a contact person who has not answered is reminded, once; 0: no reminder.',
    schema: z.coerce.number({ error: 'must be a number of days' }).int().min(0).max(27),
    default: '7',
  },
  logLevel: { env: 'LOG_LEVEL', doc: 'pino log level.', schema: logLevel, default: 'info' },
} satisfies Record<string, ConfigKey>;

export type ConfigKeys = typeof configKeys;
export type RawConfig = { [K in keyof ConfigKeys]: z.output<ConfigKeys[K]['schema']> };
