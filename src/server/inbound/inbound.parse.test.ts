import { describe, expect, it } from 'vitest';
import { relabelGbCharsets } from './inbound.charset.ts';
import { readMail } from './inbound.parse.ts';
import { gb } from '../../../tests/helpers/gb18030.ts';

const opts = { envelopeFrom: 'zhangzhe@unit.gov.cn', ourAddress: 'dayi@example.cn' };
const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n'), 'utf8');

describe('readMail', () => {
  it('decodes a body and subject labelled gb2312 as GB18030', async () => {
    expect(new TextDecoder('gb18030').decode(gb.body)).toBe(gb.bodyText);
    const raw = Buffer.concat([
      crlf([
        `From: =?gb2312?B?${gb.name.toString('base64')}?= <zhangzhe@unit.gov.cn>`,
        'To: help@dayi.example.cn',
        `Subject: =?GB2312?B?${gb.subject.toString('base64')}?=`,
        'Message-ID: <gb-1@unit.gov.cn>',
        'MIME-Version: 1.0',
        'Content-Type: text/plain;',
        '\tcharset="gb2312"',
        'Content-Transfer-Encoding: 8bit',
        '',
        '',
      ]),
      gb.body,
      crlf(['', '']),
    ]);
    const mail = await readMail(raw, opts);
    expect(mail).toMatchObject({ subject: gb.subjectText, text: gb.bodyText, fromName: gb.nameText, from: 'zhangzhe@unit.gov.cn', messageId: '<gb-1@unit.gov.cn>', automatic: null });
  });

  it('relabels only header blocks, the parts\' included, never a body', () => {
    const raw = crlf([
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      'charset=gb2312 in the preamble stays',
      '--b1',
      'Content-Type: text/plain; charset=GBK',
      '',
      'charset=gbk in a body stays',
      '--b1--',
    ]);
    expect(relabelGbCharsets(raw).toString('latin1').split('\r\n')).toEqual([
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      'charset=gb2312 in the preamble stays',
      '--b1',
      'Content-Type: text/plain; charset=gb18030',
      '',
      'charset=gbk in a body stays',
      '--b1--',
    ]);
  });

  it.each([
    ['Auto-Submitted: auto-replied', 'Subject: 答复'],
    ['X-Autoreply: yes', 'Subject: hello'],
    ['Precedence: bulk', 'Subject: hello'],
    ['X-Dayi: question.reply', 'Subject: hello'],
    ['X-Mailer: Outlook', 'Subject: 自动回复: [答疑 20261125-0007] 如何导出'],
    ['X-Mailer: Outlook', 'Subject: Out of Office: 如何导出'],
  ])('marks mail with "%s" and "%s" as automatic', async (header, subject) => {
    const mail = await readMail(crlf(['From: a@unit.gov.cn', 'To: help@dayi.example.cn', header, subject, '', '我不在办公室。', '']), opts);
    expect(mail.automatic).not.toBeNull();
  });

  it('marks our own mail come back, and bounces, as automatic', async () => {
    expect((await readMail(crlf(['From: 答疑 <dayi@example.cn>', 'Subject: hi', '', 'x', '']), opts)).automatic).toMatch(/loop/);
    expect((await readMail(crlf(['From: a@unit.gov.cn', 'Subject: hi', '', 'x', '']), { ...opts, envelopeFrom: '' })).automatic).toMatch(/bounce/);
    expect((await readMail(crlf(['From: a@unit.gov.cn', 'Auto-Submitted: no', 'Subject: 回复：问题', '', 'x', '']), opts)).automatic).toBeNull();
  });
});
