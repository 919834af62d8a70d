import { describe, expect, it } from 'vitest';
import { readForm, readJsonObject } from './forms.ts';

const post = (body: string, type: string) => new Request('http://x/', { method: 'POST', headers: { 'Content-Type': type }, body });

describe('reading request bodies', () => {
  it('refuses a form field holding a NUL character with a 400, not a database error later', async () => {
    await expect(readForm(post('email=a%00b%40x.cn&password=x', 'application/x-www-form-urlencoded'))).rejects.toMatchObject({ status: 400, code: 'validation.failed' });
    await expect(readForm(post('a%00=1', 'application/x-www-form-urlencoded'))).rejects.toMatchObject({ status: 400 });
  });

  it('reads a normal form, repeated fields as arrays', async () => {
    expect(await readForm(post('roles=member&roles=admin&name=%E5%BC%A0%E4%B8%89', 'application/x-www-form-urlencoded'))).toEqual({ roles: ['member', 'admin'], name: '张三' });
  });

  describe.each([
    ['null', 'null'],
    ['an array', '[1,2]'],
    ['a string', '"x"'],
    ['broken JSON', '{"a":'],
    ['a NUL in a value', '{"q":"a\\u0000b"}'],
    ['a NUL deep inside', '{"a":{"b":["x\\u0000"]}}'],
    ['a NUL in a key', '{"a\\u0000":1}'],
  ])('refuses %s as a JSON body', (_name, body) => {
    it('with a 400', async () => {
      await expect(readJsonObject(post(body, 'application/json'))).rejects.toMatchObject({ status: 400 });
    });
  });

  it('accepts an object, including a literal backslash-u text', async () => {
    expect(await readJsonObject(post('{"q":"\\\\u0000 is text","hits":1}', 'application/json'))).toEqual({ q: '\\u0000 is text', hits: 1 });
  });
});
