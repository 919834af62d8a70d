import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../tests/helpers/tmp.ts';
import { resolveInside, resolveInsideSync } from './paths.ts';

/** root/ with an image, symlinks in and out, and a sibling folder whose name starts like root's. */
function fixture(): string {
  const base = tempDir('dayi-paths');
  const root = path.join(base, 'root');
  const outside = path.join(base, 'root-sibling');
  mkdirSync(path.join(root, 'faq', 'images'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(path.join(root, 'faq', 'images', 'a.png'), 'png');
  writeFileSync(path.join(outside, 'secret'), 'key');
  symlinkSync(path.join(outside, 'secret'), path.join(root, 'faq', 'leak.png'));
  symlinkSync(outside, path.join(root, 'faq', 'linked-dir'));
  symlinkSync(path.join(root, 'faq', 'images', 'a.png'), path.join(root, 'faq', 'alias.png'));
  symlinkSync(path.join(root, 'faq'), path.join(base, 'root-link'));
  return root;
}

const root = fixture();

describe.each([
  ['resolveInside', resolveInside],
  ['resolveInsideSync', resolveInsideSync],
])('%s', (_name, resolve) => {
  it('gives the real path of a file inside the root', async () => {
    expect(await resolve(root, 'faq/images/a.png')).toBe(realpathSync(path.join(root, 'faq/images/a.png')));
  });

  it('follows a symlink whose target stays inside the root', async () => {
    expect(await resolve(root, 'faq/alias.png')).toBe(realpathSync(path.join(root, 'faq/images/a.png')));
  });

  it('resolves a root that is itself a symlink', async () => {
    expect(await resolve(path.join(root, '..', 'root-link'), 'images/a.png')).toBe(realpathSync(path.join(root, 'faq/images/a.png')));
  });

  it.each([
    ['a symlinked file pointing outside', 'faq/leak.png'],
    ['a file below a symlinked folder pointing outside', 'faq/linked-dir/secret'],
    ['a sibling folder that shares the root name as a prefix', '../root-sibling/secret'],
    ['a .. segment that would come back inside', 'faq/../faq/images/a.png'],
    ['a backslash .. segment', 'faq\\..\\faq\\images\\a.png'],
    ['an absolute path', path.join(root, 'faq/images/a.png')],
    ['a NUL byte', 'faq/images/a.png\0.txt'],
    ['a missing file', 'faq/images/missing.png'],
    ['the root itself', ''],
  ])('refuses %s', async (_case, rel) => {
    expect(await resolve(root, rel)).toBeNull();
  });
});
