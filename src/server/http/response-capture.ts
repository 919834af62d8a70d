import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** What a handler answered: status, headers (lower-case names) and the whole body. */
export interface Captured {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

/**
 * Lets the response go out as written while keeping a copy of it; `onEnd`
 * gets the copy once the handler ends the response.
 */
export function captureResponse(res: ServerResponse, onEnd: (captured: Captured) => void): void {
  let status = 0;
  let headers: OutgoingHttpHeaders = {};
  const chunks: Buffer[] = [];
  const lower = (h: OutgoingHttpHeaders) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.writeHead = ((code: number, ...rest: unknown[]) => {
    status = code;
    const h = rest.find((r) => r && typeof r === 'object') as OutgoingHttpHeaders | undefined;
    if (h) headers = lower(h);
    return writeHead(code, ...rest);
  }) as ServerResponse['writeHead'];
  const keep = (chunk: unknown) => {
    if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
    else if (typeof chunk === 'string') chunks.push(Buffer.from(chunk));
  };
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    keep(chunk);
    return write(chunk, ...rest);
  }) as ServerResponse['write'];
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (chunk && typeof chunk !== 'function') keep(chunk);
    const r = end(chunk, ...rest);
    onEnd({ status: status || res.statusCode, headers: { ...lower(res.getHeaders()), ...headers }, body: Buffer.concat(chunks) });
    return r;
  }) as ServerResponse['end'];
}
