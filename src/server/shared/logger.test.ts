import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, redactUrl } from './logger.ts';

/** A JSON logger whose lines are kept in `lines`. */
function capturedLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { log: createLogger({ level: 'info', pretty: false, destination: sink }), lines };
}

describe('logging keeps secrets out', () => {
  it('redacts passwords, tokens and keys wherever they appear in a log object', () => {
    const { log, lines } = capturedLogger();
    log.info({ password: 'hunter2', user: { token: 't0ken', name: '张三' }, headers: { cookie: 'sid=abc' }, masterKey: 'mk' }, 'x');
    const out = lines.join('');
    for (const secret of ['hunter2', 't0ken', 'sid=abc', '"mk"']) expect(out).not.toContain(secret);
    expect(out).toContain('张三');
  });

  it('keeps the parameters of a failed query out of the log', () => {
    const { log, lines } = capturedLogger();
    // The shape drizzle throws: the query, its parameters, and the driver's error as the cause.
    const err = Object.assign(new Error('Failed query: select * from users where email = $1\nparams: zhang.san@example.cn,第一行\n第二行'), {
      query: 'select * from users where email = $1',
      params: ['zhang.san@example.cn'],
      cause: Object.assign(new Error('invalid input syntax for type uuid'), { code: '22P02' }),
    });
    log.error({ err }, 'unhandled error');
    const out = lines.join('');
    expect(out).not.toContain('zhang.san@example.cn');
    expect(out).not.toContain('第二行');
    expect(out).toContain('select * from users where email = $1');
    expect(out).toContain('22P02');
  });

  it('hides the password in a connection URL', () => {
    expect(redactUrl('postgres://dayi:s3cret@db:5432/dayi')).toBe('postgres://dayi:***@db:5432/dayi');
    expect(redactUrl('not a url')).toBe('[unparseable url]');
  });
});
