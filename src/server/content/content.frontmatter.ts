import { parseDocument, LineCounter } from 'yaml';

export interface ContentIssue {
  /** Path relative to CONTENT_DIR. */
  file: string;
  line: number;
  message: string;
}

export interface Frontmatter {
  data: unknown;
  body: string;
  /** 1-based line where the body starts, so body positions map back to the file. */
  bodyLine: number;
  /** 1-based line of each top-level frontmatter key, for precise messages. */
  keyLines: Map<string, number>;
}

const FENCE = /^---\r?\n/;

/** Splits `---` YAML frontmatter from the markdown body; errors carry a file line. */
export function parseFrontmatter(source: string): { ok: true; value: Frontmatter } | { ok: false; line: number; message: string } {
  const text = source.replace(/^\uFEFF/, '');
  if (!FENCE.test(text)) return { ok: false, line: 1, message: 'missing frontmatter (the file must start with ---)' };
  const afterOpen = text.indexOf('\n') + 1;
  const close = /^---[ \t]*$/m;
  const rest = text.slice(afterOpen);
  const m = close.exec(rest);
  if (!m) return { ok: false, line: 1, message: 'frontmatter is not closed with ---' };
  const yamlText = rest.slice(0, m.index);
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const pos = lineCounter.linePos(e.pos[0]);
    return { ok: false, line: pos.line + 1, message: `invalid YAML: ${e.message.split('\n')[0]}` };
  }
  const keyLines = new Map<string, number>();
  const contents = doc.contents as { items?: { key?: { value?: unknown; range?: [number, number, number] } }[] } | null;
  for (const item of contents?.items ?? []) {
    if (item.key?.range) keyLines.set(String(item.key.value), lineCounter.linePos(item.key.range[0]).line + 1);
  }
  const yamlLines = yamlText.split('\n').length;
  const bodyStart = afterOpen + m.index + m[0].length;
  return {
    ok: true,
    value: {
      data: doc.toJS() ?? {},
      body: text.slice(bodyStart).replace(/^\r?\n/, ''),
      bodyLine: yamlLines + 2,
      keyLines,
    },
  };
}
