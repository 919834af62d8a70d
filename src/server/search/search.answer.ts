/** The instant answer of a search: the clearly matching FAQ entry's answer, shown inline by the search page and the ask form. */
import type { ContentStore } from '../content/content.loader.ts';

export interface InstantAnswer {
  url: string;
  title: string;
  /** The entry's rendered, sanitized answer. */
  html: string;
}

/** The entry behind `answerUrl`, from the content as it is now; null when there is none. */
export function instantAnswer(store: ContentStore, answerUrl: string | null): InstantAnswer | null {
  const page = answerUrl ? store.pages.get(answerUrl) : undefined;
  return page?.kind === 'faq' ? { url: page.url, title: page.title, html: page.html } : null;
}
