import { Marked } from 'marked';
import { sanitize } from '../content/content.render.ts';

const marked = new Marked({ gfm: true, breaks: true, async: false });

/**
 * Markdown people type (a question, a reply, a note) as safe HTML: GFM with
 * line breaks kept, through the one sanitizer every rendered markdown uses.
 */
export function renderUserMarkdown(markdown: string): string {
  return sanitize(marked.parse(markdown) as string);
}
