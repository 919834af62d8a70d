/**
 * Instant results under a search box, as an ARIA combobox: the input owns a
 * listbox whose options are the results, "all N results" and, for a
 * signed-out visitor, "sign in to see N more"; a polite live region says how
 * many were found. Searches are debounced, and quiet while a Chinese input
 * method is composing (compositionstart → compositionend), so half-typed
 * pinyin is never searched. A search the user settles on (pauses on, or opens
 * a result from) is logged; keystrokes are not.
 *
 * Keys: ↓/↑ move through the options (↓ reopens a closed list); Enter opens
 * the active option, or without one submits the typed query to /search; Esc
 * closes the list and keeps the query (a second Esc clears the field, as a
 * search field does).
 */
interface Hit {
  type: string;
  title: string;
  section: string;
  url: string;
  snippet: string;
}

interface Answer {
  hits: Hit[];
  total: number;
  hiddenTotal: number;
}

/** UI strings, read through t() by SearchBox.astro; `{name}` placeholders. */
interface Messages {
  types: Record<string, string>;
  more: string;
  none: string;
  found: string;
  notFound: string;
  hidden: string;
}

interface Option {
  /** Where the option leads: a result (logged through /search/go) or a page. */
  target: { url: string; position: number } | { href: string };
  html: string;
  className?: string;
}

const DEBOUNCE_MS = 200;
const SETTLE_MS = 1500;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function format(text: string, params: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

const searchHref = (q: string) => `/search?${new URLSearchParams({ q })}`;

/** The options for one answer: the hits, then where to go next. */
function optionsFor(answer: Answer, q: string, messages: Messages): Option[] {
  const hits: Option[] = answer.hits.map((h, i) => ({
    target: { url: h.url, position: i + 1 },
    html:
      `<span class="type">${escapeHtml(messages.types[h.type] ?? '')}</span>` +
      `<strong>${escapeHtml(h.section === h.title ? h.title : `${h.title} › ${h.section}`)}</strong>` +
      `<span class="snippet">${h.snippet}</span>`,
  }));
  const next = escapeHtml(answer.hits.length ? format(messages.more, { total: answer.total }) : messages.none);
  hits.push({ target: { href: searchHref(q) }, html: next, className: 'more' });
  if (answer.hiddenTotal > 0)
    hits.push({ target: { href: `/login?${new URLSearchParams({ next: searchHref(q) })}` }, html: escapeHtml(format(messages.hidden, { count: answer.hiddenTotal })), className: 'more' });
  return hits;
}

/** What the live region says once results are in. */
function statusText(answer: Answer, messages: Messages): string {
  const found = answer.total ? format(messages.found, { total: answer.total }) : messages.notFound;
  return answer.hiddenTotal > 0 ? `${found}；${format(messages.hidden, { count: answer.hiddenTotal })}` : found;
}

/** Wires the instant search into a SearchBox form (input, listbox, live region). */
export function attachInstantSearch(form: HTMLFormElement): void {
  const input = form.querySelector<HTMLInputElement>('input[name="q"]');
  const list = form.querySelector<HTMLUListElement>('[role="listbox"]');
  const status = form.querySelector<HTMLElement>('[aria-live]');
  if (!input || !list || !status) return;
  const messages = JSON.parse(form.dataset.messages ?? '{}') as Messages;
  let composing = false;
  let timer: number | undefined;
  let settleTimer: number | undefined;
  let controller: AbortController | null = null;
  let active = -1;
  let current = { q: '', total: 0, logId: '' };
  let shown: Option[] = [];

  const optionElements = () => [...list.querySelectorAll<HTMLLIElement>('[role="option"]')];
  const open = () => {
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  };
  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    optionElements().forEach((o) => o.setAttribute('aria-selected', 'false'));
    active = -1;
  };
  const setActive = (i: number) => {
    const opts = optionElements();
    if (!opts.length) return;
    active = (i + opts.length) % opts.length;
    opts.forEach((o, j) => o.setAttribute('aria-selected', String(j === active)));
    input.setAttribute('aria-activedescendant', opts[active]!.id);
    opts[active]!.scrollIntoView({ block: 'nearest' });
  };
  const hrefOf = (option: Option) => {
    if ('href' in option.target) return option.target.href;
    const p = new URLSearchParams({ u: option.target.url, p: String(option.target.position) });
    if (current.logId) p.set('l', current.logId);
    else {
      p.set('q', current.q);
      p.set('n', String(current.total));
    }
    return `/search/go?${p}`;
  };
  const go = (i: number) => {
    const option = shown[i];
    if (option) window.location.href = hrefOf(option);
  };
  const render = (answer: Answer, q: string) => {
    shown = optionsFor(answer, q, messages);
    list.innerHTML = shown
      .map((o, i) => {
        const data = 'url' in o.target ? ` data-url="${escapeHtml(o.target.url)}"` : ` data-href="${escapeHtml(o.target.href)}"`;
        return `<li role="option" id="${list.id}-${i}" aria-selected="false"${o.className ? ` class="${o.className}"` : ''}${data}>${o.html}</li>`;
      })
      .join('');
    active = -1;
    input.removeAttribute('aria-activedescendant');
    open();
    status.textContent = statusText(answer, messages);
  };
  const logSettled = () => {
    const { q, total } = current;
    void fetch('/api/search/log', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ q, hits: total }) })
      .then((r) => (r.ok ? r.json() : null))
      .then((body: { id?: string } | null) => {
        if (body?.id && current.q === q) current.logId = body.id;
      })
      .catch(() => {});
  };
  const run = async () => {
    const q = input.value.trim();
    window.clearTimeout(settleTimer);
    if (!q) {
      status.textContent = '';
      return close();
    }
    controller?.abort();
    controller = new AbortController();
    try {
      const res = await fetch(`/api/search?${new URLSearchParams({ q, limit: '6' })}`, { signal: controller.signal });
      if (!res.ok) return close();
      const answer = (await res.json()) as Answer;
      current = { q, total: answer.total, logId: '' };
      render(answer, q);
      settleTimer = window.setTimeout(logSettled, SETTLE_MS);
    } catch {
      /* aborted by a newer keystroke, or offline */
    }
  };
  const schedule = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void run(), DEBOUNCE_MS);
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.isComposing || composing) return;
    if (e.key === 'ArrowDown' && (!list.hidden || (shown.length && input.value.trim() === current.q))) {
      e.preventDefault();
      open();
      setActive(active + 1);
    } else if (e.key === 'ArrowUp' && !list.hidden) {
      e.preventDefault();
      setActive(active - 1);
    } else if (e.key === 'Escape' && !list.hidden) {
      // Only close: the search field's own Esc would also wipe the query.
      e.preventDefault();
      close();
    } else if (e.key === 'Enter' && !list.hidden && active >= 0) {
      e.preventDefault();
      go(active);
    }
    // Enter without an active option submits the form: /search?q=<typed>.
  };

  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', list.id);
  input.setAttribute('aria-expanded', 'false');
  input.addEventListener('compositionstart', () => {
    composing = true;
    window.clearTimeout(timer);
  });
  input.addEventListener('compositionend', () => {
    composing = false;
    schedule();
  });
  input.addEventListener('input', (e) => {
    if (composing || (e as InputEvent).isComposing) return;
    schedule();
  });
  input.addEventListener('keydown', onKey);
  input.addEventListener('blur', () => window.setTimeout(close, 150));
  // Keep the focus in the input, so a click on an option is not a blur that closes the list first.
  list.addEventListener('mousedown', (e) => e.preventDefault());
  list.addEventListener('click', (e) => {
    const option = (e.target as Element).closest('[role="option"]');
    if (option) go(optionElements().indexOf(option as HTMLLIElement));
  });
}
