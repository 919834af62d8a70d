import http from 'node:http';
import https from 'node:https';
import { observeSearch } from '../ops/metrics.registry.ts';

/** An error answer from Meilisearch (or the network), in the shape our callers read: `cause.code`. */
export class MeiliHttpError extends Error {
  readonly code: string | undefined;
  /** HTTP status when Meilisearch answered; undefined for a network failure. */
  readonly httpStatus: number | undefined;
  constructor(message: string, code: string | undefined, httpStatus: number | undefined) {
    super(message);
    this.name = 'MeiliHttpError';
    this.code = code;
    this.httpStatus = httpStatus;
  }
}

/**
 * The HTTP client the Meilisearch JS client uses. Node's fetch (undici) on a
 * kept-alive connection to Meilisearch stalls about one request in three by
 * ~40 ms (Nagle's algorithm meeting delayed ACKs; measured with
 * `npm run bench:search`, p95 55 ms vs 9 ms). node:http with a keep-alive agent
 * and TCP_NODELAY sends each request in one write and has no such stall.
 */
export function createMeiliHttpClient() {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
  };
  const request = (input: string | URL | Request, init: RequestInit = {}): Promise<unknown> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const transport = url.protocol === 'https:' ? https : http;
    const agent = url.protocol === 'https:' ? agents['https:'] : agents['http:'];
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => (headers[k] = v));
    const body = init.body === undefined || init.body === null ? undefined : typeof init.body === 'string' ? init.body : Buffer.from(init.body as ArrayBuffer);
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const started = performance.now();
    const isSearch = /\/(multi-)?search$/.test(url.pathname);
    return new Promise((resolve, reject) => {
      const req = transport.request(url, { method: init.method ?? 'GET', headers, agent, signal: init.signal ?? undefined }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: { message?: string; code?: string } | undefined;
          try {
            json = text === '' ? undefined : JSON.parse(text);
          } catch {
            json = undefined;
          }
          const status = res.statusCode ?? 0;
          if (isSearch) observeSearch((performance.now() - started) / 1000);
          if (status >= 400) reject(new MeiliHttpError(json?.message ?? `Meilisearch answered HTTP ${status}`, json?.code, status));
          else resolve(json);
        });
      });
      req.on('socket', (socket) => socket.setNoDelay(true));
      req.on('error', (e: NodeJS.ErrnoException) => reject(new MeiliHttpError(e.message, e.code, undefined)));
      req.end(body);
    });
  };
  return {
    request,
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}
