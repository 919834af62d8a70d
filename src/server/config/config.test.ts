import { describe, expect, it } from 'vitest';
import { ConfigError, configTableMarkdown, loadConfig } from './config.ts';

function problemsOf(env: Record<string, string>): { env: string; message: string }[] {
  try {
    loadConfig(env, { cwd: '/srv/dayi' });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('loadConfig', () => {
  it('runs fully embedded with no environment at all', () => {
    const c = loadConfig({}, { cwd: '/srv/dayi' });
    expect(c.port).toBe(4321);
    expect(c.dataDir).toBe('/srv/dayi/data');
    expect(c.contentDir).toBe('/srv/dayi/content');
    expect(c.filesDir).toBe('/srv/dayi/data/files');
    expect(c.database).toEqual({ kind: 'pglite', dir: '/srv/dayi/data/pglite' });
    expect(c.search.kind).toBe('embedded');
    expect(c.mail).toEqual({ kind: 'files', dir: '/srv/dayi/data/mail' });
    expect(c.appTimeZone).toBe('Asia/Shanghai');
    expect(c.secureCookies).toBe(false);
    expect(c.usesEmbeddedState).toBe(true);
  });

  it('uses the external services when their URLs are given', () => {
    const c = loadConfig(
      {
        DATABASE_URL: 'postgres://dayi:pw@db:5432/dayi',
        MEILI_URL: 'http://search:7700',
        MEILI_MASTER_KEY: 'k'.repeat(32),
        SMTP_URL: 'smtp://mail.example.cn:25',
        PUBLIC_URL: 'https://help.example.gov.cn',
      },
      { cwd: '/srv/dayi' },
    );
    expect(c.database.kind).toBe('postgres');
    expect(c.search).toMatchObject({ kind: 'external', url: 'http://search:7700' });
    expect(c.mail.kind).toBe('smtp');
    expect(c.secureCookies).toBe(true);
    expect(c.usesEmbeddedState).toBe(false);
  });

  it('keeps cookies usable on a plain-http intranet address', () => {
    expect(loadConfig({ PUBLIC_URL: 'http://10.1.2.3:4321' }).secureCookies).toBe(false);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['TRUST_PROXY', 'maybe'],
    ['LOG_LEVEL', 'loud'],
    ['APP_TIME_ZONE', 'Mars/Olympus'],
    ['PUBLIC_URL', 'ftp://x'],
    ['DATABASE_URL', 'mysql://x/y'],
    ['MEILI_INDEX_PREFIX', 'bad prefix!'],
  ])('names the key when %s=%s is invalid', (key, value) => {
    const problems = problemsOf({ [key]: value });
    expect(problems.map((p) => p.env)).toEqual([key]);
  });

  it('never echoes a secret value in its message', () => {
    const problems = problemsOf({ DATABASE_URL: 'mysql://root:hunter2@db/x', MEILI_MASTER_KEY: 'short-hunter2' });
    expect(problems.map((p) => p.env).sort()).toEqual(['DATABASE_URL', 'MEILI_MASTER_KEY']);
    expect(JSON.stringify(problems)).not.toContain('hunter2');
  });

  it('believes a proxy only for a known public address', () => {
    expect(problemsOf({ TRUST_PROXY: 'true' }).map((p) => p.env)).toEqual(['TRUST_PROXY']);
    expect(problemsOf({ TRUST_PROXY: 'true', PUBLIC_URL: 'https://help.example.gov.cn' })).toEqual([]);
  });

  it('trusts only loopback proxies by default, and takes a list of addresses and ranges', () => {
    expect(loadConfig({}, { cwd: '/srv/dayi' }).trustedProxies).toEqual(['127.0.0.0/8', '::1']);
    expect(loadConfig({ TRUSTED_PROXIES: '10.0.0.5, 10.1.0.0/16,fd00::/8' }, { cwd: '/srv/dayi' }).trustedProxies).toEqual(['10.0.0.5', '10.1.0.0/16', 'fd00::/8']);
    for (const bad of ['nginx.local', '10.0.0.0/33', '10.0.0.1/8/8', '::1/129'])
      expect(problemsOf({ TRUSTED_PROXIES: bad }).map((p) => p.env)).toEqual(['TRUSTED_PROXIES']);
  });

  it('receives mail only with a port and a domain for the reply addresses', () => {
    expect(loadConfig({}, { cwd: '/srv/dayi' }).inboundSmtpPort).toBeUndefined();
    expect(problemsOf({ INBOUND_SMTP_PORT: '2525' }).map((p) => p.env)).toEqual(['INBOUND_MAIL_DOMAIN']);
    expect(problemsOf({ INBOUND_NEW_ADDRESS: 'help@dayi.example.cn' }).map((p) => p.env)).toEqual(['INBOUND_NEW_ADDRESS']);
    const c = loadConfig({ INBOUND_SMTP_PORT: '2525', INBOUND_MAIL_DOMAIN: 'Dayi.Example.CN', INBOUND_NEW_ADDRESS: 'Help@dayi.example.cn' }, { cwd: '/srv/dayi' });
    expect(c).toMatchObject({ inboundSmtpPort: 2525, inboundSmtpHost: '0.0.0.0', inboundMailDomain: 'dayi.example.cn', inboundNewAddress: 'help@dayi.example.cn', inboundMaxMb: 25 });
    const bad = problemsOf({ INBOUND_SMTP_PORT: '2525', INBOUND_MAIL_DOMAIN: 'not a domain', INBOUND_SECRET: 'short-hunter2' });
    expect(bad.map((p) => p.env).sort()).toEqual(['INBOUND_MAIL_DOMAIN', 'INBOUND_SECRET']);
    expect(JSON.stringify(bad)).not.toContain('hunter2');
  });

  it('refuses unsafe defaults in production', () => {
    const problems = problemsOf({ NODE_ENV: 'production', MEILI_URL: 'http://search:7700' });
    expect(problems.map((p) => p.env).sort()).toEqual(['DATABASE_URL', 'MEILI_MASTER_KEY', 'SESSION_SECRET']);
  });

  it('allows PGlite in production only when asked to', () => {
    const c = loadConfig({ NODE_ENV: 'production', ALLOW_PGLITE: 'true', SESSION_SECRET: 's'.repeat(40) });
    expect(c.database.kind).toBe('pglite');
  });

  it('documents every key in the README table', () => {
    const table = configTableMarkdown();
    for (const key of ['HOST', 'PORT', 'PUBLIC_URL', 'TRUST_PROXY', 'TRUSTED_PROXIES', 'DATA_DIR', 'CONTENT_DIR', 'FILES_DIR', 'DATABASE_URL', 'MEILI_URL', 'MEILI_MASTER_KEY', 'MEILI_BIN', 'SMTP_URL', 'MAIL_FROM', 'APP_TIME_ZONE', 'LOG_LEVEL'])
      expect(table).toContain(`\`${key}\``);
  });
});
