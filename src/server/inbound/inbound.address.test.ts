import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../tests/helpers/tmp.ts';
import { inboundSecret, parseReplyAddress, replyAddressFor, replyToken, tokenMatches } from './inbound.address.ts';

const addressing = { secret: 'k'.repeat(40), domain: 'dayi.example.cn' };
const q = { id: '0192f3a4-1b2c-7d3e-8f40-5a6b7c8d9e0f', number: '20261125-0007' };

describe('reply addresses', () => {
  it('name the question and carry a lower-case token signed with the secret', () => {
    const address = replyAddressFor(addressing, q);
    expect(address).toMatch(/^reply\+20261125-0007-[a-z2-7]{16}@dayi\.example\.cn$/);
    expect(parseReplyAddress('dayi.example.cn', address)).toEqual({ number: q.number, token: replyToken(addressing.secret, q.id) });
  });

  it('verify whatever the case a mail server gave the local part', () => {
    const parts = parseReplyAddress('dayi.example.cn', replyAddressFor(addressing, q).toUpperCase())!;
    expect(tokenMatches(addressing.secret, q.id, parts.token)).toBe(true);
  });

  it.each([
    ['another question\'s token', replyToken(addressing.secret, '0192f3a4-1b2c-7d3e-8f40-000000000000')],
    ['a token signed with another secret', replyToken('x'.repeat(40), q.id)],
    ['a shortened token', replyToken(addressing.secret, q.id).slice(0, 15)],
    ['no token', ''],
  ])('refuse %s', (_case, token) => {
    expect(tokenMatches(addressing.secret, q.id, token)).toBe(false);
  });

  it.each([
    ['another domain', `reply+${q.number}-abcdefghijklmnop@example.cn`],
    ['no number', 'reply+abcdefghijklmnop@dayi.example.cn'],
    ['another local part', 'help@dayi.example.cn'],
  ])('are not recognised on %s', (_case, address) => {
    expect(parseReplyAddress('dayi.example.cn', address)).toBeNull();
  });
});

describe('inboundSecret', () => {
  it('takes INBOUND_SECRET, else SESSION_SECRET, else one generated once and kept 0600 in DATA_DIR', () => {
    const dataDir = tempDir('dayi-inbound');
    expect(inboundSecret({ inboundSecret: 'i'.repeat(32), sessionSecret: 's'.repeat(32), dataDir })).toBe('i'.repeat(32));
    expect(inboundSecret({ inboundSecret: undefined, sessionSecret: 's'.repeat(32), dataDir })).toBe('s'.repeat(32));
    const generated = inboundSecret({ inboundSecret: undefined, sessionSecret: undefined, dataDir });
    expect(generated).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(inboundSecret({ inboundSecret: undefined, sessionSecret: undefined, dataDir })).toBe(generated);
    expect(statSync(`${dataDir}/inbound-secret`).mode & 0o777).toBe(0o600);
  });
});
