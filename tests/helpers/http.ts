import { readFileSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import type { RunningServer } from './server.ts';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The bytes as sent (not decompressed). */
  body: Buffer;
}

/**
 * One HTTP request with exactly the headers given (fetch would refuse to set
 * Host, or add its own): what a proxy or a probe sends.
 */
export function rawRequest(
  base: string,
  { method = 'GET', path: target = '/', headers = {}, body }: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path: target, headers: { ...(body !== undefined ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const all = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: all.toString('utf8'), body: all });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The demo accounts' passwords, printed once by `npm start` in embedded demo mode. */
export async function demoPasswords(server: RunningServer): Promise<Record<string, string>> {
  for (let i = 0; i < 100 && !server.output().includes('admin@demo.dayi'); i++) await new Promise((r) => setTimeout(r, 100));
  const out: Record<string, string> = {};
  for (const m of server.output().matchAll(/^\s+(\S+@demo\.dayi)\s+(\S+)/gm)) out[m[1]!] = m[2]!;
  return out;
}

/**
 * The subject and text of the first kept mail (DATA_DIR/mail/*.eml) to
 * `address` (whose subject passes `match`, if given), parsed as a mail client
 * would; waits for delivery.
 */
export async function keptMailTo(dataDir: string, address: string, match: (subject: string) => boolean = () => true): Promise<string> {
  const dir = path.join(dataDir, 'mail');
  for (let i = 0; i < 100; i++) {
    let files: string[] = [];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
    } catch {
      // no mail kept yet
    }
    for (const f of files) {
      const mail = await simpleParser(readFileSync(path.join(dir, f)));
      const to = Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : [];
      if (to.some((a) => a.value.some((v) => v.address === address)) && match(mail.subject ?? '')) return `${mail.subject}\n${mail.text}`;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no mail to ${address}`);
}

/** Signs in over HTTP (as the login form posts) and returns the `Cookie` header value of the new session. */
export async function sessionCookie(baseUrl: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Origin: baseUrl, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, password }),
  });
  const token = /dayi_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  if (!token) throw new Error(`sign-in as ${email} failed: ${res.status}`);
  return `dayi_session=${token}`;
}
