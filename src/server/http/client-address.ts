import { BlockList, isIP } from 'node:net';

/** The addresses of the reverse proxies in front of Dayi (TRUSTED_PROXIES), as a matcher. */
export function trustedProxyList(entries: string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return list;
}

/** `::ffff:10.0.0.1` → `10.0.0.1`; anything that is not an IP address → null. */
export function normalizeAddress(raw: string | undefined | null): string | null {
  if (!raw) return null;
  const value = raw.trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(value);
  const address = mapped ? mapped[1]! : value;
  return isIP(address) ? address : null;
}

/** Whether `address` (normalized) is one of the trusted proxies. */
export function isTrusted(list: BlockList, address: string): boolean {
  return list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

/**
 * The one way Dayi resolves who is calling. Without TRUST_PROXY: the socket's
 * peer. With it, and only when the peer is a trusted proxy: walk
 * X-Forwarded-For from the right (each proxy appends the address it saw) and
 * take the first address that is not a trusted proxy. Values further left are
 * whatever the client sent and are never believed.
 */
export function resolveClientAddress({
  peer,
  forwardedFor,
  trustProxy,
  trusted,
}: {
  peer: string | undefined;
  forwardedFor: string | string[] | undefined;
  trustProxy: boolean;
  trusted: BlockList;
}): string | null {
  const socket = normalizeAddress(peer);
  if (!trustProxy || !socket || !isTrusted(trusted, socket)) return socket;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? '')).split(',');
  let client = socket;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalizeAddress(hops[i]);
    // A malformed entry cannot have come from a proxy we trust: stop at the last trusted hop.
    if (!hop) break;
    client = hop;
    if (!isTrusted(trusted, hop)) break;
  }
  return client;
}
