import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactUrl } from './logger.ts';

describe('logging keeps secrets out', () => {
  it('redacts passwords, tokens and keys wherever they appear in a log object', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const log = createLogger({ level: 'info', pretty: false, destination: sink });
    log.info({ password: 'hunter2', user: { token: 't0ken', name: '张三' }, headers: { cookie: 'sid=abc' }, masterKey: 'mk' }, 'x');
    const out = lines.join('');
    for (const secret of ['hunter2', 't0ken', 'sid=abc', '"mk"']) expect(out).not.toContain(secret);
    expect(out).toContain('张三');
  });

  it('hides the password in a connection URL', () => {
    expect(redactUrl('postgres://dayi:s3cret@db:5432/dayi')).toBe('postgres://dayi:***@db:5432/dayi');
    expect(redactUrl('not a url')).toBe('[unparseable url]');
  });
});
