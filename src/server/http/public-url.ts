import { networkInterfaces } from 'node:os';

/**
 * The address links in mail point to. Never taken from a request (a forged
 * Host header would otherwise receive reset tokens): PUBLIC_URL when set,
 * else the address fixed at start — the listening host, or this machine's
 * first LAN address when listening on all interfaces — which `npm start` prints.
 */
export function linkBase({ publicUrl, host, port }: { publicUrl?: string | undefined; host: string; port: number }): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '');
  const wildcard = host === '0.0.0.0' || host === '::' || host === '';
  const name = wildcard ? (lanAddress() ?? 'localhost') : host;
  return `http://${name.includes(':') ? `[${name}]` : name}:${port}`;
}

function lanAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    const found = list?.find((a) => a.family === 'IPv4' && !a.internal);
    if (found) return found.address;
  }
  return undefined;
}
