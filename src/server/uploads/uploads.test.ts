import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../tests/helpers/tmp.ts';
import { contentDisposition } from './uploads.download.ts';
import { readUploadForm } from './uploads.request.ts';
import { sniffAttachment } from './uploads.sniff.ts';
import { placeFile, sweepIncoming, withPlacedFiles } from './uploads.store.ts';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082', 'hex');
const CFB = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(600)]);
const ELF = Buffer.concat([Buffer.from('7f454c46020101', 'hex'), Buffer.alloc(100)]);

function fileWith(dir: string, bytes: Buffer): string {
  const f = path.join(dir, `f-${Math.random().toString(36).slice(2)}`);
  writeFileSync(f, bytes);
  return f;
}

describe('sniffAttachment', () => {
  const dir = tempDir('sniff');
  it.each([
    ['截图.PNG', PNG, { ok: true, contentType: 'image/png' }],
    ['旧版报表.xls', CFB, { ok: true, contentType: 'application/vnd.ms-excel' }],
    ['日志.log', Buffer.from('ERROR 连接超时\n'), { ok: true, contentType: 'text/plain' }],
    ['数据.csv', Buffer.from('\xef\xbb\xbf名称,代码\n', 'latin1'), { ok: true, contentType: 'text/csv' }],
    ['截图.png', CFB, { ok: false, reason: 'content_mismatch' }],
    ['说明.pdf', ELF, { ok: false, reason: 'content_mismatch' }],
    // A binary named .txt: no signature, but NUL bytes.
    ['日志.txt', Buffer.from([0x41, 0x00, 0x42, 0x00]), { ok: false, reason: 'content_mismatch' }],
    // Text hiding a known binary signature.
    ['readme.txt', PNG, { ok: false, reason: 'content_mismatch' }],
    ['程序.exe', ELF, { ok: false, reason: 'type_not_allowed' }],
    ['没有扩展名', PNG, { ok: false, reason: 'type_not_allowed' }],
  ] as const)('%s', async (name, bytes, expected) => {
    expect(await sniffAttachment(fileWith(dir, bytes), name)).toEqual(expected);
  });
});

describe('contentDisposition', () => {
  it('keeps the Chinese name in filename* and gives old clients an ASCII stand-in with the extension', () => {
    expect(contentDisposition('attachment', '年度报告(终稿).xlsx')).toBe(
      `attachment; filename="____(__).xlsx"; filename*=UTF-8''%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A%28%E7%BB%88%E7%A8%BF%29.xlsx`,
    );
    // Quotes and backslashes cannot break out of the quoted name.
    expect(contentDisposition('inline', 'a"b\\c.png')).toBe(`inline; filename="a_b_c.png"; filename*=UTF-8''a%22b%5Cc.png`);
  });
});

describe('storing files', () => {
  it('removes placed files when the work that recorded them fails', async () => {
    const root = tempDir('place');
    const incoming = path.join(root, 'incoming');
    const src = fileWith(root, PNG);
    await expect(
      withPlacedFiles(root, async (placed) => {
        await placeFile(root, { path: src }, 'attachments/2026/11/x');
        placed.push('attachments/2026/11/x');
        expect(existsSync(path.join(root, 'attachments/2026/11/x'))).toBe(true);
        throw new Error('transaction rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(existsSync(path.join(root, 'attachments/2026/11/x'))).toBe(false);
    expect(existsSync(incoming)).toBe(false);
  });

  it('sweeps only incoming files older than the limit', async () => {
    const root = tempDir('sweep');
    const form = new FormData();
    form.append('attachments', new Blob([new Uint8Array(PNG)]), '图.png');
    await readUploadForm(new Request('http://x/ask', { method: 'POST', body: form }), { filesDir: root, maxFileBytes: 1024 });
    const dir = path.join(root, 'incoming');
    expect(readdirSync(dir)).toHaveLength(1);
    expect(await sweepIncoming(root, { now: new Date(), olderThanMs: 60_000 })).toBe(0);
    expect(await sweepIncoming(root, { now: new Date(Date.now() + 120_000), olderThanMs: 60_000 })).toBe(1);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('readUploadForm without the front handler (astro dev)', () => {
  it('reads fields and files, and reports a file over the limit instead of storing it', async () => {
    const root = tempDir('devform');
    const form = new FormData();
    form.append('title', '标题');
    form.append('attachments', new Blob([new Uint8Array(PNG)]), '小图.png');
    form.append('attachments', new Blob([new Uint8Array(2048)]), '大文件.zip');
    const { form: fields, upload } = await readUploadForm(new Request('http://x/ask', { method: 'POST', body: form }), { filesDir: root, maxFileBytes: 1024 });
    expect(fields).toEqual({ title: '标题' });
    expect(upload.files.map((f) => [f.name, f.size])).toEqual([['小图.png', PNG.length]]);
    expect(upload.problems).toEqual([{ code: 'file_too_large', name: '大文件.zip' }]);
  });
});
