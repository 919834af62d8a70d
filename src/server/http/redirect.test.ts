import { describe, expect, it } from 'vitest';
import { redirectTo, safeRedirectTarget } from './redirect.ts';

describe('redirect targets from requests', () => {
  describe.each([
    ['a tab before a second slash', '/\t/evil.example'],
    ['a newline before a second slash', '/\n/evil.example'],
    ['a backslash', '/\\evil.example'],
    ['a protocol-relative URL', '//evil.example/x'],
    ['an absolute URL', 'https://evil.example/'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a data: URL', 'data:text/html,<script>alert(1)</script>'],
    ['a tab inside the scheme', 'java\tscript:alert(1)'],
  ])('refuses %s', (_name, target) => {
    it('and falls back to the home page', () => expect(safeRedirectTarget(target)).toBe('/'));
  });

  describe.each([
    ['a plain path', '/manuals/user-guide', '/manuals/user-guide'],
    ['a path with a query', '/search?q=a&page=2', '/search?q=a&page=2'],
    ['a Chinese anchor', '/manuals/user-guide/ask#提交问题', `/manuals/user-guide/ask#${encodeURIComponent('提交问题')}`],
    ['a Chinese query', '/search?q=故障', `/search?q=${encodeURIComponent('故障')}`],
    ['an ideographic space', '/faq/x#a\u3000b', '/faq/x#a%E3%80%80b'],
    ['CR and LF inside a path', '/faq/\r\nSet-Cookie:x=1', '/faq/Set-Cookie:x=1'],
  ])('keeps %s on this site', (_name, target, expected) => {
    it('as percent-encoded ASCII', () => {
      const safe = safeRedirectTarget(target);
      expect(safe).toBe(expected);
      expect(safe).toMatch(/^\/[\x21-\x7e]*$/);
    });
  });

  it('uses the fallback for a missing target', () => {
    expect(safeRedirectTarget(null, '/account')).toBe('/account');
    expect(safeRedirectTarget('', '/account')).toBe('/account');
  });

  it('builds a 303 whose Location header a Response accepts for any input', () => {
    for (const target of ['/a#第二节', '/\r\n', '/\u3000', '/\t/evil.example']) {
      const res = redirectTo(target);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toMatch(/^\/[\x21-\x7e]*$/);
    }
  });
});
