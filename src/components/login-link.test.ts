import { describe, expect, it } from 'vitest';
import { loginHref } from './login-link.ts';

const at = (path: string) => loginHref(new URL(path, 'http://dayi.test'));

describe('the header sign-in link', () => {
  it.each([
    ['a chapter', '/manuals/user-guide/search', '/login?next=%2Fmanuals%2Fuser-guide%2Fsearch'],
    ['a search with its query', '/search?q=%E5%AF%86%E7%A0%81&type=faq', '/login?next=%2Fsearch%3Fq%3D%25E5%25AF%2586%25E7%25A0%2581%26type%3Dfaq'],
    ['the home page', '/', '/login?next=%2F'],
    ['the sign-in page, keeping the page it was sent from', '/login?next=%2Ffaq%2Fa', '/login?next=%2Ffaq%2Fa'],
    ['the sign-in page without one', '/login', '/login'],
    ['a set-password link', '/password/set?token=abc', '/login'],
    ['an error page', '/500', '/login'],
  ])('from %s returns there', (_, path, href) => {
    expect(at(path)).toBe(href);
  });
});
