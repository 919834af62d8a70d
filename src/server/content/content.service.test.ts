import { utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chapter, manualIndex, writeContent } from '../../../tests/helpers/content.ts';
import { createTestDatabase, type TestDatabase } from '../../../tests/helpers/db.ts';
import { createFixedClock } from '../shared/clock.ts';
import { loadContent } from './content.loader.ts';
import { silentLog } from '../../../tests/helpers/runtime.ts';
import { startContent, syncContentPages } from './content.service.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

describe('when a page last changed', () => {
  it('dates a page seen for the first time by its file, not by the first start, and an edit by when it is seen', async () => {
    const dir = writeContent({
      'manuals/m/index.md': manualIndex('手册'),
      'manuals/m/01-a.md': chapter('第一章', '正文'),
      'faq/q.md': '---\ntitle: 问？\n---\n答。\n',
    });
    const written = new Date('2026-03-02T08:00:00Z');
    utimesSync(path.join(dir, 'faq/q.md'), written, written);
    const clock = createFixedClock('2026-11-25T01:45:00Z');
    const db = t.database.db;

    const first = await syncContentPages({ db, clock, store: await loadContent(dir), contentDir: dir });
    expect(first.get('/faq/q')).toEqual(written);

    clock.advance(86_400_000);
    const again = await syncContentPages({ db, clock, store: await loadContent(dir), contentDir: dir });
    expect(again.get('/faq/q')).toEqual(written);

    writeFileSync(path.join(dir, 'faq/q.md'), '---\ntitle: 问？\n---\n新的答案。\n');
    const edited = await syncContentPages({ db, clock, store: await loadContent(dir), contentDir: dir });
    expect(edited.get('/faq/q')).toEqual(clock.now());
  });

  it('never dates a page in the future when a file’s clock is ahead', async () => {
    const dir = writeContent({ 'faq/ahead.md': '---\ntitle: 将来？\n---\n答。\n' });
    const future = new Date('2030-01-01T00:00:00Z');
    utimesSync(path.join(dir, 'faq/ahead.md'), future, future);
    const clock = createFixedClock('2026-11-25T01:45:00Z');
    const changed = await syncContentPages({ db: t.database.db, clock, store: await loadContent(dir), contentDir: dir });
    expect(changed.get('/faq/ahead')).toEqual(clock.now());
  });
});

describe('reloading while a reload runs', () => {
  it('gives a caller who wrote a file during a running reload a reload that reads it', async () => {
    const dir = writeContent({ 'faq/a.md': '---\ntitle: 甲？\n---\n答。\n' });
    const content = await startContent({ contentDir: dir, db: t.database.db, clock: createFixedClock('2026-12-06T02:00:00Z'), log: silentLog, rescanMs: 60_000, debounceMs: 60_000 });
    try {
      // A change listener that holds the first reload open until the test lets it go.
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let calls = 0;
      content.onChange(async () => {
        if (calls++ === 0) await held;
      });
      writeFileSync(path.join(dir, 'faq/b.md'), '---\ntitle: 乙？\n---\n答。\n');
      const first = content.reload();
      await new Promise((r) => setTimeout(r, 200));
      // Written while the first reload (which has read b.md already) is still running.
      writeFileSync(path.join(dir, 'faq/c.md'), '---\ntitle: 丙？\n---\n答。\n');
      const second = content.reload();
      release();
      await first;
      await second;
      expect(content.store().faqs.map((f) => f.slug).sort()).toEqual(['a', 'b', 'c']);
    } finally {
      content.stop();
    }
  });
});
