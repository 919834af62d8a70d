import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPasswords, keptMailTo, rawRequest } from '../helpers/http.ts';
import type { RunningServer } from '../helpers/server.ts';
import { startTestServer } from '../helpers/test-server.ts';
import { tempBuildDir } from '../helpers/tmp.ts';

/**
 * Dayi behind the README's nginx example: TRUST_PROXY with an https
 * PUBLIC_URL, and requests carrying exactly the headers that example sets
 * (`Host $host`, `X-Forwarded-For $proxy_add_x_forwarded_for`,
 * `X-Forwarded-Proto $scheme`). The test process plays nginx on 127.0.0.1, a
 * trusted proxy by default. PUBLIC_URL is baked into the build, so this file's
 * server builds into its own directory.
 */
const PUBLIC = 'https://help.example.gov.cn';
let server: RunningServer;
let stop: () => Promise<void>;
let passwords: Record<string, string>;

beforeAll(async () => {
  ({ server, stop } = await startTestServer({ DATABASE_URL: undefined, TRUST_PROXY: 'true', PUBLIC_URL: PUBLIC, DAYI_BUILD_DIR: tempBuildDir() }));
  passwords = await demoPasswords(server);
}, 180_000);
afterAll(async () => {
  await stop?.();
});

/** What nginx forwards for a client at `client` that sent `X-Forwarded-For: sent` itself (or nothing). */
function viaNginx(client: string, { method = 'GET', path = '/', body, sent, cookie }: { method?: string; path?: string; body?: URLSearchParams; sent?: string; cookie?: string }) {
  return rawRequest(server.url, {
    method,
    path,
    headers: {
      Host: 'help.example.gov.cn',
      'X-Forwarded-For': sent ? `${sent}, ${client}` : client,
      'X-Forwarded-Proto': 'https',
      ...(body ? { Origin: PUBLIC, 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
      ...(cookie ? { Cookie: `dayi_session=${cookie}` } : {}),
    },
    body: body?.toString(),
  });
}
const signIn = (client: string, email: string, password: string, sent?: string) =>
  viaNginx(client, { method: 'POST', path: '/login', body: new URLSearchParams({ email, password }), sent });

describe('behind the README nginx example', () => {
  it('limits one client without locking out everybody else behind the same proxy', async () => {
    const attacker = '203.0.113.7';
    for (let i = 0; i < 20; i++) expect((await signIn(attacker, `nobody${i}@example.cn`, 'wrong password')).status).toBe(401);
    expect((await signIn(attacker, 'nobody20@example.cn', 'wrong password')).status).toBe(429);
    const colleague = await signIn('198.51.100.2', 'member@demo.dayi', passwords['member@demo.dayi']!);
    expect(colleague.status).toBe(303);
    expect(String(colleague.headers['set-cookie'])).toMatch(/dayi_session=.+; .*Secure/);
  });

  it('never lets a client pick its own address with X-Forwarded-For', async () => {
    const client = '203.0.113.8';
    for (let i = 0; i < 20; i++) expect((await signIn(client, `someone${i}@example.cn`, 'wrong password', `6.6.6.${i}`)).status).toBe(401);
    expect((await signIn(client, 'someone20@example.cn', 'wrong password', '6.6.6.99')).status).toBe(429);

    const admin = await signIn('198.51.100.3', 'admin@demo.dayi', passwords['admin@demo.dayi']!);
    const cookie = /dayi_session=([^;]+)/.exec(String(admin.headers['set-cookie']))![1]!;
    const audit = await viaNginx('198.51.100.3', { path: '/admin/audit?action=login.failed', cookie });
    expect(audit.status).toBe(200);
    expect(audit.text).toContain(client);
    expect(audit.text).not.toContain('6.6.6.');
  });

  it('sends Strict-Transport-Security with an https PUBLIC_URL', async () => {
    const res = await viaNginx('198.51.100.4', { path: '/' });
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000');
  });

  it('mails reset links on PUBLIC_URL', async () => {
    const ok = await viaNginx('198.51.100.5', { method: 'POST', path: '/password/forgot', body: new URLSearchParams({ email: 'engineer2@demo.dayi' }) });
    expect(ok.status).toBe(200);
    const mail = await keptMailTo(server.dataDir, 'engineer2@demo.dayi');
    expect(mail).toContain(`${PUBLIC}/password/set?token=`);
  });
});
