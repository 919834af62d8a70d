import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { readableEml } from './mail.eml.ts';

const stream = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
const written = async (mail: { subject: string; text: string; html?: string }) =>
  String((await stream.sendMail({ from: '答疑 Dayi <dayi@help.example.cn>', to: ['zhang.san@unit.example.cn'], messageId: '<m1@help.example.cn>', ...mail })).message);

describe('readableEml', () => {
  it.each([
    ['a plain-text mail', { subject: '【答疑】重置密码', text: '张三，您好：\n\n请打开 http://x/password/set?token=a=b 设置新密码。' }],
    ['a mail with an HTML part too', { subject: '【答疑】您的问题已受理', text: '问题编号 20261124-0007。', html: '<p>问题编号 20261124-0007。</p>' }],
    ['a long ASCII mail', { subject: 'Reset', text: 'x'.repeat(300) }],
  ])('shows %s as nodemailer wrote it: headers and text decoded', async (_, mail) => {
    const text = await readableEml(await written(mail));
    expect(text).toContain(`Subject: ${mail.subject}\n`);
    expect(text).toContain('From: "答疑 Dayi" <dayi@help.example.cn>\n');
    expect(text).toContain('To: zhang.san@unit.example.cn\n');
    expect(text).toContain('Message-ID: <m1@help.example.cn>\n');
    expect(text.endsWith(`\n\n${mail.text}\n`)).toBe(true);
    expect(text).not.toContain('<p>');
  });

  it('reads CRLF line ends, base64 bodies and other charsets', async () => {
    const body = Buffer.from('你好，世界', 'utf8').toString('base64');
    const raw = `Subject: =?GB18030?B?${Buffer.from([0xc4, 0xe3, 0xba, 0xc3]).toString('base64')}?=\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${body}\r\n`;
    expect(await readableEml(raw)).toBe('Subject: 你好\n\n你好，世界\n');
  });
});
