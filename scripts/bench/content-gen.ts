/** Generated content for the benches: a large tree of Chinese manual chapters built from the demo content's sentences. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadContent } from '../../src/server/content/content.loader.ts';
import { appRoot } from '../../src/server/shared/paths.ts';

const root = appRoot();

export function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
}

/** Builds a content tree of `sections` h2 sections from sentences of the demo content. */
export async function generateContent(dir: string, sections: number): Promise<void> {
  const demo = await loadContent(path.join(root, 'content'));
  const sentences: string[] = [];
  const headings: string[] = [];
  for (const page of demo.pages.values())
    for (const s of page.sections) {
      headings.push(...s.headings);
      sentences.push(...s.text.split(/(?<=[。；！？])/).map((x) => x.trim()).filter((x) => x.length > 6));
    }
  const pick = <T>(list: T[], r: () => number) => list[Math.floor(r() * list.length)]!;
  const r = rng(42);
  const perChapter = 20;
  const chapters = Math.ceil(sections / perChapter);
  const perManual = 20;
  for (let c = 0; c < chapters; c++) {
    const manual = `bench-${Math.floor(c / perManual)}`;
    const mdir = path.join(dir, 'manuals', manual);
    mkdirSync(mdir, { recursive: true });
    if (c % perManual === 0) writeFileSync(path.join(mdir, 'index.md'), `---\ntitle: 基准手册 ${manual}\nsummary: 生成的测试内容\n---\n`);
    const body = Array.from({ length: perChapter }, (_, i) => {
      const text = Array.from({ length: 3 + Math.floor(r() * 4) }, () => pick(sentences, r)).join('');
      return `## ${pick(headings, r)} ${c}-${i}\n\n${text}\n`;
    }).join('\n');
    writeFileSync(path.join(mdir, `${String(c % perManual).padStart(2, '0')}-chapter-${c}.md`), `---\ntitle: 第 ${c} 章 ${pick(headings, r)}\n---\n\n${body}`);
  }
  for (const sub of ['search']) mkdirSync(path.join(dir, sub), { recursive: true });
  writeFileSync(path.join(dir, 'search/synonyms.yml'), readFileSync(path.join(root, 'content/search/synonyms.yml')));
  writeFileSync(path.join(dir, 'search/dictionary.txt'), readFileSync(path.join(root, 'content/search/dictionary.txt')));
}
