import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../tests/helpers/tmp.ts';
import { parseRange, serveFile, type ServedFile } from './uploads.serve.ts';

describe('parseRange', () => {
  it.each([
    ['bytes=0-99', [0, 99]],
    ['bytes=100-', [100, 999]],
    ['bytes=-100', [900, 999]],
    ['bytes=900-5000', [900, 999]],
    ['bytes=-5000', [0, 999]],
    ['bytes=1000-', 'unsatisfiable'],
    ['bytes=-0', 'unsatisfiable'],
    ['bytes=0-1,5-9', null],
    ['bytes=9-5', null],
    ['items=0-1', null],
    ['bytes=-', null],
  ] as const)('%s of 1000 bytes → %j', (header, expected) => {
    expect(parseRange(header, 1000)).toEqual(expected);
  });
});

describe('serveFile', () => {
  const dir = tempDir('serve');
  const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));
  const file = path.join(dir, 'f');
  writeFileSync(file, bytes);
  const f: ServedFile = { file, name: '操作教程-v3.2.pdf', contentType: 'application/pdf', size: 1000, modifiedAt: new Date('2026-11-20T08:00:00Z'), sha256: 'abc', disposition: 'attachment' };
  const get = (headers: Record<string, string> = {}, method = 'GET') => serveFile(new Request('http://x/f', { method, headers }), f);

  it('sends the whole file with validators and the Chinese name', async () => {
    const { response, servedAs } = get();
    expect(servedAs).toEqual({ status: 200 });
    expect(response.headers.get('etag')).toBe('"abc"');
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    expect(response.headers.get('content-disposition')).toContain("filename*=UTF-8''%E6%93%8D%E4%BD%9C");
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);
  });

  it('answers one range with 206 and its Content-Range', async () => {
    const { response } = get({ range: 'bytes=500-509' });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe('bytes 500-509/1000');
    expect(response.headers.get('content-length')).toBe('10');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes.subarray(500, 510));
  });

  it('answers a range beyond the end with 416 and the size', () => {
    const { response } = get({ range: 'bytes=1000-' });
    expect(response.status).toBe(416);
    expect(response.headers.get('content-range')).toBe('bytes */1000');
  });

  it('sends the whole file for several ranges, and for a range of another version (If-Range)', () => {
    expect(get({ range: 'bytes=0-1,5-9' }).response.status).toBe(200);
    expect(get({ range: 'bytes=0-9', 'if-range': '"old"' }).response.status).toBe(200);
    expect(get({ range: 'bytes=0-9', 'if-range': '"abc"' }).response.status).toBe(206);
  });

  it('answers a current copy with 304', () => {
    expect(get({ 'if-none-match': '"abc"' }).response.status).toBe(304);
    expect(get({ 'if-none-match': '"other"' }).response.status).toBe(200);
    expect(get({ 'if-modified-since': 'Fri, 20 Nov 2026 08:00:00 GMT' }).response.status).toBe(304);
    expect(get({ 'if-modified-since': 'Thu, 19 Nov 2026 08:00:00 GMT' }).response.status).toBe(200);
  });

  it('answers HEAD without a body', async () => {
    const { response } = get({}, 'HEAD');
    expect(response.headers.get('content-length')).toBe('1000');
    expect(response.body).toBeNull();
  });
});
