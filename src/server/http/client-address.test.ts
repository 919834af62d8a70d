import { describe, expect, it } from 'vitest';
import { normalizeAddress, resolveClientAddress, trustedProxyList } from './client-address.ts';

const loopback = trustedProxyList(['127.0.0.0/8', '::1']);
const twoProxies = trustedProxyList(['127.0.0.1', '10.0.0.0/24']);

describe('the client address', () => {
  describe.each([
    // [name, peer, X-Forwarded-For, trustProxy, trusted list, expected]
    ['without TRUST_PROXY: the socket peer, whatever the header says', '203.0.113.9', '1.2.3.4', false, loopback, '203.0.113.9'],
    ['behind nginx: the address nginx appended', '127.0.0.1', '198.51.100.7', true, loopback, '198.51.100.7'],
    ['a value the client sent itself is never believed', '127.0.0.1', '6.6.6.6, 198.51.100.7', true, loopback, '198.51.100.7'],
    ['a forged loopback entry on the left is still not the client', '127.0.0.1', '127.0.0.1, 198.51.100.7', true, loopback, '198.51.100.7'],
    ['two trusted proxies: skip both', '127.0.0.1', '6.6.6.6, 198.51.100.7, 10.0.0.5', true, twoProxies, '198.51.100.7'],
    ['a peer that is not a trusted proxy: its own address', '203.0.113.9', '1.2.3.4', true, loopback, '203.0.113.9'],
    ['IPv4-mapped IPv6 peers count as IPv4', '::ffff:127.0.0.1', '198.51.100.7', true, loopback, '198.51.100.7'],
    ['no header from the proxy: the proxy', '127.0.0.1', undefined, true, loopback, '127.0.0.1'],
    ['garbage appended after a trusted hop stops the walk at that hop', '127.0.0.1', '198.51.100.7, not-an-ip', true, loopback, '127.0.0.1'],
    ['IPv6 clients', '::1', '2001:db8::7', true, loopback, '2001:db8::7'],
  ])('%s', (_name, peer, forwardedFor, trustProxy, trusted, expected) => {
    it(`is ${expected}`, () => {
      expect(resolveClientAddress({ peer, forwardedFor, trustProxy, trusted })).toBe(expected);
    });
  });

  it('joins repeated X-Forwarded-For headers before walking them', () => {
    expect(resolveClientAddress({ peer: '127.0.0.1', forwardedFor: ['6.6.6.6', '198.51.100.7'], trustProxy: true, trusted: loopback })).toBe('198.51.100.7');
  });

  it('normalizes only real addresses', () => {
    expect(normalizeAddress(' ::ffff:10.1.2.3 ')).toBe('10.1.2.3');
    expect(normalizeAddress('10.1.2.3:8080')).toBeNull();
    expect(normalizeAddress('')).toBeNull();
  });
});
