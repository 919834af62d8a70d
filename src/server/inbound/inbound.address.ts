import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config.ts';

/** What signs and names the reply addresses: INBOUND_SECRET (or its fallback) and INBOUND_MAIL_DOMAIN. */
export interface ReplyAddressing {
  secret: string;
  domain: string;
}

/** The Reply-To address of the mails about one question. */
export type ReplyAddress = (q: { id: string; number: string }) => string;

/** 16 base32 characters = 80 bits of the HMAC: unguessable, and short enough for a local part. */
const TOKEN_LENGTH = 16;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

/**
 * The token of a question's reply address: an HMAC-SHA256 of its id, in
 * lower-case base32, because some mail servers lower-case local parts.
 */
export function replyToken(secret: string, questionId: string): string {
  return base32(createHmac('sha256', secret).update(`dayi.reply:${questionId}`).digest()).slice(0, TOKEN_LENGTH);
}

/** `reply+20261125-0007-<token>@dayi.example.cn` */
export function replyAddressFor(a: ReplyAddressing, q: { id: string; number: string }): string {
  return `reply+${q.number}-${replyToken(a.secret, q.id)}@${a.domain}`;
}

/** A reply address's parts, if `address` has the shape of one on our domain (the token is not checked yet). */
export function parseReplyAddress(domain: string, address: string): { number: string; token: string } | null {
  const m = /^reply\+(\d{8}-\d{4,})-([a-z2-7]+)@(.+)$/.exec(address.trim().toLowerCase());
  if (!m || m[3] !== domain.toLowerCase()) return null;
  return { number: m[1]!, token: m[2]! };
}

/** Whether `token` is the one for `questionId`, compared in constant time. */
export function tokenMatches(secret: string, questionId: string, token: string): boolean {
  const expected = Buffer.from(replyToken(secret, questionId));
  const given = Buffer.from(token.toLowerCase());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The key of the reply addresses: INBOUND_SECRET, else SESSION_SECRET (one of
 * them is required in production), else — in development and tests — one
 * generated once and kept 0600 in DATA_DIR, like the Meilisearch key.
 */
export function inboundSecret(config: Pick<Config, 'inboundSecret' | 'sessionSecret' | 'dataDir'>): string {
  if (config.inboundSecret) return config.inboundSecret;
  if (config.sessionSecret) return config.sessionSecret;
  const file = path.join(config.dataDir, 'inbound-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(config.dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64url');
  writeFileSync(file, key, { mode: 0o600, flag: 'wx' });
  return key;
}

/** The reply address of each question when mail is received (INBOUND_SMTP_PORT set); undefined when not. */
export function replyAddressing(config: Config): ReplyAddressing | undefined {
  if (config.inboundSmtpPort === undefined || !config.inboundMailDomain) return undefined;
  return { secret: inboundSecret(config), domain: config.inboundMailDomain };
}
