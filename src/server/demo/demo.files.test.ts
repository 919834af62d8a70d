import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../tests/helpers/tmp.ts';
import { appRoot } from '../shared/paths.ts';
import { seedDemoFiles } from './demo.files.ts';

function demoSource(): string {
  const from = tempDir('demo-from');
  mkdirSync(path.join(from, 'courseware', 'a', 'v1.0'), { recursive: true });
  writeFileSync(path.join(from, 'courseware', 'a', 'v1.0', '教程.pdf'), 'demo', { mode: 0o644 });
  writeFileSync(path.join(from, 'top.txt'), 'top');
  return from;
}

describe('seedDemoFiles', () => {
  it('copies the demo files into FILES_DIR when the shipped content is served', async () => {
    const filesDir = tempDir('demo-files');
    expect(await seedDemoFiles({ contentDir: path.join(appRoot(), 'content'), filesDir, from: demoSource() })).toBe(2);
    expect(readFileSync(path.join(filesDir, 'courseware', 'a', 'v1.0', '教程.pdf'), 'utf8')).toBe('demo');
    // The checkout's 644 does not carry over: FILES_DIR is private to the service user.
    expect(statSync(path.join(filesDir, 'courseware', 'a', 'v1.0', '教程.pdf')).mode & 0o777).toBe(0o600);
  });

  it('never overwrites a file already in FILES_DIR', async () => {
    const filesDir = tempDir('demo-files');
    writeFileSync(path.join(filesDir, 'top.txt'), 'uploaded');
    expect(await seedDemoFiles({ contentDir: path.join(appRoot(), 'content'), filesDir, from: demoSource() })).toBe(1);
    expect(readFileSync(path.join(filesDir, 'top.txt'), 'utf8')).toBe('uploaded');
  });

  it('copies nothing for a site with its own content', async () => {
    const filesDir = tempDir('demo-files');
    expect(await seedDemoFiles({ contentDir: tempDir('own-content'), filesDir, from: demoSource() })).toBe(0);
  });
});
